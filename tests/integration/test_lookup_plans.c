/*
 * tests/integration/test_lookup_plans.c
 *    The duplicate look-ups keep their cheap plan on a large log that
 *    PostgreSQL has no statistics for (issue 17; schema/0015).
 *
 *    usage: test_lookup_plans CONNINFO   (a superuser on a migrated,
 *                                         empty database; run by
 *                                         tests/integration/test_lookup_plans.sh)
 *
 * A restored or new database serves ebidd before its first ANALYZE.
 * Without statistics PostgreSQL estimated each condition of the old
 * look-ups at 0.5 % of the rows and, past a few thousand pages, planned
 * a walk of the aggregate's whole log_pkey range: the cost of one bid
 * grew with the tender's length (docs/performance.md, fifth pass).  The
 * fixture: 48,000 entries in a log never analysed (autovacuum off on it,
 * checked through pg_stats), 40,000 of them one tender's.  Each look-up
 * ebidd runs (engine/server/lookups.h, and the duplicate checks inside
 * eb_append() and eb_append_batch()) is run under plan_cache_mode =
 * force_generic_plan, as a named statement is after its fifth run, and
 * must touch at most MAX_BUFFERS shared buffers (EXPLAIN (ANALYZE,
 * BUFFERS): a path through the indexes is about 15; the walk of the
 * range reads hundreds).  A control first shows the fixture can catch the
 * bad plan: the pre-0015 condition, planned the same way, must read the
 * range.  Prints "ok"/"FAIL" lines; exits 1 on any failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "engine/server/lookups.h"

#define TENDER "T-2026-0001"
#define N_TENDER 40000          /* the tender's entries */
#define N_OTHER 8000            /* 8 other aggregates' entries */
#define MAX_BUFFERS 60          /* an index path's share, with room */
#define CONTROL_BUFFERS 150     /* the control must read at least this */

static int fails, checks;
static PGconn *db;

#define CHECK(cond, ...) do { \
	checks++; \
	if (cond) { printf("ok   "); } else { printf("FAIL "); fails++; } \
	printf(__VA_ARGS__); printf("\n"); \
} while (0)

/* Run SQL that must succeed; the result (the caller PQclear()s it). */
static PGresult *
run(const char *fmt, ...)
{
	char sql[8192];
	va_list ap;
	PGresult *r;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	r = PQexec(db, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "test_lookup_plans: %s\n  in: %.300s\n",
		    PQerrorMessage(db), sql);
		exit(1);
	}
	return r;
}

static void
exec(const char *fmt, const char *arg)
{
	PQclear(run(fmt, arg));
}

/*
 * The shared buffers one statement touched: the largest "shared hit=H
 * read=R" sum of the executor's nodes (a node's count holds its
 * children's; the planner's own line is left out).  Prints the plan into
 * *plan (caller frees) for the failure message.
 */
static long
buffers_of(const char *explained_sql, char **plan)
{
	PGresult *r = run("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) %s",
	    explained_sql);
	long best = 0;
	size_t len = 0, cap = 1;
	int planning = 0;

	for (int i = 0; i < PQntuples(r); i++)
		cap += strlen(PQgetvalue(r, i, 0)) + 1;
	*plan = calloc(1, cap);
	for (int i = 0; i < PQntuples(r); i++) {
		const char *line = PQgetvalue(r, i, 0);
		const char *p;
		long hit = 0, rd = 0;

		len += (size_t)sprintf(*plan + len, "%s\n", line);
		if (strncmp(line, "Planning", 8) == 0)
			planning = 1;
		if (planning || (p = strstr(line, "Buffers: shared")) == NULL)
			continue;
		if ((p = strstr(line, "hit=")) != NULL)
			hit = atol(p + 4);
		if ((p = strstr(line, "read=")) != NULL)
			rd = atol(p + 5);
		if (hit + rd > best)
			best = hit + rd;
	}
	PQclear(r);
	return best;
}

/* One look-up held to at most MAX_BUFFERS or, for the control, to at
 * least CONTROL_BUFFERS. */
static void
check_plan(const char *what, const char *sql, int control)
{
	char *plan = NULL;
	long b = buffers_of(sql, &plan);

	if (control)
		CHECK(b >= CONTROL_BUFFERS, "control: %s reads the tender's "
		    "range without statistics (%ld shared buffers, at least %d)",
		    what, b, CONTROL_BUFFERS);
	else
		CHECK(b <= MAX_BUFFERS, "%s: %ld shared buffers (at most %d)",
		    what, b, MAX_BUFFERS);
	if ((control && b < CONTROL_BUFFERS) || (!control && b > MAX_BUFFERS))
		printf("%s", plan);
	free(plan);
}

/* The value of a one-row, one-column query. */
static char *
value_of(const char *fmt, const char *arg)
{
	PGresult *r = run(fmt, arg);
	char *v = strdup(PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "(no row)");

	PQclear(r);
	return v;
}

