"""What the classifier returns: a level with the rule that decided it and the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    A1 = "A1"  # Autosserviço
    A2 = "A2"  # Análise digital
    A3 = "A3"  # Digital para o usuário
    B = "B"  # Parcialmente digital
    C = "C"  # Manual

    @property
    def is_digital(self) -> bool:
        return self in (Level.A1, Level.A2, Level.A3)


LEVEL_LABELS = {
    Level.A1: "Autosserviço",
    Level.A2: "Análise digital",
    Level.A3: "Digital para o usuário",
    Level.B: "Parcialmente digital",
    Level.C: "Manual",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact the decision rests on, pointing back into the record."""

    rule: str  # the named rule that produced this fact
    note: str  # one readable sentence
    step: int | None = None  # 1-based step number, as a person counts them
    channel: str | None = None  # the channel type involved
    span: str | None = None  # the exact text that triggered the rule

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.as_dict().items() if v is not None}

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "note": self.note,
            "step": self.step,
            "channel": self.channel,
            "span": self.span,
        }


@dataclass(frozen=True, slots=True)
class Classification:
    """A level, or ``level=None`` with ``reason`` when the record cannot be classified."""

    service_id: int
    level: Level | None
    rule: str
    rules_version: str
    confidence: float
    evidence: tuple[Evidence, ...] = field(default=())
    reason: str | None = None

    @property
    def classified(self) -> bool:
        return self.level is not None

    def evidence_json(self) -> list[dict[str, Any]]:
        return [e.to_json() for e in self.evidence]
