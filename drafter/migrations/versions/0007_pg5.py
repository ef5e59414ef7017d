"""PostgreSQL: appending to the audit chain in one statement, `drafter_audit_append`.

The function takes the chain's lock, reads the head and inserts the events, each linked to the one before it
and hashed exactly as `AuditEvent.compute_hash` does (SHA-256 of the JSON list [seq, at, actor, action, draft id,
details, previous hash]; the caller passes the middle part, already serialised, in one JSON argument). One round trip instead of three
while the chain is locked: under load the lock is held for as short a time as a transaction allows.

It runs with the caller's rights (SECURITY INVOKER): it can do nothing the application role could not do with
plain INSERT and SELECT. As a volatile function under READ COMMITTED, each of its statements takes a fresh
snapshot, so the head is read after the lock is held and sees every append committed before.

Revision ID: 0007_pg5
"""

from alembic import op

revision = "0007_pg5"
down_revision = "0006_user_preferences"
branch_labels = None
depends_on = None

APPEND = """
CREATE OR REPLACE FUNCTION drafter_audit_append(lock_key bigint, items json)
RETURNS TABLE (out_seq integer, out_prev text, out_hash text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
-- items: a JSON array of [at, actor, action, draft id, details JSON, middle of the hashed list], in order
DECLARE
    head_seq integer;
    head_hash text;
    digest text;
    item json;
    n integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT e.seq, e.hash INTO head_seq, head_hash FROM audit_events e ORDER BY e.seq DESC LIMIT 1;
    IF head_seq IS NULL THEN
        head_seq := 0;
        head_hash := repeat('0', 64);
    END IF;
    FOR item IN SELECT a.value FROM json_array_elements(items) WITH ORDINALITY AS a(value, ord) ORDER BY a.ord LOOP
        n := n + 1;
        digest := encode(sha256(convert_to(
            '[' || (head_seq + n)::text || ',' || (item->>5) || ',"' || head_hash || '"]', 'UTF8')), 'hex');
        INSERT INTO audit_events (seq, at, actor, action, draft_id, details_json, prev_hash, hash)
        VALUES (head_seq + n, item->>0, item->>1, item->>2, item->>3, item->>4, head_hash, digest);
        out_seq := head_seq + n;
        out_prev := head_hash;
        out_hash := digest;
        RETURN NEXT;
        head_hash := digest;
    END LOOP;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND)


def downgrade() -> None:
    raise NotImplementedError("Drafter migrations are forward-only; restore from a backup instead.")
