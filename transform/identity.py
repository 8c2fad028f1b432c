"""Which catalogue service is a published seal row? Matching published names to catalogue ids.

The seal (Table 2 of the seed) names services in words, differently in every edition and
differently from the catalogue; the catalogue keys services on a numeric id. This module links the
two, per **catalogue snapshot**: an id means something only inside the snapshot it came from (the
catalogue reuses ids while a service's name and scope change, e.g. 2234 is "Obter vistas e cópias
de processos de ressarcimento ao SUS" in 2018 and "Obter vista e cópia de processos administrativos
em posse da ANS" in 2026), so ids are never carried from one snapshot to another.

Decision, per Table 2 ``lineage`` (all of its published names in the rows given are tried against
every catalogue name and alias):

1. ``crosswalk``: a curated entry (``transform/reference/crosswalk.csv``) for this lineage and
   snapshot wins over everything. An entry with no id declares the lineage absent from the
   snapshot (reported as unmatched, with the entry's note). An entry naming an id the catalogue
   does not hold is a ``crosswalk_error`` and the lineage is reported unmatched.
2. ``exact``: some published name equals some catalogue name/alias after :func:`normalise_name`,
   for exactly one service id (two ids -> ambiguous); an exact match wins over any fuzzy
   runner-up.
3. ``fuzzy``: the best ``rapidfuzz.fuzz.token_sort_ratio`` score over all (published name,
   catalogue name/alias) pairs is ``>= threshold`` and beats the best score of any *other* id by
   ``>= margin``. Within the margin -> ambiguous; below the threshold -> unmatched. Both are
   listed with their best candidates and are never matched.
4. One id claimed by several lineages is a conflict (all non-crosswalk claimants are withdrawn
   from ``matched``) unless every claim comes from the crosswalk, which is how deliberate merges
   are stated (e.g. 2022's "Gerenciar APIs", "Gerenciar senha TXT" and "Gerenciar usuários de
   operadora..." are all 2026 id 23120).

Why ``token_sort_ratio`` (measured on the real names; see tests/transform/test_identity.py):
``token_set_ratio`` scores 100 whenever one name's words are a subset of the other's, so the
short "Registrar plano de saúde" swallows "Registrar reclamação sobre operadora de planos de
saúde..." and "Cancelar registro de plano de saúde" ties with "Cancelar registro de operadora de
planos privados de saúde"; ``WRatio`` mixes in partial ratios, which give ~85 to any pair sharing
a short fragment ("... ANS"), so margins mean nothing. ``token_sort_ratio`` compares whole names,
is indifferent to word order and penalises extra words.

Why threshold 85 / margin 3 (measured on Table 2 vs the 2026-10 and 2018 ANS catalogues, with no
crosswalk): the best wrong candidate any lineage gets scores at most 80.7 (lineage 38 "Parcelar
multas de processos da ANS" -> 11470 "Pagar à vista multas de processos da ANS"); the right
non-exact matches score 85.0 (lineage 10 by its 2022 name alone) to 98.6, each at least 6.8
ahead of its runner-up. Right matches below 85 (e.g. 81.4) are left to the crosswalk.

Names are compared in two forms (:func:`name_variants`): without parentheticals and with their
words kept; a pairing of any two forms counts.

Pure code: no I/O.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from transform.models import Service
from transform.reference import CrosswalkEntry, PublishedRow
from transform.text import fold

__all__ = [
    "Ambiguous",
    "Candidate",
    "CatalogueName",
    "Conflict",
    "Match",
    "MatchMethod",
    "MatchReport",
    "Unmatched",
    "catalogue_from_index",
    "catalogue_name_for",
    "match_names",
    "match_published",
    "name_variants",
    "normalise_name",
    "score_names",
    "slug_words",
]

DEFAULT_THRESHOLD = 85.0
DEFAULT_MARGIN = 3.0
# How many runner-up candidates an ambiguous/unmatched/conflict entry lists.
CANDIDATES_LISTED = 3

# Parenthetical qualifiers ("(IDSS)", "(FormRol Web)", "(APS)", "(ADM - OPERADORA)",
# "(plano de saúde)"): catalogue and seal add and remove them inconsistently, so the primary form
# drops them and a second form keeps their words (see name_variants). No two ANS services differ
# only by one; if that ever happens, both ids match exactly and the lineage is reported
# ambiguous, never guessed.
_PARENTHETICAL = re.compile(r"\([^()]*\)")
# Portuguese function words (articles, prepositions and their contractions, conjunctions):
# "do representante" vs "de representante", "à ANS" vs "a ANS" must not count as differences.
_STOPWORDS = frozenset(
    {
        *("a", "o", "as", "os", "um", "uma", "uns", "umas"),
        *("de", "da", "do", "das", "dos", "em", "na", "no", "nas", "nos", "num", "numa"),
        *("ao", "aos", "para", "pela", "pelo", "pelas", "pelos", "por", "com"),
        *("e", "ou"),
    }
)
# A CMS de-duplication suffix on slugs ("pagar-a-vista-taxa-de-saude-suplementar-2").
_SLUG_COPY_SUFFIX = re.compile(r"-\d+$")


def _stem(word: str) -> str:
    """Light plural stemming, applied identically on both sides (not linguistics, matching).

    "-ões" -> "-ão" (informações -> informação), "-ais" -> "-al" for words longer than four
    letters (cadastrais -> cadastral), then one trailing "s" on words of five or more letters
    not ending in "ss"/"us" (planos -> plano, operadoras -> operadora, taxas -> taxa; "mais",
    "APIs", "SUS", "ANS" and "acesso" untouched).
    """
    if len(word) > 4 and word.endswith("oes"):
        return word[:-3] + "ao"
    if len(word) > 4 and word.endswith("ais"):
        return word[:-3] + "al"
    if len(word) >= 5 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


@lru_cache(maxsize=16384)  # every published name is scored against every catalogue name
def normalise_name(text: str, *, keep_parentheticals: bool = False) -> str:
    """The comparable form of a service name.

    Parentheticals dropped (unless ``keep_parentheticals``: their words are then kept as plain
    words); case, accents and punctuation folded (:func:`transform.text.fold`); Portuguese
    function words dropped; light plural stemming (see :func:`_stem`). Falls back to keeping the
    parentheticals / function words when dropping them would leave nothing.
    """
    words = fold(text).split()
    if not keep_parentheticals:
        words = fold(_PARENTHETICAL.sub(" ", text)).split() or words
    kept = [w for w in words if w not in _STOPWORDS] or words
    return " ".join(_stem(w) for w in kept)


def name_variants(text: str) -> tuple[str, ...]:
    """The forms a name is compared in: without, then with, its parentheticals.

    Some parentheticals are noise ("(IDSS)", "(SISCOSEN)"), others carry words the other side
    spells out: "Alterar nome do produto (plano de saúde)" vs "ALTERAR NOME DO PRODUTO EM
    REGISTRO DE PLANO DE SAÚDE". Every pairing of variants is scored and the best one counts.
    """
    return tuple(
        dict.fromkeys(
            v for v in (normalise_name(text), normalise_name(text, keep_parentheticals=True)) if v
        )
    )


def slug_words(url_or_slug: str) -> str:
    """The words of a gov.br slug (last path segment), without a trailing "-2" copy suffix."""
    path = urlsplit(url_or_slug).path if "/" in url_or_slug else url_or_slug
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    return _SLUG_COPY_SUFFIX.sub("", slug).replace("-", " ").replace("_", " ").strip()


@dataclass(frozen=True, slots=True)
class CatalogueName:
    """One catalogue service's names in one snapshot: its name plus aliases.

    Aliases are the slug's words (slugs often keep an older name: 2232's slug still says
    "emitir comprovante de dados cadastrais do consumidor") and popular names. Several entries
    may share an id (the 2018 archive has two files for 3086); they are pooled.
    """

    service_id: int
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def catalogue_name_for(service: Service, popular_names: Sequence[str] = ()) -> CatalogueName:
    """A parsed record's names: name, slug words and any popular names."""
    aliases = [slug_words(service.slug)] if service.slug else []
    aliases += [p for p in popular_names if p.strip()]
    return CatalogueName(service.id, service.name, tuple(aliases))


