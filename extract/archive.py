"""The raw archive: every fetched response, on disk, before anything parses it.

Layout under ``root``::

    blobs/<sha[:2]>/<sha256>   response bodies, content-addressed (identical bodies stored once)
    runs/<run_id>.jsonl        one line per response of that run, in fetch order

Bodies are stored as the client hands them over, i.e. after HTTP content decoding (gzip);
``headers`` are the response headers as received. A body is in place (atomically renamed)
before its line is written, and the line has reached the kernel before ``store`` returns, so a
killed run never loses a page it reported as fetched. The archive is synced to disk every
``sync_every`` responses and by :meth:`RawArchive.sync` at the end of each extract: a machine
crash loses at most the responses since, which the next run fetches again. (An fsync per
response cost 8 s of a 26 s full-catalogue run.)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

_SHA256 = re.compile(r"[0-9a-f]{64}")
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    url: str
    fetched_at: datetime  # tz-aware, UTC
    status: int
    headers: dict[str, str]
    sha256: str
    size: int

    def to_json(self) -> str:
        return json.dumps(
            {
                "url": self.url,
                "fetched_at": self.fetched_at.isoformat(),
                "status": self.status,
                "headers": self.headers,
                "sha256": self.sha256,
                "size": self.size,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, line: str) -> ArchivedResponse:
        obj: dict[str, Any] = json.loads(line)
        fetched_at = datetime.fromisoformat(obj["fetched_at"])
        if fetched_at.tzinfo is None:
            raise ValueError(f"archived fetched_at {obj['fetched_at']!r} has no time zone")
        return cls(
            url=str(obj["url"]),
            fetched_at=fetched_at,
            status=int(obj["status"]),
            headers={str(k): str(v) for k, v in obj["headers"].items()},
            sha256=str(obj["sha256"]),
            size=int(obj["size"]),
        )


class RawArchive:
    """Append-only archive of one run's responses (one event loop writes it; no locking)."""

    def __init__(self, root: Path, run_id: str, *, sync_every: int = 256) -> None:
        if not _RUN_ID.fullmatch(run_id):
            raise ValueError(f"run id {run_id!r} must be a plain file name ([A-Za-z0-9._-])")
        self._root = root
        self._run_id = run_id
        self._blobs = root / "blobs"
        self._log = root / "runs" / f"{run_id}.jsonl"
        self._log.parent.mkdir(parents=True, exist_ok=True)
        self._sync_every = max(1, sync_every)
        self._unsynced = 0
        # Good responses an interrupted earlier run already archived: url -> response.
        self._reusable: dict[str, ArchivedResponse] = {}

    @property
    def run_id(self) -> str:
        return self._run_id

    @property
    def root(self) -> Path:
        return self._root

    def _blob_path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"{sha256!r} is not a sha256 hex digest")
        return self._blobs / sha256[:2] / sha256

    def _write_blob(self, sha256: str, body: bytes) -> None:
        path = self._blob_path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Temp file in the same directory + os.replace: readers see the whole blob or none.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def store(
        self,
        url: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        fetched_at: datetime,
    ) -> ArchivedResponse:
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")
        sha256 = hashlib.sha256(body).hexdigest()
        self._write_blob(sha256, body)
        entry = ArchivedResponse(
            url=url,
            fetched_at=fetched_at,
            status=status,
            headers=dict(headers),
            sha256=sha256,
            size=len(body),
        )
        self._append(entry)
        return entry

    def _append(self, entry: ArchivedResponse) -> None:
        with self._log.open("a", encoding="utf-8") as f:
            f.write(entry.to_json() + "\n")
        self._unsynced += 1
        if self._unsynced >= self._sync_every:
            self.sync()

    def sync(self) -> None:
        """Force what this run archived so far onto the disk (bodies and log)."""
        if self._unsynced:
            os.sync()
            self._unsynced = 0

    def store_response(self, response: httpx.Response, fetched_at: datetime) -> ArchivedResponse:
        """Archive a response whose body has been read (``client.get`` does that)."""
        return self.store(
            str(response.url),
            response.status_code,
            dict(response.headers.items()),
            response.content,
            fetched_at,
        )

    def read_body(self, sha256: str) -> bytes:
        """The stored body; raises ``FileNotFoundError`` if absent, ``ValueError`` if corrupt."""
        body = self._blob_path(sha256).read_bytes()
        if hashlib.sha256(body).hexdigest() != sha256:
            raise ValueError(f"archived blob {sha256} does not match its digest")
        return body

    def resume_from(self, run_ids: Iterable[str]) -> int:
        """Offer the 200 responses of earlier, interrupted runs for reuse; return how many.

        A run killed mid-way, or failed on a few records, has already archived most pages:
        the next run of the same edition takes them from here instead of fetching them again.
        """
        for run_id in run_ids:
            if not _RUN_ID.fullmatch(run_id):
                continue
            for entry in RawArchive(self._root, run_id).entries():
                if entry.status == 200 and self._blob_path(entry.sha256).exists():
                    self._reusable.setdefault(entry.url, entry)
        return len(self._reusable)

    def reuse(self, url: str) -> tuple[ArchivedResponse, bytes] | None:
        """An earlier run's archived 200 response for ``url``, recorded into this run's log."""
        entry = self._reusable.get(url)
        if entry is None:
            return None
        try:
            body = self.read_body(entry.sha256)
        except (OSError, ValueError):
            return None  # a damaged blob is fetched again, never trusted
        self._append(entry)
        return entry, body

    def entries(self) -> list[ArchivedResponse]:
        """This run's responses in fetch order."""
        if not self._log.exists():
            return []
        text = self._log.read_text(encoding="utf-8")
        lines = text.split("\n")
        # The last element is "" after a complete final line, or the torn tail of a killed write.
        return [ArchivedResponse.from_json(line) for line in lines[:-1] if line]
