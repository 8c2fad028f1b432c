"""The load ledger: open a load, fail it, or complete and publish it atomically.

One run of an edition holds a session-level advisory lock on the edition for its whole life,
so two runs of the same edition never interleave; a run killed mid-way leaves a ``running``
load that the next run marks ``abandoned`` (its rows were never committed: the data and the
publish share one transaction, see :mod:`load.writer`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, text

from selo import __version__

_LOCK_CLASS = 0x5E10  # advisory-lock namespace for "edition being built"


class LoadError(RuntimeError):
    """A load that cannot start or finish; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class EditionSpec:
    code: str  # "2026-09"
    agency_siorg: int
    cutoff: date
    source_kind: str  # scraped | archived | published
    source: str  # where the documents come from, e.g. "replay:/path" or "live:https://..."


@dataclass(frozen=True, slots=True)
class LoadLease:
    edition_id: int
    load_id: int
    spec: EditionSpec


def ensure_edition(conn: Connection, spec: EditionSpec) -> int:
    conn.execute(
        text(
            "INSERT INTO selo.edition (code, agency_siorg, cutoff, source_kind) "
            "VALUES (:code, :agency, :cutoff, :kind) "
            "ON CONFLICT (agency_siorg, code, source_kind) DO NOTHING"
        ),
        {
            "code": spec.code,
            "agency": spec.agency_siorg,
            "cutoff": spec.cutoff,
            "kind": spec.source_kind,
        },
    )
    row = conn.execute(
        text(
            "SELECT id, cutoff FROM selo.edition "
            "WHERE agency_siorg = :agency AND code = :code AND source_kind = :kind"
        ),
        {"code": spec.code, "agency": spec.agency_siorg, "kind": spec.source_kind},
    ).one()
    if row.cutoff != spec.cutoff:
        raise LoadError(
            f"edition {spec.code} exists with cut-off {row.cutoff}, not {spec.cutoff}; "
            "an edition's cut-off never changes"
        )
    return int(row.id)


@contextmanager
def open_load(
    engine: Engine,
    spec: EditionSpec,
    rules_version: str,
    *,
    archive_run: str | None = None,
    flow_run_id: str | None = None,
) -> Iterator[LoadLease]:
    """Hold the edition's lock and a ``running`` load for the duration of the block.

    If the block raises, the load is marked ``failed`` with the error and the edition's current
    load is left untouched.
    """
    with engine.connect() as lock_conn:
        with lock_conn.begin():
            edition_id = ensure_edition(lock_conn, spec)
        locked = lock_conn.execute(
            text("SELECT pg_try_advisory_lock(:cls, :edition)"),
            {"cls": _LOCK_CLASS, "edition": edition_id},
        ).scalar()
        lock_conn.commit()
        if not locked:
            raise LoadError(f"edition {spec.code} is being built by another run; try again later")
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE selo.load SET status = 'abandoned', finished_at = now(), "
                        "error = 'the run stopped before it finished' "
                        "WHERE edition_id = :edition AND status = 'running'"
                    ),
                    {"edition": edition_id},
                )
                load_id = conn.execute(
                    text(
                        "INSERT INTO selo.load (edition_id, status, source, rules_version, "
                        "selo_version, archive_run, flow_run_id) VALUES (:edition, 'running', "
                        ":source, :rules, :version, :archive_run, :flow_run_id) RETURNING id"
                    ),
                    {
                        "edition": edition_id,
                        "source": spec.source,
                        "rules": rules_version,
                        "version": __version__,
                        "archive_run": archive_run,
                        "flow_run_id": flow_run_id,
                    },
                ).scalar_one()
            lease = LoadLease(edition_id=edition_id, load_id=int(load_id), spec=spec)
            try:
                yield lease
            except BaseException as exc:
                _mark_failed(engine, lease.load_id, exc)
                raise
        finally:
            lock_conn.execute(
                text("SELECT pg_advisory_unlock(:cls, :edition)"),
                {"cls": _LOCK_CLASS, "edition": edition_id},
            )
            lock_conn.commit()


def _mark_failed(engine: Engine, load_id: int, exc: BaseException) -> None:
    reason = f"{type(exc).__name__}: {exc}".strip()
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE selo.load SET status = 'failed', finished_at = now(), error = :error "
                "WHERE id = :id AND status = 'running'"
            ),
            {"id": load_id, "error": reason[:2000]},
        )


def mark_unchanged(engine: Engine, lease: LoadLease, current_load_id: int, digest: str) -> None:
    """Close an attempt whose input equals the current load's: nothing is loaded or moved."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE selo.load SET status = 'unchanged', finished_at = now(), services = 0, "
                "issues = 0, input_digest = :digest, error = :note "
                "WHERE id = :id AND status = 'running'"
            ),
            {
                "id": lease.load_id,
                "digest": digest,
                "note": f"same input as load {current_load_id}, which stays current",
            },
        )


def complete_and_publish(
    conn: Connection, lease: LoadLease, services: int, issues: int, digest: str | None = None
) -> None:
    """Mark the load complete and make it the edition's current one, in the caller's transaction."""
    updated = conn.execute(
        text(
            "UPDATE selo.load SET status = 'complete', finished_at = now(), "
            "services = :services, issues = :issues, input_digest = :digest "
            "WHERE id = :id AND status = 'running'"
        ),
        {"id": lease.load_id, "services": services, "issues": issues, "digest": digest},
    ).rowcount
    if updated != 1:
        raise LoadError(f"load {lease.load_id} is no longer running; not publishing it")
    conn.execute(
        text(
            "UPDATE selo.edition SET current_load_id = :load, "
            "published_at = coalesce(published_at, now()) WHERE id = :edition"
        ),
        {"load": lease.load_id, "edition": lease.edition_id},
    )
