/*
 * tests/integration/test_store.c
 *    The store against a real PostgreSQL (already migrated): the async
 *    pool, the compare-and-set append, loading, ids, the security log, and
 *    a measurement of concurrent appends.
 *
 *    usage: test_store CONNINFO      (run by tests/integration/test_server.sh)
 *
 * 100 aggregates x 20 entries are appended through a pool of 4
 * connections, one entry in flight per aggregate (as ebidd does), all
 * aggregates at once.  Each entry's hash is computed here with
 * eb_chain_link and must come back from eb_store_load byte for byte; the
 * chain must have no break (log_breaks) and a stale head must be refused
 * with EB_ERR_CONFLICT.  Prints "ok"/"FAIL" lines and the append rate;
 * exits 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "engine/store/store.h"
#include "protocol/hash.h"

#define NAGG 100
#define NENT 20

static int fails, checks;

#define CHECK(cond, ...) do { \
	checks++; \
	if (cond) { printf("ok   "); } else { printf("FAIL "); fails++; } \
	printf(__VA_ARGS__); printf("\n"); \
} while (0)

struct agg {
	char id[32];
	int64_t seq;
	uint8_t hash[EB_SHA256_LEN];
	uint8_t hashes[NENT + 1][EB_SHA256_LEN];
	char events[64];
	char cmd[96];          /* distinct signed bytes per entry (schema/0007) */
};

static struct event_base *base;
static struct eb_store *store;
static struct agg aggs[NAGG];
static int pending, append_errors;

static void append_next(struct agg *a);

static void
appended(int rc, const struct eb_error *e, void *arg)
{
	struct agg *a = arg;

	if (rc != EB_OK) {
		append_errors++;
		fprintf(stderr, "append %s: %s\n", a->id, e->primary);
	} else {
		a->seq++;
		memcpy(a->hashes[a->seq], a->hash, EB_SHA256_LEN);
	}
	if (rc == EB_OK && a->seq < NENT) {
		append_next(a);
		return;
	}
	if (--pending == 0)
		event_base_loopbreak(base);
}

static void
fill_entry(struct agg *a, struct eb_store_entry *e, int64_t seq,
    const uint8_t prev[EB_SHA256_LEN], uint8_t out[EB_SHA256_LEN])
{
	snprintf(a->events, sizeof(a->events),
	    "<events><n v=\"%lld\"></n></events>", (long long)seq);
	memset(e, 0, sizeof(*e));
	e->aggregate = a->id;
	e->kind = "tender";
	e->seq = seq;
	e->time_ms = 1795600000000 + seq;
	e->party = "registrar";
	e->role = "registrar";
	e->person = "FC-P-1001";
	/* every command is distinct: ebidd never appends the same bytes
	 * twice (eb_append refuses them, duplicate-command) */
	snprintf(a->cmd, sizeof(a->cmd), "signed-command-bytes %s %lld", a->id,
	    (long long)seq);
	e->command = (const uint8_t *)a->cmd;
	e->command_len = strlen(a->cmd);
	eb_sha256(e->command, e->command_len, e->command_sha256);
	e->events = (const uint8_t *)a->events;
	e->events_len = strlen(a->events);
	e->clock = "driven";
	memcpy(e->prev_hash, prev, EB_SHA256_LEN);
	eb_chain_link(prev, seq, e->events, e->events_len, out);
	memcpy(e->hash, out, EB_SHA256_LEN);
	e->state = seq == 1 ? "submitted" : "accepted";
}

static void
append_next(struct agg *a)
{
	struct eb_store_entry e;
	uint8_t prev[EB_SHA256_LEN];

	memcpy(prev, a->hash, EB_SHA256_LEN);
	fill_entry(a, &e, a->seq + 1, prev, a->hash);
	if (eb_store_append(store, &e, appended, a) != EB_OK) {
		append_errors++;
		if (--pending == 0)
			event_base_loopbreak(base);
	}
}

/* -- single-shot helpers -------------------------------------------------- */

static int last_rc;
static int64_t last_i64;
static char last_text[64], last_reason[48], last_kind[16];
static size_t last_n;
static int rows_ok;
static struct agg *rows_agg;
static int64_t rows_after;

static void
got_i64(int rc, const struct eb_error *e, int64_t v, void *arg)
{
	(void)arg;
	last_rc = rc;
	last_i64 = v;
	snprintf(last_reason, sizeof(last_reason), "%s", rc ? e->reason : "");
	event_base_loopbreak(base);
}

static void
got_text(int rc, const struct eb_error *e, const char *t, void *arg)
{
	(void)arg;
	last_rc = rc;
	snprintf(last_text, sizeof(last_text), "%s", t ? t : "");
	snprintf(last_reason, sizeof(last_reason), "%s", rc ? e->reason : "");
	event_base_loopbreak(base);
}

static void
got_done(int rc, const struct eb_error *e, void *arg)
{
	(void)arg;
	last_rc = rc;
	snprintf(last_reason, sizeof(last_reason), "%s", rc ? e->reason : "");
	event_base_loopbreak(base);
}

static int burst_left, burst_bad;

