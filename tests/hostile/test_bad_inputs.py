"""Hostile and bad input: each one ends in a per-record error naming the record, never a crash
or a hang (tests/hostile/README.md lists them, where each is handled and the error it yields).

Three levels: the parsers (``parse_document``), the transform stage (``transform_documents``:
good documents classify, each bad one is exactly one ``RecordIssue``), and ``selo run`` on a
replay directory mixing real records with bad ones. The HTTP body cap is proven on a streamed
50 MB response that is never read to its end.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import respx
from typer.testing import CliRunner

from extract.archive import RawArchive
from extract.catalogue import fetch_agency_catalogue
from extract.http import BodyTooLarge, build_client
from extract.replay import DEFAULT_REPLAY_DIR
from selo.cli import app
from selo.settings import HttpSettings, load_settings
from transform.models import RecordError
from transform.parse import MAX_RECORD_BYTES, parse_document
from transform.parse_api import MAX_JSON_DEPTH, parse_record_bytes
from transform.parse_html import MAX_PAGE_DEPTH
from transform.pipeline import SourceDocument, transform_documents

SERVICES = DEFAULT_REPLAY_DIR / "services"
GOOD_IDS = (10828, 2232, 3335)
HTML_PAGE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "html-2023"
    / "case1_projeto-salas-verdes.html"
)
MIB = 2**20


def real(service_id: int) -> bytes:
    return (SERVICES / f"{service_id}.json").read_bytes()


def record_text(service_id: int) -> str:
    return real(service_id).decode("utf-8")


def with_id(service_id: int, **fields: object) -> bytes:
    """A real record (10828) under another id, with some fields replaced."""
    obj = json.loads(real(10828))
    obj["id"] = f"https://servicos.gov.br/api/v1/servicos/{service_id}"
    obj.update(fields)
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def nested_json(depth: int, service_id: int = 900_005) -> bytes:
    return (
        f'{{"id": {service_id}, "nome": "Aninhado", "etapas": [], "extra": '.encode()
        + b"[" * depth
        + b"]" * depth
        + b"}"
    )


XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
LEGACY = b'<servico xmlns="http://servicos.gov.br/v3/schema"><dbId>900100</dbId><nome>%s</nome>'
BILLION_LAUGHS = (
    XML_HEAD
    + b'<!DOCTYPE servico [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
    + LEGACY % b"&lol9;"
    + b"</servico>"
)
XXE = (
    XML_HEAD
    + b'<!DOCTYPE servico [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + LEGACY % b"&xxe;"
    + b"</servico>"
)
XML_LATIN1 = (
    b"<servico><dbId>900101</dbId><nome>Solicita\xe7\xe3o</nome></servico>"  # no declaration
)


def html_without_channels() -> bytes:
    """A service page whose steps have no "Canais de prestação" block."""
    return (
        "<html><head><title>Pedir algo</title></head><body>"
        '<script>window.histData={"id":"900110","nome":"Pedir algo"}</script>'
        "<h1>Pedir algo</h1><h2>Etapas para a realização deste serviço</h2>"
        "<ol><li><h3>Solicitar</h3><h4>Documentação</h4><p>RG e CPF.</p></li>"
        "<li><h3>Receber</h3><h4>Documentação</h4><p>Nenhuma.</p></li></ol>"
        "</body></html>"
    ).encode()


def html_deep(depth: int) -> bytes:
    return b"<html><body>" + b"<div>" * depth + b"x" + b"</div>" * depth + b"</body></html>"


# Every bad input: (id, record name, body, what the error must say).
BAD: list[tuple[str, str, bytes, str]] = [
    ("empty", "service 900001", b"", "empty document"),
    (
        "binary",
        "service 900002",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "not a catalogue record",
    ),
    ("malformed-json", "service 900003", b'{"id": 900003, "nome": }', "not valid JSON"),
    ("truncated-json", "service 900004", real(3335)[:700], "not valid JSON"),
    ("nested-30", "service 900005", nested_json(30), f"nested deeper than {MAX_JSON_DEPTH}"),
    (
        "nested-arrays-10000",
        "service 900006",
        b"[" * 10_000 + b"]" * 10_000,
        f"nested deeper than {MAX_JSON_DEPTH}",
    ),
    (
        "nested-objects-10000",
        "service 900007",
        b'{"a": ' * 10_000 + b"1" + b"}" * 10_000,
        f"nested deeper than {MAX_JSON_DEPTH}",
    ),
    (
        "huge-integer",
        "service 900008",
        b'{"id": 900008, "porcentagemDigital": ' + b"9" * 5000 + b"}",
        "not valid JSON",
    ),
    (
        "latin-1-as-utf-8",
        "service 900009",
        record_text(10828).encode("latin-1", errors="replace"),
        "not UTF-8 (byte 0x",
    ),
    (
        "cp1252-as-utf-8",
        "service 900010",
        '{"id": 900010, "nome": "\u201cSolicitar\u201d \u2013 servi\u00e7o"}'.encode("cp1252"),
        "not UTF-8 (byte 0x93 at offset 24",
    ),
    (
        "utf-16-bom-cut",
        "service 900011",
        codecs.BOM_UTF16_LE + record_text(2232).encode("utf-16-le")[:-1],
        "not valid UTF-16",
    ),
    (
        "lone-surrogate",
        "service 900012",
        b'{"id": 900012, "nome": "Pedido \\ud800 sem par", "etapas": []}',
        "lone UTF-16 surrogate",
    ),
    (
        "oversized-json",
        "service 900013",
        b'{"id": 900013, "descricao": "' + b"x" * (MAX_RECORD_BYTES) + b'"}',
        "bytes: larger than the 8 MiB a catalogue record may be",
    ),
    ("xml-billion-laughs", "laughs.xml", BILLION_LAUGHS, "hostile XML refused"),
    ("xml-xxe", "xxe.xml", XXE, "hostile XML refused"),
    ("xml-latin-1-undeclared", "latin.xml", XML_LATIN1, "not well-formed XML"),
    (
        "xml-deep-no-id",
        "deep.xml",
        XML_HEAD + b"<servico>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</servico>",
        "missing or unreadable <dbId>",
    ),
    (
        "oversized-xml",
        "big.xml",
        XML_HEAD + b"<servico><!--" + b"x" * MAX_RECORD_BYTES + b"--></servico>",
        "larger than the 8 MiB a catalogue record may be",
    ),
    ("html-no-channel-block", "page.html", html_without_channels(), "no channel in any step"),
    (
        "html-deep-100000",
        "deep.html",
        html_deep(100_000),
        f"elements nested deeper than {MAX_PAGE_DEPTH}",
    ),
    (
        "oversized-html",
        "big.html",
        b"<html>" + b" " * MAX_RECORD_BYTES + b"</html>",
        "larger than the 8 MiB a catalogue record may be",
    ),
]
JSON_BAD = [case for case in BAD if case[1].startswith("service ")]


# ---- the parsers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "body", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_parse_document_names_the_record(record: str, body: bytes, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(RecordError) as raised:
        parse_document(body, record)
    assert record in raised.value.record, raised.value
    assert message in raised.value.reason, raised.value
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("record", "body", "message"),
    [c[1:] for c in JSON_BAD if c[0] not in ("empty", "binary")],
    ids=[c[0] for c in JSON_BAD if c[0] not in ("empty", "binary")],
)
def test_the_json_parser_alone_refuses_it_too(record: str, body: bytes, message: str) -> None:
    """``transform_documents`` parses with ``parse_record_bytes`` by default: same guards."""
    with pytest.raises(RecordError) as raised:
        parse_record_bytes(body, record)
    assert record in raised.value.record and message in raised.value.reason, raised.value


def test_utf16_and_utf8_bom_declared_records_are_read() -> None:
    """A byte-order mark declares the encoding: not a guess, so those records are read."""
    expected = parse_document(real(2232), "service 2232")
    text = record_text(2232)
    for body in (
        codecs.BOM_UTF8 + text.encode("utf-8"),
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
    ):
        assert parse_document(body, "service 2232") == expected


def test_mojibake_is_repaired_not_refused() -> None:
    """Valid UTF-8 holding double-encoded text (a quirk of real records) is repaired."""
    name = "Solicitação de ressarcimento"
    body = with_id(900_020, nome=name.encode("utf-8").decode("latin-1"))
    assert parse_document(body, "service 900020").name == name


def test_an_unknown_channel_type_is_reported_not_guessed() -> None:
    obj = json.loads(real(10828))
    obj["etapas"][0]["canaisDePrestacao"]["canaisDePrestacao"][0]["tipo"] = "web-holograma"
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    [result] = transform_documents([SourceDocument("service 10828", body)]).results
    assert any("web-holograma" in w for w in result.service.warnings)
    assert result.classification.level is None
    assert "web-holograma" in str(result.classification)


def test_deep_xml_inside_a_record_is_harmless() -> None:
    body = (
        XML_HEAD
        + LEGACY % b"Servi\xc3\xa7o"
        + b"<descricao>"
        + b"<p>" * 100_000
        + b"fundo"
        + b"</p>" * 100_000
        + b"</descricao></servico>"
    )
    service = parse_document(body, "deep.xml")
    assert service.id == 900_100 and service.description == "fundo"


def test_html_just_under_the_depth_bound_still_parses_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(RecordError, match="no service id"):
        parse_document(html_deep(MAX_PAGE_DEPTH - 10), "deep.html")
    assert time.perf_counter() - started < 1


# ---- the transform stage ----------------------------------------------------------------------


def test_the_pipeline_classifies_the_good_and_names_each_bad_once() -> None:
    good = [SourceDocument(f"service {i}", real(i), service_id=i) for i in GOOD_IDS]
    bad = [SourceDocument(record, body) for _, record, body, _ in BAD]
    mixed = [good[0], *bad[: len(bad) // 2], good[1], *bad[len(bad) // 2 :], good[2]]

    edition = transform_documents(mixed, parse=parse_document)

    assert sorted(r.service.id for r in edition.results) == sorted(GOOD_IDS)
    assert all(r.classification.level is not None for r in edition.results)
    assert [i.record for i in edition.issues] == [d.record for d in bad]
    for issue, (_, _, _, message) in zip(edition.issues, BAD, strict=True):
        assert issue.stage == "parse" and message in issue.reason


# ---- the HTTP client: the body cap ------------------------------------------------------------

API = "https://catalogo.test"


class FiftyMegabytes:
    """A 50 MB body streamed in 64 KiB chunks, counting what was actually pulled from it."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b"x" * 65_536
        while self.sent < 50_000_000:
            self.sent += len(chunk)
            yield chunk


