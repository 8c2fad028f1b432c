"""Matching published seal names to catalogue ids: hand-made cases, then the real data.

Real data read here (all committed under the project): the seal's Table 2 and figure list
(``transform/reference/``), the 2026-10 ANS catalogue (``extract/recorded/govbr-2026-10/``:
``ans_index.json`` for names and urls, ``services/<id>.json`` for popular names) and the 2018
ANS records (``extract/recorded/legacy-2018/servicos/*.xml``).
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from functools import cache
from importlib import resources
from pathlib import Path

import pytest

from transform.identity import (
    Candidate,
    CatalogueName,
    MatchMethod,
    MatchReport,
    catalogue_from_index,
    match_names,
    match_published,
    name_variants,
    normalise_name,
    score_names,
    slug_words,
)
from transform.maturity.model import Level
from transform.reference import (
    SNAPSHOTS,
    CrosswalkEntry,
    PublishedRow,
    crosswalk,
    figure_rows,
    published_rows,
)

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "extract" / "recorded"
CATALOGUE_2026 = RECORDED / "govbr-2026-10"
CATALOGUE_2018 = RECORDED / "legacy-2018" / "servicos"
S26, S18 = "govbr-2026-10", "legacy-2018"
V3 = {"s": "http://servicos.gov.br/v3/schema"}


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # case, accents, punctuation folded; function words dropped
        ("Solicitar reunião com a ANS", "solicitar reuniao ans"),
        ("Pagar à vista Taxa de Saúde Suplementar", "pagar vista taxa saude suplementar"),
        # parentheticals dropped (by default)
        (
            "Consultar a nota de operadoras de planos de saúde (IDSS)",
            "consultar nota operadora plano saude",
        ),
        ("Gerenciar senha TXT (SISCOSEN)", "gerenciar senha txt"),
        ("Cadastrar proposta (FormRol Web)", "cadastrar proposta"),
        # light plural stemming: -s, -ões -> -ão, -ais -> -al; short words and -ss/-us untouched
        ("Gerenciar APIs", "gerenciar apis"),
        ("Parcelar taxas", "parcelar taxa"),
        ("Solicitar informações", "solicitar informacao"),
        ("dados cadastrais", "dado cadastral"),
        ("Ressarcimento ao SUS", "ressarcimento sus"),
        ("mais acesso", "mais acesso"),
        # en dash and trailing full stop are punctuation
        (
            "Obter certidão do SIP \u2013 Sistema de Informações",
            "obter certidao sip sistema informacao",
        ),
        (
            "Consultar cadastro de beneficiários junto à ANS.",
            "consultar cadastro beneficiario junto ans",
        ),
        # mojibake is repaired before folding
        ("SaÃºde", "saude"),
        # nothing but a parenthetical / function words: keep rather than return nothing
        ("(IDSS)", "idss"),
        ("de", "de"),
        ("", ""),
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


def test_equivalent_spellings_normalise_equal() -> None:
    assert normalise_name("Consultar a nota de operadoras de planos de saúde (IDSS)") == (
        normalise_name("Consultar a nota de operadoras de plano de saúde")
    )
    assert normalise_name("do representante legal") == normalise_name("de representante legal")
    assert normalise_name("GERENCIAR APIs") == normalise_name("gerenciar apis")


def test_name_variants_keep_parenthetical_words_as_a_second_form() -> None:
    assert name_variants("Alterar nome do produto (plano de saúde)") == (
        "alterar nome produto",
        "alterar nome produto plano saude",
    )
    assert name_variants("Registrar plano de saúde") == ("registrar plano saude",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "https://www.gov.br/pt-br/servicos/obter-certidao-emitida-pela-ANS",
            "obter certidao emitida pela ANS",
        ),
        # the CMS copy suffix goes
        (
            "https://www.gov.br/pt-br/servicos/pagar-a-vista-taxa-de-saude-suplementar-2",
            "pagar a vista taxa de saude suplementar",
        ),
        ("registrar-plano-de-saude", "registrar plano de saude"),
        ("https://www.gov.br/pt-br/servicos/registrar-plano-de-saude/", "registrar plano de saude"),
    ],
)
def test_slug_words(value: str, expected: str) -> None:
    assert slug_words(value) == expected


# --------------------------------------------------------------------------- hand-made cases


def row(lineage: int, name: str, edition: str = "2022-09", level: Level = Level.A3) -> PublishedRow:
    return PublishedRow(edition, edition, lineage, "Mantido", "DIGES", name, level, level.value)


CATALOGUE = [
    CatalogueName(1, "Registrar plano de saúde", ("registrar-plano-de-saude",)),
    CatalogueName(2, "Cancelar registro de plano de saúde"),
    CatalogueName(3, "Parcelar débito de Taxa de Saúde Suplementar"),
    CatalogueName(4, "Pagar à vista Taxa de Saúde Suplementar"),
    CatalogueName(5, "Obter certidão de regime especial de direção técnica"),
    CatalogueName(6, "Obter certidão de regime especial de direção fiscal"),
    CatalogueName(7, "Gerenciar APIs, usuários e senha TXT no portal Operadoras"),
]


def run(rows: list[PublishedRow], entries: list[CrosswalkEntry] | None = None) -> MatchReport:
    return match_published(rows, CATALOGUE, entries or [], snapshot=S26)


def test_exact_match_after_normalisation() -> None:
    report = run([row(10, "REGISTRAR PLANOS DE SAÚDE")])
    match = report.matched[10]
    assert (match.service_id, match.method, match.score) == (1, MatchMethod.EXACT, 100.0)
    assert match.name_used == "REGISTRAR PLANOS DE SAÚDE"


def test_fuzzy_match_above_threshold_with_margin() -> None:
    report = run([row(10, "Parcelar taxas de Saúde Suplementar")])
    match = report.matched[10]
    assert (match.service_id, match.method) == (3, MatchMethod.FUZZY)
    assert 85 <= match.score < 100
    assert match.catalogue_text == "Parcelar débito de Taxa de Saúde Suplementar"


def test_close_runners_up_are_ambiguous_and_not_matched() -> None:
    report = run([row(10, "Obter certidão de regime especial de direção")])
    assert 10 not in report.matched
    ambiguous = report.ambiguous[10]
    assert {c.service_id for c in ambiguous.candidates[:2]} == {5, 6}
    assert ambiguous.candidates[0].score - ambiguous.candidates[1].score < 3
    assert report.status(10) == "ambiguous"


def test_two_exact_ids_are_ambiguous() -> None:
    catalogue = [
        CatalogueName(1, "Gerenciar senha (TXT)"),
        CatalogueName(2, "Gerenciar senha (web)"),
    ]
    report = match_published([row(10, "Gerenciar senha")], catalogue, [], snapshot=S26)
    assert report.status(10) == "ambiguous"
    assert {c.service_id for c in report.ambiguous[10].candidates} == {1, 2}


def test_below_threshold_is_unmatched_with_its_best_candidates() -> None:
    report = run([row(10, "Acessar Boletim do Programa Parceiros da Cidadania")])
    unmatched = report.unmatched[10]
    assert not unmatched.declared_absent
    assert 0 < len(unmatched.candidates) <= 3
    assert all(c.score < 85 for c in unmatched.candidates)


def test_threshold_and_margin_are_parameters() -> None:
    rows = [row(10, "Parcelar taxas de Saúde Suplementar")]
    assert (
        match_published(rows, CATALOGUE, [], snapshot=S26, threshold=95).status(10) == "unmatched"
    )
    assert match_published(rows, CATALOGUE, [], snapshot=S26, margin=50).status(10) == "ambiguous"


def test_every_name_of_a_lineage_is_tried() -> None:
    rows = [
        row(10, "Anunciar algo inteiramente diferente", "2022-09"),
        row(10, "Registrar plano de saúde", "2020-11"),
    ]
    report = run(rows)
    assert report.matched[10].service_id == 1
    assert report.matched[10].name_used == "Registrar plano de saúde"
    assert report.editions[10] == {"2020-11", "2022-09"}


def test_crosswalk_wins_over_exact_and_fuzzy() -> None:
    entry = CrosswalkEntry(10, S26, 2, "curated: the registration was cancelled, see ...")
    report = run([row(10, "Registrar plano de saúde")], [entry])
    match = report.matched[10]
    assert (match.service_id, match.method) == (2, MatchMethod.CROSSWALK)
    assert match.note.startswith("curated")
    assert match.catalogue_text == "Cancelar registro de plano de saúde"


def test_crosswalk_of_another_snapshot_is_ignored() -> None:
    entry = CrosswalkEntry(10, S18, 2, "an id of the 2018 snapshot")
    report = run([row(10, "Registrar plano de saúde")], [entry])
    assert (report.matched[10].service_id, report.matched[10].method) == (1, MatchMethod.EXACT)


def test_crosswalk_without_id_declares_the_lineage_absent() -> None:
    entry = CrosswalkEntry(10, S26, None, "no record in this snapshot")
    report = run([row(10, "Registrar plano de saúde")], [entry])
    unmatched = report.unmatched[10]
    assert unmatched.declared_absent and unmatched.note == "no record in this snapshot"
    assert unmatched.candidates[0].service_id == 1  # still shows what names alone would say


def test_crosswalk_id_missing_from_the_catalogue_is_reported() -> None:
    entry = CrosswalkEntry(10, S26, 999, "stale")
    report = run([row(10, "Registrar plano de saúde")], [entry])
    assert report.status(10) == "unmatched"
    assert report.crosswalk_errors and "999" in report.crosswalk_errors[0]


def test_one_id_claimed_twice_is_a_conflict_and_neither_is_matched() -> None:
    report = run([row(10, "Registrar plano de saúde"), row(11, "Registrar planos de saúde")])
    assert not report.matched
    (conflict,) = report.conflicts
    assert conflict.service_id == 1 and set(conflict.lineages) == {10, 11}
    assert report.status(10) == report.status(11) == "conflict"
    assert report.lineages == {10, 11}


def test_crosswalk_claim_beats_a_name_claim_on_the_same_id() -> None:
    entry = CrosswalkEntry(11, S26, 1, "curated")
    report = run([row(10, "Registrar plano de saúde"), row(11, "Something else entirely")], [entry])
    assert report.matched[11].service_id == 1
    assert report.status(10) == "conflict"
    assert report.conflicts[0].service_id == 1


def test_crosswalk_merge_is_not_a_conflict() -> None:
    entries = [CrosswalkEntry(lin, S26, 7, "merged into 7") for lin in (12, 13, 14)]
    rows = [
        row(12, "Gerenciar APIs"),
        row(13, "Gerenciar senha TXT"),
        row(14, "Gerenciar usuários"),
    ]
    report = run(rows, entries)
    assert not report.conflicts
    assert {lin: m.service_id for lin, m in report.matched.items()} == {12: 7, 13: 7, 14: 7}


def test_edition_specific_crosswalk_entry() -> None:
    entry = CrosswalkEntry(10, S26, 2, "only the 2020-11 row was the other service", "2020-11")
    rows = [row(10, "Registrar plano de saúde", "2020-11"), row(10, "Registrar plano de saúde")]
    report = run(rows, [entry])
    assert report.service_id_for(rows[0]) == 2
    assert report.service_id_for(rows[1]) == 1
    assert report.service_id(10) == 1


def test_for_edition_restricts_the_report() -> None:
    rows = [
        row(10, "Registrar plano de saúde", "2020-11"),
        row(11, "Pagar à vista Taxa de Saúde Suplementar"),
    ]
    report = run(rows)
    assert set(report.for_edition("2020-11").matched) == {10}
    assert set(report.for_edition("2022-09").matched) == {11}
    assert json.dumps(report.to_json())  # serialisable


def test_score_names_pools_entries_sharing_an_id() -> None:
    catalogue = [
        CatalogueName(3086, "Alterar dados em registro"),
        CatalogueName(3086, "Alterar dados nem registro"),
    ]
    (candidate,) = score_names(["Alterar dados nem registro"], catalogue)
    assert candidate == Candidate(
        3086, 100.0, "Alterar dados nem registro", "Alterar dados nem registro", True
    )


# --------------------------------------------------------------------------- real data


@cache
def catalogue_2026() -> tuple[CatalogueName, ...]:
    index = json.loads((CATALOGUE_2026 / "ans_index.json").read_text(encoding="utf-8"))
    popular: dict[int, list[str]] = {}
    for entry in index:
        record = json.loads(
            (CATALOGUE_2026 / "services" / f"{entry['id']}.json").read_text(encoding="utf-8")
        )
        items = (record.get("nomesPopulares") or {}).get("item") or []
        popular[entry["id"]] = [i["item"] for i in items if i.get("item")]
    return tuple(catalogue_from_index(index, popular))


@cache
def catalogue_2018() -> tuple[CatalogueName, ...]:
    out = []
    for path in sorted(CATALOGUE_2018.glob("*.xml")):
        root = ET.parse(path).getroot()
        popular = tuple(i.text for i in root.findall("s:nomes-populares/s:item", V3) if i.text)
        out.append(
            CatalogueName(
                int(root.findtext("s:dbId", namespaces=V3) or 0),
                root.findtext("s:nome", namespaces=V3) or "",
                (slug_words(root.findtext("s:id", namespaces=V3) or ""), *popular),
            )
        )
    return tuple(out)


def real(snapshot: str, edition: str | None = None, *, use_crosswalk: bool = True) -> MatchReport:
    catalogue = catalogue_2026() if snapshot == S26 else catalogue_2018()
    entries = crosswalk(snapshot) if use_crosswalk else []
    return match_published(published_rows(edition), catalogue, entries, snapshot=snapshot)


# lineage -> 2026 id for every 2022-09 lineage that has a 2026 record (curated by reading both).
EXPECTED_2026 = {
    1: 10811, 2: 3086, 3: 10828, 4: 10915, 5: 3185, 6: 2918, 7: 2233, 8: 10953, 9: 2237,
    10: 2232, 11: 10807, 12: 23120, 13: 23120, 14: 23120, 15: 2236, 16: 2607, 17: 3087,
    18: 2919, 19: 10987, 20: 2234, 22: 10831, 23: 10815, 24: 3335, 25: 2606, 26: 10954,
    27: 10955, 28: 10956, 29: 10958, 30: 10957, 32: 2238, 34: 10812, 35: 11466, 36: 11470,
    37: 11471, 38: 11473, 39: 11472, 40: 11503, 41: 11505, 42: 11617, 43: 11618, 44: 12087,
    45: 11901,
}  # fmt: skip
ABSENT_2026 = {46, 47}  # Parceiros da Cidadania: no 2026 record
# lineage -> 2018 id for every 2020-11 lineage.
EXPECTED_2018 = {
    2: 3086, 5: 3185, 6: 2918, 7: 2233, 9: 2237, 10: 2232, 15: 2236, 16: 2607, 17: 3087,
    18: 2919, 20: 2234, 21: 2239, 24: 3335, 25: 2606, 31: 2235, 32: 2238,
}  # fmt: skip


def ids(report: MatchReport) -> dict[int, int]:
    return {lineage: m.service_id for lineage, m in report.matched.items()}


def test_the_recorded_catalogues_are_there() -> None:
    assert len({c.service_id for c in catalogue_2026()}) == 44
    assert len(catalogue_2018()) == 17 and len({c.service_id for c in catalogue_2018()}) == 16


def test_every_2022_lineage_is_matched_or_reported_against_2026() -> None:
    report = real(S26).for_edition("2022-09")
    lineages = {r.lineage for r in published_rows("2022-09")}
    assert len(lineages) == 44
    assert report.lineages == lineages
    assert ids(report) == EXPECTED_2026
    assert set(report.unmatched) == ABSENT_2026
    assert all(u.declared_absent and u.note for u in report.unmatched.values())
    assert not report.ambiguous and not report.conflicts and not report.crosswalk_errors


def test_2022_rows_alone_give_the_same_ids() -> None:
    # The crosswalk covers the renames the 2022 names alone do not reach (5, 11, 24).
    report = real(S26, "2022-09")
    assert ids(report) == EXPECTED_2026
    assert set(report.unmatched) == ABSENT_2026


def test_names_alone_never_pick_a_wrong_id() -> None:
    """Without the crosswalk, every match is right; the rest is reported, never guessed."""
    report = real(S26, use_crosswalk=False)
    for lineage, service_id in ids(report).items():
        assert EXPECTED_2026.get(lineage) == service_id, lineage
    # what only the crosswalk settles
    assert {12, 13, 14, 38} <= set(report.unmatched)
    assert report.unmatched[38].candidates[0].service_id == 11470  # tempting but wrong
    (conflict,) = report.conflicts  # lineages 4 and 33 both name the press-office service
    assert (conflict.service_id, set(conflict.lineages)) == (10915, {4, 33})


def test_the_gerenciar_rows_map_to_23120_by_crosswalk() -> None:
    report = real(S26, "2022-09")
    names = {r.lineage: r.service_name for r in published_rows("2022-09")}
    for lineage, name in [(12, "Gerenciar APIs"), (13, "Gerenciar senha TXT")]:
        assert names[lineage] == name
    assert names[14].startswith("Gerenciar usuários de operadora")
    for lineage in (12, 13, 14):
        match = report.matched[lineage]
        assert (match.service_id, match.method) == (23120, MatchMethod.CROSSWALK)
        assert "23120" in match.note or "see lineage 12" in match.note
    assert not report.conflicts


def test_every_2020_lineage_matches_the_2018_catalogue() -> None:
    report = real(S18).for_edition("2020-11")
    assert ids(report) == EXPECTED_2018
    assert not report.ambiguous and not report.unmatched and not report.conflicts
    # Later lineages are simply absent from 2018 (reported, not matched to a 2018 record).
    later = real(S18).for_edition("2022-09")
    assert set(ids(later)) <= set(EXPECTED_2018)


def test_2018_names_alone_match_the_2020_edition() -> None:
    report = real(S18, "2020-11", use_crosswalk=False)
    assert ids(report) == EXPECTED_2018


def test_id_2234_is_reused_and_matched_per_snapshot() -> None:
    name_2018 = {c.service_id: c.name for c in catalogue_2018()}[2234]
    name_2026 = {c.service_id: c.name for c in catalogue_2026()}[2234]
    assert "ressarcimento ao SUS" in name_2018
    assert "processos administrativos" in name_2026
    # Lineage 20 is 2234 in both snapshots, each time through that snapshot's own name.
    m18 = real(S18, "2020-11").matched[20]
    m26 = real(S26, "2022-09").matched[20]
    assert m18.service_id == m26.service_id == 2234
    assert "ressarcimento" in m18.catalogue_text and "administrativos" in m26.catalogue_text
    assert "2020-11" in {r.edition for r in published_rows() if r.lineage == 20}
    # The 2018 service's name does not lead to 2234 in the 2026 catalogue: the id is not
    # carried across snapshots, and the crosswalk says why for both.
    report = match_names({1: [name_2018]}, list(catalogue_2026()))
    assert report.service_id(1) != 2234
    notes = [e for e in crosswalk() if e.lineage == 20]
    assert {e.catalogue for e in notes} == {S18, S26}
    assert all("ID REUSE" in e.note for e in notes)


def test_crosswalk_file_is_well_formed() -> None:
    entries = crosswalk()
    assert entries and all(e.note.strip() and e.catalogue in SNAPSHOTS for e in entries)
    keys = [(e.lineage, e.catalogue, e.edition) for e in entries]
    assert len(keys) == len(set(keys))
    lineages = {r.lineage for r in published_rows()}
    known = {
        S26: {c.service_id for c in catalogue_2026()},
        S18: {c.service_id for c in catalogue_2018()},
    }
    for e in entries:
        assert e.lineage in lineages
        assert e.catalogue_id is None or e.catalogue_id in known[e.catalogue], e
    with pytest.raises(ValueError, match="unknown catalogue snapshot"):
        crosswalk("govbr-1999")


def test_reference_loaders() -> None:
    rows = published_rows()
    assert len(rows) == 16 + 32 + 41 + 44
    assert {len({r.lineage for r in published_rows(e)}) for e in ("2020-11", "2021-04")} == {16, 32}
    assert len(published_rows("2021-09")) == 41 and len(published_rows("2022-09")) == 44
    assert all(isinstance(r.level, Level) for r in rows)
    figures = figure_rows()
    assert [f.figure for f in figures] == list(range(11, 55))


@pytest.mark.parametrize(
    ("name", "sha256"),
    [
        (
            "published_editions.csv",
            "168d6bbb3073a8e185231eef36c938ce242116cbb8f1048ef8817acf30d50cdc",
        ),
        (
            "published_figures_2022.csv",
            "960c48b675e63cc67901e71e9d913c071eb7d8abcea3f41dd135d23792cfbc82",
        ),
    ],
)
def test_reference_copies_are_byte_exact(name: str, sha256: str) -> None:
    body = resources.files("transform.reference").joinpath(name).read_bytes()
    assert hashlib.sha256(body).hexdigest() == sha256
