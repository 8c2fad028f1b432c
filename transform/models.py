"""Typed records every parser produces and every later stage consumes.

One model for every input format (catalogue API JSON, legacy XML, service-page HTML):
a :class:`Service` has ordered :class:`Step` s, each with its default :class:`Channel` s and
conditional :class:`Case` s. All classes are frozen: stages pass them along, never mutate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChannelKind(StrEnum):
    """The catalogue's closed set of 18 channel types (``tipo``)."""

    APLICATIVO_MOVEL = "aplicativo-movel"
    E_MAIL = "e-mail"
    FAX = "fax"
    POSTAL = "postal"
    PRESENCIAL = "presencial"
    SMS = "sms"
    TELEFONE = "telefone"
    WEB = "web"
    WEB_ACOMPANHAR = "web-acompanhar"
    WEB_AGENDAR = "web-agendar"
    WEB_CALCULAR_TAXAS = "web-calcular-taxas"
    WEB_CONSULTAR = "web-consultar"
    WEB_DECLARAR = "web-declarar"
    WEB_EMITIR = "web-emitir"
    WEB_INSCREVER_SE = "web-inscrever-se"
    WEB_POSTOS_DE_ATENDIMENTO = "web-postos-de-atendimento"
    WEB_PREENCHER = "web-preencher"
    WEB_SIMULAR = "web-simular"

    @property
    def is_web(self) -> bool:
        return self is ChannelKind.WEB or self.value.startswith("web-")


class SourceFormat(StrEnum):
    API_JSON = "api-json"
    LEGACY_XML = "legacy-xml"
    PAGE_HTML = "page-html"


@dataclass(frozen=True, slots=True)
class Channel:
    """One way to carry out a step.

    ``kind`` is ``None`` when the record used a type outside the closed set; ``raw_kind`` always
    keeps what the record said, so the classifier can report it instead of guessing.
    """

    raw_kind: str
    kind: ChannelKind | None
    description: str = ""
    wait_time: int | None = None
    wait_unit: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """A conditional set of channels ("caso"): applies only when its condition holds."""

    description: str
    channels: tuple[Channel, ...]


@dataclass(frozen=True, slots=True)
class TimeEstimate:
    """The catalogue's ``tempoTotalEstimado``, normalised.

    ``kind`` is one of ``ate`` (up to), ``entre`` (between), ``em-media`` (on average),
    ``imediato`` (immediate delivery), ``nao-estimado`` (not estimated yet) or ``desconhecido``.
    """

    kind: str
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    description: str = ""

    @property
    def is_immediate(self) -> bool:
        return self.kind == "imediato"


@dataclass(frozen=True, slots=True)
class Step:
    index: int  # 0-based position in the record
    title: str
    description: str
    channels: tuple[Channel, ...]
    cases: tuple[Case, ...] = ()
    time_estimate: TimeEstimate | None = None

    @property
    def all_channels(self) -> tuple[Channel, ...]:
        return self.channels + tuple(c for case in self.cases for c in case.channels)


@dataclass(frozen=True, slots=True)
class Ratings:
    positive: int
    negative: int

    @property
    def total(self) -> int:
        return self.positive + self.negative


@dataclass(frozen=True, slots=True)
class Service:
    """One catalogue service as it stood in one source document."""

    id: int
    name: str
    source_format: SourceFormat
    steps: tuple[Step, ...]
    description: str = ""
    slug: str | None = None
    url: str | None = None
    agency_siorg: int | None = None
    agency_name: str | None = None
    time_estimate: TimeEstimate | None = None
    ratings: Ratings | None = None
    digital_flag: bool | None = None
    digital_percent: float | None = None
    free_of_charge: bool | None = None
    warnings: tuple[str, ...] = field(default=())


class RecordError(ValueError):
    """A record that cannot be read into a :class:`Service`; names the record and the problem."""

    def __init__(self, record: str, reason: str) -> None:
        super().__init__(f"{record}: {reason}")
        self.record = record
        self.reason = reason
