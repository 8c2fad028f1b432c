"""What the report shows, read from the analyst views (schema ``analytics``) and nothing else.

Views used: ``edition_summary`` (cards, the evolution chart), ``service_history`` (the comparative
table, each service's levels across editions), ``service_detail`` (the automatic seal: rule,
evidence, steps, channels, ratings) and ``classification_agreement`` (the official level next to
the automatic one, and the other way round). All of them show published, current loads only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, text

from transform.maturity.model import LEVEL_LABELS

LEVELS = ("A1", "A2", "A3", "B", "C")
LEVEL_NAMES = {level.value: label for level, label in LEVEL_LABELS.items()}
UNCLASSIFIED = "unclassified"
AGENCY_NAMES = {45013: ("ANS", "Agência Nacional de Saúde Suplementar")}
SERIES_LABELS = {"official": "oficial", "automatic": "automático"}
SOURCE_LABELS = {
    "published": "oficial: o selo publicado pela ANS",
    "scraped": "automática: catálogo Gov.br, coletado pelo selo",
    "archived": "automática: registros arquivados do catálogo",
}
# Non-digital in the seal's sense: the user must call, go, post or fax (and sms, a phone text).
NON_DIGITAL_KINDS = frozenset({"telefone", "presencial", "postal", "fax", "sms"})
CHANNEL_LABELS = {
    "aplicativo-movel": "Aplicativo móvel",
    "e-mail": "E-mail",
    "fax": "Fax",
    "postal": "Postal",
    "presencial": "Presencial",
    "sms": "SMS",
    "telefone": "Telefone",
    "web": "Web",
    "web-acompanhar": "Web (acompanhar)",
    "web-agendar": "Web (agendar)",
    "web-calcular-taxas": "Web (calcular taxas)",
    "web-consultar": "Web (consultar)",
    "web-declarar": "Web (declarar)",
    "web-emitir": "Web (emitir)",
    "web-inscrever-se": "Web (inscrever-se)",
    "web-postos-de-atendimento": "Web (postos de atendimento)",
    "web-preencher": "Web (preencher)",
    "web-simular": "Web (simular)",
}


def series_of(source_kind: str) -> str:
    return "official" if source_kind == "published" else "automatic"


def agency_names(agency: int) -> tuple[str, str]:
    """(short, long) name of the agency; SIORG code when it is not one we know."""
    return AGENCY_NAMES.get(agency, (f"SIORG {agency}", f"Órgão SIORG {agency}"))


def channel_label(kind: str) -> str:
    """'web-emitir' -> 'Web (emitir)'; a comma-separated list is labelled item by item."""
    return ", ".join(CHANNEL_LABELS.get(part.strip(), part.strip()) for part in kind.split(","))


def split_channels(kinds: Iterable[str]) -> tuple[list[str], list[str]]:
    """(digital, non-digital) channel kinds, in first-seen order, without repeats."""
    digital: list[str] = []
    other: list[str] = []
    for kind in dict.fromkeys(kinds):
        (other if kind in NON_DIGITAL_KINDS else digital).append(kind)
    return digital, other


@dataclass(frozen=True, slots=True)
class EditionRow:
    """One row of ``analytics.edition_summary``: an edition of one source kind."""

    edition: str
    cutoff: date
    source_kind: str
    official: bool
    services: int
    counts: dict[str, int]  # A1..C and "unclassified"
    share_digital: float | None
    share_a3: float | None
    figure_counts: dict[str, int] | None  # by the 2022 figure list, where the edition has one
    share_a3_figures: float | None
    load_id: int

    @property
    def series(self) -> str:
        return series_of(self.source_kind)

    @property
    def column(self) -> str:
        """The key of this edition's column in the comparative table."""
        return f"{self.edition}:{self.series}"

    @property
    def label(self) -> str:
        return f"{self.edition} {SERIES_LABELS[self.series]}"


@dataclass(frozen=True, slots=True)
class HistoryCell:
    """A service key in one edition of one series (``analytics.service_history``)."""

    edition: str
    series: str
    source_kind: str
    name: str
    level: str | None
    figure_level: str | None
    action: str
    renamed: bool
    previous_edition: str | None
    previous_level: str | None

    @property
    def column(self) -> str:
        return f"{self.edition}:{self.series}"