def test_a_50_mb_body_is_cut_at_the_cap_without_reading_it_all() -> None:
    http = replace(HttpSettings(), min_interval=0.0, retries=2, backoff_factor=0.0)
    assert http.max_body_bytes == 16 * MIB
    stream = FiftyMegabytes()

    async def run() -> None:
        async with build_client(http) as client:
            await client.get(API + "/api/v1/servicos/900030")

    with respx.mock(base_url=API, assert_all_called=True) as router:
        route = router.get("/api/v1/servicos/900030").mock(
            return_value=httpx.Response(200, stream=stream)  # type: ignore[arg-type]
        )
        started = time.perf_counter()
        with pytest.raises(BodyTooLarge, match="body larger than 16 MiB"):
            asyncio.run(run())
    assert time.perf_counter() - started < 2
    assert route.call_count == 1  # not retried: the same body would come again
    assert stream.sent <= 16 * MIB + 65_536  # stopped one chunk past the cap


def test_a_declared_length_over_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    http = replace(HttpSettings(), min_interval=0.0, retries=0, max_body_bytes=MIB)
    stream = FiftyMegabytes()
    listing = {"resposta": [{"id": f"{API}/api/v1/servicos/{i}"} for i in (2232, 900031)]}
    with respx.mock(base_url=API, assert_all_called=True) as router:
        router.get("/api/v1/servicos/orgao/45013").mock(
            return_value=httpx.Response(200, json=listing)
        )
        router.get("/api/v1/servicos/2232").mock(
            return_value=httpx.Response(200, content=real(2232))
        )
        router.get("/api/v1/servicos/900031").mock(
            return_value=httpx.Response(
                200,
                headers={"content-length": "50000000"},
                stream=stream,  # type: ignore[arg-type]
            )
        )
        fetched = fetch_agency_catalogue(http, API, 45013, RawArchive(tmp_path, "run-1"))
    by_id = {r.service_id: r for r in fetched.records}
    assert by_id[2232].error is None and by_id[2232].body == real(2232)
    assert by_id[900031].error == "body larger than 1 MiB" and by_id[900031].body is None
    assert stream.sent == 0


