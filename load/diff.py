"""Loads of one edition, read back: what a load was built from, and what changed between two.

- :func:`reprocess_target` finds the edition a ``selo reprocess`` classifies again and its
  current load; :func:`read_load_archive` reads that load's documents back from the warehouse
  (``raw_document`` bodies of its snapshots, and the bodies of the records it could not read);
- :func:`diff_loads` compares two complete loads of an edition, service by service.

Plain SQL and dataclasses, no network. A reprocessed load's ``source`` is
``reprocess:load <N>``: it fetched nothing, so its documents' responses stay in the
``fetch_log`` of the load that fetched them (its *origin*, see :func:`origin_load`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Connection, Engine, text

from load.schema import SOURCE_KINDS

REPROCESS_SOURCE = "reprocess:load {load_id}"
_REPROCESS = re.compile(r"^reprocess:load (\d+)$")
AUTOMATIC_KINDS = tuple(k for k in SOURCE_KINDS if k != "published")
# Issues a reprocess carries over as they were: it cannot fetch or capture again. Identity
# issues are worked out anew; parse issues are read again from their archived bodies.
CARRIED_STAGES = ("fetch", "capture")
_NOT_REREAD = "not read again: its body is not in the archive of load"


class SelectionError(LookupError):
    """An edition or load that cannot be used as asked; the message says why in one line."""


# -- editions and loads ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditionRef:
    id: int
    code: str
    agency_siorg: int
    source_kind: str  # scraped | archived | published
    cutoff: date
    current_load_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "agency": self.agency_siorg,
            "source_kind": self.source_kind,
            "cutoff": self.cutoff.isoformat(),
            "current_load": self.current_load_id,
        }


@dataclass(frozen=True, slots=True)
class LoadRef:
    id: int
    edition_id: int
    status: str
    source: str
    rules_version: str
    started: datetime
    finished: datetime | None
    services: int | None

    @property
    def reprocessed_from(self) -> int | None:
        """The load this one classified again, if it is a reprocess."""
        match = _REPROCESS.match(self.source)
        return int(match.group(1)) if match else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "source": self.source,
            "rules_version": self.rules_version,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "services": self.services,
        }


def find_edition(
    conn: Connection, agency: int, code: str, kind: str | None, *, purpose: str
) -> EditionRef:
    """The automatic edition ``code`` of ``agency`` (of ``kind`` when given), or why not.

    ``purpose`` completes the refusal of a published edition ("... can be <purpose>").
    """
    if kind is not None and kind not in SOURCE_KINDS:
        raise SelectionError(f"unknown edition kind {kind!r}: use {' or '.join(AUTOMATIC_KINDS)}")
    rows = conn.execute(
        text(
            "SELECT id, code, agency_siorg, source_kind, cutoff, current_load_id "
            "FROM selo.edition WHERE agency_siorg = :agency AND code = :code ORDER BY source_kind"
        ),
        {"agency": agency, "code": code},
    ).all()
    found = [
        EditionRef(r.id, r.code, r.agency_siorg, r.source_kind, r.cutoff, r.current_load_id)
        for r in rows
    ]
    automatic = f"only automatic editions (scraped or archived) can be {purpose}"
    if kind == "published":
        raise SelectionError(f"published (official) editions cannot be {purpose}: {automatic}")
    candidates = [
        e for e in found if e.source_kind != "published" and kind in (None, e.source_kind)
    ]
    if not candidates:
        if kind is None and found:
            raise SelectionError(
                f"edition {code} of agency {agency} is a published (official) edition: {automatic}"
            )
        what = f"{kind} edition" if kind else "edition"
        raise SelectionError(
            f"no {what} {code} of agency {agency} in the warehouse (`selo editions` lists them)"
        )
    if len(candidates) > 1:
        kinds = " and ".join(e.source_kind for e in candidates)
        raise SelectionError(
            f"edition {code} of agency {agency} exists as {kinds}: pass --kind to choose one"
        )
    return candidates[0]


def _load(conn: Connection, load_id: int) -> LoadRef:
    row = conn.execute(
        text(
            "SELECT id, edition_id, status, source, rules_version, started_at, finished_at, "
            "services FROM selo.load WHERE id = :id"
        ),
        {"id": load_id},
    ).one_or_none()
    if row is None:
        raise SelectionError(f"no load {load_id} in the warehouse")
    return LoadRef(
        row.id,
        row.edition_id,
        row.status,
        row.source,
        row.rules_version,
        row.started_at,
        row.finished_at,
        row.services,
    )


def origin_load(conn: Connection, load_id: int) -> LoadRef:
    """The load that fetched ``load_id``'s documents: itself, or what it reprocessed, first."""
    load = _load(conn, load_id)
    seen = {load.id}
    while (earlier := load.reprocessed_from) is not None:
        if earlier in seen:
            raise SelectionError(f"load {load_id}: its reprocess chain loops at load {earlier}")
        seen.add(earlier)
        load = _load(conn, earlier)
    return load


