-- tests/integration/batch_fast.sql (run by test_batch_fast.sh, in a
-- database made from one template, once with :fn = ref_append_batch,
-- 0015's eb_append_batch() under another name, and once with :fn =
-- eb_append_batch, 0017's): the same batches, committed one by one; the
-- script compares the two outputs (statuses, errors, notifications) and
-- the tables' contents.
\set ON_ERROR_STOP 0
\set VERBOSITY verbose
\set SHOW_CONTEXT never
LISTEN ebid_log;

-- a batch from rows (ord, aggregate, kind, seq, prev's seq, command,
-- events, head signature, request id, receipt, clock): hash(a, s) =
-- SHA-256("a:s"), hash(a, 0) = 32 zero bytes, so prev seq = seq - 1 is
-- the head and anything else a stale one
CREATE FUNCTION tb_hash(a text, s bigint) RETURNS bytea LANGUAGE sql AS $$
    SELECT CASE WHEN s = 0 THEN decode(repeat('00', 32), 'hex')
                ELSE sha256(convert_to(a || ':' || s, 'UTF8')) END $$;
CREATE FUNCTION tb(fn text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
    EXECUTE format($f$
      SELECT %I(array_agg(a ORDER BY o), array_agg(k ORDER BY o),
        array_agg(s::int8 ORDER BY o), array_agg((1000 + o)::int8 ORDER BY o),
        array_agg(coalesce(req_party, 'bidder1') ORDER BY o),
        array_agg('bidder'::text ORDER BY o), array_agg('FC-P-3001'::text ORDER BY o),
        array_agg(convert_to(c, 'UTF8') ORDER BY o),
        array_agg(sha256(convert_to(c, 'UTF8')) ORDER BY o),
        array_agg(convert_to(e, 'UTF8') ORDER BY o),
        array_agg(coalesce(clk, 'system') ORDER BY o),
        array_agg(convert_to(rcp, 'UTF8') ORDER BY o),
        array_agg(tb_hash(a, ps) ORDER BY o), array_agg(tb_hash(a, s) ORDER BY o),
        array_agg(('state-' || s)::text ORDER BY o),
        array_agg(convert_to(sig, 'UTF8') ORDER BY o),
        array_agg(2::int2 ORDER BY o), array_agg(req ORDER BY o))
      FROM (%s) AS t (o, a, k, s, ps, c, e, sig, req, rcp, clk, req_party)$f$, fn, q)
    INTO st;
    RETURN st;
END $$;

-- 1: creations (a sale, a subject with a code, one with a request id),
--    chains, a signed head, a receipt
SELECT tb(:'fn', $$VALUES
 (1, 'S-1', 'sale', 1, 0, 'create S-1', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (2, 'S-1', 'sale', 2, 1, 'bid S-1 2', '<events><b/></events>', NULL, NULL, NULL, NULL, NULL),
 (3, 'S-1', 'sale', 3, 2, 'bid S-1 3', '<events><b/></events>', 'sig 3', NULL, 'rcpt 3', NULL, NULL),
 (4, 'S-1', 'sale', 4, 3, 'bid S-1 4', '<events><b/></events>', NULL, NULL, NULL, NULL, NULL),
 (5, 'O-1', 'subject', 1, 0, 'register O-1', '<events><subject-registered code="C1"/></events>', NULL, NULL, NULL, NULL, NULL),
 (6, 'O-1', 'subject', 2, 1, 'amend O-1', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (7, 'T-1', 'tender', 1, 0, 'create T-1', '<events/>', 'sig T1', 'req-1', NULL, NULL, NULL),
 (8, 'T-1', 'tender', 2, 1, 'bid T-1 2', '<events><bid-submitted envelope-sha256="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" envelope-stored="true"/></events>', NULL, NULL, NULL, NULL, NULL)
$$);
-- 2: a duplicate inside a run and one in the log, a stale head, a taken
--    code, a request id again, a head that does not exist, skips
SELECT tb(:'fn', $$VALUES
 (1, 'S-1', 'sale', 5, 4, 'bid S-1 5', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (2, 'S-1', 'sale', 6, 5, 'bid S-1 5', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (3, 'S-1', 'sale', 7, 6, 'bid S-1 7', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (4, 'O-1', 'subject', 3, 1, 'stale O-1', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (5, 'O-1', 'subject', 4, 3, 'after stale O-1', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (6, 'O-2', 'subject', 1, 0, 'register O-2', '<events><subject-registered code="C1"/></events>', NULL, NULL, NULL, NULL, NULL),
 (7, 'S-2', 'sale', 1, 0, 'create S-2', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (8, 'S-2', 'sale', 2, 1, 'bid T-1 2', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (9, 'S-2', 'sale', 3, 2, 'bid S-2 3', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (10, 'T-1', 'tender', 3, 2, 'bid T-1 2', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (11, 'T-2', 'tender', 1, 0, 'create T-2', '<events/>', NULL, 'req-1', NULL, NULL, NULL),
 (12, 'X-1', 'sale', 2, 1, 'no head X-1', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (13, 'X-1', 'sale', 3, 2, 'no head X-1 3', '<events/>', NULL, NULL, NULL, NULL, NULL)
$$);
-- 3: an aggregate twice in one batch, apart; runs of one; signed heads
--    in a run; a creation followed by its chain; a wrong prev at seq 2
SELECT tb(:'fn', $$VALUES
 (1, 'S-1', 'sale', 6, 5, 'bid S-1 6b', '<events/>', 'sig 6', NULL, NULL, NULL, NULL),
 (2, 'S-1', 'sale', 7, 6, 'bid S-1 7b', '<events/>', 'sig 7', NULL, NULL, NULL, NULL),
 (3, 'S-2', 'sale', 4, 3, 'bid S-2 4b', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (4, 'S-1', 'sale', 8, 7, 'bid S-1 8b', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (5, 'S-1', 'sale', 9, 8, 'bid S-1 6b', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (6, 'S-3', 'sale', 1, 0, 'create S-3', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (7, 'S-3', 'sale', 2, 0, 'bid S-3 2', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (8, 'S-4', 'sale', 1, 0, 'create S-4', '<events/>', NULL, 'req-2', NULL, NULL, 'bidder2'),
 (9, 'S-4', 'sale', 2, 1, 'bid S-4 2', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (10, 'S-4', 'sale', 3, 2, 'bid S-4 3', '<events><bid-submitted envelope-sha256="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" envelope-stored="true"/></events>', NULL, NULL, NULL, NULL, NULL)
$$);
-- 3b: an entry without an aggregate (no head: m) between two of one run
SELECT tb(:'fn', $$VALUES
 (1, 'S-2', 'sale', 5, 4, 'bid S-2 5', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (2, NULL, 'sale', 2, 1, 'no aggregate', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (3, 'S-2', 'sale', 6, 5, 'bid S-2 6', '<events/>', NULL, NULL, NULL, NULL, NULL)
$$);
-- 4: errors abort the whole batch: a bad clock after good entries; a
--    request id at seq 2 (the CHECK of 0009); then the same entries
--    right, with another aggregate before them
SELECT tb(:'fn', $$VALUES
 (1, 'S-1', 'sale', 9, 8, 'bid S-1 9', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (2, 'S-1', 'sale', 10, 9, 'bid S-1 10', '<events/>', NULL, NULL, NULL, 'bogus', NULL)
$$);
SELECT tb(:'fn', $$VALUES
 (1, 'S-1', 'sale', 9, 8, 'bid S-1 9', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (2, 'S-1', 'sale', 10, 9, 'bid S-1 10', '<events/>', NULL, 'req-9', NULL, NULL, NULL)
$$);
SELECT tb(:'fn', $$VALUES
 (1, 'S-2', 'sale', 7, 6, 'bid S-2 7', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (2, 'S-1', 'sale', 9, 8, 'bid S-1 9', '<events/>', NULL, NULL, NULL, NULL, NULL)
$$);

-- the tables, whole (not the clock columns)
\pset format unaligned
SELECT 'log', aggregate, seq, time_ms, party, command, encode(command_sha256, 'hex'),
       events, clock, receipt, encode(prev_hash, 'hex'), encode(hash, 'hex'), rules, request_id
  FROM log ORDER BY aggregate, seq;
SELECT 'heads', aggregate, seq, encode(hash, 'hex') FROM heads ORDER BY 2;
SELECT 'state', * FROM aggregate_state ORDER BY 2;
SELECT 'signed', aggregate, seq, encode(hash, 'hex'), signature FROM chain_heads_signed ORDER BY 2, 3;
SELECT 'aggregates', id, kind FROM aggregates ORDER BY 2;
SELECT 'codes', * FROM subject_codes ORDER BY 2;
SELECT 'envelopes', * FROM envelope_refs ORDER BY 2;
SELECT 'breaks', count(*) FROM log_breaks;
