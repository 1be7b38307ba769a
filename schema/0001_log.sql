-- schema/0001_log.sql
--    The hash-chained, append-only log and its chain heads.
--
-- One row of "log" is one accepted command of one aggregate (a tender, a
-- sale, a pool): the signed command bytes exactly as received, the
-- canonical <events> it produced, and the chain link
--    hash = SHA-256(prev_hash || be64(seq) || entry)
-- where "entry" is the canonical entry bytes of engine/store/README.md.
-- ebidd computes the hash in C (protocol/hash.h eb_chain_link) and
-- eb_append() below checks, under the head row lock, that the entry
-- continues the head it was computed from (compare-and-set).
--
-- Invariants: seq runs 1, 2, 3 ... per aggregate without gaps;
-- prev_hash(seq 1) = 32 zero bytes; prev_hash(n) = hash(n - 1);
-- heads(aggregate) = the last row; the log is never updated or deleted
-- (triggers below, and the application role has INSERT/SELECT only).

CREATE TABLE aggregates (
    id       text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
    kind     text NOT NULL CHECK (kind IN ('tender', 'sale', 'pool')),
    created  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE log (
    aggregate       text   NOT NULL REFERENCES aggregates (id),
    seq             bigint NOT NULL CHECK (seq >= 1),
    time_ms         bigint NOT NULL,          -- server receipt instant (ms UTC)
    party           text   NOT NULL,
    role            text   NOT NULL,
    person          text   NOT NULL,
    command         bytea  NOT NULL,          -- the signed DER (CMS SignedData)
    command_sha256  bytea  NOT NULL CHECK (length(command_sha256) = 32),
    events          bytea  NOT NULL,          -- canonical bytes of <events>
    clock           text   NOT NULL CHECK (clock IN ('system', 'driven', 'accelerated')),
    receipt         bytea,                    -- RFC 3161 token, when one was issued
    prev_hash       bytea  NOT NULL CHECK (length(prev_hash) = 32),
    hash            bytea  NOT NULL CHECK (length(hash) = 32),
    written         timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (aggregate, seq)
);

CREATE TABLE heads (
    aggregate  text   PRIMARY KEY REFERENCES aggregates (id),
    seq        bigint NOT NULL CHECK (seq >= 0),
    hash       bytea  NOT NULL CHECK (length(hash) = 32)
);

CREATE FUNCTION eb_log_readonly() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the log is append-only' USING ERRCODE = 'EB001';
END $$;

CREATE TRIGGER log_no_update BEFORE UPDATE OR DELETE ON log
    FOR EACH ROW EXECUTE FUNCTION eb_log_readonly();
CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON log
    FOR EACH STATEMENT EXECUTE FUNCTION eb_log_readonly();

-- Chain breaks that can be found without the entry bytes: gaps in seq and
-- prev_hash not equal to the previous row's hash.  Empty = linked.  The
-- hash itself is recomputed by ebid-audit from the exported entries.
CREATE VIEW log_breaks AS
SELECT aggregate, seq FROM (
    SELECT aggregate, seq, prev_hash,
           lag(hash) OVER w AS want_prev, lag(seq) OVER w AS want_seq
      FROM log WINDOW w AS (PARTITION BY aggregate ORDER BY seq)) s
 WHERE prev_hash <> coalesce(want_prev, decode(repeat('00', 32), 'hex'))
    OR seq <> coalesce(want_seq, 0) + 1;
