DROP FUNCTION IF EXISTS hw_audit_verify();
DROP TABLE IF EXISTS audit_log;
DROP FUNCTION IF EXISTS hw_audit_chain();
DROP FUNCTION IF EXISTS hw_audit_digest(bytea, bigint, timestamptz, uuid, text, text, text, uuid[], text, text[], text);
DROP TABLE IF EXISTS audit_chain_head;
