-- schema/0017_batch_fast_path.sql
--    eb_append_batch() (0011, 0015) with the common entry folded in
--    (docs/performance.md, "Issue 17, eighth pass: the hot race").
--
--    Until now every entry cost two nested PL/pgSQL calls
--    (eb_batch_entry() -> eb_batch_entry_log(), 0012), a SELECT ... FOR
--    UPDATE of its aggregate's head and an UPDATE of that head, and every
--    aggregate run one more call (eb_batch_state(), 0016).  An entry that
--    continues a chain (seq > 1, no request id: every bid) now runs in
--    eb_append_batch() itself:
--      - the head row is locked and read once per aggregate run; under
--        that lock (held to the COMMIT) nobody else moves it, so the next
--        entries of the run are checked against the head as the run
--        leaves it (the same comparison: seq = head seq + 1, prev = head
--        hash);
--      - the head's UPDATE is written once, when the run ends (the next
--        aggregate, a failed entry's aggregate change, or the batch's
--        end), with the run's last appended entry: the same final row;
--      - the read model's INSERT ... ON CONFLICT is written there too,
--        inline (the same statement as eb_batch_state()).
--    A creating entry (seq 1) or one with a request id still goes
--    through eb_batch_entry() (its subtransactions: the credit code's
--    'c', the request id's 'd'), after the pending head is written.
--    The status letters, the rows written, the errors raised and the
--    log's triggers (one NOTIFY per row, in order) are the same;
--    tests/integration/test_store.c and test_batch_fast.sh check them.
--    eb_batch_entry(), eb_batch_entry_log() and eb_batch_state() stay.

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
    run int[] := '{}';     -- entries checked and not yet in the log (one
                           -- aggregate: hagg), in order
    rsha bytea[] := '{}';  -- their SHA-256s
    sigs boolean := false; -- one of them has a signed head
    hagg text := NULL;     -- the aggregate whose head row is locked and
    hseq bigint;           -- known here, as the run leaves it (hseq NULL:
    hhash bytea;           -- no head row)
    a text;
    slow boolean;
    r text;
    i int;
BEGIN
    FOR i IN 1 .. n + 1 LOOP
        IF i <= n THEN
            a := p_aggregate[i];
            slow := NOT (p_seq[i] > 1 AND p_request_id[i] IS NULL);
        END IF;
        -- the run's entries go into the log, in order, and its head moves:
        -- at the next aggregate, before an entry of the other path, at the
        -- end
        IF cardinality(run) > 0
           AND (i > n OR a IS DISTINCT FROM p_aggregate[run[1]] OR slow) THEN
            INSERT INTO log (aggregate, seq, time_ms, party, role, person,
                             command, command_sha256, events, clock,
                             receipt, prev_hash, hash, rules, request_id)
                 SELECT p_aggregate[j], p_seq[j], p_time_ms[j], p_party[j],
                        p_role[j], p_person[j], p_command[j],
                        p_command_sha256[j], p_events[j], p_clock[j],
                        p_receipt[j], p_prev[j], p_hash[j], p_rules[j],
                        NULL
                   FROM unnest(run) WITH ORDINALITY AS u (j, o)
                  ORDER BY o;
            IF sigs THEN
                INSERT INTO chain_heads_signed (aggregate, seq, hash,
                                                signature)
                     SELECT p_aggregate[j], p_seq[j], p_hash[j],
                            p_head_signature[j]
                       FROM unnest(run) WITH ORDINALITY AS u (j, o)
                      WHERE p_head_signature[j] IS NOT NULL
                      ORDER BY o;
            END IF;
            UPDATE heads SET seq = hseq, hash = hhash WHERE aggregate = hagg;
            run := '{}';
            rsha := '{}';
            sigs := false;
        END IF;
        IF pend > 0 AND (i > n OR a <> p_aggregate[pend]) THEN
            INSERT INTO aggregate_state (aggregate, kind, state, seq,
                                         updated_ms)
                 VALUES (p_aggregate[pend], p_kind[pend], p_state[pend],
                         p_seq[pend], p_time_ms[pend])
            ON CONFLICT (aggregate) DO UPDATE
                 SET state = EXCLUDED.state, seq = EXCLUDED.seq,
                     updated_ms = EXCLUDED.updated_ms;
            pend := 0;
        END IF;
        EXIT WHEN i > n;
        IF failed IS NOT NULL AND a = failed THEN
            st := st || 's';
            CONTINUE;
        END IF;
        failed := NULL;
        IF NOT slow THEN
            -- the common entry: 0015's duplicate check as it reads when
            -- seq > 1 and there is no request id (the log, and the run's
            -- entries not yet written to it)
            IF p_command_sha256[i] = ANY (rsha)
               OR EXISTS (SELECT 1 FROM eb_command_rows(p_command_sha256[i]) d
                           WHERE d.aggregate = a) THEN
                r := 'd';
            ELSE
                IF hagg IS DISTINCT FROM a THEN
                    hagg := a;
                    SELECT h.seq, h.hash INTO hseq, hhash FROM heads h
                     WHERE h.aggregate = a FOR UPDATE;
                    IF NOT FOUND THEN
                        hseq := NULL;
                    END IF;
                END IF;
                IF hseq IS NULL OR hseq <> p_seq[i] - 1
                   OR hhash <> p_prev[i] THEN
                    r := 'm';
                ELSE
                    run := run || i;
                    rsha := rsha || p_command_sha256[i];
                    sigs := sigs OR p_head_signature[i] IS NOT NULL;
                    hseq := p_seq[i];
                    hhash := p_hash[i];
                    r := 'o';
                END IF;
            END IF;
        ELSE
            -- a creating entry or one with a request id: 0015's path, on
            -- the log and the head as they are now
            hagg := NULL;
            IF EXISTS (SELECT 1 FROM eb_command_rows(p_command_sha256[i]) d
                        WHERE d.aggregate = a
                           OR (p_seq[i] = 1 AND d.seq = 1))
               OR (p_request_id[i] IS NOT NULL AND EXISTS (SELECT 1 FROM log
                        WHERE party = p_party[i]
                          AND request_id = p_request_id[i])) THEN
                r := 'd';
            ELSIF p_request_id[i] IS NULL THEN
                r := eb_batch_entry(a, p_kind[i], p_seq[i],
                    p_time_ms[i], p_party[i], p_role[i], p_person[i],
                    p_command[i], p_command_sha256[i], p_events[i],
                    p_clock[i], p_receipt[i], p_prev[i], p_hash[i],
                    p_head_signature[i], p_rules[i], NULL);
            ELSE
                -- two ebidd creating with one request id at once: the
                -- unique index decides, and only this entry's work is
                -- undone
                BEGIN
                    r := eb_batch_entry(a, p_kind[i], p_seq[i],
                        p_time_ms[i], p_party[i], p_role[i], p_person[i],
                        p_command[i], p_command_sha256[i], p_events[i],
                        p_clock[i], p_receipt[i], p_prev[i], p_hash[i],
                        p_head_signature[i], p_rules[i], p_request_id[i]);
                EXCEPTION WHEN unique_violation THEN
                    r := 'd';
                END;
            END IF;
        END IF;
        st := st || r;
        IF r = 'o' THEN
            pend := i;         -- the read model: once per aggregate run
        ELSE
            failed := a;
        END IF;
    END LOOP;
    RETURN st;
END $$;