static void
got_burst(int rc, const struct eb_error *e, void *arg)
{
	(void)e;
	(void)arg;
	burst_bad += rc != EB_OK;
	if (--burst_left == 0)
		event_base_loopbreak(base);
}

static void
got_rows(int rc, const struct eb_error *e, const char *kind,
    const struct eb_store_row *rows, size_t n, void *arg)
{
	(void)arg;
	last_rc = rc;
	last_n = n;
	snprintf(last_reason, sizeof(last_reason), "%s", rc ? e->reason : "");
	snprintf(last_kind, sizeof(last_kind), "%s", kind ? kind : "");
	rows_ok = 1;
	for (size_t i = 0; i < n; i++) {
		int64_t want = rows_after + 1 + (int64_t)i;
		char ev[64];

		snprintf(ev, sizeof(ev), "<events><n v=\"%lld\"></n></events>",
		    (long long)want);
		if (rows[i].seq != want || rows[i].time_ms != 1795600000000 +
		    want || memcmp(rows[i].hash, rows_agg->hashes[want],
		    EB_SHA256_LEN) != 0 || rows[i].events_len != strlen(ev) ||
		    memcmp(rows[i].events, ev, strlen(ev)) != 0)
			rows_ok = 0;
	}
	event_base_loopbreak(base);
}

static char last_status[64];
static void run(void);

/* eb_store_select_text(): the first column of the first row, or "" */
static void
got_res(int rc, const struct eb_error *e, const struct pg_result *r,
    void *arg)
{
	(void)arg;
	last_rc = rc;
	snprintf(last_text, sizeof(last_text), "%s", rc == EB_OK &&
	    PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	snprintf(last_reason, sizeof(last_reason), "%s", rc ? e->reason : "");
	event_base_loopbreak(base);
}

/* One text value through 's' (the session of its only connection). */
static const char *
store_value(struct eb_store *s, const char *sql)
{
	last_text[0] = '\0';
	if (eb_store_select_text(s, sql, 0, NULL, got_res, NULL) != EB_OK)
		return "";
	run();
	return last_rc == EB_OK ? last_text : "";
}

/*
 * The store's statements are prepared once per connection (store.c
 * query_named): on a pool of one connection, three loads are one
 * PQsendPrepare and three runs of the named statement, which the
 * session's pg_prepared_statements shows; after the connection is lost
 * (its backend terminated, as a database restart does) the new session
 * prepares it again, and after DEALLOCATE ALL in the same session
 * (SQLSTATE 26000 on the next run) too, the load still answering.
 */
static void
prepared_tests(const char *conninfo)
{
	struct eb_store *s1;
	struct eb_store_stats st;
	struct eb_error err;
	char pid[32], sql[128];
	PGconn *pc;
	int up = 0;

	if ((s1 = eb_store_open(base, conninfo, 1, &err)) == NULL) {
		CHECK(0, "a pool of one connection opens: %s", err.primary);
		return;
	}
	rows_agg = &aggs[7];
	rows_after = 15;
	for (int i = 0; i < 3; i++) {
		eb_store_load(s1, aggs[7].id, 15, got_rows, NULL);
		run();
		CHECK(last_rc == EB_OK && last_n == 5 && rows_ok,
		    "load %d through the named statement: entries 16..20", i);
	}
	eb_store_stats(s1, &st);
	CHECK(st.prepares == 1 && st.executes == 3,
	    "three loads on one connection: prepared once, run three times "
	    "(%llu, %llu)", (unsigned long long)st.prepares,
	    (unsigned long long)st.executes);
	CHECK(strcmp(store_value(s1, "SELECT count(*) FROM "
	    "pg_prepared_statements WHERE name LIKE 'eb_s%' AND statement "
	    "LIKE '%LEFT JOIN log l ON l.aggregate = a.id%'"), "1") == 0,
	    "the session holds the load as a prepared statement (%s)",
	    last_text);
	snprintf(pid, sizeof(pid), "%s", store_value(s1,
	    "SELECT pg_backend_pid()"));

	/* the connection lost: a new session, the statement prepared again */
	pc = PQconnectdb(conninfo);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)",
	    atoi(pid));
	PQclear(PQexec(pc, sql));
	PQfinish(pc);
	for (int i = 0; i < 60 && !up; i++) {
		struct timeval tv = { 0, 100000 };

		event_base_loopexit(base, &tv);
		run();
		up = strcmp(store_value(s1, "SELECT pg_backend_pid()"), "") != 0
		    && strcmp(last_text, pid) != 0;
	}
	CHECK(up, "the pool reconnected after its backend was terminated "
	    "(%s, was %s)", last_text, pid);
	eb_store_load(s1, aggs[7].id, 15, got_rows, NULL);
	run();
	eb_store_stats(s1, &st);
	CHECK(last_rc == EB_OK && last_n == 5 && rows_ok && st.prepares == 2,
	    "after the reconnect the load is prepared again and answers "
	    "(%d, %zu rows, %llu prepares)", last_rc, last_n,
	    (unsigned long long)st.prepares);
	CHECK(strcmp(store_value(s1, "SELECT count(*) FROM "
	    "pg_prepared_statements WHERE name LIKE 'eb_s%'"), "1") == 0,
	    "  ... in the new session (%s)", last_text);

	/* the session forgot it (DEALLOCATE ALL): 26000, prepared again */
	store_value(s1, "DEALLOCATE ALL");
	eb_store_load(s1, aggs[7].id, 15, got_rows, NULL);
	run();
	eb_store_stats(s1, &st);
	CHECK(last_rc == EB_OK && last_n == 5 && rows_ok && st.prepares == 3,
	    "after DEALLOCATE ALL the load is prepared again and answers "
	    "(%d %s, %llu prepares)", last_rc, last_reason,
	    (unsigned long long)st.prepares);
	eb_store_free(s1);
}

