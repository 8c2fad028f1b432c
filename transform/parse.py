"""One entry point for every input format: sniff the document, hand it to its parser.

The three parsers (catalogue API JSON, legacy v3 XML, 2023 service-page HTML) all produce the
same :class:`~transform.models.Service`, so everything downstream is format-blind.

Bad and hostile documents end in a :class:`~transform.models.RecordError` naming the record,
never in a crash or a hang (``tests/hostile/README.md`` lists them): a document over
:data:`MAX_RECORD_BYTES` is refused here before any parser sees it.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

from transform.models import RecordError, Service, SourceFormat
from transform.parse_api import MAX_RECORD_BYTES, check_record_size, parse_record_bytes
from transform.parse_html import parse_service_page
from transform.parse_xml import parse_legacy_xml

__all__ = ["MAX_RECORD_BYTES", "PARSERS", "parse_document", "sniff_format"]

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Documents whose byte-order mark declares UTF-16/32: sniffed on their decoded first characters.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

PARSERS: dict[SourceFormat, Callable[[bytes, str], Service]] = {
    SourceFormat.API_JSON: parse_record_bytes,
    SourceFormat.LEGACY_XML: parse_legacy_xml,
    SourceFormat.PAGE_HTML: lambda body, record: parse_service_page(body, record),
}


def sniff_format(body: bytes) -> SourceFormat | None:
    """Which format a document is in, from its first bytes; ``None`` when it is none of ours."""
    head = body[:2048]
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            head = head.decode(codec, errors="ignore").encode("utf-8", errors="ignore")
            break
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
    check_record_size(body, record)
    found = sniff_format(body)
    if found is None:
        if not body.strip():
            raise RecordError(record, "empty document")
        raise RecordError(
            record, "not a catalogue record: expected API JSON, legacy XML or a service page"
        )
    return PARSERS[found](body, record)