@dataclass(frozen=True, slots=True)
class ReprocessTarget:
    """An edition to classify again: its current load, and the load that fetched its documents."""

    edition: EditionRef
    load: LoadRef  # the current load, read back
    origin: LoadRef  # the load that fetched the documents (== load unless load is a reprocess)

    @property
    def origin_kind(self) -> str:
        """The source kind the documents were first read by: live, replay, legacy, wayback..."""
        return self.origin.source.partition(":")[0]


def reprocess_target(
    engine: Engine, agency: int, code: str, kind: str | None = None
) -> ReprocessTarget:
    with engine.connect() as conn:
        edition = find_edition(conn, agency, code, kind, purpose="reprocessed")
        if edition.current_load_id is None:
            raise SelectionError(
                f"edition {code} ({edition.source_kind}) of agency {agency} has no current load "
                "to reprocess: none of its loads completed (`selo editions` lists them)"
            )
        load = _load(conn, edition.current_load_id)
        return ReprocessTarget(edition, load, origin_load(conn, load.id))


# -- a load's documents, read back ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchivedDocument:
    record: str  # "service <id>" for a loaded service; the issue's record for an unread one
    service_id: int | None
    body: bytes
    sha256: str
    url: str | None  # where it came from (a snapshot's source_url, or the fetch_log's url)
    captured_at: datetime | None


@dataclass(frozen=True, slots=True)
class ArchivedIssue:
    record: str
    stage: str
    reason: str
    service_id: int | None


@dataclass(frozen=True, slots=True)
class LoadArchive:
    """What a load was built from, as far as the warehouse keeps it."""

    load_id: int
    edition_id: int
    current_load_id: int | None  # the edition's current load now
    origin_load_id: int
    documents: tuple[ArchivedDocument, ...]  # loaded services first (by id), then unread records
    issues: tuple[ArchivedIssue, ...]  # carried over as they were: not fetched, not captured...