static void
got_batch(int rc, const struct eb_error *e, const char *st, size_t n,
    void *arg)
{
	(void)arg;
	last_rc = rc;
	last_n = n;
	snprintf(last_status, sizeof(last_status), "%s", st ? st : "");
	snprintf(last_reason, sizeof(last_reason), "%s", rc ? e->reason : "");
	event_base_loopbreak(base);
}

/*
 * Group commit (schema/0011): aggregates B-0, B-1, B-2, five entries
 * each, in one batch; then a batch where B-0 resends bytes it holds
 * (duplicate-command), B-1 is on a stale head (head-moved) and B-2 goes
 * on: only B-0's entry before its duplicate and B-2's entries commit.
 */
#define BAGG 3
#define BENT 5
static struct agg baggs[BAGG];

static void fill_entry(struct agg *a, struct eb_store_entry *e, int64_t seq,
    const uint8_t prev[EB_SHA256_LEN], uint8_t out[EB_SHA256_LEN]);

static void
batch_tests(void)
{
	struct eb_store_entry es[BAGG * BENT + 1];
	const struct eb_store_entry *ps[BAGG * BENT + 1];
	static char cmds[BAGG * BENT + 1][96], evs[BAGG * BENT + 1][64];
	static struct agg other;
	size_t n = 0;

	for (int i = 0; i < BAGG; i++) {
		snprintf(baggs[i].id, sizeof(baggs[i].id), "T-BAT-%d", i);
		for (int k = 1; k <= BENT; k++, n++) {
			uint8_t prev[EB_SHA256_LEN];

			memcpy(prev, baggs[i].hash, EB_SHA256_LEN);
			fill_entry(&baggs[i], &es[n], k, prev, baggs[i].hash);
			memcpy(cmds[n], baggs[i].cmd, sizeof(cmds[n]));
			memcpy(evs[n], baggs[i].events, sizeof(evs[n]));
			es[n].command = (const uint8_t *)cmds[n];
			es[n].events = (const uint8_t *)evs[n];
			memcpy(baggs[i].hashes[k], baggs[i].hash, EB_SHA256_LEN);
			baggs[i].seq = k;
			ps[n] = &es[n];
		}
	}
	es[0].rules = 1;
	es[0].request_id = "req-bat-0";
	es[3].receipt = (const uint8_t *)"a receipt";
	es[3].receipt_len = 9;
	es[4].head_sig = (const uint8_t *)"a signature";
	es[4].head_sig_len = 11;
	CHECK(eb_store_append_batch(store, ps, n, got_batch, NULL) == EB_OK,
	    "batch of %zu entries over %d aggregates queued", n, BAGG);
	run();
	CHECK(last_rc == EB_OK && last_n == n &&
	    strcmp(last_status, "ooooooooooooooo") == 0,
	    "one batch commits every entry of every aggregate (%s %s)",
	    last_status, last_reason);
	rows_agg = &baggs[1];
	rows_after = 0;
	eb_store_load(store, baggs[1].id, 0, got_rows, NULL);
	run();
	CHECK(last_rc == EB_OK && last_n == BENT && rows_ok,
	    "the batch's entries load back, hashes and events as appended");

	/* B-0: a new entry, then the bytes of its seq 2 again; B-1 on a
	 * stale head, then one chained on it; B-2: two good entries */
	n = 0;
	{
		uint8_t prev[EB_SHA256_LEN], h[EB_SHA256_LEN];
		struct agg *a;

		a = &baggs[0];
		memcpy(prev, a->hash, EB_SHA256_LEN);
		fill_entry(a, &es[n], BENT + 1, prev, a->hash);
		memcpy(cmds[n], a->cmd, sizeof(cmds[n]));
		es[n].command = (const uint8_t *)cmds[n];
		memcpy(evs[n], a->events, sizeof(evs[n]));
		es[n].events = (const uint8_t *)evs[n];
		memcpy(a->hashes[BENT + 1], a->hash, EB_SHA256_LEN);
		n++;
		memcpy(prev, a->hash, EB_SHA256_LEN);
		fill_entry(a, &es[n], BENT + 2, prev, h);
		snprintf(cmds[n], sizeof(cmds[n]), "signed-command-bytes %s 2",
		    a->id);
		es[n].command = (const uint8_t *)cmds[n];
		es[n].command_len = strlen(cmds[n]);
		eb_sha256(es[n].command, es[n].command_len,
		    es[n].command_sha256);
		memcpy(evs[n], a->events, sizeof(evs[n]));
		es[n].events = (const uint8_t *)evs[n];
		n++;
		a = &baggs[1];
		fill_entry(a, &es[n], BENT, a->hashes[BENT - 1], h);
		snprintf(cmds[n], sizeof(cmds[n]), "stale %s", a->id);
		es[n].command = (const uint8_t *)cmds[n];
		es[n].command_len = strlen(cmds[n]);
		eb_sha256(es[n].command, es[n].command_len,
		    es[n].command_sha256);
		memcpy(evs[n], a->events, sizeof(evs[n]));
		es[n].events = (const uint8_t *)evs[n];
		n++;
		memcpy(prev, h, EB_SHA256_LEN);
		fill_entry(a, &es[n], BENT + 1, prev, h);
		snprintf(cmds[n], sizeof(cmds[n]), "after stale %s", a->id);
		es[n].command = (const uint8_t *)cmds[n];
		es[n].command_len = strlen(cmds[n]);
		eb_sha256(es[n].command, es[n].command_len,
		    es[n].command_sha256);
		memcpy(evs[n], a->events, sizeof(evs[n]));
		es[n].events = (const uint8_t *)evs[n];
		n++;
		a = &baggs[2];
		for (int k = BENT + 1; k <= BENT + 2; k++, n++) {
			memcpy(prev, a->hash, EB_SHA256_LEN);
			fill_entry(a, &es[n], k, prev, a->hash);
			memcpy(cmds[n], a->cmd, sizeof(cmds[n]));
			es[n].command = (const uint8_t *)cmds[n];
			memcpy(evs[n], a->events, sizeof(evs[n]));
			es[n].events = (const uint8_t *)evs[n];
		}
		/* another creation by the same party with B-0's request id */
		snprintf(other.id, sizeof(other.id), "T-BAT-9");
		fill_entry(&other, &es[n], 1, other.hash, h);
		es[n].request_id = "req-bat-0";
		n++;
	}
	for (size_t i = 0; i < n; i++)
		ps[i] = &es[i];
	eb_store_append_batch(store, ps, n, got_batch, NULL);
	run();
	CHECK(last_rc == EB_OK && strcmp(last_status, "odmsood") == 0,
	    "a duplicate (bytes, or a creating request id) and a stale head "
	    "end only their own aggregate's run; the rest commits (%s %s)",
	    last_status, last_reason);
	CHECK(eb_store_append_batch(store, ps, 0, got_batch, NULL) ==
	    EB_ERR_USAGE, "an empty batch is refused at once");
}

