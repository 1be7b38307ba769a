-- schema/0003_roles.sql
--    The application role and its least privileges.
--
-- ebidd connects as a login role that is a member of ebid_app (or, in
-- development and tests, as the owner).  ebid_app may append to the log
-- and read it, never change or remove an entry.  A superuser can still
-- disable triggers: the hash chain, the signed heads and the RFC 3161
-- receipts are the evidence that survives that.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ebid_app') THEN
        CREATE ROLE ebid_app NOLOGIN;
    END IF;
END $$;

REVOKE ALL ON log, heads, aggregates, aggregate_state, security_log,
              chain_heads_signed FROM PUBLIC;
REVOKE ALL ON log FROM ebid_app;
GRANT SELECT, INSERT ON log TO ebid_app;
GRANT SELECT, INSERT ON aggregates, chain_heads_signed, security_log TO ebid_app;
GRANT SELECT, INSERT, UPDATE ON heads, aggregate_state TO ebid_app;
GRANT SELECT ON log_breaks TO ebid_app;
GRANT USAGE ON SEQUENCE tender_id_seq, sale_id_seq, pool_id_seq, tsa_serial,
                        security_log_id_seq TO ebid_app;
GRANT EXECUTE ON FUNCTION eb_append(text, text, bigint, bigint, text, text,
    text, bytea, bytea, bytea, text, bytea, bytea, bytea, text, bytea),
    eb_next_id(text, int) TO ebid_app;