@dataclass(slots=True)
class KeyHistory:
    """One stable service key across every edition of both series."""

    service_key: str
    name: str  # the latest name
    diretoria: str | None
    cells: dict[str, HistoryCell] = field(default_factory=dict)  # column -> cell
    official_name: str | None = None  # the latest name the published seal gave it

    @property
    def label(self) -> str:
        """The seal's own name when it ever published the service (Table 2), else the latest."""
        return self.official_name or self.name


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    rule: str
    note: str
    step: int | None
    channel: str | None
    span: str | None


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    kind: str | None
    raw_kind: str
    description: str


@dataclass(frozen=True, slots=True)
class CaseInfo:
    description: str
    channels: tuple[ChannelInfo, ...]


@dataclass(frozen=True, slots=True)
class StepInfo:
    number: int  # 1-based, as people (and the evidence) count steps
    title: str
    description: str
    channels: tuple[ChannelInfo, ...]
    cases: tuple[CaseInfo, ...]
    time: str | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """The other series' level for the same service: official beside automatic or vice versa."""

    edition: str
    series: str
    levels: tuple[str, ...]  # one per key that has a level (merged services may have several)
    rule: str | None = None
    agrees: bool | None = None
    gap_days: int | None = None
    figure_levels: tuple[str, ...] = ()  # official only: the 2022 figure list, where it differs


@dataclass(slots=True)
class ServiceEntry:
    """One service of the reported edition: everything its page, badge and export row need."""

    name: str
    service_keys: tuple[str, ...]
    level: str | None
    diretoria: str | None
    page: str = ""  # file stem under services/ and badges/, set once every service is known
    service_id: int | None = None
    service_ids: tuple[int, ...] = ()
    slug: str | None = None
    url: str | None = None
    source_url: str | None = None
    captured_at: datetime | None = None
    figure_level: str | None = None  # official seals: the 2022 figure list's level, if it differs
    action: str | None = None
    rule: str | None = None
    confidence: float | None = None
    rules_version: str | None = None
    evidence: tuple[EvidenceItem, ...] = ()
    unclassified_reason: str | None = None
    channel_kinds: tuple[str, ...] = ()
    steps: tuple[StepInfo, ...] = ()
    time_estimate: str | None = None
    ratings_positive: int | None = None
    ratings_negative: int | None = None
    rating: float | None = None
    digital_percent: float | None = None
    comparison: Comparison | None = None
    has_detail: bool = False  # an automatic record (steps, channels, evidence) stands behind it

    @property
    def level_key(self) -> str:
        return self.level or UNCLASSIFIED

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level or "", "Não classificado")

    @property
    def votes(self) -> int:
        return (self.ratings_positive or 0) + (self.ratings_negative or 0)

    @property
    def channels(self) -> tuple[list[str], list[str]]:
        return split_channels(self.channel_kinds)


@dataclass(slots=True)
class ReportData:
    agency: int
    seal: EditionRow  # the edition the report rates: automatic when the code has one
    siblings: list[EditionRow]  # the same code's other source kinds (e.g. the official seal)
    editions: list[EditionRow]  # every edition of the agency, in cut-off order
    services: list[ServiceEntry]
    history: list[KeyHistory]
    compared_with: str | None  # the other series' edition shown beside each level


# -- reading the views ---------------------------------------------------------------------------


def load_report_data(engine: Engine, edition: str, agency: int) -> ReportData:
    """Everything the report of one edition needs; ValueError if the edition is not there."""
    with engine.connect() as conn:
        editions = _editions(conn, agency)
        same_code = [e for e in editions if e.edition == edition]
        if not same_code:
            known = ", ".join(dict.fromkeys(e.edition for e in editions)) or "none"
            raise ValueError(
                f"edition {edition!r} has no published load for agency {agency} "
                f"(editions in the warehouse: {known})"
            )
        automatic = [e for e in same_code if not e.official]
        # A scraped edition is the freshest view of the catalogue; an archived one comes next.
        automatic.sort(key=lambda e: (e.source_kind != "scraped", e.source_kind))
        seal = automatic[0] if automatic else same_code[0]
        history = _history(conn, agency)
        if seal.official:
            services, compared = _official_services(conn, agency, seal, history)
        else:
            services, compared = _automatic_services(conn, agency, seal, editions, history)
    assign_pages(services, official=seal.official)
    return ReportData(
        agency=agency,
        seal=seal,
        siblings=[e for e in same_code if e is not seal],
        editions=editions,
        services=services,
        history=history,
        compared_with=compared,
    )


