/*
 * engine/server/metrics.c
 *    Prometheus metrics (see metrics.h; the series are listed in
 *    docs/operations-server.md).
 */
#include "engine/server/metrics.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "engine/server/aggs.h"
#include "engine/server/clock.h"
#include "engine/server/conns.h"
#include "engine/server/idmap.h"
#include "engine/server/log.h"
#include "engine/server/ocspclient.h"
#include "engine/server/server.h"
#include "engine/server/workers.h"
#include "engine/store/store.h"
#include "protocol/mem.h"

/* seconds: 0.5 ms ... 10 s (+Inf implied) */
static const int64_t bucket_us[] = { 500, 1000, 2500, 5000, 10000, 25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000 };
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

struct histo {
	uint64_t le[NBUCKETS];  /* not cumulative; summed at render */
	uint64_t count;
	int64_t sum_us;
};

#define MAX_ENDPOINTS 48
#define MAX_STATUSES 12
#define MAX_REASONS 64
#define MAX_APPENDS 256
#define TIMER_BUCKETS 1024
#define BATCH_BUCKETS 11

struct endpoint {
	char name[64];
	struct histo lat;
	int status[MAX_STATUSES];
	uint64_t count[MAX_STATUSES];
	size_t nstatus;
};

struct reason {
	char name[64];
	uint64_t count;
};

struct pending_timer {
	struct pending_timer *next;
	char id[EB_ID_MAX];
	const char *name;      /* static, from the core */
	int64_t at;
};

struct eb_metrics {
	struct eb_server *srv;
	struct evhttp *http;
	struct endpoint ep[MAX_ENDPOINTS + 1];  /* the last: "other" */
	size_t nep;
	struct reason rs[MAX_REASONS + 1];
	size_t nrs;
	struct { const void *key; int64_t t0; } inflight[MAX_APPENDS];
	struct histo append;
	uint64_t append_ok, append_conflict, append_error;
	/* group commit: batches by entries, le 1, 2, 4 ... 1024 */
	uint64_t batch_le[BATCH_BUCKETS], batch_count, batch_sum;
	/* look-ups of a command's signed bytes: in the database, or ruled
	 * out by the cached aggregate (commands.c job_enqueue) */
	uint64_t lookup_db, lookup_cache;
	uint64_t early_refused, early_checked;
	struct pending_timer *timers[TIMER_BUCKETS];
	int64_t started_ms;
};

static void
histo_add(struct histo *h, int64_t us)
{
	size_t i;

	for (i = 0; i < NBUCKETS && us > bucket_us[i]; i++)
		;
	if (i < NBUCKETS)
		h->le[i]++;
	h->count++;
	h->sum_us += us;
}

/*
 * The endpoint of a path: the query dropped, each segment that holds a
 * digit or a capital (an id) written ":id", at most 4 segments.
 */
static void
endpoint_of(const char *path, char *out, size_t cap)
{
	size_t n = 0, segs = 0;
	const char *p = path;

	out[0] = '\0';
	while (*p == '/' && segs < 4) {
		const char *s = ++p, *e;
		int id = 0;

		while (*p != '\0' && *p != '/' && *p != '?')
			p++;
		for (e = s; e < p; e++)
			if ((*e >= '0' && *e <= '9') || (*e >= 'A' && *e <= 'Z'))
				id = 1;
		/* "v1": the API's version, not an id */
		if (id && *s == 'v' && p - s > 1 &&
		    strspn(s + 1, "0123456789") == (size_t)(p - s - 1))
			id = 0;
		if (n + 2 + (size_t)(p - s) >= cap)
			break;
		out[n++] = '/';
		if (id) {
			memcpy(out + n, ":id", 3);
			n += 3;
		} else {
			for (e = s; e < p; e++)
				out[n++] = (*e >= 'a' && *e <= 'z') ||
				    (*e >= '0' && *e <= '9') || *e == '-' ||
				    *e == '_' || *e == '.' ? *e : '_';
		}
		out[n] = '\0';
		segs++;
	}
	if (n == 0)
		snprintf(out, cap, "/");
}