/*
 * A sealed bid sent again with receipts wanted: the reply also says
 * whether the bidder withdrew or resubmitted since (the subquery on the
 * entries after it, newest first).  Without statistics that subquery is
 * planned as a bitmap scan of every later entry of the tender, not a
 * walk back that stops at the bidder's latest bid: its cost is the
 * tail's, never the whole tender's (lookups.h).  Held to the tail's heap
 * blocks, its share of log_pkey (about 200 entries a page) and
 * MAX_BUFFERS; and to MAX_BUFFERS for a bid near the head.
 */
static void
tail_check(const char *hex_mid)
{
	char sql[512], *plan = NULL, *v;
	long tail, b;

	v = value_of("SELECT count(DISTINCT (ctid::text::point)[0]) FROM log"
	    " WHERE aggregate = '" TENDER "' AND seq > %s", "20000");
	tail = atol(v) + (N_TENDER - 20000) / 200;
	free(v);
	snprintf(sql, sizeof(sql), "EXECUTE resent('" TENDER "', '%s', 'true',"
	    " '', 'bidder5')", hex_mid);
	b = buffers_of(sql, &plan);
	CHECK(b <= tail + MAX_BUFFERS && b > 0, "a sealed bid sent again with "
	    "receipts wanted (seq 20,000): %ld shared buffers, at most the "
	    "20,000 later entries' %ld + %d", b, tail, MAX_BUFFERS);
	if (b > tail + MAX_BUFFERS)
		printf("%s", plan);
	free(plan);
	v = value_of("SELECT encode(sha256(convert_to('cmd' || 39990 ||"
	    " repeat('x', 480), 'UTF8')), 'hex')%s", "");
	snprintf(sql, sizeof(sql), "EXECUTE resent('" TENDER "', '%s', 'true',"
	    " '', 'bidder3')", v);
	free(v);
	check_plan("a sealed bid sent again with receipts wanted (seq 39,990)",
	    sql, 0);
}

/* The arguments of eb_append_batch() for one entry of TENDER at seq,
 * carrying the command bytes of entry cmdno (the fixture's), after the
 * head (seq - 1). */
static void
batch_call(char *out, size_t n, long seq, long cmdno)
{
	snprintf(out, n, "SELECT eb_append_batch(ARRAY['" TENDER "'],"
	    " ARRAY['tender'], ARRAY[%ld::bigint], ARRAY[%ld::bigint],"
	    " ARRAY['bidder1'], ARRAY['bidder'], ARRAY['p'],"
	    " ARRAY[convert_to('cmd%ld' || repeat('x', 480), 'UTF8')],"
	    " ARRAY[sha256(convert_to('cmd%ld' || repeat('x', 480), 'UTF8'))],"
	    " ARRAY[convert_to('<events/>', 'UTF8')], ARRAY['driven'],"
	    " ARRAY[NULL::bytea],"
	    " ARRAY[(SELECT hash FROM heads WHERE aggregate = '" TENDER "')],"
	    " ARRAY[sha256(convert_to('h%ld', 'UTF8'))],"
	    " ARRAY['bidding'], ARRAY[NULL::bytea], ARRAY[1::smallint],"
	    " ARRAY[NULL::text])", seq, seq, cmdno, cmdno, seq);
}