def _editions(conn: Connection, agency: int) -> list[EditionRow]:
    rows = conn.execute(
        text(
            "SELECT edition, cutoff, source_kind, official, services, a1, a2, a3, b, c, "
            "unclassified, share_digital, share_a3, figure_a1, figure_a2, figure_a3, figure_b, "
            "figure_c, share_a3_figures, load_id FROM analytics.edition_summary "
            "WHERE agency_siorg = :agency ORDER BY cutoff, edition, official DESC, source_kind"
        ),
        {"agency": agency},
    ).mappings()
    found = []
    for r in rows:
        counts = {level: int(r[level.lower()] or 0) for level in LEVELS}
        counts[UNCLASSIFIED] = int(r["unclassified"] or 0)
        figures = None
        if r["figure_a1"] is not None:
            figures = {level: int(r[f"figure_{level.lower()}"] or 0) for level in LEVELS}
        found.append(
            EditionRow(
                edition=r["edition"],
                cutoff=r["cutoff"],
                source_kind=r["source_kind"],
                official=bool(r["official"]),
                services=int(r["services"]),
                counts=counts,
                share_digital=_float(r["share_digital"]),
                share_a3=_float(r["share_a3"]),
                figure_counts=figures,
                share_a3_figures=_float(r["share_a3_figures"]),
                load_id=int(r["load_id"]),
            )
        )
    return found


def _history(conn: Connection, agency: int) -> list[KeyHistory]:
    rows = conn.execute(
        text(
            "SELECT service_key, series, edition, cutoff, source_kind, name, diretoria, level, "
            "figure_level, previous_edition, previous_level, action, renamed "
            "FROM analytics.service_history WHERE agency_siorg = :agency "
            "ORDER BY cutoff, edition, service_key"
        ),
        {"agency": agency},
    ).mappings()
    found: dict[str, KeyHistory] = {}
    for r in rows:
        key = r["service_key"]
        entry = found.get(key)
        if entry is None:
            entry = found[key] = KeyHistory(key, r["name"], r["diretoria"])
        if r["action"] != "Excluído":
            entry.name = r["name"]  # rows come in cut-off order: the latest name wins
            if r["series"] == "official":
                entry.official_name = r["name"]
        entry.diretoria = entry.diretoria or r["diretoria"]
        cell = HistoryCell(
            edition=r["edition"],
            series=r["series"],
            source_kind=r["source_kind"],
            name=r["name"],
            level=r["level"],
            figure_level=r["figure_level"],
            action=r["action"],
            renamed=bool(r["renamed"]),
            previous_edition=r["previous_edition"],
            previous_level=r["previous_level"],
        )
        entry.cells[cell.column] = cell
    return sorted(found.values(), key=lambda h: key_order(h.service_key))


def _automatic_services(
    conn: Connection,
    agency: int,
    seal: EditionRow,
    editions: list[EditionRow],
    history: list[KeyHistory],
) -> tuple[list[ServiceEntry], str | None]:
    rows = conn.execute(
        text(
            "SELECT service_id, service_keys, name, url, slug, level, rule, confidence, "
            "rules_version, evidence, unclassified_reason, channel_kinds, steps, time_estimate, "
            "ratings_positive, ratings_negative, rating, digital_percent, diretoria, captured_at, "
            "source_url FROM analytics.service_detail "
            "WHERE agency_siorg = :agency AND edition = :edition AND source_kind = :kind "
            "ORDER BY service_id"
        ),
        {"agency": agency, "edition": seal.edition, "kind": seal.source_kind},
    ).mappings()
    services = [
        ServiceEntry(
            name=r["name"],
            service_keys=tuple(r["service_keys"] or ()),
            level=r["level"],
            diretoria=r["diretoria"],
            service_id=int(r["service_id"]),
            service_ids=(int(r["service_id"]),),
            slug=r["slug"],
            url=r["url"],
            source_url=r["source_url"],
            captured_at=r["captured_at"],
            rule=r["rule"],
            confidence=_float(r["confidence"]),
            rules_version=r["rules_version"],
            evidence=tuple(_evidence(r["evidence"])),
            unclassified_reason=r["unclassified_reason"],
            channel_kinds=tuple(r["channel_kinds"] or ()),
            steps=tuple(_steps(r["steps"])),
            time_estimate=describe_time(r["time_estimate"]),
            ratings_positive=r["ratings_positive"],
            ratings_negative=r["ratings_negative"],
            rating=_float(r["rating"]),
            digital_percent=_float(r["digital_percent"]),
            has_detail=True,
        )
        for r in rows
    ]
    # The official edition paired with this one (same code first, else the nearest cut-off).
    pairs = conn.execute(
        text(
            "SELECT official_edition, gap_days, service_key, official_level, figure_level, "
            "agrees FROM analytics.classification_agreement "
            "WHERE agency_siorg = :agency AND automatic_edition = :edition"
        ),
        {"agency": agency, "edition": seal.edition},
    ).mappings()
    by_edition: dict[str, list[RowMapping]] = {}
    for p in pairs:
        by_edition.setdefault(p["official_edition"], []).append(p)
    if not by_edition:
        # Every official edition pairs with another automatic one: the nearest official edition
        # still stands beside this one, read from the history.
        return services, _compare_from_history(services, seal, editions, history)
    official = min(
        by_edition,
        key=lambda code: (
            code != seal.edition,
            abs(int(by_edition[code][0]["gap_days"] or 0)),
            -_edition_rank(code),
        ),
    )
    rows_by_key = {p["service_key"]: p for p in by_edition[official]}
    for service in services:
        matched = [rows_by_key[k] for k in service.service_keys if k in rows_by_key]
        if not matched:
            service.comparison = Comparison(official, "official", ())
            continue
        levels = tuple(dict.fromkeys(p["official_level"] for p in matched if p["official_level"]))
        figures = tuple(
            dict.fromkeys(
                p["figure_level"]
                for p in matched
                if p["figure_level"] and p["figure_level"] != p["official_level"]
            )
        )
        service.comparison = Comparison(
            official,
            "official",
            levels,
            figure_levels=figures,
            agrees=all(bool(p["agrees"]) for p in matched),
            gap_days=int(matched[0]["gap_days"]) if matched[0]["gap_days"] is not None else None,
        )
    return services, official


