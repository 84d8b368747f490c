SET LOCAL ROLE homeward_owner;

-- From here on the database's rules (functions, policies, grants and triggers) live in
-- db/sql, one file a concern: db/sql/functions/*.sql and db/sql/tables/<table>.sql. The
-- service applies them after the migrations, in one transaction, whenever they change
-- (db::rules); migrations keep tables, indexes and data. This row remembers what was
-- applied last.
CREATE TABLE hw_rules_applied (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    digest     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- The audit digest before it covered the lawful basis (2026-12-06-000002): nothing calls
-- it any more.
DROP FUNCTION hw_audit_digest(bytea, bigint, timestamptz, uuid, text, text, text, uuid[], text, text[], text);

RESET ROLE;