/*
 * The batch appends' buffers (store.c spare_get / spare_put): the second
 * batch of batch_tests() took the buffer the first one gave back; a
 * batch whose parameters are over 8 MiB is not kept; the spares are
 * freed after a second without a batch, and the next batch allocates
 * again and still commits.
 */
static void
spare_tests(void)
{
	static struct agg sa;
	struct eb_store_stats st0, st;
	struct eb_store_entry e;
	const struct eb_store_entry *pe = &e;
	uint8_t zero[EB_SHA256_LEN] = { 0 }, h[EB_SHA256_LEN];
	size_t big = (size_t)9 << 20;
	uint8_t *cmd = malloc(big);
	struct timeval tv = { 2, 500000 };

	eb_store_stats(store, &st0);
	CHECK(st0.batch_buffers_reused >= 1 && st0.spare_bytes > 0 &&
	    st0.spare_bytes <= (size_t)16 << 20,
	    "the batches reused their buffers (%llu reused, %llu new, "
	    "%zu bytes kept)", (unsigned long long)st0.batch_buffers_reused,
	    (unsigned long long)st0.batch_buffers_new, st0.spare_bytes);

	snprintf(sa.id, sizeof(sa.id), "T-SPARE-1");
	fill_entry(&sa, &e, 1, zero, h);
	memset(cmd, 'c', big);
	memcpy(cmd, "spare-test ", 11);
	e.command = cmd;
	e.command_len = big;
	eb_sha256(e.command, e.command_len, e.command_sha256);
	eb_store_append_batch(store, &pe, 1, got_batch, NULL);
	run();
	eb_store_stats(store, &st);
	CHECK(last_rc == EB_OK && strcmp(last_status, "o") == 0 &&
	    st.batch_buffers_new == st0.batch_buffers_new + 1 &&
	    st.spare_bytes == st0.spare_bytes,
	    "a 9 MiB batch commits (%s) with a new buffer, not kept "
	    "(%zu bytes kept)", last_status, st.spare_bytes);

	event_base_loopexit(base, &tv);
	run();
	eb_store_stats(store, &st);
	CHECK(st.spare_bytes == 0,
	    "2.5 s without a batch: the spares are freed (%zu bytes kept)",
	    st.spare_bytes);

	memcpy(sa.hashes[1], h, EB_SHA256_LEN);
	fill_entry(&sa, &e, 2, sa.hashes[1], h);
	eb_store_append_batch(store, &pe, 1, got_batch, NULL);
	run();
	eb_store_stats(store, &st0);
	CHECK(last_rc == EB_OK && strcmp(last_status, "o") == 0 &&
	    st0.batch_buffers_new == st.batch_buffers_new + 1 &&
	    st0.spare_bytes > 0,
	    "the next batch allocates again, commits (%s) and is kept "
	    "(%zu bytes)", last_status, st0.spare_bytes);
	free(cmd);
}

