-- schema/0015_command_lookup.sql
--    The duplicate check of an append looks the command's bytes up by
--    their SHA-256 alone (docs/performance.md, "Issue 17, fifth pass: the
--    hot race").  eb_append() (0009) and eb_append_batch() (0011) asked
--        command_sha256 = X AND (aggregate = A OR (seq = 1 AND ...))
--    and PostgreSQL, on a log it has no statistics for yet (a new or
--    restored database before its first ANALYZE), estimates both
--    conditions at 0.5 % of the rows: past a few thousand pages it plans a
--    BitmapAnd that reads every index entry of the aggregate A in log_pkey
--    (25,711 of them, 23 ms, for one append to a chain of that length)
--    before it finds nothing in log_command_sha256.  The bench's batched
--    limit fell 5-10 times when that plan came, and came back when
--    autovacuum's ANALYZE happened to run: the limit's instability.
--    eb_command_rows() reads the rows of one command's bytes through
--    log_command_sha256 only (OFFSET 0 keeps the condition on the
--    aggregate outside the scan); the checks are the same, row for row.

CREATE FUNCTION eb_command_rows(p_command_sha256 bytea)
RETURNS TABLE (aggregate text, seq bigint) LANGUAGE sql STABLE AS $$
    SELECT l.aggregate, l.seq FROM log l
     WHERE l.command_sha256 = p_command_sha256 OFFSET 0
$$;
REVOKE ALL ON FUNCTION eb_command_rows(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eb_command_rows(bytea) TO ebid_app;

-- 0009's eb_append(), the duplicate check through eb_command_rows()
CREATE OR REPLACE FUNCTION eb_append(
    p_aggregate text, p_kind text, p_seq bigint, p_time_ms bigint,
    p_party text, p_role text, p_person text,
    p_command bytea, p_command_sha256 bytea, p_events bytea, p_clock text,
    p_receipt bytea, p_prev bytea, p_hash bytea,
    p_state text, p_head_signature bytea,
    p_rules smallint DEFAULT NULL, p_request_id text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE h heads%ROWTYPE;
BEGIN
    -- the same signed bytes once per aggregate, and a creating command
    -- once at all (its retry finds the aggregate it made); a creating
    -- command's request id once per party, whatever its signature
    IF EXISTS (SELECT 1 FROM eb_command_rows(p_command_sha256) d
                WHERE d.aggregate = p_aggregate OR (p_seq = 1 AND d.seq = 1))
       OR (p_request_id IS NOT NULL AND EXISTS (SELECT 1 FROM log
                WHERE party = p_party AND request_id = p_request_id)) THEN
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
    IF p_request_id IS NULL THEN
        INSERT INTO log (aggregate, seq, time_ms, party, role, person,
                         command, command_sha256, events, clock, receipt,
                         prev_hash, hash, rules)
             VALUES (p_aggregate, p_seq, p_time_ms, p_party, p_role,
                     p_person, p_command, p_command_sha256, p_events,
                     p_clock, p_receipt, p_prev, p_hash, p_rules);
    ELSE
        -- two ebidd creating with one request id at once: the unique
        -- index decides, the loser hears duplicate-command
        BEGIN
            INSERT INTO log (aggregate, seq, time_ms, party, role, person,
                             command, command_sha256, events, clock,
                             receipt, prev_hash, hash, rules, request_id)
                 VALUES (p_aggregate, p_seq, p_time_ms, p_party, p_role,
                         p_person, p_command, p_command_sha256, p_events,
                         p_clock, p_receipt, p_prev, p_hash, p_rules,
                         p_request_id);
        EXCEPTION WHEN unique_violation THEN
            RAISE EXCEPTION 'duplicate-command' USING ERRCODE = 'EBDUP';
        END;
    END IF;
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

-- 0011's eb_append_batch(), the same
CREATE OR REPLACE FUNCTION eb_append_batch(
    p_aggregate text[], p_kind text[], p_seq bigint[], p_time_ms bigint[],
    p_party text[], p_role text[], p_person text[],
    p_command bytea[], p_command_sha256 bytea[], p_events bytea[],
    p_clock text[], p_receipt bytea[], p_prev bytea[], p_hash bytea[],
    p_state text[], p_head_signature bytea[], p_rules smallint[],
    p_request_id text[])
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n int := coalesce(cardinality(p_aggregate), 0);
    st text := '';
    failed text := NULL;   -- the aggregate whose run ended
    pend int := 0;         -- the last appended entry whose read model is
                           -- not written yet
    r text;
    i int;
BEGIN
    FOR i IN 1 .. n LOOP
        IF pend > 0 AND p_aggregate[i] <> p_aggregate[pend] THEN
            PERFORM eb_batch_state(p_aggregate[pend], p_kind[pend],
                p_state[pend], p_seq[pend], p_time_ms[pend]);
            pend := 0;
        END IF;
        IF failed IS NOT NULL AND p_aggregate[i] = failed THEN
            st := st || 's';
            CONTINUE;
        END IF;
        failed := NULL;
        IF EXISTS (SELECT 1 FROM eb_command_rows(p_command_sha256[i]) d
                    WHERE d.aggregate = p_aggregate[i]
                       OR (p_seq[i] = 1 AND d.seq = 1))
           OR (p_request_id[i] IS NOT NULL AND EXISTS (SELECT 1 FROM log
                    WHERE party = p_party[i]
                      AND request_id = p_request_id[i])) THEN
            r := 'd';
        ELSIF p_request_id[i] IS NULL THEN
            r := eb_batch_entry(p_aggregate[i], p_kind[i], p_seq[i],
                p_time_ms[i], p_party[i], p_role[i], p_person[i],
                p_command[i], p_command_sha256[i], p_events[i], p_clock[i],
                p_receipt[i], p_prev[i], p_hash[i], p_head_signature[i],
                p_rules[i], NULL);
        ELSE
            -- two ebidd creating with one request id at once: the
            -- unique index decides, and only this entry's work is undone
            BEGIN
                r := eb_batch_entry(p_aggregate[i], p_kind[i], p_seq[i],
                    p_time_ms[i], p_party[i], p_role[i], p_person[i],
                    p_command[i], p_command_sha256[i], p_events[i],
                    p_clock[i], p_receipt[i], p_prev[i], p_hash[i],
                    p_head_signature[i], p_rules[i], p_request_id[i]);
            EXCEPTION WHEN unique_violation THEN
                r := 'd';
            END;
        END IF;
        st := st || r;
        IF r = 'o' THEN
            pend := i;         -- the read model: once per aggregate run
        ELSE
            failed := p_aggregate[i];
        END IF;
    END LOOP;
    IF pend > 0 THEN
        PERFORM eb_batch_state(p_aggregate[pend], p_kind[pend],
            p_state[pend], p_seq[pend], p_time_ms[pend]);
    END IF;
    RETURN st;
END $$;