def read_load_archive(engine: Engine, load_id: int) -> LoadArchive:
    """Every document ``load_id`` was built from, with the records it could not have.

    Loaded services come back from their snapshots (``raw_sha256`` -> ``raw_document``, with
    their ``source_url`` and ``captured_at``). A record that failed to parse comes back from the
    origin load's ``fetch_log``: its last successful response whose URL ends with the record's
    service id (``.../servicos/<id>``, raw Wayback captures of it) or its file name (legacy
    ``file://`` records). A parse issue whose body cannot be found that way (a Wayback capture
    of a service *page*) is carried over as it was, saying so.
    """
    with engine.connect() as conn:
        load = _load(conn, load_id)
        origin = origin_load(conn, load_id)
        current = conn.execute(
            text("SELECT current_load_id FROM selo.edition WHERE id = :id"),
            {"id": load.edition_id},
        ).scalar_one()
        snapshots = conn.execute(
            text(
                "SELECT s.service_id, s.source_url, s.raw_sha256, s.captured_at, d.body "
                "FROM selo.service_snapshot s "
                "LEFT JOIN selo.raw_document d ON d.sha256 = s.raw_sha256 "
                "WHERE s.load_id = :load ORDER BY s.service_id"
            ),
            {"load": load_id},
        ).all()
        issues = conn.execute(
            text(
                "SELECT record, service_id, stage, reason FROM selo.record_issue "
                "WHERE load_id = :load ORDER BY id"
            ),
            {"load": load_id},
        ).all()
        responses = conn.execute(
            text(
                "SELECT url, sha256 FROM selo.fetch_log WHERE load_id = :load "
                "AND status BETWEEN 200 AND 299 ORDER BY seq"
            ),
            {"load": origin.id},
        ).all()
        documents: list[ArchivedDocument] = []
        for s in snapshots:
            if s.raw_sha256 is None or s.body is None:
                raise SelectionError(
                    f"load {load_id}: service {s.service_id} has no archived body "
                    f"({s.raw_sha256 or 'no hash'}); the load cannot be reprocessed"
                )
            body = bytes(s.body)
            _verify(body, s.raw_sha256, load_id)
            documents.append(
                ArchivedDocument(
                    f"service {s.service_id}",
                    s.service_id,
                    body,
                    s.raw_sha256,
                    s.source_url,
                    s.captured_at,
                )
            )
        carried: list[ArchivedIssue] = []
        unread: list[tuple[ArchivedIssue, str, str]] = []  # issue, url, sha256
        for i in issues:
            issue = ArchivedIssue(i.record, i.stage, i.reason, i.service_id)
            if i.stage in CARRIED_STAGES:
                carried.append(issue)
            elif i.stage == "parse":
                found = _response_for(issue, responses)
                if found is None:
                    reason = issue.reason
                    if _NOT_REREAD not in reason:
                        reason = f"{reason} ({_NOT_REREAD} {origin.id})"
                    carried.append(ArchivedIssue(issue.record, "parse", reason, issue.service_id))
                else:
                    unread.append((issue, *found))
            elif i.stage != "identity":
                carried.append(issue)
        bodies = _bodies(conn, [sha for _, _, sha in unread])
        for issue, url, sha in unread:
            documents.append(
                ArchivedDocument(issue.record, issue.service_id, bodies[sha], sha, url, None)
            )
    return LoadArchive(
        load_id, load.edition_id, current, origin.id, tuple(documents), tuple(carried)
    )


def _response_for(issue: ArchivedIssue, responses: Sequence[Any]) -> tuple[str, str] | None:
    """The last archived response (url, sha256) that is the issue's record, if one is."""
    endings = [f"/{issue.record}"]
    if issue.service_id is not None:
        endings.append(f"/{issue.service_id}")
    for r in reversed(responses):
        path = unquote(urlsplit(str(r.url)).path).rstrip("/")
        if path.endswith(tuple(endings)):
            return str(r.url), str(r.sha256)
    return None


def _bodies(conn: Connection, digests: Sequence[str]) -> dict[str, bytes]:
    if not digests:
        return {}
    rows = conn.execute(
        text("SELECT sha256, body FROM selo.raw_document WHERE sha256 = ANY(:d)"),
        {"d": list(set(digests))},
    ).all()
    found = {r.sha256: bytes(r.body) for r in rows}
    for digest in digests:
        if digest not in found:
            raise SelectionError(f"raw document {digest} is missing from the warehouse")
        _verify(found[digest], digest, None)
    return found


def _verify(body: bytes, digest: str, load_id: int | None) -> None:
    if hashlib.sha256(body).hexdigest() != digest:
        where = f"load {load_id}: " if load_id is not None else ""
        raise SelectionError(f"{where}raw document {digest} does not match its digest")


# -- what changed between two loads ---------------------------------------------------------

CHANGE_KINDS = ("level", "rule", "added", "removed")


@dataclass(frozen=True, slots=True)
class ServiceChange:
    """One service that differs between two loads. A level is ``unclassified`` when the service
    was loaded without one; ``None`` when the service is absent from that load."""

    change: str  # level | rule | added | removed
    service_id: int
    name: str
    from_level: str | None
    to_level: str | None
    from_rule: str | None
    to_rule: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "name": self.name,
            "from_level": self.from_level,
            "to_level": self.to_level,
            "from_rule": self.from_rule,
            "to_rule": self.to_rule,
        }


