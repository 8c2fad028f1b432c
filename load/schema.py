"""The warehouse tables (schema ``selo``), as SQLAlchemy 2 models.

Grain and invariants:
- ``edition``: one row per (agency, code, source kind). ``current_load_id`` points at the
  complete load analysts see; it only ever moves inside the transaction that completes a load.
- ``load``: one row per attempt to build an edition (the ledger). Rows of every other table
  carry the load id; a load is visible only once ``status = 'complete'`` and current.
- ``service_snapshot``: one row per (load, service id): the service as it stood, its level,
  the rule and evidence behind it.
- ``record_issue``: per load, every record that could not be fetched, parsed or classified.
- ``raw_document``: every fetched body, content-addressed by sha256 (shared across loads).
- ``fetch_log``: per load, every HTTP response (url, time, status, headers, body hash).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA = "selo"

LOAD_STATUSES = ("running", "complete", "failed", "abandoned", "unchanged")
SOURCE_KINDS = ("scraped", "archived", "published")


class Base(DeclarativeBase):
    metadata = MetaData(
        schema=SCHEMA,
        naming_convention={
            "pk": "%(table_name)s_pkey",
            "fk": "%(table_name)s_%(column_0_name)s_fkey",
            "uq": "%(table_name)s_%(column_0_N_name)s_key",
            "ck": "%(table_name)s_%(constraint_name)s_check",
            "ix": "%(table_name)s_%(column_0_N_name)s_idx",
        },
    )


class Edition(Base):
    __tablename__ = "edition"
    __table_args__ = (
        UniqueConstraint("agency_siorg", "code", "source_kind"),
        CheckConstraint(f"source_kind IN {SOURCE_KINDS}", name="source_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(Text)  # "2026-09"
    agency_siorg: Mapped[int] = mapped_column(Integer)
    cutoff: Mapped[date] = mapped_column(Date)
    source_kind: Mapped[str] = mapped_column(Text)
    current_load_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("load.id", use_alter=True, name="edition_current_load_id_fkey")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Load(Base):
    __tablename__ = "load"
    __table_args__ = (CheckConstraint(f"status IN {LOAD_STATUSES}", name="status"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    status: Mapped[str] = mapped_column(Text, server_default="running")
    source: Mapped[str] = mapped_column(Text)  # "live:https://servicos.gov.br", "replay:/path"
    rules_version: Mapped[str] = mapped_column(Text)
    selo_version: Mapped[str] = mapped_column(Text)
    archive_run: Mapped[str | None] = mapped_column(Text)  # the raw archive's run id
    flow_run_id: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    services: Mapped[int | None] = mapped_column(Integer)
    issues: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    # sha256 over the input documents and the rules version: an unchanged re-run is a no-op.
    input_digest: Mapped[str | None] = mapped_column(Text)


class ServiceSnapshot(Base):
    __tablename__ = "service_snapshot"

    load_id: Mapped[int] = mapped_column(ForeignKey("load.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    slug: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    agency_siorg: Mapped[int | None] = mapped_column(Integer)
    source_format: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    raw_sha256: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    rules_version: Mapped[str] = mapped_column(Text)
    evidence: Mapped[Any] = mapped_column(JSONB)
    unclassified_reason: Mapped[str | None] = mapped_column(Text)
    channel_kinds: Mapped[list[str]] = mapped_column(ARRAY(Text))
    steps: Mapped[Any] = mapped_column(JSONB)
    time_estimate: Mapped[Any] = mapped_column(JSONB)
    ratings_positive: Mapped[int | None] = mapped_column(Integer)
    ratings_negative: Mapped[int | None] = mapped_column(Integer)
    digital_flag: Mapped[bool | None] = mapped_column()
    digital_percent: Mapped[float | None] = mapped_column(Float)
    free_of_charge: Mapped[bool | None] = mapped_column()
    parse_warnings: Mapped[list[str]] = mapped_column(ARRAY(Text))
    # Stable identity across editions (see transform.lineage); several when services merged.
    service_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # When the document was captured (a Wayback capture's timestamp), if not at fetch time.
    captured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("level IN ('A1','A2','A3','B','C')", name="level"),
        CheckConstraint(
            "(level IS NULL) = (unclassified_reason IS NOT NULL)", name="level_or_reason"
        ),
        Index("service_snapshot_service_keys_idx", "service_keys", postgresql_using="gin"),
    )


class PublishedService(Base):
    """One service of a published (official) edition, per load: what ANS printed."""

    __tablename__ = "published_service"
    __table_args__ = (
        CheckConstraint("level IN ('A1','A2','A3','B','C')", name="level"),
        CheckConstraint("figure_level IN ('A1','A2','A3','B','C')", name="figure_level"),
    )

    load_id: Mapped[int] = mapped_column(ForeignKey("load.id"), primary_key=True)
    service_key: Mapped[str] = mapped_column(Text, primary_key=True)
    lineage: Mapped[int] = mapped_column(Integer)
    published_name: Mapped[str] = mapped_column(Text)
    diretoria: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(Text)  # Table 2, the official level
    figure_level: Mapped[str | None] = mapped_column(Text)  # the figure list, where it exists
    table_action: Mapped[str] = mapped_column(Text)
    duplicate_lineages: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    catalogue_ids: Mapped[Any] = mapped_column(JSONB)  # snapshot -> [ids]


class ServiceKey(Base):
    """Curated reference data: one row per stable service key, seeded from the published seal."""

    __tablename__ = "service_key"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    agency_siorg: Mapped[int] = mapped_column(Integer)
    lineage: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)  # the latest published name
    diretoria: Mapped[str | None] = mapped_column(Text)  # absent from the catalogue
    source_edition: Mapped[str] = mapped_column(Text)  # the edition label/diretoria come from
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Capture(Base):
    """A July capture: the raw catalogue of one agency fetched at the cut-off, not classified."""

    __tablename__ = "capture"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'complete', 'failed', 'abandoned')", name="status"),
        Index("capture_agency_siorg_edition_idx", "agency_siorg", "edition"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    agency_siorg: Mapped[int] = mapped_column(Integer)
    edition: Mapped[str] = mapped_column(Text)
    cutoff: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="running")
    archive_run: Mapped[str | None] = mapped_column(Text)
    flow_run_id: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    records: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    failed: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class CaptureDocument(Base):
    """One response of a capture (the listing, a record or a page), its body in raw_document."""

    __tablename__ = "capture_document"
    __table_args__ = (CheckConstraint("kind IN ('listing', 'record', 'page')", name="kind"),)

    capture_id: Mapped[int] = mapped_column(ForeignKey("capture.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    service_id: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[Any] = mapped_column(JSONB, nullable=True)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("raw_document.sha256"))
    error: Mapped[str | None] = mapped_column(Text)


class RecordIssueRow(Base):
    __tablename__ = "record_issue"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("load.id"), index=True)
    record: Mapped[str] = mapped_column(Text)
    service_id: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class RawDocument(Base):
    __tablename__ = "raw_document"

    sha256: Mapped[str] = mapped_column(Text, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FetchLog(Base):
    __tablename__ = "fetch_log"

    load_id: Mapped[int] = mapped_column(ForeignKey("load.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[Any] = mapped_column(JSONB)
    sha256: Mapped[str] = mapped_column(ForeignKey("raw_document.sha256"))
