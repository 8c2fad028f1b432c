"""Legacy catalogue XML (Portal de Serviços 2015-2018, ``servico.xsd`` v3) -> :class:`Service`.

One ``<servico>`` per file, in the namespace ``http://servicos.gov.br/v3/schema``
(``extract/recorded/legacy-2018/servico.xsd``). What maps where:

- ``<dbId>`` (the XSD spells it ``dbID``; both are read) -> ``Service.id``: the numeric catalogue
  id, the same id the 2026 API uses. ``<id>`` is the slug of 2018 (slugs change while ids stay).
- ``etapas/etapa/canais-de-prestacao/default/canal-de-prestacao@tipo`` -> ``Step.channels``; each
  ``caso`` block (its condition in ``@descricao``) -> a :class:`Case`.
- ``tempo-total-estimado`` (service and step): ``ate``/``entre``/``em-media`` with ``min``, ``max``,
  ``unidade`` attributes, or ``atendimento-imediato``, or ``nao-estimado-ainda`` (used by the
  records though the XSD omits it), plus a ``descricao``.
- ``orgao@id`` ends in the agency's SIORG code; ``orgao/nomeOrgao`` is its name.
- There are no ratings in 2018, and the record does not give its own page address: ``ratings``
  and ``url`` stay ``None`` (``link-servico-digital`` points at the digital service itself).

The bytes are parsed with :mod:`defusedxml`: a document type declaration, entity declarations
and external references are refused, so entity expansion ("billion laughs") and external
entities (``SYSTEM "file:///etc/passwd"``) never reach the parser. A document over
:data:`~transform.parse_api.MAX_RECORD_BYTES` is refused before parsing; deep nesting is
harmless (expat does not recurse, and only the first levels under ``<servico>`` are read).
The encoding is the XML declaration's (UTF-8 without one): bytes that do not match it are
"not well-formed".
"""

from __future__ import annotations

import math
import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from transform.models import (
    Case,
    Channel,
    ChannelKind,
    RecordError,
    Service,
    SourceFormat,
    Step,
    TimeEstimate,
)
from transform.parse_api import check_record_size, trailing_id
from transform.text import plain, repair

NAMESPACE = "http://servicos.gov.br/v3/schema"

_KINDS = {k.value: k for k in ChannelKind}
# tempo-total-estimado children -> our normalised kind (TimeEstimate.kind).
_ESTIMATE_KINDS = {
    "atendimento-imediato": "imediato",
    "ate": "ate",
    "entre": "entre",
    "em-media": "em-media",
    "nao-estimado-ainda": "nao-estimado",
}
_DIGITS = re.compile("[0-9]+")


def parse_legacy_xml(body: bytes, record: str) -> Service:
    """Parse one v3 ``<servico>`` document; ``record`` names it in any error (e.g. its path)."""
    root = _safe_root(body, record)
    ns = _namespace_of(root, record)
    xml = _Reader(ns)

    raw_id = xml.text(root, "dbId")
    if raw_id is None:
        raw_id = xml.text(root, "dbID")
    service_id = _positive_int(raw_id)
    if service_id is None:
        raise RecordError(record, f"missing or unreadable <dbId>: {raw_id!r}")
    record = f"service {service_id} ({record})"
    name = plain(xml.text(root, "nome"))
    if not name:
        raise RecordError(record, "missing <nome>")

    warnings: list[str] = []
    for tag in ("dbId", "id", "nome", "descricao", "etapas", "orgao", "tempo-total-estimado"):
        if len(xml.all(root, tag)) > 1:
            warnings.append(f"more than one <{tag}>; the first is used")
    etapas = xml.first(root, "etapas")
    if etapas is None:
        warnings.append("no <etapas>")
        raw_steps: list[Element] = []
    else:
        raw_steps = xml.all(etapas, "etapa")
    steps = tuple(_parse_step(xml, raw, index, warnings) for index, raw in enumerate(raw_steps))
    orgao = xml.first(root, "orgao")
    slug = (xml.text(root, "id") or "").strip()
    return Service(
        id=service_id,
        name=name,
        source_format=SourceFormat.LEGACY_XML,
        steps=steps,
        description=plain(xml.text(root, "descricao")),
        slug=slug or None,
        url=None,
        agency_siorg=None if orgao is None else trailing_id(orgao.get("id")),
        agency_name=None
        if orgao is None
        else repair(xml.text(orgao, "nomeOrgao") or "").strip() or None,
        time_estimate=_time_estimate(xml, xml.first(root, "tempo-total-estimado")),
        ratings=None,
        digital_flag=_boolean(xml.text(root, "servico-digital")),
        digital_percent=_number(xml.text(root, "porcentagem")),
        free_of_charge=_boolean(xml.text(root, "gratuito")),
        warnings=tuple(warnings),
    )