def _compare_from_history(
    services: list[ServiceEntry],
    seal: EditionRow,
    editions: list[EditionRow],
    history: list[KeyHistory],
) -> str | None:
    """Official levels beside automatic ones from the nearest official edition (before first)."""
    official = [e for e in editions if e.official]
    if not official:
        return None
    nearest = min(
        official,
        key=lambda e: (e.cutoff > seal.cutoff, abs((e.cutoff - seal.cutoff).days)),
    )
    gap = (seal.cutoff - nearest.cutoff).days
    cells = {h.service_key: h.cells.get(nearest.column) for h in history}
    for service in services:
        found = [
            c
            for k in service.service_keys
            if (c := cells.get(k)) is not None and c.action != "Excluído" and c.level
        ]
        levels = tuple(dict.fromkeys(c.level for c in found if c.level))
        service.comparison = Comparison(
            nearest.edition,
            "official",
            levels,
            agrees=(all(c.level == service.level for c in found) if found else None),
            gap_days=gap,
            figure_levels=tuple(
                dict.fromkeys(
                    c.figure_level for c in found if c.figure_level and c.figure_level != c.level
                )
            ),
        )
    return nearest.edition


def _official_services(
    conn: Connection, agency: int, seal: EditionRow, history: list[KeyHistory]
) -> tuple[list[ServiceEntry], str | None]:
    services: list[ServiceEntry] = []
    ids: dict[str, list[int]] = {
        row.service_key: list(row.service_ids or ())
        for row in conn.execute(
            text(
                "SELECT service_key, service_ids FROM analytics.service_history "
                "WHERE agency_siorg = :agency AND edition = :edition AND series = 'official'"
            ),
            {"agency": agency, "edition": seal.edition},
        )
    }
    for key_history in history:
        cell = key_history.cells.get(seal.column)
        if cell is None or cell.action == "Excluído":
            continue
        services.append(
            ServiceEntry(
                name=cell.name,
                service_keys=(key_history.service_key,),
                level=cell.level,
                diretoria=key_history.diretoria,
                service_ids=tuple(ids.get(key_history.service_key) or ()),
                figure_level=cell.figure_level,
                action=cell.action,
            )
        )
    pairs = conn.execute(
        text(
            "SELECT automatic_edition, gap_days, service_key, automatic_level, automatic_rule, "
            "agrees FROM analytics.classification_agreement "
            "WHERE agency_siorg = :agency AND official_edition = :edition"
        ),
        {"agency": agency, "edition": seal.edition},
    ).mappings()
    rows_by_key = {p["service_key"]: p for p in pairs}
    compared = None
    for service in services:
        p = rows_by_key.get(service.service_keys[0])
        if p is None:
            continue
        compared = p["automatic_edition"]
        service.comparison = Comparison(
            p["automatic_edition"],
            "automatic",
            (p["automatic_level"],) if p["automatic_level"] else (),
            rule=p["automatic_rule"],
            agrees=bool(p["agrees"]) if p["automatic_rule"] else None,
            gap_days=int(p["gap_days"]) if p["gap_days"] is not None else None,
        )
    return services, compared


