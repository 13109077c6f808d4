"""match sides and case study consent

Who proposed a match (``proposed_by``), an agreement awaiting the other side's
confirmation, one live match per issue and partner organisation (a partial
unique index), and case studies that are drafts until both sides consent.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:49:40.104663
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)
_LIVE = sa.text("status NOT IN ('declined', 'withdrawn')")


def upgrade() -> None:
    # Rows written before this revision: case studies were published outright (with
    # both sides' lessons), and only the administrator key could propose matches.
    with op.batch_alter_table("case_study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="published")
        )
        batch_op.add_column(
            sa.Column("consents", _JSON, nullable=False, server_default='["issue", "partner"]')
        )
        batch_op.add_column(
            sa.Column(
                "lessons_from_reviews", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.alter_column(
            "published_at", existing_type=sa.DateTime(timezone=True), nullable=True
        )
        batch_op.create_index(batch_op.f("ix_case_study_status"), ["status"], unique=False)
    with op.batch_alter_table("case_study", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None, existing_type=sa.String(length=16))
        batch_op.alter_column("consents", server_default=None, existing_type=_JSON)
        batch_op.alter_column(
            "lessons_from_reviews", server_default=None, existing_type=sa.Boolean()
        )

    # Earlier duplicates (one match through a resource, another directly) would
    # break the unique index: the later ones are withdrawn, saying why.
    op.execute(
        "UPDATE match SET status = 'withdrawn', reason = 'duplicate of an earlier live match' "
        "WHERE status NOT IN ('declined', 'withdrawn') AND EXISTS ("
        "SELECT 1 FROM match AS earlier WHERE earlier.issue_id = match.issue_id "
        "AND earlier.organization_id = match.organization_id "
        "AND earlier.status NOT IN ('declined', 'withdrawn') "
        "AND (earlier.created_at < match.created_at "
        "OR (earlier.created_at = match.created_at AND earlier.id < match.id)))"
    )
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proposed_by", sa.String(length=8), nullable=False, server_default="admin")
        )
        batch_op.add_column(sa.Column("pending_agreement", _JSON, nullable=True))
        batch_op.add_column(sa.Column("agreement_pending_from", sa.String(length=8), nullable=True))
        batch_op.create_index(
            "uq_match_live_partner",
            ["issue_id", "organization_id"],
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.alter_column("proposed_by", server_default=None, existing_type=sa.String(length=8))


def downgrade() -> None:
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index("uq_match_live_partner", sqlite_where=_LIVE, postgresql_where=_LIVE)
        batch_op.drop_column("agreement_pending_from")
        batch_op.drop_column("pending_agreement")
        batch_op.drop_column("proposed_by")

    # Drafts did not exist before: they go (nobody has consented to them yet).
    op.execute("DELETE FROM case_study WHERE published_at IS NULL")
    with op.batch_alter_table("case_study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_status"))
        batch_op.alter_column(
            "published_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("lessons_from_reviews")
        batch_op.drop_column("consents")
        batch_op.drop_column("status")