@dataclass(frozen=True, slots=True)
class LoadDiff:
    edition: EditionRef
    before: LoadRef
    after: LoadRef
    changes: tuple[ServiceChange, ...]
    unchanged: int  # services in both loads with the same level and rule

    def of(self, change: str) -> list[ServiceChange]:
        return [c for c in self.changes if c.change == change]

    @property
    def level_changes(self) -> list[ServiceChange]:
        return self.of("level")

    @property
    def rule_changes(self) -> list[ServiceChange]:
        return self.of("rule")

    @property
    def added(self) -> list[ServiceChange]:
        return self.of("added")

    @property
    def removed(self) -> list[ServiceChange]:
        return self.of("removed")

    def to_json(self) -> dict[str, Any]:
        return {
            "edition": self.edition.to_json(),
            "from": self.before.to_json(),
            "to": self.after.to_json(),
            "level_changes": [c.to_json() for c in self.level_changes],
            "rule_changes": [c.to_json() for c in self.rule_changes],
            "added": [c.to_json() for c in self.added],
            "removed": [c.to_json() for c in self.removed],
            "unchanged": self.unchanged,
        }


def _comparable(conn: Connection, edition: EditionRef, load_id: int, flag: str) -> LoadRef:
    load = _load(conn, load_id)
    if load.edition_id != edition.id:
        raise SelectionError(
            f"load {load_id} ({flag}) is not a load of edition {edition.code} "
            f"({edition.source_kind}) of agency {edition.agency_siorg}"
        )
    if load.status != "complete":
        raise SelectionError(
            f"load {load_id} ({flag}) is {load.status}: only complete loads have services to "
            "compare"
        )
    return load


def diff_loads(
    engine: Engine,
    agency: int,
    code: str,
    kind: str | None = None,
    *,
    before: int | None = None,
    after: int | None = None,
) -> LoadDiff:
    """What changed from load ``before`` to load ``after`` of an edition.

    By default ``after`` is the edition's current load and ``before`` the last complete load
    before it. Services are matched by catalogue id.
    """
    with engine.connect() as conn:
        edition = find_edition(conn, agency, code, kind, purpose="compared")
        if after is None:
            if edition.current_load_id is None:
                raise SelectionError(
                    f"edition {code} ({edition.source_kind}) of agency {agency} has no current "
                    "load: pass --to LOAD"
                )
            after = edition.current_load_id
        to_load = _comparable(conn, edition, after, "--to")
        if before is None:
            before = conn.execute(
                text(
                    "SELECT max(id) FROM selo.load WHERE edition_id = :edition "
                    "AND status = 'complete' AND id < :after"
                ),
                {"edition": edition.id, "after": to_load.id},
            ).scalar_one()
            if before is None:
                raise SelectionError(
                    f"edition {code} ({edition.source_kind}) of agency {agency} has no complete "
                    f"load before load {to_load.id} to compare it with: pass --from LOAD"
                )
        from_load = _comparable(conn, edition, before, "--from")
        if from_load.id == to_load.id:
            raise SelectionError(f"--from and --to are the same load ({from_load.id})")
        rows = conn.execute(
            text(
                "WITH a AS (SELECT service_id, name, coalesce(level, 'unclassified') AS level, "
                "rule FROM selo.service_snapshot WHERE load_id = :before), "
                "b AS (SELECT service_id, name, coalesce(level, 'unclassified') AS level, "
                "rule FROM selo.service_snapshot WHERE load_id = :after), "
                "joined AS (SELECT coalesce(b.service_id, a.service_id) AS service_id, "
                "coalesce(b.name, a.name) AS name, a.level AS from_level, b.level AS to_level, "
                "a.rule AS from_rule, b.rule AS to_rule, "
                "CASE WHEN a.service_id IS NULL THEN 'added' "
                "WHEN b.service_id IS NULL THEN 'removed' "
                "WHEN a.level <> b.level THEN 'level' "
                "WHEN a.rule <> b.rule THEN 'rule' END AS change "
                "FROM a FULL OUTER JOIN b ON a.service_id = b.service_id) "
                "SELECT * FROM joined ORDER BY service_id"
            ),
            {"before": from_load.id, "after": to_load.id},
        ).all()
    changes = tuple(
        ServiceChange(
            r.change,
            r.service_id,
            r.name,
            r.from_level,
            r.to_level,
            r.from_rule,
            r.to_rule,
        )
        for r in rows
        if r.change is not None
    )
    return LoadDiff(edition, from_load, to_load, changes, sum(1 for r in rows if r.change is None))
