-- schema/0007_idempotent_commands.sql
--    Every command is idempotent on its signed bytes (docs/server.md,
--    retrying).  ebidd looks a command's SHA-256 up before it refuses it,
--    before it creates an aggregate, and before it decides a receipt-bearing
--    command; eb_append() refuses the same bytes a second time in one
--    aggregate (and a creating command a second time anywhere) with
--    SQLSTATE EBDUP, so a resend decided while the first was in flight (in
--    this ebidd or another) is answered with the first entry, never
--    appended twice.  CREATE OR REPLACE keeps the function's grants.

CREATE INDEX log_command_sha256 ON log (command_sha256);

CREATE OR REPLACE FUNCTION eb_append(
    p_aggregate text, p_kind text, p_seq bigint, p_time_ms bigint,
    p_party text, p_role text, p_person text,
    p_command bytea, p_command_sha256 bytea, p_events bytea, p_clock text,
    p_receipt bytea, p_prev bytea, p_hash bytea,
    p_state text, p_head_signature bytea)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE h heads%ROWTYPE;
BEGIN
    -- the same signed bytes once per aggregate, and a creating command
    -- once at all (its retry finds the aggregate it made)
    IF EXISTS (SELECT 1 FROM log
                WHERE command_sha256 = p_command_sha256
                  AND (aggregate = p_aggregate OR (p_seq = 1 AND seq = 1))) THEN
        RAISE EXCEPTION 'duplicate-command' USING ERRCODE = 'EBDUP';
    END IF;
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