void
eb_metrics_request(struct eb_metrics *m, const char *path, int status,
    int64_t us)
{
	char name[64];
	struct endpoint *ep = NULL;
	size_t i;

	if (m == NULL)
		return;
	/* a route that does not exist is not an endpoint */
	if (status == 404 || status == 405 || status == 501 || path == NULL)
		snprintf(name, sizeof(name), "other");
	else
		endpoint_of(path, name, sizeof(name));
	for (i = 0; i < m->nep; i++)
		if (strcmp(m->ep[i].name, name) == 0)
			ep = &m->ep[i];
	if (ep == NULL) {
		if (m->nep < MAX_ENDPOINTS) {
			ep = &m->ep[m->nep++];
			snprintf(ep->name, sizeof(ep->name), "%s", name);
		} else {
			ep = &m->ep[MAX_ENDPOINTS];
			snprintf(ep->name, sizeof(ep->name), "other");
		}
	}
	histo_add(&ep->lat, us);
	for (i = 0; i < ep->nstatus && ep->status[i] != status; i++)
		;
	if (i == ep->nstatus) {
		if (ep->nstatus == MAX_STATUSES)
			i = MAX_STATUSES - 1;      /* the last one absorbs */
		else
			ep->status[ep->nstatus++] = status;
	}
	ep->count[i]++;
}

void
eb_metrics_refused(struct eb_metrics *m, const char *code)
{
	size_t i;

	if (m == NULL)
		return;
	if (code == NULL || *code == '\0')
		code = "unknown";
	for (i = 0; i < m->nrs; i++)
		if (strcmp(m->rs[i].name, code) == 0)
			break;
	if (i == m->nrs) {
		if (m->nrs < MAX_REASONS)
			snprintf(m->rs[m->nrs++].name, sizeof(m->rs[0].name),
			    "%s", code);
		else {
			i = MAX_REASONS;
			snprintf(m->rs[i].name, sizeof(m->rs[0].name), "other");
		}
	}
	m->rs[i].count++;
}

void
eb_metrics_append_start(struct eb_metrics *m, const void *key)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < MAX_APPENDS; i++)
		if (m->inflight[i].key == key)      /* a retry of the same job */
			m->inflight[i].key = NULL;
	for (size_t i = 0; i < MAX_APPENDS; i++)
		if (m->inflight[i].key == NULL) {
			m->inflight[i].key = key;
			m->inflight[i].t0 = eb_clock_mono_us();
			return;
		}
}

void
eb_metrics_append_end(struct eb_metrics *m, const void *key, int rc)
{
	if (m == NULL)
		return;
	if (rc == EB_OK)
		m->append_ok++;
	else if (rc == EB_ERR_CONFLICT)
		m->append_conflict++;
	else
		m->append_error++;
	for (size_t i = 0; i < MAX_APPENDS; i++)
		if (m->inflight[i].key == key) {
			histo_add(&m->append, eb_clock_mono_us() -
			    m->inflight[i].t0);
			m->inflight[i].key = NULL;
			return;
		}
}

void
eb_metrics_appended(struct eb_metrics *m, int rc, int64_t us)
{
	if (m == NULL)
		return;
	if (rc == EB_OK)
		m->append_ok++;
	else if (rc == EB_ERR_CONFLICT)
		m->append_conflict++;
	else
		m->append_error++;
	histo_add(&m->append, us);
}

void
eb_metrics_batch(struct eb_metrics *m, size_t entries)
{
	size_t i = 0;

	if (m == NULL)
		return;
	while (i < BATCH_BUCKETS && entries > ((size_t)1 << i))
		i++;
	if (i < BATCH_BUCKETS)
		m->batch_le[i]++;
	m->batch_count++;
	m->batch_sum += entries;
}

void
eb_metrics_lookup(struct eb_metrics *m, int in_database)
{
	if (m == NULL)
		return;
	if (in_database)
		m->lookup_db++;
	else
		m->lookup_cache++;
}

void
eb_metrics_early(struct eb_metrics *m, int refused)
{
	if (m == NULL)
		return;
	if (refused)
		m->early_refused++;
	else
		m->early_checked++;
}

static unsigned
bucket_of(const char *id)
{
	return eb_idmap_hash(id) % TIMER_BUCKETS;
}

