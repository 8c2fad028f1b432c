"""The classifier over every real ANS record of the 2026-10 capture (the committed copy).

Every record gets a level or an explicit reason; classified records explain themselves. The
regression expectations below are derived from what each record says (quoted in the comments),
not from the published seal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from transform.maturity import RULES, RULES_VERSION, Classification, Level, classify_service
from transform.models import Service
from transform.parse_api import parse_record_bytes

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "extract" / "recorded" / "govbr-2026-10" / "services"
PATHS = sorted(RECORDED.glob("*.json"), key=lambda p: int(p.stem))


def _load(service_id: int) -> Service:
    path = RECORDED / f"{service_id}.json"
    return parse_record_bytes(path.read_bytes(), str(path))


def test_the_committed_copy_is_there() -> None:
    assert len(PATHS) == 44


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_record_gets_a_level_or_a_reason(path: Path) -> None:
    service = parse_record_bytes(path.read_bytes(), str(path))
    result = classify_service(service)
    assert result.service_id == service.id
    assert result.rules_version == RULES_VERSION
    assert result.rule in RULES and RULES[result.rule][0] == "service"
    assert 0.0 <= result.confidence <= 1.0
    if result.level is None:
        assert result.reason, "an unclassified record must say why"
        return
    assert result.reason is None
    assert result.evidence, "a classified record must carry its evidence"
    assert result.evidence[0].rule == result.rule
    for evidence in result.evidence:
        assert evidence.rule in RULES
        assert evidence.note
        assert evidence.step is None or 1 <= evidence.step <= len(service.steps)


# (service id, level, deciding rule, why - from the record's own content)
EXPECTED: list[tuple[int, Level, str, str]] = [
    (
        2232,
        Level.A1,
        "A1_self_service",
        "one step 'Acessar o sistema e emitir o comprovante', channel web-emitir, "
        "tempoTotalEstimado atendimentoImediato; no staff-work words",
    ),
    (
        11503,
        Level.A1,
        "A1_self_service",
        "one step 'Gerar a GRU para pagamento' on two web links, immediate delivery",
    ),
    (
        10811,
        Level.A1,
        "A1_self_service",
        "library: 'Acesse', 'Faça sua busca', 'Baixe o conteúdo' on web/web-consultar, all "
        "immediate",
    ),
    (
        10831,
        Level.A1,
        "A1_self_service",
        "first access on the portal, four immediate web steps; step 5 'Procedimento não "
        "funcionou' (e-mail only) is a fallback, not the way in",
    ),
    (
        10828,
        Level.B,
        "B_email_only_access",
        "the only step 'Solicitar esclarecimento por e-mail' has one channel: e-mail",
    ),
    (
        10915,
        Level.B,
        "B_email_only_access",
        "step 1 'Fazer a solicitação' offers e-mail ('prioritário') and telephone only",
    ),
    (
        11617,
        Level.A1,
        "A1_self_service",
        "steps 1 and 3 consult the Guia ANS de Planos (web, immediate); step 2, in person, is "
        "done 'diretamente com a operadora': a third party's step, which does not demote",
    ),
    (
        11618,
        Level.A1,
        "A1_self_service",
        "search and consult steps on the web, delivered immediately; the ten days of analysis "
        "belong to the operator ('A operadora terá até 10 dias para analisar'), not ANS staff",
    ),
    (
        3335,
        Level.A3,
        "A3_human_analysis",
        "step 1 web + telefone + presencial (an alternative, not a demotion); step 3 'Receber "
        "e-mail da ANS' delivers by e-mail; 10-20 working days",
    ),
    (
        10807,
        Level.A3,
        "A3_human_analysis",
        "step 1 web + telefone + presencial; step 2 'Receber esclarecimento' by telefone, "
        "e-mail or postal: e-mail is a digital delivery; up to 10 working days",
    ),
    (
        2918,
        Level.A3,
        "A3_human_analysis",
        "request 'via peticionamento eletrônico', answer 'Ofício encaminhado pela Agência', "
        "2-7 days",
    ),
    (
        10955,
        Level.A3,
        "A3_human_analysis",
        "step 1 web by default with a postal case (an alternative); homologação, Ofício",
    ),
    (
        10958,
        Level.A3,
        "A3_human_analysis",
        "step 2 'Receber o resultado' is e-mail only, a digital delivery of an Ofício via SEI",
    ),
    (
        10953,
        Level.A3,
        "A3_digital_without_self_service_evidence",
        "one web step 'Fazer a denúncia no portal da ANS', not estimated, no staff-work words "
        "and no self-service evidence either",
    ),
]


@pytest.mark.parametrize(
    ("service_id", "level", "rule", "why"), EXPECTED, ids=[str(e[0]) for e in EXPECTED]
)
def test_regression(service_id: int, level: Level, rule: str, why: str) -> None:
    result = classify_service(_load(service_id))
    assert (result.level, result.rule) == (level, rule), (why, result.evidence)


def _rules(result: Classification) -> set[tuple[str, int | None]]:
    return {(e.rule, e.step) for e in result.evidence}


def test_11617_names_the_in_person_step_and_its_third_party() -> None:
    result = classify_service(_load(11617))
    assert ("step_without_digital_path", 2) in _rules(result)
    assert ("third_party_step", 2) in _rules(result)


def test_3335_records_the_alternative_and_the_email_delivery() -> None:
    result = classify_service(_load(3335))
    assert ("non_digital_alternative", 1) in _rules(result)
    assert ("email_delivery_counts_as_digital", 3) in _rules(result)


def test_2918_quotes_the_text_that_shows_human_analysis() -> None:
    result = classify_service(_load(2918))
    spans = {e.span for e in result.evidence if e.rule == "human_analysis_text"}
    assert "peticionamento" in spans
    assert "Ofício" in spans


def test_10831_fallback_step_is_recorded() -> None:
    result = classify_service(_load(10831))
    assert ("fallback_step", 5) in _rules(result)
    assert ("step_email_only", 5) in _rules(result)