int
main(int argc, char **argv)
{
	char sql[4096], hex_mid[65], *v;
	const char *pad;

	if (argc != 2) {
		fprintf(stderr, "usage: test_lookup_plans CONNINFO\n");
		return 2;
	}
	db = PQconnectdb(argv[1]);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "test_lookup_plans: %s", PQerrorMessage(db));
		return 1;
	}
	PQclear(run("SET client_min_messages = warning"));

	/* ---- the fixture: a large log, never analysed ---------------- */
	exec("ALTER TABLE log SET (autovacuum_enabled = false,"
	    " toast.autovacuum_enabled = false)%s", "");
	exec("INSERT INTO aggregates (id, kind) SELECT a, 'tender' FROM"
	    " (SELECT '" TENDER "' UNION ALL SELECT 'T-2026-100' || g"
	    "  FROM generate_series(1, 8) g) s(a)%s", "");
	/* about 500 bytes of command per entry: a few thousand pages, the
	 * size where the walk of the range was planned */
	pad = "repeat('x', 480)";
	snprintf(sql, sizeof(sql),
	    "INSERT INTO log (aggregate, seq, time_ms, party, role, person,"
	    " command, command_sha256, events, clock, prev_hash, hash, rules)"
	    " SELECT a, s, s, 'bidder' || (s %% 7), 'bidder', 'p',"
	    "  convert_to(c, 'UTF8'), sha256(convert_to(c, 'UTF8')),"
	    "  convert_to(CASE WHEN s %% 2 = 0 THEN '<events><bid-submitted/>"
	    "</events>' ELSE '<events/>' END, 'UTF8'), 'driven',"
	    "  sha256(convert_to('h' || a || (s - 1), 'UTF8')),"
	    "  sha256(convert_to('h' || a || s, 'UTF8')), 1"
	    " FROM (SELECT '" TENDER "' AS a, g AS s, 'cmd' || g || %s AS c"
	    "  FROM generate_series(1, %d) g"
	    "  UNION ALL SELECT 'T-2026-100' || (g %% 8 + 1), g / 8 + 1,"
	    "  'oth' || g || %s FROM generate_series(0, %d) g) x",
	    pad, N_TENDER, pad, N_OTHER - 1);
	PQclear(run("%s", sql));
	exec("INSERT INTO heads (aggregate, seq, hash) VALUES ('" TENDER "',"
	    " %s, sha256(convert_to('h" TENDER "' || 40000, 'UTF8')))", "40000");
	v = value_of("SELECT count(*) FROM pg_stats WHERE tablename = 'log'%s",
	    "");
	CHECK(strcmp(v, "0") == 0, "the log has no statistics (pg_stats rows: "
	    "%s)", v);
	free(v);
	v = value_of("SELECT pg_relation_size('log') / 8192%s", "");
	CHECK(atol(v) >= 2500, "the log is large: %s pages", v);
	free(v);
	PQclear(run("SET plan_cache_mode = force_generic_plan"));

	/* ---- the control: the condition before schema/0015 ------------ */
	/* eb_append()'s check before 0015, as PostgreSQL planned it for an
	 * entry past the first (p_seq <> 1 folded away) */
	PQclear(run("PREPARE control(text, text) AS SELECT 1 FROM log"
	    " WHERE command_sha256 = decode($2, 'hex') AND aggregate = $1"));
	v = value_of("SELECT encode(sha256(convert_to('cmd' || 20000 || %s,"
	    " 'UTF8')), 'hex')", pad);
	snprintf(hex_mid, sizeof(hex_mid), "%s", v);
	free(v);
	snprintf(sql, sizeof(sql), "EXECUTE control('" TENDER "', '%s')",
	    hex_mid);
	check_plan("the old duplicate condition", sql, 1);

	/* ---- ebidd's look-ups (lookups.h) ------------------------------ */
	PQclear(run("PREPARE resent AS %s", EB_SQL_LOOKUP_RESENT));
	PQclear(run("PREPARE created AS %s", EB_SQL_LOOKUP_CREATED));
	snprintf(sql, sizeof(sql), "EXECUTE resent('" TENDER "', '%s', 'false',"
	    " '', 'bidder5')", hex_mid);
	check_plan("a command sent again, found (seq 20,000 of 40,000)", sql,
	    0);
	{
		PGresult *r = run("%s", sql);

		CHECK(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0),
		    "20000") == 0, "the look-up finds the entry it was sent "
		    "for (seq %s)", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) :
		    "none");
		PQclear(r);
	}
	tail_check(hex_mid);
	check_plan("a bid never sent", "EXECUTE resent('" TENDER "',"
	    " repeat('ab', 32), 'true', '', 'bidder5')", 0);
	check_plan("a command with a request id never sent", "EXECUTE resent('"
	    TENDER "', repeat('cd', 32), 'false', 'req-1', 'bidder5')", 0);
	check_plan("a creating command sent again", "EXECUTE created("
	    "encode(sha256(convert_to('oth0' || repeat('x', 480), 'UTF8')),"
	    " 'hex'), '', 'bidder0')", 0);
	check_plan("a creating command never sent", "EXECUTE created("
	    "repeat('ef', 32), 'req-2', 'bidder0')", 0);

	/* ---- the duplicate checks inside the append functions ---------- */
	PQclear(run("BEGIN"));
	batch_call(sql, sizeof(sql), 40001, 20000);
	v = value_of("%s", sql);
	CHECK(strcmp(v, "d") == 0, "eb_append_batch: seq 20,000's bytes sent "
	    "again at the head are a duplicate ('%s')", v);
	free(v);
	PQclear(run("ROLLBACK"));
	for (int k = 1; k <= 6; k++) {          /* past plpgsql's custom plans */
		PQclear(run("BEGIN"));
		batch_call(sql, sizeof(sql), 40001, 20000);
		if (k == 1 || k == 6)
			check_plan(k == 1 ? "eb_append_batch, a duplicate (first "
			    "run)" : "eb_append_batch, a duplicate (sixth run)",
			    sql, 0);
		else
			PQclear(run("%s", sql));
		PQclear(run("ROLLBACK"));
	}
	/* the first new entry also compiles the functions of the 'o' path
	 * (eb_batch_entry, eb_batch_state: catalog pages); the sixth runs
	 * on the generic plans */
	for (int k = 1; k <= 6; k++) {
		PQclear(run("BEGIN"));
		batch_call(sql, sizeof(sql), 40001, 90001);
		if (k == 6)
			check_plan("eb_append_batch, a new entry at the head "
			    "(sixth run)", sql, 0);
		else
			PQclear(run("%s", sql));
		PQclear(run("ROLLBACK"));
	}

	printf("%d checks, %d failed\n", checks, fails);
	PQfinish(db);
	return fails == 0 ? 0 : 1;
}