void
eb_metrics_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state)
{
	struct eb_metrics *m = srv->metrics;
	struct pending_timer **pp, *t;
	const char *name = NULL;
	int64_t at = 0;
	int due;

	if (m == NULL || flow == NULL || flow->ops->next_timer == NULL)
		return;
	due = state != NULL && flow->ops->next_timer(state, &at, &name);
	for (pp = &m->timers[bucket_of(id)]; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->id, id) == 0)
			break;
	if (!due) {
		if ((t = *pp) != NULL) {
			*pp = t->next;
			free(t);
		}
		return;
	}
	if ((t = *pp) == NULL) {
		t = eb_calloc(1, sizeof(*t));
		snprintf(t->id, sizeof(t->id), "%s", id);
		*pp = t;
	}
	t->name = name;
	t->at = at;
}

/* ------------------------------------------------------------ render */

struct out {
	struct eb_buf *b;
	int bad;
};

static void
put(struct out *o, const char *fmt, ...) EB_PRINTF(2, 3);

static void
put(struct out *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!o->bad && eb_buf_puts(o->b, line) != EB_OK)
		o->bad = 1;
}

static void
head(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* microseconds as seconds, exactly */
static void
secs(char *s, size_t cap, int64_t us)
{
	snprintf(s, cap, "%lld.%06lld", (long long)(us / 1000000),
	    (long long)(us % 1000000));
}

static void
histo_put(struct out *o, const char *name, const char *labels,
    const struct histo *h)
{
	uint64_t cum = 0;
	char le[32], sum[48];

	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += h->le[i];
		secs(le, sizeof(le), bucket_us[i]);
		/* trim the zeros: "0.000500" -> "0.0005" */
		for (char *z = le + strlen(le) - 1; *z == '0'; z--)
			*z = '\0';
		if (le[strlen(le) - 1] == '.')
			le[strlen(le) - 1] = '\0';
		put(o, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels,
		    *labels ? "," : "", le, (unsigned long long)cum);
	}
	put(o, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
	    *labels ? "," : "", (unsigned long long)h->count);
	secs(sum, sizeof(sum), h->sum_us);
	put(o, "%s_sum%s%s%s %s\n", name, *labels ? "{" : "", labels,
	    *labels ? "}" : "", sum);
	put(o, "%s_count%s%s%s %llu\n", name, *labels ? "{" : "", labels,
	    *labels ? "}" : "", (unsigned long long)h->count);
}

/* /proc/self: resident and virtual bytes, CPU seconds, start time */
static void
process_put(struct out *o)
{
	long page = sysconf(_SC_PAGESIZE), hz = sysconf(_SC_CLK_TCK);
	unsigned long long vsz = 0, rss = 0, ut = 0, st = 0, start = 0, btime = 0;
	char buf[1024], *p;
	FILE *f;
	DIR *d;
	int fds = 0;

	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(f, "%llu %llu", &vsz, &rss) != 2)
			vsz = rss = 0;
		fclose(f);
	}
	if ((f = fopen("/proc/self/stat", "r")) != NULL) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
		/* after the ")" of the command: field 3 on; utime is 14,
		 * stime 15, starttime 22 */
		if ((p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		    "%llu %llu %*d %*d %*d %*d %*d %*d %llu", &ut, &st,
		    &start) != 3)
			ut = st = start = 0;
	}
	if ((f = fopen("/proc/stat", "r")) != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL)
			if (sscanf(buf, "btime %llu", &btime) == 1)
				break;
		fclose(f);
	}
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while (readdir(d) != NULL)
			fds++;
		closedir(d);
		fds -= 3;      /* ".", ".." and the DIR's own descriptor */
	}
	head(o, "process_resident_memory_bytes", "gauge",
	    "Resident memory size in bytes.");
	put(o, "process_resident_memory_bytes %llu\n", rss * (unsigned long long)page);
	head(o, "process_virtual_memory_bytes", "gauge",
	    "Virtual memory size in bytes.");
	put(o, "process_virtual_memory_bytes %llu\n", vsz * (unsigned long long)page);
	head(o, "process_cpu_seconds_total", "counter",
	    "Total user and system CPU time spent in seconds.");
	put(o, "process_cpu_seconds_total %llu.%02llu\n", (ut + st) / (unsigned long long)hz,
	    ((ut + st) % (unsigned long long)hz) * 100 / (unsigned long long)hz);
	head(o, "process_open_fds", "gauge", "Number of open file descriptors.");
	put(o, "process_open_fds %d\n", fds);
	head(o, "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.");
	put(o, "process_start_time_seconds %llu\n", btime + start / (unsigned long long)hz);
}

