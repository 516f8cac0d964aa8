"""Marketplace numbers: one WhatsApp number shared by many shops, and the shop directory.

`marketplace_numbers` holds each marketplace number and its operator token; `phone_numbers`
keeps meaning "this number is this shop's". A trigger on both keeps a number out of one while
it is in the other, so the worker never has to guess. `marketplace_shops` is the public
directory shoppers pick from (by code, name or nearness). All are global reference tables with
no personal data: the app role only reads them; the owner (operator commands) writes them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APP_GROUP = "wakala_tenant"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE marketplace_numbers (
            phone_number_id text PRIMARY KEY CHECK (phone_number_id ~ '^[0-9]{1,32}$'),
            display_phone_number text NOT NULL DEFAULT '' CHECK (length(display_phone_number) <= 32),
            access_token text NOT NULL CHECK (length(access_token) > 0),
            default_language text NOT NULL DEFAULT 'en'
                CHECK (default_language IN ('en', 'zu', 'st')),
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # A unique_violation, so callers that map IntegrityError to "already taken" just work.
    op.execute(
        """
        CREATE FUNCTION wakala_number_in_one_directory() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            -- Serialises the two tables' writers per number; the check below then sees a
            -- concurrent insert of the same number once it has committed.
            PERFORM pg_advisory_xact_lock(hashtext('wakala_number:' || NEW.phone_number_id));
            IF (TG_TABLE_NAME = 'phone_numbers' AND EXISTS (
                    SELECT 1 FROM marketplace_numbers WHERE phone_number_id = NEW.phone_number_id))
               OR (TG_TABLE_NAME = 'marketplace_numbers' AND EXISTS (
                    SELECT 1 FROM phone_numbers WHERE phone_number_id = NEW.phone_number_id))
            THEN
                RAISE EXCEPTION 'phone_number_id % is already a shop''s or a marketplace''s',
                    NEW.phone_number_id USING ERRCODE = 'unique_violation';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    for table in ("phone_numbers", "marketplace_numbers"):
        op.execute(
            f"CREATE TRIGGER {table}_in_one_directory "
            f"BEFORE INSERT OR UPDATE OF phone_number_id ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wakala_number_in_one_directory()"
        )
    # (code, tenant_id) must name the same shop as tenant_codes does.
    op.execute("ALTER TABLE tenant_codes ADD CONSTRAINT tenant_codes_pair UNIQUE (code, tenant_id)")
    op.execute(
        """
        CREATE TABLE marketplace_shops (
            code text PRIMARY KEY,
            tenant_id uuid NOT NULL UNIQUE,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            area text NOT NULL DEFAULT '' CHECK (length(area) <= 60),
            latitude double precision CHECK (latitude BETWEEN -90 AND 90),
            longitude double precision CHECK (longitude BETWEEN -180 AND 180),
            listed boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((latitude IS NULL) = (longitude IS NULL)),
            FOREIGN KEY (code, tenant_id) REFERENCES tenant_codes (code, tenant_id)
                ON DELETE CASCADE ON UPDATE CASCADE
        )
        """
    )
    # Codes typed without their hyphen ("SHOP1234") are looked up by this expression.
    op.execute(
        "CREATE INDEX marketplace_shops_compact ON marketplace_shops (replace(code, '-', ''))"
    )
    # The latitude range prefilters the Haversine distance of "shops near me".
    op.execute(
        "CREATE INDEX marketplace_shops_place ON marketplace_shops (latitude, longitude) "
        "WHERE listed AND latitude IS NOT NULL"
    )
    op.execute(f"GRANT SELECT ON marketplace_numbers, marketplace_shops TO {APP_GROUP}")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS marketplace_shops")
    op.execute("DROP TRIGGER IF EXISTS phone_numbers_in_one_directory ON phone_numbers")
    op.execute("DROP TABLE IF EXISTS marketplace_numbers")
    op.execute("DROP FUNCTION IF EXISTS wakala_number_in_one_directory()")
    op.execute("ALTER TABLE tenant_codes DROP CONSTRAINT IF EXISTS tenant_codes_pair")
