"""Product aliases: other names and common misspellings per language.

`aliases` lets a shop teach the bot its own words for a product, e.g.
`{"en": ["loaf", "bred"], "zu": ["izinkwa"]}`, so shoppers are understood without retraining the NLU.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE products ADD COLUMN aliases jsonb NOT NULL DEFAULT '{}'::jsonb "
        "CHECK (jsonb_typeof(aliases) = 'object')"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE products DROP COLUMN IF EXISTS aliases")