def _edition_rank(code: str) -> int:
    # Later editions rank higher; codes are YYYY-MM so their digits order them.
    return int(code.replace("-", "")) if code.replace("-", "").isdigit() else 0


# -- decoding the JSON columns -----------------------------------------------------------------


def _evidence(value: Any) -> Iterable[EvidenceItem]:
    for item in value or ():
        if not isinstance(item, Mapping):
            continue
        step = item.get("step")
        yield EvidenceItem(
            rule=str(item.get("rule") or ""),
            note=str(item.get("note") or ""),
            step=int(step) if isinstance(step, int | float) else None,
            channel=_opt_str(item.get("channel")),
            span=_opt_str(item.get("span")),
        )


def _channels(value: Any) -> tuple[ChannelInfo, ...]:
    return tuple(
        ChannelInfo(
            kind=_opt_str(c.get("kind")),
            raw_kind=str(c.get("raw_kind") or c.get("kind") or ""),
            description=str(c.get("description") or ""),
        )
        for c in value or ()
        if isinstance(c, Mapping)
    )


def _steps(value: Any) -> Iterable[StepInfo]:
    items = [s for s in value or () if isinstance(s, Mapping)]
    for number, step in enumerate(items, start=1):
        yield StepInfo(
            number=number,
            title=str(step.get("title") or ""),
            description=str(step.get("description") or ""),
            channels=_channels(step.get("channels")),
            cases=tuple(
                CaseInfo(str(c.get("description") or ""), _channels(c.get("channels")))
                for c in step.get("cases") or ()
                if isinstance(c, Mapping)
            ),
            time=describe_time(step.get("time_estimate")),
        )


_UNITS = {
    "minutos": ("minuto", "minutos"),
    "horas": ("hora", "horas"),
    "dias-corridos": ("dia corrido", "dias corridos"),
    "dias-uteis": ("dia útil", "dias úteis"),
    "semanas": ("semana", "semanas"),
    "meses": ("mês", "meses"),
    "anos": ("ano", "anos"),
}


def describe_time(value: Any) -> str | None:
    """The catalogue's time estimate in words: "até 30 dias corridos", "imediato"..."""
    if not isinstance(value, Mapping):
        return None
    kind = value.get("kind")
    low, high = value.get("min"), value.get("max")
    unit = value.get("unit")

    def amount(n: Any) -> str:
        number = float(n)
        shown = f"{number:g}".replace(".", ",")
        singular, plural = _UNITS.get(str(unit), ("", str(unit or "")))
        word = singular if number == 1 else plural
        return f"{shown} {word}".strip()

    if kind == "imediato":
        return "imediato"
    if kind == "nao-estimado":
        return "ainda não estimado"
    if kind == "entre" and low is not None and high is not None:
        return f"entre {_fmt_number(low)} e {amount(high)}"
    if kind == "ate" and high:
        return f"até {amount(high)}"
    if kind == "em-media" and high:
        return f"em média {amount(high)}"
    description = value.get("description")
    return str(description) if description else None


def _fmt_number(n: Any) -> str:
    return f"{float(n):g}".replace(".", ",")


def _float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal | int | float):
        return float(value)
    return None


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


# -- file names ----------------------------------------------------------------------------------


def slugify(value: str, limit: int = 80) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary near ``limit``."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[limit // 2 :] else cut
    return slug.strip("-")


def key_stem(service_key: str) -> str:
    """'45013:L20' -> '45013-l20' (no colon: the folder must unzip on any system)."""
    return slugify(service_key.replace(":", "-").replace("@", "-"), limit=120)


def assign_pages(services: Sequence[ServiceEntry], *, official: bool) -> None:
    """A unique, portable file stem per service: the catalogue slug, else the service key."""
    taken: set[str] = set()
    for service in services:
        if official or not (service.slug or service.name):
            stem = key_stem(service.service_keys[0]) if service.service_keys else "servico"
        else:
            stem = slugify(service.slug or service.name) or f"servico-{service.service_id}"
        if stem in taken and service.service_id is not None:
            stem = f"{stem}-{service.service_id}"
        base, n = stem, 2
        while stem in taken:
            stem, n = f"{base}-{n}", n + 1
        taken.add(stem)
        service.page = stem


def key_order(key: str) -> tuple[str, int, str]:
    """Keys in a human order: lineages (L) by number, then catalogue ids (S)."""
    _, _, rest = key.partition(":")
    digits = re.match(r"\d*", rest[1:])
    return (rest[:1], int(digits.group(0) or 0) if digits else 0, rest)