def test_the_cap_is_a_setting() -> None:
    assert load_settings({"SELO_MAX_BODY_BYTES": "1024"}).http.max_body_bytes == 1024
    assert load_settings({}).http.max_body_bytes == 16 * MIB


# ---- selo run, end to end ----------------------------------------------------------------------

# Bad JSON files of the replay directory: file name (the service id) -> what the output says.
REPLAYED_BAD: dict[int, tuple[bytes, str]] = {
    900_003: (b'{"id": 900003, "nome": }', "not valid JSON"),
    900_004: (real(3335)[:700], "not valid JSON"),
    900_005: (nested_json(30), f"nested deeper than {MAX_JSON_DEPTH}"),
    900_008: (b'{"id": 9000' + b"9" * 5000 + b"}", "not valid JSON"),
    900_009: (record_text(10828).encode("latin-1", errors="replace"), "not UTF-8"),
    900_013: (b'{"descricao": "' + b"x" * MAX_RECORD_BYTES + b'"', "larger than the 8 MiB"),
    900_014: (b"[" + b"0," * (8 * MIB + 1) + b"0]", "body larger than 16 MiB"),  # fetch stage
}


def test_selo_run_on_a_hostile_replay_loads_the_good_and_names_the_bad(
    tmp_path: Path, database_url: str
) -> None:
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "replay.json").write_text('{"agency": 45013}')
    for service_id in GOOD_IDS:
        (replay / f"{service_id}.json").write_bytes(real(service_id))
    for service_id, (body, _) in REPLAYED_BAD.items():
        (replay / f"{service_id}.json").write_bytes(body)

    result = CliRunner().invoke(
        app,
        [
            *("run", "--source", f"replay:{replay}", "--edition", "2005-09"),
            *("--database-url", database_url, "--allow-partial"),  # 900014 fails to fetch
        ],
    )

    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    for service_id, (_, message) in REPLAYED_BAD.items():
        line = next(
            (ln for ln in result.stdout.splitlines() if f"service {service_id} " in ln), None
        )
        assert line is not None and "not loaded" in line, flat
        assert (
            message in " ".join(result.stdout.split(f"service {service_id} ", 1)[1].split())[:300]
        ), flat
    editions = CliRunner().invoke(app, ["editions", "--json", "--database-url", database_url])
    (found,) = [e for e in json.loads(editions.stdout) if e["code"] == "2005-09"]
    assert found["services"] == len(GOOD_IDS)
