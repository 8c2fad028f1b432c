"""One entry point for every input format: sniff the document, hand it to its parser.

The three parsers (catalogue API JSON, legacy v3 XML, 2023 service-page HTML) all produce the
same :class:`~transform.models.Service`, so everything downstream is format-blind.
"""

from __future__ import annotations

from collections.abc import Callable

from transform.models import RecordError, Service, SourceFormat
from transform.parse_api import parse_record_bytes
from transform.parse_html import parse_service_page
from transform.parse_xml import parse_legacy_xml

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

PARSERS: dict[SourceFormat, Callable[[bytes, str], Service]] = {
    SourceFormat.API_JSON: parse_record_bytes,
    SourceFormat.LEGACY_XML: parse_legacy_xml,
    SourceFormat.PAGE_HTML: lambda body, record: parse_service_page(body, record),
}


def sniff_format(body: bytes) -> SourceFormat | None:
    """Which format a document is in, from its first bytes; ``None`` when it is none of ours."""
    head = body[:2048]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    head = head.lstrip().lower()
    if head.startswith((b"{", b"[")):
        return SourceFormat.API_JSON
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return SourceFormat.PAGE_HTML
    if head.startswith(b"<?xml") or head.startswith(b"<servico") or b"<servico" in head:
        return SourceFormat.LEGACY_XML
    return None


def parse_document(body: bytes, record: str) -> Service:
    """Parse a document of any supported format; :class:`RecordError` names what is wrong."""
    found = sniff_format(body)
    if found is None:
        if not body.strip():
            raise RecordError(record, "empty document")
        raise RecordError(
            record, "not a catalogue record: expected API JSON, legacy XML or a service page"
        )
    return PARSERS[found](body, record)