def _safe_root(body: bytes, record: str) -> Element:
    check_record_size(body, record)
    try:
        return SafeElementTree.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise RecordError(record, f"hostile XML refused: {exc!r}") from None
    except ParseError as exc:
        raise RecordError(record, f"not well-formed XML: {exc}") from None


def _namespace_of(root: Element, record: str) -> str:
    """``"{ns}"`` prefix for child lookups; only a v3 (or namespace-less) ``<servico>`` is read."""
    for ns in (f"{{{NAMESPACE}}}", ""):
        if root.tag == f"{ns}servico":
            return ns
    raise RecordError(record, f"not a v3 <servico> document: root element is <{root.tag}>")


class _Reader:
    """Child lookups in one namespace (``ns`` is ``"{uri}"`` or empty)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def first(self, parent: Element, tag: str) -> Element | None:
        return parent.find(self.ns + tag)

    def all(self, parent: Element, tag: str) -> list[Element]:
        return parent.findall(self.ns + tag)

    def text(self, parent: Element, tag: str) -> str | None:
        """All text of the first ``tag`` child, or ``None`` when there is no such child."""
        child = self.first(parent, tag)
        return None if child is None else "".join(child.itertext())

    def local(self, element: Element) -> str:
        return element.tag.removeprefix(self.ns)


def _parse_step(xml: _Reader, raw: Element, index: int, warnings: list[str]) -> Step:
    where = f"step {index + 1}"
    channels: list[Channel] = []
    cases: list[Case] = []
    block = xml.first(raw, "canais-de-prestacao")
    for child in () if block is None else block:
        tag = xml.local(child)
        if tag == "default":
            channels += _parse_channels(xml, child, where, warnings, offset=len(channels))
        elif tag == "caso":
            case_where = f"{where} case {len(cases) + 1}"
            description = child.get("descricao")
            if description is None:  # the XSD puts it in an attribute; accept a child too
                description = xml.text(child, "descricao")
            cases.append(
                Case(
                    description=plain(description),
                    channels=_parse_channels(xml, child, case_where, warnings),
                )
            )
        else:
            warnings.append(f"{where}: unexpected <{tag}> in <canais-de-prestacao>, ignored")
    return Step(
        index=index,
        title=plain(xml.text(raw, "titulo")),
        description=plain(xml.text(raw, "descricao")),
        channels=tuple(channels),
        cases=tuple(cases),
        time_estimate=_time_estimate(xml, xml.first(raw, "tempo-total-estimado")),
    )


def _parse_channels(
    xml: _Reader, block: Element, where: str, warnings: list[str], offset: int = 0
) -> tuple[Channel, ...]:
    channels = []
    for position, item in enumerate(xml.all(block, "canal-de-prestacao"), start=offset + 1):
        raw_kind = (item.get("tipo") or "").strip()
        kind = _KINDS.get(raw_kind.lower())
        if kind is None:
            warnings.append(f"{where} channel {position}: unknown channel type {raw_kind!r}")
        # The XSD allows several <descricao> per channel: keep them all, one per line.
        texts = ("".join(d.itertext()) for d in xml.all(item, "descricao"))
        wait = _number(item.get("tempo-estimado-espera"))
        channels.append(
            Channel(
                raw_kind=raw_kind,
                kind=kind,
                description=plain("\n".join(texts)),
                wait_time=None if wait is None else int(wait),
                wait_unit=(item.get("tempo-estimado-periodo") or "").strip() or None,
            )
        )
    return tuple(channels)


def _time_estimate(xml: _Reader, raw: Element | None) -> TimeEstimate | None:
    if raw is None:
        return None
    description = plain(xml.text(raw, "descricao"))
    for child in raw:
        kind = _ESTIMATE_KINDS.get(xml.local(child))
        if kind is None:
            continue
        if kind in ("imediato", "nao-estimado"):
            return TimeEstimate(kind=kind, description=description)
        return TimeEstimate(
            kind=kind,
            min=_number(child.get("min")),
            max=_number(child.get("max")),
            unit=(child.get("unidade") or "").strip() or None,
            description=description,
        )
    if description:
        return TimeEstimate(kind="desconhecido", description=description)
    return None


def _positive_int(raw: str | None) -> int | None:
    if raw is None or not _DIGITS.fullmatch(raw.strip()):
        return None
    value = int(raw.strip())
    return value if value > 0 else None


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _boolean(raw: str | None) -> bool | None:
    """The XSD's ``"true"``/``"false"``/``""`` flags; empty or anything else is unknown."""
    lowered = (raw or "").strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None
