"""One parametrized test per maturity rule, over that rule's table in ``maturity_cases.py``."""

from __future__ import annotations

from typing import Any

import maturity_cases as cases  # this folder is on sys.path (pytest prepend mode)
import pytest

from transform.maturity import RULES, RULES_VERSION, classify_service
from transform.maturity.rules import REGISTRY, service_facts, view_channel


def _table(rule: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", cases.CASES[rule], ids=lambda c: c.id)


def check_channel(rule: str, case: Any) -> None:
    view = view_channel(case.channel, 1, case.step_title)
    fired = {e.rule for e in view.findings}
    assert view.category is case.category, view.findings
    assert view.access_help is case.access_help
    assert fired == set(case.fired)
    assert all(e.step == 1 and e.channel == case.channel.raw_kind for e in view.findings)
    if rule in case.fired:
        assert any(e.rule == rule and e.note for e in view.findings)


def check_fact(rule: str, case: Any) -> None:
    facts = service_facts(case.service)
    found = list(facts.facts.get(rule, ()))
    for step in facts.steps:
        found += step.get(rule)
    assert bool(found) is case.fires, found
    for evidence in found:
        assert evidence.rule == rule
        assert evidence.note
        assert evidence.step is None or 1 <= evidence.step <= len(case.service.steps)


def check_decision(rule: str, case: Any) -> None:
    result = classify_service(case.service)
    assert (result.level, result.rule) == (case.level, case.rule), result.evidence
    assert result.rules_version == RULES_VERSION
    assert 0.0 <= result.confidence <= 1.0
    assert result.evidence, "every result explains itself"
    assert result.evidence[0].rule == result.rule
    if result.level is None:
        assert result.reason and result.confidence == 0.0
    else:
        assert result.reason is None and result.confidence > 0.0


# --- registry -----------------------------------------------------------------------------


def test_every_rule_has_a_table_with_a_negative_case() -> None:
    assert set(cases.CASES) == set(RULES)
    for rule, items in cases.CASES.items():
        assert len(items) >= 3, rule
        assert any(cases.is_negative(rule, item) for item in items), rule
        assert len({item.id for item in items}) == len(items), rule


def test_registry_lists_scope_and_one_line_doc() -> None:
    for name, (scope, doc) in RULES.items():
        assert scope in ("channel", "step", "service")
        assert doc and "\n" not in doc and doc.endswith("."), name
        assert REGISTRY[name].scope == scope


# --- channel rules ------------------------------------------------------------------------


@_table("channel_type_category")
def test_channel_type_category(case: Any) -> None:
    check_channel("channel_type_category", case)


@_table("web_postos_de_atendimento_is_in_person")
def test_web_postos_de_atendimento_is_in_person(case: Any) -> None:
    check_channel("web_postos_de_atendimento_is_in_person", case)


@_table("web_channel_is_official_letter")
def test_web_channel_is_official_letter(case: Any) -> None:
    check_channel("web_channel_is_official_letter", case)


@_table("web_channel_is_email")
def test_web_channel_is_email(case: Any) -> None:
    check_channel("web_channel_is_email", case)


@_table("channel_only_explains_access")
def test_channel_only_explains_access(case: Any) -> None:
    check_channel("channel_only_explains_access", case)


# --- step rules ---------------------------------------------------------------------------


@_table("agency_side_step")
def test_agency_side_step(case: Any) -> None:
    check_fact("agency_side_step", case)


@_table("third_party_step")
def test_third_party_step(case: Any) -> None:
    check_fact("third_party_step", case)


@_table("fallback_step")
def test_fallback_step(case: Any) -> None:
    check_fact("fallback_step", case)


@_table("step_has_digital_path")
def test_step_has_digital_path(case: Any) -> None:
    check_fact("step_has_digital_path", case)


@_table("email_delivery_counts_as_digital")
def test_email_delivery_counts_as_digital(case: Any) -> None:
    check_fact("email_delivery_counts_as_digital", case)


@_table("step_email_only")
def test_step_email_only(case: Any) -> None:
    check_fact("step_email_only", case)


@_table("step_without_digital_path")
def test_step_without_digital_path(case: Any) -> None:
    check_fact("step_without_digital_path", case)


@_table("non_digital_alternative")
def test_non_digital_alternative(case: Any) -> None:
    check_fact("non_digital_alternative", case)


@_table("human_analysis_text")
def test_human_analysis_text(case: Any) -> None:
    check_fact("human_analysis_text", case)


@_table("multi_day_step_estimate")
def test_multi_day_step_estimate(case: Any) -> None:
    check_fact("multi_day_step_estimate", case)


@_table("self_service_subkind")
def test_self_service_subkind(case: Any) -> None:
    check_fact("self_service_subkind", case)


@_table("self_service_verb")
def test_self_service_verb(case: Any) -> None:
    check_fact("self_service_verb", case)


@_table("immediate_step")
def test_immediate_step(case: Any) -> None:
    check_fact("immediate_step", case)


@_table("automated_analysis_text")
def test_automated_analysis_text(case: Any) -> None:
    check_fact("automated_analysis_text", case)


# --- service rules: facts -----------------------------------------------------------------


@_table("multi_day_service_estimate")
def test_multi_day_service_estimate(case: Any) -> None:
    check_fact("multi_day_service_estimate", case)


@_table("immediate_delivery")
def test_immediate_delivery(case: Any) -> None:
    check_fact("immediate_delivery", case)


# --- service rules: the decision ----------------------------------------------------------


@_table("unclassified_no_steps")
def test_unclassified_no_steps(case: Any) -> None:
    check_decision("unclassified_no_steps", case)


@_table("unclassified_step_without_channels")
def test_unclassified_step_without_channels(case: Any) -> None:
    check_decision("unclassified_step_without_channels", case)


@_table("unclassified_unknown_channel_type")
def test_unclassified_unknown_channel_type(case: Any) -> None:
    check_decision("unclassified_unknown_channel_type", case)


@_table("C_no_digital_channel")
def test_c_no_digital_channel(case: Any) -> None:
    check_decision("C_no_digital_channel", case)


@_table("B_step_without_digital_path")
def test_b_step_without_digital_path(case: Any) -> None:
    check_decision("B_step_without_digital_path", case)


@_table("B_email_only_access")
def test_b_email_only_access(case: Any) -> None:
    check_decision("B_email_only_access", case)


@_table("A2_automated_analysis_with_validation")
def test_a2_automated_analysis_with_validation(case: Any) -> None:
    check_decision("A2_automated_analysis_with_validation", case)


@_table("A3_human_analysis")
def test_a3_human_analysis(case: Any) -> None:
    check_decision("A3_human_analysis", case)


@_table("A1_self_service")
def test_a1_self_service(case: Any) -> None:
    check_decision("A1_self_service", case)


@_table("A3_digital_without_self_service_evidence")
def test_a3_digital_without_self_service_evidence(case: Any) -> None:
    check_decision("A3_digital_without_self_service_evidence", case)


def test_unclassified_step_names_the_step() -> None:
    result = classify_service(cases.svc(cases.SUBMIT, cases.step("Receber resposta")))
    assert (
        result.reason is not None
        and "Step 2" in result.reason
        and "Receber resposta" in result.reason
    )
    assert result.evidence[0].step == 2


def test_unknown_type_names_step_and_raw_type() -> None:
    result = classify_service(cases.svc(cases.SUBMIT, cases.step("Receber", cases.ch("Chatbot"))))
    assert result.reason is not None and "'Chatbot'" in result.reason
    assert (result.evidence[0].step, result.evidence[0].channel) == (2, "Chatbot")


def test_evidence_quotes_the_original_text_span() -> None:
    text = "Após a análise técnica, a ANS enviará o parecer."
    result = classify_service(cases.svc(cases.step("Solicitar", cases.WEB, description=text)))
    spans = {e.span for e in result.evidence if e.rule == "human_analysis_text"}
    assert {"análise", "a ANS enviará", "parecer"} <= spans
    assert all(span in text for span in spans if span)


def test_mojibake_spans_are_repaired() -> None:
    text = cases.mojibake("Após análise, o pedido é deferido.")
    result = classify_service(cases.svc(cases.step("Solicitar", cases.WEB, description=text)))
    spans = {e.span for e in result.evidence if e.rule == "human_analysis_text"}
    assert {"análise", "deferido"} <= spans


def test_every_registered_rule_is_wired_into_the_classifier() -> None:
    from transform.maturity import rules

    wired = {
        "channel_type_category",
        "channel_only_explains_access",
        *rules._OVERRIDES,
        *rules._ROLE_RULES,
        *rules._STEP_RULES,
        *rules._SERVICE_FACT_RULES,
        *rules.DECISION_RULES,
    }
    assert wired == set(RULES)
    assert list(rules.DECISION_RULES)[-1] == "A3_digital_without_self_service_evidence"
