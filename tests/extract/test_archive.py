from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from extract.archive import ArchivedResponse, RawArchive

WHEN = datetime(2026, 10, 5, 12, 30, tzinfo=UTC)


def _log(archive: RawArchive) -> Path:
    return archive.root / "runs" / f"{archive.run_id}.jsonl"


def test_store_and_read_round_trip(archive: RawArchive) -> None:
    body = b'{"nome": "Emitir comprovante"}'
    entry = archive.store("https://x.test/1", 200, {"content-type": "application/json"}, body, WHEN)

    assert entry.sha256 == hashlib.sha256(body).hexdigest()
    assert entry.size == len(body)
    assert (entry.url, entry.status, entry.fetched_at) == ("https://x.test/1", 200, WHEN)
    assert archive.read_body(entry.sha256) == body
    blob = archive.root / "blobs" / entry.sha256[:2] / entry.sha256
    assert blob.read_bytes() == body


def test_line_is_written_before_store_returns(archive: RawArchive) -> None:
    entry = archive.store("https://x.test/1", 503, {}, b"busy", WHEN)

    lines = _log(archive).read_text(encoding="utf-8").splitlines()
    assert [ArchivedResponse.from_json(line) for line in lines] == [entry]


def test_archive_is_synced_every_n_responses_and_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "sync", lambda: synced.append(1))
    archive = RawArchive(tmp_path, "run-1", sync_every=2)

    archive.store("https://x.test/1", 200, {}, b"a", WHEN)
    assert synced == []
    archive.store("https://x.test/2", 200, {}, b"b", WHEN)
    assert synced == [1]  # every second response
    archive.store("https://x.test/3", 200, {}, b"c", WHEN)
    archive.sync()
    archive.sync()  # nothing new: no second sync
    assert synced == [1, 1]


def test_identical_bodies_are_stored_once(archive: RawArchive) -> None:
    first = archive.store("https://x.test/1", 200, {}, b"same", WHEN)
    second = archive.store("https://x.test/2", 200, {}, b"same", WHEN + timedelta(seconds=1))

    assert first.sha256 == second.sha256
    blobs = [p for p in (archive.root / "blobs").rglob("*") if p.is_file()]
    assert [p.name for p in blobs] == [first.sha256]
    assert [e.url for e in archive.entries()] == ["https://x.test/1", "https://x.test/2"]


def test_entries_are_this_runs_only_and_survive_a_torn_tail(tmp_path: Path) -> None:
    one = RawArchive(tmp_path, "run-1")
    other = RawArchive(tmp_path, "run-2")
    kept = one.store("https://x.test/1", 200, {"etag": "abc"}, b"a", WHEN)
    other.store("https://x.test/9", 200, {}, b"b", WHEN)
    with _log(one).open("a", encoding="utf-8") as f:
        f.write('{"url": "https://x.test/2", "fetch')  # a write cut short by a kill

    assert one.entries() == [kept]
    assert RawArchive(tmp_path, "run-3").entries() == []


def test_json_round_trip_keeps_an_aware_timestamp() -> None:
    when = datetime(2026, 10, 5, 9, 0, tzinfo=timezone(timedelta(hours=-3)))
    entry = ArchivedResponse("https://x.test/1", when, 200, {"a": "b"}, "0" * 64, 0)
    assert ArchivedResponse.from_json(entry.to_json()) == entry
    assert json.loads(entry.to_json())["fetched_at"] == "2026-10-05T09:00:00-03:00"


def test_store_response_archives_status_headers_and_body(archive: RawArchive) -> None:
    request = httpx.Request("GET", "https://x.test/api/v1/servicos/1")
    response = httpx.Response(500, headers={"X-Trace": "t1"}, content=b"oops", request=request)

    entry = archive.store_response(response, WHEN)

    assert (entry.url, entry.status, entry.headers["x-trace"]) == (str(request.url), 500, "t1")
    assert archive.read_body(entry.sha256) == b"oops"


def test_rejects_naive_times_bad_run_ids_and_bad_digests(
    archive: RawArchive, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="timezone"):
        archive.store("https://x.test/1", 200, {}, b"", datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="run id"):
        RawArchive(tmp_path, "../escape")
    with pytest.raises(ValueError, match="sha256"):
        archive.read_body("../../etc/passwd")
    with pytest.raises(FileNotFoundError):
        archive.read_body("f" * 64)
