"""Digital maturity classifier: ``classify_service(service) -> Classification``.

The policy is DESIGN.md section 2; every rule is named and documented in
:mod:`transform.maturity.rules`, and ``RULES`` lists them for the CLI.
"""

from __future__ import annotations

from transform.maturity.model import LEVEL_LABELS, Classification, Evidence, Level
from transform.maturity.rules import RULES_VERSION, classify, rules_table
from transform.models import Service

#: rule name -> (scope, one-line docstring); scope is "channel", "step" or "service".
RULES: dict[str, tuple[str, str]] = rules_table()


def classify_service(service: Service) -> Classification:
    """The maturity level of one service, with the rule that decided it and its evidence.

    Never reads the service's name or id to decide; an unreadable service yields an explicit
    unclassified result (``level=None`` with ``reason``), never a silent default.
    """
    return classify(service)


__all__ = [
    "LEVEL_LABELS",
    "RULES",
    "RULES_VERSION",
    "Classification",
    "Evidence",
    "Level",
    "classify_service",
]
