-- schema/0009_append_batch.sql
--    Group commit (docs/performance.md): eb_append_batch() appends many
--    entries, of one aggregate or of several, in ONE statement and so one
--    transaction and one WAL flush.  Entry i is the i-th element of every
--    array (the columns of eb_append()).  The caller orders the entries
--    by aggregate id, then seq (the head rows are then locked in id
--    order: no deadlock between two batches of two ebidd processes).
--
--    Each entry is checked as eb_append() checks it, but a failed check
--    does not raise: it ends its aggregate's run, so the other aggregates
--    of the batch still commit.  The result is one status letter per
--    entry, in order:
--      'o'  appended
--      'd'  duplicate-command: these signed bytes are in the log already
--           (the same test as eb_append's EBDUP)
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

CREATE FUNCTION eb_append_batch(
    p_aggregate text[], p_kind text[], p_seq bigint[], p_time_ms bigint[],
    p_party text[], p_role text[], p_person text[],
    p_command bytea[], p_command_sha256 bytea[], p_events bytea[],
    p_clock text[], p_receipt bytea[], p_prev bytea[], p_hash bytea[],
    p_state text[], p_head_signature bytea[])
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n int := coalesce(cardinality(p_aggregate), 0);
    st text := '';
    failed text := NULL;   -- the aggregate whose run ended
    pend int := 0;         -- the last appended entry whose read model is
                           -- not written yet
    h heads%ROWTYPE;
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
                           OR (p_seq[i] = 1 AND seq = 1))) THEN
            st := st || 'd';
            failed := p_aggregate[i];
            CONTINUE;
        END IF;
        IF p_seq[i] = 1 THEN
            INSERT INTO aggregates (id, kind) VALUES (p_aggregate[i], p_kind[i])
                ON CONFLICT (id) DO NOTHING;
            INSERT INTO heads (aggregate, seq, hash)
                VALUES (p_aggregate[i], 0, decode(repeat('00', 32), 'hex'))
                ON CONFLICT (aggregate) DO NOTHING;
        END IF;
        SELECT * INTO h FROM heads WHERE aggregate = p_aggregate[i] FOR UPDATE;
        IF NOT FOUND OR h.seq <> p_seq[i] - 1 OR h.hash <> p_prev[i] THEN
            st := st || 'm';
            failed := p_aggregate[i];
            CONTINUE;
        END IF;
        INSERT INTO log (aggregate, seq, time_ms, party, role, person, command,
                         command_sha256, events, clock, receipt, prev_hash, hash)
             VALUES (p_aggregate[i], p_seq[i], p_time_ms[i], p_party[i],
                     p_role[i], p_person[i], p_command[i], p_command_sha256[i],
                     p_events[i], p_clock[i], p_receipt[i], p_prev[i],
                     p_hash[i]);
        UPDATE heads SET seq = p_seq[i], hash = p_hash[i]
         WHERE aggregate = p_aggregate[i];
        pend := i;             -- the read model: once per aggregate run
        IF p_head_signature[i] IS NOT NULL THEN
            INSERT INTO chain_heads_signed (aggregate, seq, hash, signature)
                 VALUES (p_aggregate[i], p_seq[i], p_hash[i],
                         p_head_signature[i]);
        END IF;
        st := st || 'o';
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
REVOKE ALL ON FUNCTION eb_append_batch(text[], text[], bigint[], bigint[],
    text[], text[], text[], bytea[], bytea[], bytea[], text[], bytea[],
    bytea[], bytea[], text[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eb_append_batch(text[], text[], bigint[], bigint[],
    text[], text[], text[], bytea[], bytea[], bytea[], text[], bytea[],
    bytea[], bytea[], text[], bytea[]) TO ebid_app;