int
eb_metrics_render(struct eb_server *srv, struct eb_buf *b)
{
	struct eb_metrics *m = srv->metrics;
	struct out o = { b, 0 };
	struct eb_workers_stats ws;
	char labels[160];
	size_t i, j, ntimers = 0, nopening = 0;
	int64_t now = eb_clock_now(&srv->clock);

	if (m == NULL)
		return EB_ERR_INTERNAL;
	head(&o, "ebid_build_info", "gauge", "ebidd's version (value 1).");
	put(&o, "ebid_build_info{version=\"%s\"} 1\n", EB_VERSION);

	head(&o, "ebid_http_requests_total", "counter",
	    "API requests answered, by endpoint (ids as :id) and status.");
	for (i = 0; i <= MAX_ENDPOINTS; i++) {
		const struct endpoint *ep = &m->ep[i];

		if (i == m->nep && i < MAX_ENDPOINTS)
			i = MAX_ENDPOINTS;
		for (j = 0; j < ep->nstatus || (i == MAX_ENDPOINTS &&
		    j < MAX_STATUSES && ep->count[j] != 0); j++)
			if (ep->count[j] != 0)
				put(&o, "ebid_http_requests_total{endpoint=\"%s\","
				    "status=\"%d\"} %llu\n", ep->name,
				    ep->status[j], (unsigned long long)ep->count[j]);
	}
	head(&o, "ebid_http_request_duration_seconds", "histogram",
	    "Time from a request's arrival to its reply, by endpoint.");
	for (i = 0; i <= MAX_ENDPOINTS; i++) {
		if (i == m->nep && i < MAX_ENDPOINTS)
			i = MAX_ENDPOINTS;
		if (m->ep[i].lat.count == 0)
			continue;
		snprintf(labels, sizeof(labels), "endpoint=\"%s\"",
		    m->ep[i].name);
		histo_put(&o, "ebid_http_request_duration_seconds", labels,
		    &m->ep[i].lat);
	}
	eb_ocspc_render(srv, b);     /* ocspclient.h */
	head(&o, "ebid_commands_total", "counter",
	    "Commands by outcome: accepted (appended to a log) or refused.");
	{
		uint64_t refused = 0;

		for (i = 0; i <= MAX_REASONS; i++)
			refused += m->rs[i].count;
		put(&o, "ebid_commands_total{outcome=\"accepted\"} %llu\n",
		    (unsigned long long)m->append_ok);
		put(&o, "ebid_commands_total{outcome=\"refused\"} %llu\n",
		    (unsigned long long)refused);
	}
	head(&o, "ebid_commands_refused_total", "counter",
	    "Commands refused, by the error's stable reason code.");
	for (i = 0; i <= MAX_REASONS; i++)
		if (m->rs[i].count != 0)
			put(&o, "ebid_commands_refused_total{reason=\"%s\"} %llu\n",
			    m->rs[i].name, (unsigned long long)m->rs[i].count);
	head(&o, "ebid_appends_total", "counter",
	    "Log appends by result: ok, conflict (another ebidd moved the "
	    "head; decided again), error.");
	put(&o, "ebid_appends_total{result=\"ok\"} %llu\n",
	    (unsigned long long)m->append_ok);
	put(&o, "ebid_appends_total{result=\"conflict\"} %llu\n",
	    (unsigned long long)m->append_conflict);
	put(&o, "ebid_appends_total{result=\"error\"} %llu\n",
	    (unsigned long long)m->append_error);
	head(&o, "ebid_command_lookups_total", "counter",
	    "Look-ups of a command's signed bytes in the log (a resend gets "
	    "its first reply), by where they were answered: the database, "
	    "or the cached aggregate, whose folded entries rule the bytes "
	    "out.");
	put(&o, "ebid_command_lookups_total{by=\"database\"} %llu\n",
	    (unsigned long long)m->lookup_db);
	put(&o, "ebid_command_lookups_total{by=\"cache\"} %llu\n",
	    (unsigned long long)m->lookup_cache);
	head(&o, "ebid_early_refusals_total", "counter",
	    "Raises decided before their signature was checked (the sale's "
	    "floor said stale): refused so (below-minimum, already-highest), "
	    "or sent back to have the signature checked and decided again.");
	put(&o, "ebid_early_refusals_total{outcome=\"refused\"} %llu\n",
	    (unsigned long long)m->early_refused);
	put(&o, "ebid_early_refusals_total{outcome=\"checked\"} %llu\n",
	    (unsigned long long)m->early_checked);
	head(&o, "ebid_append_duration_seconds", "histogram",
	    "Time of one log append (entry, read models, head) to COMMIT.");
	histo_put(&o, "ebid_append_duration_seconds", "", &m->append);
	if (srv->aggs != NULL) {
		struct eb_aggs_stats as;

		eb_aggs_stats(srv->aggs, &as);
		head(&o, "ebid_aggregates_cached", "gauge",
		    "Aggregates (tenders, sales, pools) in the cache, busy or "
		    "idle.");
		put(&o, "ebid_aggregates_cached %zu\n", as.aggregates);
		head(&o, "ebid_aggregate_cache_bytes", "gauge",
		    "The aggregate cache's memory, estimated; evicted down to "
		    "cache_bytes.");
		put(&o, "ebid_aggregate_cache_bytes %zu\n", as.bytes);
		head(&o, "ebid_aggregate_cache_limit_bytes", "gauge",
		    "The configured cache_bytes.");
		put(&o, "ebid_aggregate_cache_limit_bytes %zu\n", as.limit);
		head(&o, "ebid_aggregate_evictions_total", "counter",
		    "Idle aggregates evicted (least recently used first) to "
		    "keep the cache within its limits.");
		put(&o, "ebid_aggregate_evictions_total %llu\n",
		    (unsigned long long)as.evicted);
	}
	head(&o, "ebid_append_batch_entries", "histogram",
	    "Entries per group commit: one transaction (one WAL flush) "
	    "appends them all, of one aggregate or several.");
	{
		uint64_t cum = 0;

		for (i = 0; i < BATCH_BUCKETS; i++) {
			cum += m->batch_le[i];
			put(&o, "ebid_append_batch_entries_bucket{le=\"%zu\"} "
			    "%llu\n", (size_t)1 << i, (unsigned long long)cum);
		}
		put(&o, "ebid_append_batch_entries_bucket{le=\"+Inf\"} %llu\n",
		    (unsigned long long)m->batch_count);
		put(&o, "ebid_append_batch_entries_sum %llu\n",
		    (unsigned long long)m->batch_sum);
		put(&o, "ebid_append_batch_entries_count %llu\n",
		    (unsigned long long)m->batch_count);
	}

	head(&o, "ebid_database_up", "gauge",
	    "1 when at least one database connection is up.");
	put(&o, "ebid_database_up %d\n", srv->store != NULL &&
	    eb_store_up(srv->store) > 0);
	head(&o, "ebid_database_connections", "gauge",
	    "Database connections up, and configured.");
	put(&o, "ebid_database_connections{state=\"up\"} %d\n",
	    srv->store != NULL ? eb_store_up(srv->store) : 0);
	put(&o, "ebid_database_connections{state=\"configured\"} %lld\n",
	    (long long)srv->cfg->db_connections);
	head(&o, "ebid_database_queries_busy", "gauge",
	    "Database queries queued or in flight (refusal rows not yet sent included).");
	put(&o, "ebid_database_queries_busy %zu\n",
	    srv->store != NULL ? eb_store_busy(srv->store) : 0);

	head(&o, "ebid_connections_open", "gauge",
	    "API connections open now (TLS).");
	put(&o, "ebid_connections_open %u\n",
	    srv->conns != NULL ? eb_conns_open(srv->conns) : 0);
	head(&o, "ebid_requests_in_progress", "gauge",
	    "API requests received and not yet answered.");
	put(&o, "ebid_requests_in_progress %u\n", srv->reqs_open);

	memset(&ws, 0, sizeof(ws));
	if (srv->workers != NULL)
		eb_workers_stats(srv->workers, &ws);
	head(&o, "ebid_worker_queue_depth", "gauge",
	    "Verify/parse jobs waiting for a worker thread.");
	put(&o, "ebid_worker_queue_depth %zu\n", ws.queued);
	head(&o, "ebid_workers", "gauge", "Worker threads, and those busy.");
	put(&o, "ebid_workers{state=\"started\"} %d\n", ws.threads);
	put(&o, "ebid_workers{state=\"busy\"} %d\n", ws.busy);
	head(&o, "ebid_worker_oldest_job_seconds", "gauge",
	    "How long the longest-running worker job has run.");
	secs(labels, sizeof(labels), ws.oldest_ms * 1000);
	put(&o, "ebid_worker_oldest_job_seconds %s\n", labels);

	for (i = 0; i < TIMER_BUCKETS; i++)
		for (const struct pending_timer *t = m->timers[i]; t != NULL;
		    t = t->next) {
			ntimers++;
			if (strcmp(t->name, "open-bids") == 0 && t->at <= now)
				nopening++;
		}
	head(&o, "ebid_timers_pending", "gauge",
	    "Aggregates waiting for a timed command (deadline, opening, "
	    "publicity end, ...).");
	put(&o, "ebid_timers_pending %zu\n", ntimers);
	head(&o, "ebid_openings_in_progress", "gauge",
	    "Tenders whose opening is due and not yet recorded.");
	put(&o, "ebid_openings_in_progress %zu\n", nopening);
	process_put(&o);
	return o.bad ? EB_ERR_LIMIT : EB_OK;   /* over the buffer's max */
}