static void
run(void)
{
	event_base_dispatch(base);
}

static char *sql1(PGconn *c, const char *q, char *out, size_t cap);

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The refusals ride with a batch append (store.c refs_take): queued
 * before a batch in one pass, their rows are written by the batch's
 * statement, in its transaction (the xmin of its log entry); one queued
 * while a batch is out waits for the next batch (20 ms at most: if the
 * first batch took longer, it went on its own, which is checked then);
 * a batch the database refuses (a clock the log's CHECK refuses) gives
 * its refusal back unanswered, and it is then written on its own; a row
 * whose text is not UTF-8 never rides, so the database's refusal of it
 * fails it alone, not the batch beside it.
 */
static void
ride_tests(const char *conninfo)
{
	static struct agg ra;
	struct eb_store_entry e;
	const struct eb_store_entry *pe = &e;
	struct eb_store_stats st0, st;
	struct eb_error why;
	char rid[32], buf[64];
	uint8_t zero[EB_SHA256_LEN] = { 0 }, h[EB_SHA256_LEN];
	struct eb_store_refusal ref = {
		.time_ms = 1795600000002, .clock = "driven",
		.party = "bidder3", .role = "bidder",
		.person = "FC-P-3003", .command = "place-bid",
		.target = "T-RIDE-1", .why = &why, .request_id = rid,
	};
	PGconn *pc = PQconnectdb(conninfo);
	double t0, waited;

	eb_fail(&why, EB_ERR_RULE, "below-minimum", NULL,
	    "bid %d is below the minimum", 7);
	snprintf(ra.id, sizeof(ra.id), "T-RIDE-1");

	/* two refusals, then a batch, in one pass */
	eb_store_stats(store, &st0);
	burst_left = 2;
	burst_bad = 0;
	snprintf(rid, sizeof(rid), "ride-1");
	eb_store_refusal(store, &ref, got_burst, NULL);
	snprintf(rid, sizeof(rid), "ride-2");
	eb_store_refusal(store, &ref, got_burst, NULL);
	fill_entry(&ra, &e, 1, zero, ra.hash);
	memcpy(ra.hashes[1], ra.hash, EB_SHA256_LEN);
	last_status[0] = '?';
	eb_store_append_batch(store, &pe, 1, got_batch, NULL);
	while (burst_left > 0 || last_status[0] == '?')
		run();
	eb_store_stats(store, &st);
	CHECK(last_rc == EB_OK && strcmp(last_status, "o") == 0 &&
	    burst_left == 0 && burst_bad == 0 &&
	    st.refusals_with_batch == st0.refusals_with_batch + 2 &&
	    st.refusals_alone == st0.refusals_alone,
	    "two refusals queued before a batch ride in its statement "
	    "(%s; %d unanswered, %d failed; %llu rode, %llu alone)",
	    last_status, burst_left, burst_bad,
	    (unsigned long long)(st.refusals_with_batch -
	    st0.refusals_with_batch),
	    (unsigned long long)(st.refusals_alone - st0.refusals_alone));
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM security_log s, log l "
	    "WHERE l.aggregate = 'T-RIDE-1' AND l.seq = 1 AND s.xmin = l.xmin "
	    "AND s.request_id IN ('ride-1', 'ride-2') AND s.party = 'bidder3' "
	    "AND s.person = 'FC-P-3003' AND s.role = 'bidder' AND s.command = "
	    "'place-bid' AND s.target = 'T-RIDE-1' AND s.code <> '' AND "
	    "s.reason = 'below-minimum' AND s.message = 'bid 7 is "
	    "below the minimum' AND s.time_ms = 1795600000002 AND s.clock = "
	    "'driven'", buf, sizeof(buf)), "2") == 0,
	    "  ... their rows whole, in the batch's transaction (%s)", buf);

	/* a batch out, then a refusal: it waits for the next batch */
	eb_store_stats(store, &st0);
	fill_entry(&ra, &e, 2, ra.hashes[1], ra.hash);
	memcpy(ra.hashes[2], ra.hash, EB_SHA256_LEN);
	t0 = mono_ms();
	eb_store_append_batch(store, &pe, 1, got_batch, NULL);
	burst_left = 1;
	snprintf(rid, sizeof(rid), "ride-3");
	eb_store_refusal(store, &ref, got_burst, NULL);
	run();
	waited = mono_ms() - t0;
	eb_store_stats(store, &st);
	CHECK(last_rc == EB_OK && strcmp(last_status, "o") == 0 &&
	    (waited >= 20 || (burst_left == 1 &&
	    st.refusals_alone == st0.refusals_alone)),
	    "a refusal queued while a batch is out is not written on its "
	    "own before the batch returns (%.1f ms; %d unanswered)", waited,
	    burst_left);
	fill_entry(&ra, &e, 3, ra.hashes[2], ra.hash);
	memcpy(ra.hashes[3], ra.hash, EB_SHA256_LEN);
	last_status[0] = '?';
	eb_store_append_batch(store, &pe, 1, got_batch, NULL);
	while (burst_left > 0 || last_status[0] == '?')
		run();
	eb_store_stats(store, &st);
	snprintf(rid, sizeof(rid), "%d", waited >= 20 ? 2 : 3);
	CHECK(last_rc == EB_OK && strcmp(last_status, "o") == 0 &&
	    burst_left == 0 && burst_bad == 0 && (waited >= 20 ?
	    st.refusals_alone == st0.refusals_alone + 1 :
	    st.refusals_with_batch == st0.refusals_with_batch + 1),
	    "  ... and rides with the next one (or, the first batch having "
	    "taken %.1f ms, went on its own)", waited);
	CHECK(strcmp(sql1(pc, waited >= 20 ? "SELECT count(*) FROM "
	    "security_log WHERE request_id = 'ride-3'" : "SELECT count(*) "
	    "FROM security_log s, log l WHERE l.aggregate = 'T-RIDE-1' AND "
	    "l.seq = 3 AND s.xmin = l.xmin AND s.request_id = 'ride-3'", buf,
	    sizeof(buf)), "1") == 0, "  ... its row written once, %s (%s)",
	    waited >= 20 ? "on its own" : "in that batch's transaction", buf);

	/* a batch the database refuses as a whole */
	eb_store_stats(store, &st0);
	burst_left = 1;
	snprintf(rid, sizeof(rid), "ride-4");
	eb_store_refusal(store, &ref, got_burst, NULL);
	fill_entry(&ra, &e, 4, ra.hashes[3], h);
	e.clock = "sundial";
	eb_store_append_batch(store, &pe, 1, got_batch, NULL);
	run();
	eb_store_stats(store, &st);
	CHECK(last_rc != EB_OK && burst_left == 1 &&
	    st.refusals_with_batch == st0.refusals_with_batch + 1 &&
	    st.refusals_back == st0.refusals_back + 1,
	    "a batch the database refuses (%s) gives its refusal back, "
	    "unanswered (%d)", last_reason, burst_left);
	if (burst_left > 0)
		run();
	eb_store_stats(store, &st);
	CHECK(burst_left == 0 && burst_bad == 0 &&
	    st.refusals_alone == st0.refusals_alone + 1,
	    "  ... then written on its own (%d unanswered, %d failed)",
	    burst_left, burst_bad);
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM security_log WHERE "
	    "request_id = 'ride-4' AND target = 'T-RIDE-1'", buf, sizeof(buf)),
	    "1") == 0 && strcmp(sql1(pc, "SELECT count(*) FROM log WHERE "
	    "aggregate = 'T-RIDE-1'", buf, sizeof(buf)), "3") == 0,
	    "  ... its row once, the refused entry not in the log");

	/* a row that is not UTF-8 (a cut sequence) beside a batch */
	eb_store_stats(store, &st0);
	burst_left = 1;
	snprintf(rid, sizeof(rid), "ride-5");
	ref.person = "FC-P-\xc3";
	eb_store_refusal(store, &ref, got_burst, NULL);
	fill_entry(&ra, &e, 4, ra.hashes[3], ra.hash);
	memcpy(ra.hashes[4], ra.hash, EB_SHA256_LEN);
	last_status[0] = '?';
	eb_store_append_batch(store, &pe, 1, got_batch, NULL);
	while (burst_left > 0 || last_status[0] == '?')
		run();
	eb_store_stats(store, &st);
	CHECK(last_rc == EB_OK && strcmp(last_status, "o") == 0 &&
	    burst_left == 0 && burst_bad == 1 &&
	    st.refusals_with_batch == st0.refusals_with_batch &&
	    st.refusals_alone == st0.refusals_alone + 1,
	    "a refusal that is not UTF-8 goes on its own: the database "
	    "refuses it (%d failed), the batch beside it commits (%s)",
	    burst_bad, last_status);
	PQfinish(pc);
}

