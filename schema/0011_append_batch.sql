-- schema/0011_append_batch.sql
--    Group commit (docs/performance.md): eb_append_batch() appends many
--    entries, of one aggregate or of several, in ONE statement and so one
--    transaction and one WAL flush.  Entry i is the i-th element of every
--    array (the columns of eb_append(), schema/0009: the rules version
--    and the request id too).  The caller orders the entries
--    by aggregate id, then seq (the head rows are then locked in id
--    order: no deadlock between two batches of two ebidd processes).
--
--    Each entry is checked as eb_append() checks it, but a failed check
--    does not raise: it ends its aggregate's run, so the other aggregates
--    of the batch still commit.  The result is one status letter per
--    entry, in order:
--      'o'  appended
--      'd'  duplicate-command: these signed bytes are in the log already,
--           or this creating command's request id of this party (the
--           tests of eb_append's EBDUP)
--      'm'  head-moved: the head is not (seq - 1, prev) (another ebidd
--           appended first)
--      's'  skipped: an earlier entry of the same aggregate failed, and
--           this one is chained on it
--    The entries of an aggregate before its failed one are appended (they
--    form a valid chain up to it).  Any other error aborts the whole
--    statement, as eb_append's do.

-- the read model after an aggregate's last appended entry of the batch
CREATE FUNCTION eb_batch_state(p_aggregate text, p_kind text, p_state text,
    p_seq bigint, p_time_ms bigint)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO aggregate_state (aggregate, kind, state, seq, updated_ms)
         VALUES (p_aggregate, p_kind, p_state, p_seq, p_time_ms)
    ON CONFLICT (aggregate) DO UPDATE
         SET state = EXCLUDED.state, seq = EXCLUDED.seq,
             updated_ms = EXCLUDED.updated_ms;
$$;

-- one entry whose duplicate checks passed: 'o' appended, 'm' head-moved
CREATE FUNCTION eb_batch_entry(
    p_aggregate text, p_kind text, p_seq bigint, p_time_ms bigint,
    p_party text, p_role text, p_person text,
    p_command bytea, p_command_sha256 bytea, p_events bytea, p_clock text,
    p_receipt bytea, p_prev bytea, p_hash bytea, p_head_signature bytea,
    p_rules smallint, p_request_id text)
RETURNS text LANGUAGE plpgsql AS $$
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
        RETURN 'm';
    END IF;
    INSERT INTO log (aggregate, seq, time_ms, party, role, person, command,
                     command_sha256, events, clock, receipt, prev_hash, hash,
                     rules, request_id)
         VALUES (p_aggregate, p_seq, p_time_ms, p_party, p_role, p_person,
                 p_command, p_command_sha256, p_events, p_clock, p_receipt,
                 p_prev, p_hash, p_rules, p_request_id);
    UPDATE heads SET seq = p_seq, hash = p_hash WHERE aggregate = p_aggregate;
    IF p_head_signature IS NOT NULL THEN
        INSERT INTO chain_heads_signed (aggregate, seq, hash, signature)
             VALUES (p_aggregate, p_seq, p_hash, p_head_signature);
    END IF;
    RETURN 'o';
END $$;

CREATE FUNCTION eb_append_batch(
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
        IF EXISTS (SELECT 1 FROM log
                    WHERE command_sha256 = p_command_sha256[i]
                      AND (aggregate = p_aggregate[i]
                           OR (p_seq[i] = 1 AND seq = 1)))
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

REVOKE ALL ON FUNCTION eb_batch_state(text, text, text, bigint, bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eb_batch_state(text, text, text, bigint, bigint)
    TO ebid_app;
REVOKE ALL ON FUNCTION eb_batch_entry(text, text, bigint, bigint, text,
    text, text, bytea, bytea, bytea, text, bytea, bytea, bytea, bytea,
    smallint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eb_batch_entry(text, text, bigint, bigint, text,
    text, text, bytea, bytea, bytea, text, bytea, bytea, bytea, bytea,
    smallint, text) TO ebid_app;
REVOKE ALL ON FUNCTION eb_append_batch(text[], text[], bigint[], bigint[],
    text[], text[], text[], bytea[], bytea[], bytea[], text[], bytea[],
    bytea[], bytea[], text[], bytea[], smallint[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eb_append_batch(text[], text[], bigint[], bigint[],
    text[], text[], text[], bytea[], bytea[], bytea[], text[], bytea[],
    bytea[], bytea[], text[], bytea[], smallint[], text[]) TO ebid_app;
