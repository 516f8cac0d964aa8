"""Shop details shoppers ask about (opening hours, address, whether it delivers, its time zone)
and an index for the merchant's "today" questions.

`hours` is per language ({"en": "Mon-Sat 7:00-19:00", "zu": "..."}), like product names, so a
reply never mixes languages; `timezone` decides where a shop's day starts for today's orders and
the daily summary.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE shop_settings
            ADD COLUMN hours jsonb NOT NULL DEFAULT '{}'::jsonb
                CHECK (jsonb_typeof(hours) = 'object'),
            ADD COLUMN address text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
            ADD COLUMN delivers boolean NOT NULL DEFAULT true,
            ADD COLUMN timezone text NOT NULL DEFAULT 'Africa/Johannesburg'
                CHECK (length(timezone) BETWEEN 1 AND 64)
        """
    )
    op.execute("CREATE INDEX orders_placed ON orders (tenant_id, placed_at DESC)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS orders_placed")
    for column in ("timezone", "delivers", "address", "hours"):
        op.execute(f"ALTER TABLE shop_settings DROP COLUMN IF EXISTS {column}")