static char *
sql1(PGconn *c, const char *q, char *out, size_t cap)
{
	PGresult *r = PQexec(c, q);

	snprintf(out, cap, "%s", PQresultStatus(r) == PGRES_TUPLES_OK &&
	    PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
	PQclear(r);
	return out;
}

int
main(int argc, char **argv)
{
	struct eb_error err;
	struct timespec t0, t1;
	double secs;
	char buf[128];
	PGconn *pc;

	if (argc != 2) {
		fprintf(stderr, "usage: test_store CONNINFO\n");
		return 2;
	}
	base = event_base_new();
	if ((store = eb_store_open(base, argv[1], 4, &err)) == NULL) {
		fprintf(stderr, "open: %s\n", err.primary);
		return 1;
	}
	CHECK(eb_store_ping(store, got_i64, NULL) == EB_OK, "ping queued");
	run();
	CHECK(last_rc == EB_OK && last_i64 == 1, "ping: a real round trip");
	CHECK(eb_store_up(store) >= 1, "pool has connections up (%d)",
	    eb_store_up(store));

	CHECK(eb_store_next_id(store, "pool", 2031, got_text, NULL) == EB_OK,
	    "next id queued");
	run();
	CHECK(last_rc == EB_OK && strcmp(last_text, "P-2031-0001") == 0,
	    "first pool id is P-2031-0001 (%s)", last_text);
	eb_store_next_id(store, "pool", 2031, got_text, NULL);
	run();
	CHECK(strcmp(last_text, "P-2031-0002") == 0,
	    "second pool id is P-2031-0002 (%s)", last_text);
	eb_store_next_serial(store, got_i64, NULL);
	run();
	CHECK(last_rc == EB_OK && last_i64 >= 1, "TSA serial from its sequence");

	/* concurrent appends: 100 aggregates x 20 entries */
	for (int i = 0; i < NAGG; i++) {
		snprintf(aggs[i].id, sizeof(aggs[i].id), "T-TST-%04d", i);
		memset(aggs[i].hash, 0, EB_SHA256_LEN);
	}
	pending = NAGG;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < NAGG; i++)
		append_next(&aggs[i]);
	run();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(append_errors == 0, "%d appends without an error",
	    NAGG * NENT);
	printf("     measured: %d appends over %d aggregates, 4 connections, "
	    "one transaction each: %.3f s = %.0f appends/s\n", NAGG * NENT,
	    NAGG, secs, (double)(NAGG * NENT) / secs);

	/* load everything, then only the tail */
	rows_agg = &aggs[7];
	rows_after = 0;
	eb_store_load(store, aggs[7].id, 0, got_rows, NULL);
	run();
	CHECK(last_rc == EB_OK && last_n == NENT && rows_ok &&
	    strcmp(last_kind, "tender") == 0,
	    "load from 0: 20 entries, hashes and events as appended");
	rows_after = 15;
	eb_store_load(store, aggs[7].id, 15, got_rows, NULL);
	run();
	CHECK(last_rc == EB_OK && last_n == 5 && rows_ok,
	    "load after seq 15: entries 16..20 only");
	rows_after = NENT;
	eb_store_load(store, aggs[7].id, NENT, got_rows, NULL);
	run();
	CHECK(last_rc == EB_OK && last_n == 0, "load at the head: no rows");
	eb_store_load(store, "T-NONE", 0, got_rows, NULL);
	run();
	CHECK(last_rc == EB_ERR_NOTFOUND, "unknown aggregate: not found (%s)",
	    last_reason);

	/* compare-and-set: a stale head is refused */
	{
		struct eb_store_entry e;
		uint8_t h[EB_SHA256_LEN];

		static const uint8_t other[] = "another signed command";

		fill_entry(&aggs[3], &e, NENT, aggs[3].hashes[NENT - 1], h);
		/* the same bytes again would be duplicate-command (below) */
		e.command = other;
		e.command_len = sizeof(other) - 1;
		eb_sha256(other, sizeof(other) - 1, e.command_sha256);
		eb_store_append(store, &e, got_done, NULL);
		run();
		CHECK(last_rc == EB_ERR_CONFLICT &&
		    strcmp(last_reason, "head-moved") == 0,
		    "append on a stale head: conflict head-moved");
		fill_entry(&aggs[3], &e, NENT + 1, aggs[3].hashes[NENT], h);
		snprintf(aggs[3].cmd, sizeof(aggs[3].cmd),
		    "signed-command-bytes %s %d", aggs[3].id, NENT);
		e.command_len = strlen(aggs[3].cmd);
		eb_sha256(e.command, e.command_len, e.command_sha256);
		eb_store_append(store, &e, got_done, NULL);
		run();
		CHECK(last_rc == EB_ERR_CONFLICT &&
		    strcmp(last_reason, "duplicate-command") == 0,
		    "append of signed bytes already in the log: conflict "
		    "duplicate-command (%s)", last_reason);
		fill_entry(&aggs[3], &e, NENT + 1, aggs[3].hashes[NENT - 1], h);
		eb_store_append(store, &e, got_done, NULL);
		run();
		CHECK(last_rc == EB_ERR_CONFLICT,
		    "append with the right seq but a wrong prev hash: conflict");
	}

	batch_tests();
	spare_tests();

	{
		struct eb_error why;
		struct eb_store_refusal ref = {
			.time_ms = 1795600000000, .clock = "driven",
			.party = "bidder1", .role = "bidder",
			.person = "FC-P-3001", .command = "accept-registration",
			.target = "T-TST-0001", .why = &why,
			.request_id = "test-1",
		};
		eb_fail(&why, EB_ERR_DENIED, "wrong-role", NULL,
		    "a bidder may not send it");
		eb_store_refusal(store, &ref, got_done, NULL);
		run();
		CHECK(last_rc == EB_OK, "refusal written to security_log");
	}
	{
		/* five refusals in one pass of the loop: one INSERT
		 * (store.c refs_flush), every callback answered, every row
		 * whole (checked in the table below) */
		struct eb_error why;
		char rid[32];
		struct eb_store_refusal ref = {
			.time_ms = 1795600000001, .clock = "driven",
			.party = "bidder2", .role = "bidder",
			.person = "FC-P-3002", .command = "place-bid",
			.target = "S-TST-0001", .why = &why,
			.request_id = rid,
		};
		eb_fail(&why, EB_ERR_RULE, "below-minimum", NULL,
		    "bid %d is below the minimum", 5);
		burst_left = 5;
		burst_bad = 0;
		for (int i = 0; i < 5; i++) {
			snprintf(rid, sizeof(rid), "burst-%d", i);
			CHECK(eb_store_refusal(store, &ref, got_burst, NULL) ==
			    EB_OK, "refusal %d of a burst queued", i);
		}
		run();
		CHECK(burst_left == 0 && burst_bad == 0,
		    "a burst of 5 refusals: 5 callbacks, all EB_OK (%d left, "
		    "%d failed)", burst_left, burst_bad);
	}
	ride_tests(argv[1]);
	CHECK(eb_store_busy(store) == 0, "nothing left in flight");
	prepared_tests(argv[1]);
	eb_store_free(store);
	event_base_free(base);

	pc = PQconnectdb(argv[1]);
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM log WHERE aggregate LIKE "
	    "'T-TST-%'", buf, sizeof(buf)), "2000") == 0,
	    "2000 entries stored (%s)", buf);
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM security_log WHERE "
	    "request_id LIKE 'burst-%' AND party = 'bidder2' AND role = "
	    "'bidder' AND person = 'FC-P-3002' AND command = 'place-bid' AND "
	    "target = 'S-TST-0001' AND reason = 'below-minimum' AND message "
	    "= 'bid 5 is below the minimum' AND time_ms = 1795600000001 AND "
	    "clock = 'driven'", buf, sizeof(buf)), "5") == 0,
	    "the burst's 5 rows are in security_log, whole (%s)", buf);
	CHECK(strcmp(sql1(pc, "SELECT count(DISTINCT request_id) FROM "
	    "security_log WHERE request_id LIKE 'burst-%'", buf, sizeof(buf)),
	    "5") == 0, "  ... each its own (%s)", buf);
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM log_breaks", buf,
	    sizeof(buf)), "0") == 0, "log_breaks is empty (%s)", buf);
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM heads h JOIN "
	    "aggregate_state s USING (aggregate) WHERE h.seq <> s.seq", buf,
	    sizeof(buf)), "0") == 0, "read model seq = head seq everywhere");
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM security_log WHERE "
	    "request_id = 'test-1' AND reason = 'wrong-role'", buf,
	    sizeof(buf)), "1") == 0, "security_log row readable");
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM log WHERE aggregate = "
	    "'T-TST-0003'", buf, sizeof(buf)), "20") == 0,
	    "refused appends left no entry");
	CHECK(strcmp(sql1(pc, "SELECT string_agg(aggregate || ':' || seq, ' '"
	    " ORDER BY aggregate) FROM heads WHERE aggregate LIKE 'T-BAT-%'",
	    buf, sizeof(buf)), "T-BAT-0:6 T-BAT-1:5 T-BAT-2:7") == 0,
	    "heads after the batches: B-0 6, B-1 5, B-2 7 (%s)", buf);
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM log WHERE aggregate LIKE "
	    "'T-BAT-%' AND (receipt IS NOT NULL OR seq IN (SELECT seq FROM "
	    "chain_heads_signed c WHERE c.aggregate = log.aggregate))", buf,
	    sizeof(buf)), "2") == 0,
	    "a receipt and a signed head written by the batch (%s)", buf);
	CHECK(strcmp(sql1(pc, "SELECT rules || ' ' || request_id FROM log "
	    "WHERE aggregate = 'T-BAT-0' AND seq = 1", buf, sizeof(buf)),
	    "1 req-bat-0") == 0, "rules version and request id stored (%s)",
	    buf);
	CHECK(strcmp(sql1(pc, "SELECT count(*) FROM aggregates WHERE id = "
	    "'T-BAT-9'", buf, sizeof(buf)), "0") == 0,
	    "the refused creation left no aggregate (%s)", buf);
	PQfinish(pc);

	/*
	 * A callback never runs inside the call that submitted its query,
	 * even when the query fails at once (no connection can be up: the
	 * socket folder does not exist).  Callers rely on it: a waiter freed
	 * by its own callback while its submitter still walks a list.
	 */
	base = event_base_new();
	store = eb_store_open(base, "host=/nonexistent/ebid-test port=1 "
	    "connect_timeout=1", 1, &err);
	CHECK(store != NULL, "a store on an unreachable database opens");
	if (store != NULL) {
		last_rc = -1;
		CHECK(eb_store_ping(store, got_i64, NULL) == EB_OK,
		    "a query is accepted while no connection is up");
		CHECK(last_rc == -1, "its callback did not run inside the "
		    "submitting call");
		run();
		CHECK(last_rc == EB_ERR_DB, "it runs on the next loop turn, "
		    "with a database error (%d %s)", last_rc, last_reason);
		last_rc = -1;
		eb_store_ping(store, got_i64, NULL);
		eb_store_free(store);
		CHECK(last_rc == EB_ERR_DB, "eb_store_free() fails what is "
		    "still waiting (%d)", last_rc);
	}
	event_base_free(base);
	printf("%d checks, %d failed\n", checks, fails);
	return fails == 0 ? 0 : 1;
}
