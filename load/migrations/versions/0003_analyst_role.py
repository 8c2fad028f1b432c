"""The read-only analyst role.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

``selo_analyst`` (NOLOGIN) may read the views of schema ``analytics`` and nothing else; the grants
themselves are (re)applied with the views (``sql/marts/99_grants.sql``). Roles are cluster-wide:
when the connected user may not create roles, the migration says so and goes on, and
``selo grant`` prints what a DBA should run.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'selo_analyst') THEN
                CREATE ROLE selo_analyst NOLOGIN;
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'selo: cannot create role selo_analyst here; see selo grant';
        END $$
        """
    )
    # The raw tables stay closed to everyone but their owner (no grant to PUBLIC).
    op.execute("REVOKE ALL ON SCHEMA selo FROM PUBLIC")


def downgrade() -> None:
    # The role is cluster-wide and may serve other databases: it is left in place.
    pass
