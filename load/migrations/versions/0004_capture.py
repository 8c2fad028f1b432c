"""The July capture: raw catalogue documents fetched at the cut-off, classified in September.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capture",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("agency_siorg", sa.Integer(), nullable=False),
        sa.Column("edition", sa.Text(), nullable=False),
        sa.Column("cutoff", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="running", nullable=False),
        sa.Column("archive_run", sa.Text(), nullable=True),
        sa.Column("flow_run_id", sa.Text(), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("records", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("failed", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'complete', 'failed', 'abandoned')",
            name=op.f("capture_status_check"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("capture_pkey")),
        schema="selo",
    )
    op.create_index(
        "capture_agency_siorg_edition_idx", "capture", ["agency_siorg", "edition"], schema="selo"
    )
    op.create_table(
        "capture_document",
        sa.Column("capture_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("sha256", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('listing', 'record', 'page')", name=op.f("capture_document_kind_check")
        ),
        sa.ForeignKeyConstraint(
            ["capture_id"], ["selo.capture.id"], name=op.f("capture_document_capture_id_fkey")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["selo.raw_document.sha256"], name=op.f("capture_document_sha256_fkey")
        ),
        sa.PrimaryKeyConstraint("capture_id", "seq", name=op.f("capture_document_pkey")),
        schema="selo",
    )
    op.execute(
        "CREATE TRIGGER capture_document_append_only BEFORE UPDATE OR DELETE ON "
        "selo.capture_document FOR EACH ROW EXECUTE FUNCTION selo.refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS capture_document_append_only ON selo.capture_document")
    op.drop_table("capture_document", schema="selo")
    op.drop_index("capture_agency_siorg_edition_idx", table_name="capture", schema="selo")
    op.drop_table("capture", schema="selo")
