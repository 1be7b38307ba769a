-- schema/0016_batch_state_plpgsql.sql
--    eb_batch_state() (0011: the read model's row, once per aggregate run
--    of a batch) in PL/pgSQL instead of SQL (docs/performance.md, "Issue
--    17, sixth pass: the hot race").  A SQL function that is not inlined
--    (a void function called from PL/pgSQL) is parsed, analysed and
--    planned again on every call: in the hot race pg_stat_statements
--    gave it 0.199 ms per call (one per batch) while its INSERT ran in
--    0.024 ms and was planned once per call (671 plans for 671 calls).
--    PL/pgSQL keeps the INSERT's plan for the session.  The same INSERT,
--    the same effect.

CREATE OR REPLACE FUNCTION eb_batch_state(p_aggregate text, p_kind text,
    p_state text, p_seq bigint, p_time_ms bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO aggregate_state (aggregate, kind, state, seq, updated_ms)
         VALUES (p_aggregate, p_kind, p_state, p_seq, p_time_ms)
    ON CONFLICT (aggregate) DO UPDATE
         SET state = EXCLUDED.state, seq = EXCLUDED.seq,
             updated_ms = EXCLUDED.updated_ms;
END $$;