def catalogue_from_index(
    entries: Iterable[Mapping[str, Any]],
    popular_names: Mapping[int, Sequence[str]] | None = None,
) -> list[CatalogueName]:
    """Catalogue names from index entries ``{"id", "nome", "url"}`` (e.g. ``ans_index.json``)."""
    out = []
    for entry in entries:
        service_id = int(entry["id"])
        aliases = [slug_words(str(entry["url"]))] if entry.get("url") else []
        aliases += [p for p in (popular_names or {}).get(service_id, ()) if p.strip()]
        out.append(CatalogueName(service_id, str(entry["nome"]), tuple(aliases)))
    return out


class MatchMethod(StrEnum):
    CROSSWALK = "crosswalk"
    EXACT = "exact"
    FUZZY = "fuzzy"


@dataclass(frozen=True, slots=True)
class Candidate:
    """The best pairing of one lineage's names with one catalogue id."""

    service_id: int
    score: float  # 0-100; 100.0 with ``exact`` for a normalised equality
    name_used: str  # the published name
    catalogue_text: str  # the catalogue name or alias it was compared with
    exact: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "score": round(self.score, 1),
            "name_used": self.name_used,
            "catalogue_text": self.catalogue_text,
            "exact": self.exact,
        }


@dataclass(frozen=True, slots=True)
class Match:
    lineage: int
    service_id: int
    method: MatchMethod
    score: float  # for crosswalk matches: the name score of that id, for the record
    name_used: str
    catalogue_text: str = ""
    note: str = ""  # the crosswalk's reason, for crosswalk matches

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "lineage": self.lineage,
            "service_id": self.service_id,
            "method": self.method.value,
            "score": round(self.score, 1),
            "name_used": self.name_used,
            "catalogue_text": self.catalogue_text,
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The best two ids score within ``margin`` of each other (or both match exactly)."""

    lineage: int
    names: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "lineage": self.lineage,
            "names": list(self.names),
            "candidates": [c.to_json() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class Unmatched:
    """No id reaches the threshold, or the crosswalk says the lineage has no record here."""

    lineage: int
    names: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    note: str = ""  # the crosswalk's reason when it declares the lineage absent
    declared_absent: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "lineage": self.lineage,
            "names": list(self.names),
            "candidates": [c.to_json() for c in self.candidates],
            "declared_absent": self.declared_absent,
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Conflict:
    """One id claimed by several lineages without the crosswalk saying they merge."""

    service_id: int
    claims: tuple[Match, ...]

    @property
    def lineages(self) -> tuple[int, ...]:
        return tuple(m.lineage for m in self.claims)

    def to_json(self) -> dict[str, Any]:
        return {"service_id": self.service_id, "claims": [m.to_json() for m in self.claims]}


@dataclass(frozen=True)
class MatchReport:
    """Every lineage given ends up in exactly one of matched / ambiguous / unmatched / conflicts."""

    matched: dict[int, Match]
    ambiguous: dict[int, Ambiguous]
    unmatched: dict[int, Unmatched]
    conflicts: tuple[Conflict, ...]
    snapshot: str | None = None
    # Crosswalk entries that could not be applied (id absent from the catalogue, ...).
    crosswalk_errors: tuple[str, ...] = ()
    # Edition-specific crosswalk entries: (lineage, edition) -> entry.
    edition_overrides: dict[tuple[int, str], CrosswalkEntry] = field(default_factory=dict)
    # Which editions each lineage appears in (from the rows given), for per-edition views.
    editions: dict[int, frozenset[str]] = field(default_factory=dict)
    # Lineages withdrawn from ``matched`` because of a conflict.
    conflicted: frozenset[int] = frozenset()

    def service_id(self, lineage: int, edition: str | None = None) -> int | None:
        """The catalogue id of a lineage (in one edition), or ``None`` when it is not matched."""
        if edition is not None and (lineage, edition) in self.edition_overrides:
            return self.edition_overrides[lineage, edition].catalogue_id
        match = self.matched.get(lineage)
        return match.service_id if match else None

    def service_id_for(self, row: PublishedRow) -> int | None:
        """The catalogue id of one published row (edition-specific crosswalk entries first)."""
        return self.service_id(row.lineage, row.edition)

    @property
    def lineages(self) -> frozenset[int]:
        return frozenset(self.matched) | set(self.ambiguous) | set(self.unmatched) | self.conflicted

    def status(self, lineage: int) -> str:
        """``matched``, ``ambiguous``, ``unmatched``, ``conflict`` or ``unknown``."""
        if lineage in self.matched:
            return "matched"
        if lineage in self.ambiguous:
            return "ambiguous"
        if lineage in self.unmatched:
            return "unmatched"
        return "conflict" if lineage in self.conflicted else "unknown"

    def restricted(self, lineages: Collection[int]) -> MatchReport:
        """The same report seen through a subset of lineages (e.g. one edition's)."""
        keep = set(lineages)
        conflicts = tuple(c for c in self.conflicts if keep & set(c.lineages))
        return MatchReport(
            matched={k: v for k, v in self.matched.items() if k in keep},
            ambiguous={k: v for k, v in self.ambiguous.items() if k in keep},
            unmatched={k: v for k, v in self.unmatched.items() if k in keep},
            conflicts=conflicts,
            snapshot=self.snapshot,
            crosswalk_errors=self.crosswalk_errors,
            edition_overrides={k: v for k, v in self.edition_overrides.items() if k[0] in keep},
            editions={k: v for k, v in self.editions.items() if k in keep},
            conflicted=self.conflicted & keep,
        )

    def for_edition(self, edition: str) -> MatchReport:
        """Only the lineages that appear in ``edition``."""
        return self.restricted([k for k, eds in self.editions.items() if edition in eds])

    def counts(self) -> dict[str, int]:
        by_method: dict[str, int] = {m.value: 0 for m in MatchMethod}
        for match in self.matched.values():
            by_method[match.method.value] += 1
        return {
            "lineages": len(self.lineages),
            "matched": len(self.matched),
            **by_method,
            "ambiguous": len(self.ambiguous),
            "unmatched": len(self.unmatched),
            "declared_absent": sum(u.declared_absent for u in self.unmatched.values()),
            "conflicted": len(self.conflicted),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot,
            "counts": self.counts(),
            "matched": [self.matched[k].to_json() for k in sorted(self.matched)],
            "ambiguous": [self.ambiguous[k].to_json() for k in sorted(self.ambiguous)],
            "unmatched": [self.unmatched[k].to_json() for k in sorted(self.unmatched)],
            "conflicts": [c.to_json() for c in self.conflicts],
            "crosswalk_errors": list(self.crosswalk_errors),
        }


def score_names(names: Sequence[str], catalogue: Sequence[CatalogueName]) -> list[Candidate]:
    """One candidate per catalogue id: its best (published name, catalogue text) pairing.

    Sorted best first (exact before fuzzy at equal score; ties broken by id, for determinism).
    """
    published = [(n, name_variants(n)) for n in dict.fromkeys(names)]
    best: dict[int, Candidate] = {}
    for entry in catalogue:
        for text in entry.texts:
            targets = name_variants(text)
            for name, sources in published:
                exact = any(source in targets for source in sources)
                score = 100.0
                if not exact:
                    score = max(
                        (float(fuzz.token_sort_ratio(a, b)) for a in sources for b in targets),
                        default=0.0,
                    )
                current = best.get(entry.service_id)
                if current is None or (score, exact) > (current.score, current.exact):
                    best[entry.service_id] = Candidate(entry.service_id, score, name, text, exact)
    return sorted(best.values(), key=lambda c: (-c.score, not c.exact, c.service_id))


def _decide(
    key: int,
    names: tuple[str, ...],
    candidates: list[Candidate],
    threshold: float,
    margin: float,
) -> Match | Ambiguous | Unmatched:
    listed = tuple(candidates[:CANDIDATES_LISTED])
    exact = [c for c in candidates if c.exact]
    if len(exact) == 1:
        c = exact[0]
        return Match(key, c.service_id, MatchMethod.EXACT, c.score, c.name_used, c.catalogue_text)
    if len(exact) > 1:
        return Ambiguous(key, names, tuple(exact))
    if not candidates or candidates[0].score < threshold:
        return Unmatched(key, names, listed)
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if best.score - runner_up < margin:
        return Ambiguous(key, names, listed)
    return Match(
        key, best.service_id, MatchMethod.FUZZY, best.score, best.name_used, best.catalogue_text
    )


def _crosswalk_match(
    entry: CrosswalkEntry,
    names: tuple[str, ...],
    candidates: list[Candidate],
    catalogue_names: Mapping[int, str],
    errors: list[str],
) -> Match | Unmatched:
    listed = tuple(candidates[:CANDIDATES_LISTED])
    if entry.catalogue_id is None:
        return Unmatched(entry.lineage, names, listed, note=entry.note, declared_absent=True)
    if entry.catalogue_id not in catalogue_names:
        message = (
            f"crosswalk: lineage {entry.lineage} -> id {entry.catalogue_id} "
            f"({entry.catalogue}), but that id is not in the catalogue given"
        )
        errors.append(message)
        return Unmatched(entry.lineage, names, listed, note=message)
    scored = next((c for c in candidates if c.service_id == entry.catalogue_id), None)
    return Match(
        entry.lineage,
        entry.catalogue_id,
        MatchMethod.CROSSWALK,
        scored.score if scored else 0.0,
        scored.name_used if scored else (names[0] if names else ""),
        catalogue_names[entry.catalogue_id],
        note=entry.note,
    )


def _match(
    names: Mapping[int, tuple[str, ...]],
    catalogue: Sequence[CatalogueName],
    entries: Sequence[CrosswalkEntry],
    *,
    snapshot: str | None,
    threshold: float,
    margin: float,
    editions: dict[int, frozenset[str]],
) -> MatchReport:
    catalogue_names: dict[int, str] = {}
    for entry in catalogue:
        catalogue_names.setdefault(entry.service_id, entry.name)

    by_lineage: dict[int, CrosswalkEntry] = {}
    overrides: dict[tuple[int, str], CrosswalkEntry] = {}
    errors: list[str] = []
    for cw in entries:
        if cw.edition is not None:
            if (cw.lineage, cw.edition) in overrides:
                raise ValueError(f"crosswalk: two entries for lineage {cw.lineage} {cw.edition}")
            overrides[cw.lineage, cw.edition] = cw
            if cw.catalogue_id is not None and cw.catalogue_id not in catalogue_names:
                errors.append(
                    f"crosswalk: lineage {cw.lineage} ({cw.edition}) -> id {cw.catalogue_id} "
                    f"({cw.catalogue}), but that id is not in the catalogue given"
                )
            continue
        if cw.lineage in by_lineage:
            raise ValueError(f"crosswalk: two entries for lineage {cw.lineage} in {snapshot}")
        by_lineage[cw.lineage] = cw

    decided: dict[int, Match | Ambiguous | Unmatched] = {}
    for key in sorted(names):
        key_names = names[key]
        candidates = score_names(key_names, catalogue)
        if key in by_lineage:
            decided[key] = _crosswalk_match(
                by_lineage[key], key_names, candidates, catalogue_names, errors
            )
        else:
            decided[key] = _decide(key, key_names, candidates, threshold, margin)

    matched = {k: v for k, v in decided.items() if isinstance(v, Match)}
    claims: dict[int, list[Match]] = defaultdict(list)
    for match in matched.values():
        claims[match.service_id].append(match)
    conflicts = []
    withdrawn: set[int] = set()
    for service_id, claimants in sorted(claims.items()):
        if len(claimants) < 2 or all(m.method is MatchMethod.CROSSWALK for m in claimants):
            continue
        conflicts.append(Conflict(service_id, tuple(claimants)))
        for m in claimants:
            if m.method is not MatchMethod.CROSSWALK:
                del matched[m.lineage]
                withdrawn.add(m.lineage)

    return MatchReport(
        matched=matched,
        ambiguous={k: v for k, v in decided.items() if isinstance(v, Ambiguous)},
        unmatched={k: v for k, v in decided.items() if isinstance(v, Unmatched)},
        conflicts=tuple(conflicts),
        snapshot=snapshot,
        crosswalk_errors=tuple(errors),
        edition_overrides=overrides,
        editions=editions,
        conflicted=frozenset(withdrawn),
    )


def match_published(
    rows: Iterable[PublishedRow],
    catalogue: Sequence[CatalogueName],
    crosswalk: Iterable[CrosswalkEntry],
    *,
    snapshot: str,
    threshold: float = DEFAULT_THRESHOLD,
    margin: float = DEFAULT_MARGIN,
) -> MatchReport:
    """Link every lineage in ``rows`` to an id of ``catalogue`` (one snapshot), or report it.

    ``snapshot`` names the catalogue (e.g. ``"govbr-2026-10"``); only crosswalk entries for that
    snapshot are applied, since an id means something only within its snapshot. Which rows to
    pass is the caller's choice: all editions (every name a lineage ever had is tried) or one.
    """
    names: dict[int, list[str]] = defaultdict(list)
    editions: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row.service_name not in names[row.lineage]:
            names[row.lineage].append(row.service_name)
        editions[row.lineage].add(row.edition)
    entries = [e for e in crosswalk if e.catalogue == snapshot]
    return _match(
        {k: tuple(v) for k, v in names.items()},
        catalogue,
        entries,
        snapshot=snapshot,
        threshold=threshold,
        margin=margin,
        editions={k: frozenset(v) for k, v in editions.items()},
    )


def match_names(
    names: Mapping[int, Sequence[str]],
    catalogue: Sequence[CatalogueName],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    margin: float = DEFAULT_MARGIN,
) -> MatchReport:
    """The same decision for any keyed names (no crosswalk); keys play the role of lineages."""
    return _match(
        {k: tuple(v) for k, v in names.items()},
        catalogue,
        (),
        snapshot=None,
        threshold=threshold,
        margin=margin,
        editions={},
    )
