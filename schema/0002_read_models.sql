-- schema/0002_read_models.sql
--    Read models, the security log, signed chain heads, id sequences.
--
-- Everything here except security_log and chain_heads_signed is derived
-- from the log and can be rebuilt from it (engine/store/README.md).
-- aggregate_state is written in the same transaction as the log entry.

CREATE TABLE aggregate_state (
    aggregate   text   PRIMARY KEY REFERENCES aggregates (id),
    kind        text   NOT NULL,
    state       text   NOT NULL,        -- eb_flow_ops.state_name()
    seq         bigint NOT NULL,
    updated_ms  bigint NOT NULL          -- time of the entry that set it
);

-- Refused commands (denied / state / rule / time): who, what, when, why.
-- Never part of the chain; written by ebidd after the refusal.
CREATE TABLE security_log (
    id          bigserial PRIMARY KEY,
    time_ms     bigint NOT NULL,
    clock       text   NOT NULL,
    party       text   NOT NULL,
    role        text   NOT NULL,
    person      text   NOT NULL,
    command     text   NOT NULL,        -- the command's name
    target      text   NOT NULL,        -- aggregate id or ''
    code        text   NOT NULL,        -- eb_strerror()
    reason      text   NOT NULL,        -- the stable reason token
    message     text   NOT NULL,
    request_id  text   NOT NULL,
    written     timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Chain heads signed by the server key (CMS SignedData over the text
-- "ebid-chain-head:<aggregate>:<seq>:<hash hex>", protocol/entry.h
-- eb_chain_head_text), written with every entry that changes
-- the aggregate's state name (phase), in the entry's transaction.
CREATE TABLE chain_heads_signed (
    aggregate  text   NOT NULL REFERENCES aggregates (id),
    seq        bigint NOT NULL,
    hash       bytea  NOT NULL CHECK (length(hash) = 32),
    signature  bytea  NOT NULL,
    written    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (aggregate, seq)
);

CREATE SEQUENCE tender_id_seq;
CREATE SEQUENCE sale_id_seq;
CREATE SEQUENCE pool_id_seq;
CREATE SEQUENCE tsa_serial START 1;

-- The next aggregate id of a kind: T-2026-0001, S-2026-0001, P-2026-0001.
-- The year is the clock's year as ebidd passes it (test clocks included).
CREATE FUNCTION eb_next_id(p_kind text, p_year int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    IF p_kind = 'tender' THEN
        n := nextval('tender_id_seq'); RETURN format('T-%s-%s', p_year, lpad(n::text, 4, '0'));
    ELSIF p_kind = 'sale' THEN
        n := nextval('sale_id_seq');   RETURN format('S-%s-%s', p_year, lpad(n::text, 4, '0'));
    ELSIF p_kind = 'pool' THEN
        n := nextval('pool_id_seq');   RETURN format('P-%s-%s', p_year, lpad(n::text, 4, '0'));
    END IF;
    RAISE EXCEPTION 'unknown aggregate kind %', p_kind USING ERRCODE = '22023';
END $$;

-- One durable append: the entry, the head, the read model and (at a phase
-- change) the signed head, all in the caller's one transaction.  Raises
-- SQLSTATE EB409 'head-moved' when the head is not (p_seq - 1, p_prev):
-- another writer got there first and the caller must reload and decide
-- again.  The head row lock (FOR UPDATE) serializes writers of one
-- aggregate across every ebidd process; READ COMMITTED re-reads it after
-- the wait.
CREATE FUNCTION eb_append(
    p_aggregate text, p_kind text, p_seq bigint, p_time_ms bigint,
    p_party text, p_role text, p_person text,
    p_command bytea, p_command_sha256 bytea, p_events bytea, p_clock text,
    p_receipt bytea, p_prev bytea, p_hash bytea,
    p_state text, p_head_signature bytea)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE h heads%ROWTYPE;
BEGIN
    IF p_seq = 1 THEN
        INSERT INTO aggregates (id, kind) VALUES (p_aggregate, p_kind)
            ON CONFLICT (id) DO NOTHING;
        INSERT INTO heads (aggregate, seq, hash)
            VALUES (p_aggregate, 0, decode(repeat('00', 32), 'hex'))
            ON CONFLICT (aggregate) DO NOTHING;
    END IF;
    SELECT * INTO h FROM heads WHERE aggregate = p_aggregate FOR UPDATE;
    IF NOT FOUND OR h.seq <> p_seq - 1 OR h.hash <> p_prev THEN
        RAISE EXCEPTION 'head-moved' USING ERRCODE = 'EB409';
    END IF;
    INSERT INTO log (aggregate, seq, time_ms, party, role, person, command,
                     command_sha256, events, clock, receipt, prev_hash, hash)
         VALUES (p_aggregate, p_seq, p_time_ms, p_party, p_role, p_person,
                 p_command, p_command_sha256, p_events, p_clock, p_receipt,
                 p_prev, p_hash);
    UPDATE heads SET seq = p_seq, hash = p_hash WHERE aggregate = p_aggregate;
    INSERT INTO aggregate_state (aggregate, kind, state, seq, updated_ms)
         VALUES (p_aggregate, p_kind, p_state, p_seq, p_time_ms)
    ON CONFLICT (aggregate) DO UPDATE
         SET state = EXCLUDED.state, seq = EXCLUDED.seq,
             updated_ms = EXCLUDED.updated_ms;
    IF p_head_signature IS NOT NULL THEN
        INSERT INTO chain_heads_signed (aggregate, seq, hash, signature)
             VALUES (p_aggregate, p_seq, p_hash, p_head_signature);
    END IF;
    RETURN p_seq;
END $$;
