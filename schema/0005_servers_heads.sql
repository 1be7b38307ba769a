-- schema/0005_servers_heads.sql
--    The server certificates that may sign ebidd's own (system) commands
--    and chain heads, and the append-only protection of the signed heads.
--
-- Only ebidd's own key may act as the system role: a certificate of the
-- centre's CA that merely says OU=system is not enough (docs/audit.md).
-- Each ebidd records at start-up its own certificate and the other
-- server certificates of the centre named in its configuration
-- (system_certs); the export carries them and ebid-audit checks every
-- system entry and every signed chain head against them (or against the
-- certificates the auditor pins with --server-cert).
CREATE TABLE servers (
    fingerprint  bytea PRIMARY KEY CHECK (length(fingerprint) = 32), -- SHA-256 of the DER
    certificate  bytea NOT NULL,
    subject      text  NOT NULL,
    first_seen   timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Signed heads are evidence like the log: never changed, never removed.
-- (A superuser can still disable triggers; the heads the bidders keep in
-- their receipts and the heads published on the public board are what
-- reveal that.)
CREATE TRIGGER chain_heads_no_update BEFORE UPDATE OR DELETE ON chain_heads_signed
    FOR EACH ROW EXECUTE FUNCTION eb_log_readonly();
CREATE TRIGGER chain_heads_no_truncate BEFORE TRUNCATE ON chain_heads_signed
    FOR EACH STATEMENT EXECUTE FUNCTION eb_log_readonly();
CREATE TRIGGER servers_no_update BEFORE UPDATE OR DELETE ON servers
    FOR EACH ROW EXECUTE FUNCTION eb_log_readonly();

-- A head signed outside an append (every head_every_seconds for the
-- aggregates whose last entry is not signed yet): only a head that is in
-- the log, once.  Returns 1 when stored, 0 when already there or not a
-- head of the log.
CREATE FUNCTION eb_sign_head(p_aggregate text, p_seq bigint, p_hash bytea,
    p_signature bytea) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM log WHERE aggregate = p_aggregate
                    AND seq = p_seq AND hash = p_hash) THEN
        RETURN 0;
    END IF;
    INSERT INTO chain_heads_signed (aggregate, seq, hash, signature)
         VALUES (p_aggregate, p_seq, p_hash, p_signature)
    ON CONFLICT (aggregate, seq) DO NOTHING;
    RETURN 1;
END $$;

REVOKE ALL ON servers FROM PUBLIC;
GRANT SELECT, INSERT ON servers TO ebid_app;
GRANT EXECUTE ON FUNCTION eb_sign_head(text, bigint, bytea, bytea) TO ebid_app;
