"""Backfill and identity: published editions, stable service keys, input digests, capture times.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES_BEFORE = "('running', 'complete', 'failed', 'abandoned')"
STATUSES_AFTER = "('running', 'complete', 'failed', 'abandoned', 'unchanged')"


def _status_check(statuses: str) -> None:
    op.execute("ALTER TABLE selo.load DROP CONSTRAINT load_status_check")
    op.execute(
        f"ALTER TABLE selo.load ADD CONSTRAINT load_status_check CHECK (status IN {statuses})"
    )


def upgrade() -> None:
    _status_check(STATUSES_AFTER)
    op.add_column("load", sa.Column("input_digest", sa.Text(), nullable=True), schema="selo")
    op.add_column(
        "service_snapshot",
        sa.Column("service_keys", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        schema="selo",
    )
    op.add_column(
        "service_snapshot",
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True),
        schema="selo",
    )
    op.create_table(
        "published_service",
        sa.Column("load_id", sa.BigInteger(), nullable=False),
        sa.Column("service_key", sa.Text(), nullable=False),
        sa.Column("lineage", sa.Integer(), nullable=False),
        sa.Column("published_name", sa.Text(), nullable=False),
        sa.Column("diretoria", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("figure_level", sa.Text(), nullable=True),
        sa.Column("table_action", sa.Text(), nullable=False),
        sa.Column("duplicate_lineages", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("catalogue_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "level IN ('A1','A2','A3','B','C')", name=op.f("published_service_level_check")
        ),
        sa.CheckConstraint(
            "figure_level IN ('A1','A2','A3','B','C')",
            name=op.f("published_service_figure_level_check"),
        ),
        sa.ForeignKeyConstraint(
            ["load_id"], ["selo.load.id"], name=op.f("published_service_load_id_fkey")
        ),
        sa.PrimaryKeyConstraint("load_id", "service_key", name=op.f("published_service_pkey")),
        schema="selo",
    )
    op.execute(
        "CREATE TRIGGER published_service_append_only BEFORE UPDATE OR DELETE ON "
        "selo.published_service FOR EACH ROW EXECUTE FUNCTION selo.refuse_change()"
    )
    op.create_table(
        "service_key",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("agency_siorg", sa.Integer(), nullable=False),
        sa.Column("lineage", sa.Integer(), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("diretoria", sa.Text(), nullable=True),
        sa.Column("source_edition", sa.Text(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("service_key_pkey")),
        schema="selo",
    )
    op.create_index(
        "service_snapshot_service_keys_idx",
        "service_snapshot",
        ["service_keys"],
        schema="selo",
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index("service_snapshot_service_keys_idx", table_name="service_snapshot", schema="selo")
    op.drop_table("service_key", schema="selo")
    op.execute("DROP TRIGGER IF EXISTS published_service_append_only ON selo.published_service")
    op.drop_table("published_service", schema="selo")
    op.drop_column("service_snapshot", "captured_at", schema="selo")
    op.drop_column("service_snapshot", "service_keys", schema="selo")
    op.drop_column("load", "input_digest", schema="selo")
    _status_check(STATUSES_BEFORE)
