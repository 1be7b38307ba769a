/*
 * engine/server/lookups.h
 *    The SQL of ebidd's two duplicate look-ups, in one place for
 *    commands.c (which runs them as named statements, store.c
 *    eb_store_select_named) and tests/integration/test_lookup_plans.c
 *    (which checks their generic plans on a large log PostgreSQL has no
 *    statistics for).
 *
 *    EB_SQL_LOOKUP_RESENT   a command on an existing aggregate sent again:
 *        $1 aggregate, $2 SHA-256 of the signed bytes (hex), $3 'receipts
 *        wanted' (boolean text), $4 request id ('' for none), $5 party.
 *        Columns: seq, hash, time_ms, events, receipt, prev_hash, clock,
 *        the signed head's signature, the bidder's later bid event ('w'
 *        withdrawn, 'r' resubmitted, NULL), rules (commands.c dedup_done).
 *    EB_SQL_LOOKUP_CREATED  a creating command sent again: $1 SHA-256
 *        (hex), $2 request id ('' for none), $3 party.  Column: the
 *        aggregate it created (commands.c created_done).
 *
 * Why they are written this way: the rows found by the bytes' SHA-256
 * alone (and a creating command's request id) drive the join, each fenced
 * by OFFSET 0, so the aggregate's condition stays out of the SHA-256 scan
 * (schema/0015_command_lookup.sql: without statistics PostgreSQL read the
 * aggregate's whole log_pkey range for it), and it is applied inside the
 * outer fence, so the planner has no constant on l.aggregate to walk the
 * aggregate's entries with, testing each (it did, for a tender it had no
 * statistics of: 4.2 ms per bid at 2,295 entries, 0.14 ms this way).
 * test_lookup_plans holds every one of them to a few buffers per call
 * under plan_cache_mode = force_generic_plan.
 *
 * Ownership: string constants; nothing to free.
 */
#ifndef EB_SERVER_LOOKUPS_H
#define EB_SERVER_LOOKUPS_H

#define EB_SQL_LOOKUP_RESENT \
	"SELECT l.seq, l.hash, l.time_ms, l.events, l.receipt," \
	" l.prev_hash, l.clock, c.signature," \
	" CASE WHEN $3::boolean THEN" \
	" (SELECT CASE WHEN position('<bid-withdrawn'::bytea IN" \
	"  n.events) > 0 THEN 'w' ELSE 'r' END FROM log n" \
	"  WHERE n.aggregate = l.aggregate AND n.seq > l.seq" \
	"  AND n.party = l.party AND n.role = l.role" \
	"  AND (position('<bid-withdrawn'::bytea IN n.events) > 0" \
	"   OR position('<bid-submitted'::bytea IN n.events) > 0)" \
	"  ORDER BY n.seq DESC LIMIT 1) END, l.rules" \
	" FROM (SELECT aggregate, seq FROM (SELECT aggregate, seq" \
	"   FROM log WHERE command_sha256 = decode($2, 'hex')" \
	"  UNION SELECT aggregate, seq FROM log WHERE $4 <> ''" \
	"   AND aggregate = $1 AND seq = 1 AND request_id = $4" \
	"   AND party = $5 OFFSET 0) u WHERE u.aggregate = $1" \
	"  OFFSET 0) k" \
	" JOIN log l ON l.aggregate = k.aggregate AND l.seq = k.seq" \
	" LEFT JOIN chain_heads_signed c" \
	"  ON c.aggregate = l.aggregate AND c.seq = l.seq"

/* each condition through its own index (OFFSET 0: not joined with
 * seq = 1 into a scan of all log_pkey, as PostgreSQL planned it without
 * statistics) */
#define EB_SQL_LOOKUP_CREATED \
	"SELECT aggregate FROM (" \
	" SELECT aggregate, seq FROM log" \
	"  WHERE command_sha256 = decode($1, 'hex') OFFSET 0) s" \
	" WHERE seq = 1 UNION SELECT aggregate FROM (" \
	" SELECT aggregate, seq FROM log WHERE $2 <> ''" \
	"  AND request_id = $2 AND party = $3 OFFSET 0) r" \
	" WHERE seq = 1"

#endif