/* ---------------------------------------------------------- listener */

static void
metrics_cb(struct evhttp_request *req, void *arg)
{
	struct eb_server *srv = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct eb_buf b = EB_BUF_INIT;

	if (uri == NULL || (strcmp(uri, "/metrics") != 0 &&
	    strncmp(uri, "/metrics?", 9) != 0)) {
		evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
		evbuffer_add_printf(out, "not found: GET /metrics\n");
		evhttp_send_reply(req, 404, "Not Found", NULL);
		return;
	}
	if (eb_metrics_render(srv, &b) != EB_OK) {
		evhttp_send_reply(req, 500, "Internal Server Error", NULL);
		eb_buf_free(&b);
		return;
	}
	evhttp_add_header(h, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evbuffer_add(out, b.data, b.len);
	evhttp_send_reply(req, 200, "OK", NULL);
	eb_buf_free(&b);
}

int
eb_metrics_start(struct eb_server *srv, struct eb_error *err)
{
	const char *spec = srv->cfg->metrics_listen;
	char host[256], listen[300];
	int port, rc;

	srv->metrics = eb_calloc(1, sizeof(*srv->metrics));
	srv->metrics->srv = srv;
	srv->metrics->started_ms = eb_clock_real_ms();
	if (spec == NULL || *spec == '\0')
		return EB_OK;
	/* a port alone: loopback */
	snprintf(listen, sizeof(listen), strspn(spec, "0123456789") ==
	    strlen(spec) ? "127.0.0.1:%s" : "%s", spec);
	if ((rc = eb_config_split_listen(listen, host, sizeof(host), &port,
	    err)) != EB_OK)
		return eb_fail(err, EB_ERR_USAGE, "bad-setting",
		    "Write metrics_listen as PORT (loopback) or HOST:PORT.",
		    "metrics_listen \"%s\" is not PORT or HOST:PORT", spec);
	if ((srv->metrics->http = evhttp_new(srv->base)) == NULL)
		eb_oom("evhttp_new", 0);
	evhttp_set_allowed_methods(srv->metrics->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_body_size(srv->metrics->http, 0);
	evhttp_set_max_headers_size(srv->metrics->http, 8192);
	evhttp_set_timeout(srv->metrics->http, (int)srv->cfg->idle_timeout);
	evhttp_set_gencb(srv->metrics->http, metrics_cb, srv);
	if (evhttp_bind_socket(srv->metrics->http, host, (ev_uint16_t)port) !=
	    0)
		return eb_fail(err, EB_ERR_IO, "cannot-listen",
		    "Choose a free port for metrics_listen.",
		    "cannot listen for metrics on %s", listen);
	eb_log(EB_LOG_INFO, "metrics on http://%s/metrics", listen);
	return EB_OK;
}

void
eb_metrics_free(struct eb_server *srv)
{
	struct eb_metrics *m = srv->metrics;

	if (m == NULL)
		return;
	if (m->http != NULL)
		evhttp_free(m->http);
	for (size_t i = 0; i < TIMER_BUCKETS; i++)
		while (m->timers[i] != NULL) {
			struct pending_timer *t = m->timers[i];

			m->timers[i] = t->next;
			free(t);
		}
	free(m);
	srv->metrics = NULL;
}
