/*
 * engine/server/watch.c
 *    GET /v1/sales/ID/watch?after=SEQ: follow a sale as it happens.
 *
 * A long poll.  The reply lists the sale's entries after SEQ (at most 500)
 * as soon as there is one:
 *    <watch sale= state= closed="yes|no" last=>
 *      <entry seq= time= event= price=? number=?/> ...
 *    </watch>
 * Only the entries everyone may see (eb_sale_event_public): accepted
 * quotes and bids with their bidding number, and the sale's phases; an
 * application, deposit or declaration is left out ('last' still moves past
 * it, so a watcher asks after 'last').
 * or an empty list after WATCH_TIMEOUT seconds.  A parked request wakes
 * when an entry is appended to its sale, by this process or by any other
 * ebidd serving the same database: the log's trigger (schema/0004_notify.
 * sql) NOTIFYs channel ebid_log, and this module LISTENs on a connection of
 * its own, in the event loop.  Bidders see numbers only: an entry carries
 * the event name and the amount, never the bidder's name.
 *
 * The LISTEN connection is made asynchronously (PQconnectStart and
 * PQconnectPoll driven by events, then PQsendQuery), so a database behind
 * a black-holed network never stalls the loop; after it is (re)made every
 * parked watcher is queried once, so nothing appended meanwhile is missed.
 *
 * Lifetime: a waiter whose query is queued or in flight is never freed by
 * anyone but that query's callback (rows_done).  eb_watch_stop() (at
 * SIGTERM) answers every waiter at once; one with a query in flight is
 * only detached from its request and freed when its query ends (the store
 * fails it at the latest in eb_store_free()); eb_watch_free() comes after
 * the store is freed.
 *
 * Owns: struct eb_watch (srv->watch; eb_watch_free()).
 *
 * INTERFACE
 *    eb_watch_init(), eb_watch_stop(), eb_watch_free()
 *    eb_watch_detached() - queries of answered watchers still in flight
 *    eb_handle_watch()   - the request
 *    eb_watch_appended() - this process appended to 'id' (no NOTIFY wait)
 */
#include "engine/server/watch.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <libpq-fe.h>

#include "engine/server/log.h"
#include "engine/server/server.h"
#include "engine/server/states.h"
#include "engine/core/sale.h"
#include "protocol/isotime.h"
#include "protocol/xml.h"
#include "protocol/mem.h"

#define WATCH_TIMEOUT 25
#define WATCH_MAX_ENTRIES "500"

struct waiter {
	struct waiter *next;
	struct eb_watch *w;
	struct eb_req *r;
	char sale[EB_ID_MAX];
	char after[24];
	struct event *timeout;
	int querying;
};

struct eb_watch {
	struct eb_server *srv;
	struct waiter *waiters;
	PGconn *listen;
	struct event *ev;           /* connecting: one-shot; then persistent read */
	struct event *retry;
	int listening;              /* LISTEN sent on an open connection */
	int stopping;               /* eb_watch_stop() ran */
};

static void query(struct waiter *wt);

static void
waiter_unlink(struct eb_watch *w, struct waiter *wt)
{
	struct waiter **pp = &w->waiters;

	while (*pp != NULL && *pp != wt)
		pp = &(*pp)->next;
	if (*pp == wt)
		*pp = wt->next;
	if (wt->timeout != NULL)
		event_free(wt->timeout);
	free(wt);
}

/* The first public event of an entry (NULL: none, the entry is not shown:
 * eb_sale_event_public) and, for an accepted quote or bid, its amount and
 * bidding number (a deposit's amount is no price). */
static const struct eb_doc *
first_public(const struct eb_doc *events, const char **amount,
    const char **number)
{
	const struct eb_doc *e;

	*amount = *number = NULL;
	for (e = events != NULL ? events->first : NULL; e != NULL; e = e->next) {
		if (!eb_sale_event_public(e->name))
			continue;
		if (strcmp(e->name, "sale-quote-accepted") == 0 ||
		    strcmp(e->name, "sale-bid-accepted") == 0) {
			*amount = eb_doc_attr(e, "amount");
			*number = eb_doc_attr(e, "number");
		}
		return e;
	}
	return NULL;
}

static void
rows_done(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct waiter *wt = arg;
	struct eb_doc *d;
	char iso[EB_ISOTIME_LEN];
	const char *state = "", *closed = "no";
	int n, i;

	wt->querying = 0;
	if (wt->r == NULL) {        /* answered by eb_watch_stop() */
		waiter_unlink(wt->w, wt);
		return;
	}
	if (rc != EB_OK) {
		eb_reply_error(wt->r, err);
		waiter_unlink(wt->w, wt);
		return;
	}
	n = PQntuples(r);
	if (n == 0) {
		struct eb_error e;

		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-sale",
		    "Check the sale's id (ebid sale show).", "no sale %s",
		    wt->sale);
		eb_reply_error(wt->r, &e);
		waiter_unlink(wt->w, wt);
		return;
	}
	if (!PQgetisnull(r, 0, 3)) {
		state = PQgetvalue(r, 0, 3);
		if (eb_state_in("sale", EB_STATES_FINAL, state))
			closed = "yes";
	}
	/* one row with NULL seq = the state only (no entry after 'after') */
	if (PQgetisnull(r, 0, 0) && wt->timeout != NULL &&
	    strcmp(closed, "no") == 0)
		return;    /* keep waiting */
	d = eb_doc_new("watch");
	eb_doc_set_attr(d, "sale", wt->sale);
	eb_doc_set_attr(d, "state", state);
	eb_doc_set_attr(d, "closed", closed);
	for (i = 0; i < n; i++) {
		struct eb_doc *e, *events = NULL;
		const struct eb_doc *pub;
		struct eb_error pe;
		const char *amount, *number;
		int64_t seq = 0, t = 0;

		if (PQgetisnull(r, i, 0))
			continue;
		(void)eb_parse_i64(PQgetvalue(r, i, 0), &seq);
		(void)eb_parse_i64(PQgetvalue(r, i, 1), &t);
		eb_error_clear(&pe);
		/* an entry that cannot be read shows without a price */
		if (eb_xml_parse_stored_events((const uint8_t *)PQgetvalue(r, i,
		    2), strlen(PQgetvalue(r, i, 2)), &events, &pe) != EB_OK)
			events = NULL;
		eb_doc_set_attr_i64(d, "last", seq);
		if ((pub = first_public(events, &amount, &number)) == NULL) {
			eb_doc_free(events);
			continue;   /* not for everyone's eyes; 'last' moves on */
		}
		e = eb_doc_add(d, "entry");
		eb_doc_set_attr_i64(e, "seq", seq);
		eb_isotime_format(t, iso);
		eb_doc_set_attr(e, "time", iso);
		eb_doc_set_attr(e, "event", pub->name);
		if (amount != NULL)
			eb_doc_set_attr(e, "price", amount);
		if (number != NULL)
			eb_doc_set_attr(e, "number", number);
		eb_doc_free(events);
	}
	eb_reply_doc(wt->r, 200, d);
	eb_doc_free(d);
	waiter_unlink(wt->w, wt);
}

static void
query(struct waiter *wt)
{
	const char *params[2] = { wt->sale, wt->after };
	struct eb_error e;

	if (wt->querying)
		return;
	wt->querying = 1;
	/* text results: the events are canonical XML text */
	if (eb_store_select_text(wt->w->srv->store,
	    "SELECT l.seq::text, l.time_ms::text, convert_from(l.events, 'UTF8'),"
	    "       s.state"
	    "  FROM aggregate_state s"
	    "  LEFT JOIN LATERAL (SELECT * FROM log"
	    "         WHERE aggregate = s.aggregate AND seq > $2::int8"
	    "         ORDER BY seq LIMIT " WATCH_MAX_ENTRIES ") l ON true"
	    " WHERE s.aggregate = $1 AND s.kind = 'sale'"
	    " ORDER BY l.seq", 2, params, rows_done, wt) != EB_OK) {
		wt->querying = 0;
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the watch");
		eb_reply_error(wt->r, &e);
		waiter_unlink(wt->w, wt);
	}
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *wt = arg;

	(void)fd;
	(void)what;
	event_free(wt->timeout);
	wt->timeout = NULL;        /* the next answer is final, even empty */
	query(wt);
}

/* query() may free 'wt' (a refused submission): walk with the next saved. */
void
eb_watch_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state)
{
	(void)flow;
	(void)state;
	eb_watch_appended(srv, id);
}

void
eb_watch_appended(struct eb_server *srv, const char *id)
{
	struct eb_watch *w = srv->watch;
	struct waiter *wt, *next;

	if (w == NULL || w->stopping)
		return;
	for (wt = w->waiters; wt != NULL; wt = next) {
		next = wt->next;
		if (strcmp(wt->sale, id) == 0)
			query(wt);
	}
}

static void
poke_all(struct eb_watch *w)
{
	struct waiter *wt, *next;

	for (wt = w->waiters; wt != NULL; wt = next) {
		next = wt->next;
		query(wt);
	}
}

void
eb_handle_watch(struct eb_req *r, const char *sale, const char *query_str)
{
	struct eb_server *srv = r->srv;
	struct eb_watch *w = srv->watch;
	struct waiter *wt;
	struct timeval tv = { WATCH_TIMEOUT, 0 };
	struct eb_error e;
	int64_t after = 0;
	const char *p;

	eb_error_clear(&e);
	if (query_str != NULL && (p = strstr(query_str, "after=")) != NULL) {
		char num[24];
		size_t n = strspn(p + 6, "0123456789");

		if (n > 0 && n < sizeof(num)) {
			memcpy(num, p + 6, n);
			num[n] = '\0';
		}
		/* a number too big for a sequence is refused, never read as 0 */
		if (n == 0 || n >= sizeof(num) ||
		    eb_parse_i64(num, &after) != EB_OK || after < 0) {
			eb_fail(&e, EB_ERR_FORMAT, "bad-after",
			    "Give after=SEQ, the last entry you have seen.",
			    "after= is not a sequence number");
			eb_reply_error(r, &e);
			return;
		}
	}
	if (w != NULL && w->stopping) {
		eb_fail(&e, EB_ERR_DB, "shutting-down",
		    "Watch again in a moment.", "the server is stopping");
		eb_reply_error(r, &e);
		return;
	}
	if (w == NULL || strlen(sale) >= EB_ID_MAX) {
		eb_fail(&e, EB_ERR_INTERNAL, "watch-unavailable", NULL,
		    "cannot watch now");
		eb_reply_error(r, &e);
		return;
	}
	wt = eb_calloc(1, sizeof(*wt));
	wt->w = w;
	wt->r = r;
	snprintf(wt->sale, sizeof(wt->sale), "%s", sale);
	snprintf(wt->after, sizeof(wt->after), "%lld", (long long)after);
	if ((wt->timeout = evtimer_new(srv->base, timeout_cb, wt)) != NULL)
		evtimer_add(wt->timeout, &tv);
	wt->next = w->waiters;
	w->waiters = wt;
	query(wt);
}

/* -- LISTEN ebid_log ---------------------------------------------------- */

static void listen_start(struct eb_watch *w);
static void connect_step(evutil_socket_t fd, short what, void *arg);

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listen_start(arg);
}

static void
listen_close(struct eb_watch *w)
{
	if (w->ev != NULL) {
		event_free(w->ev);
		w->ev = NULL;
	}
	PQfinish(w->listen);
	w->listen = NULL;
	w->listening = 0;
}

static void
listen_lost(struct eb_watch *w, const char *why)
{
	struct timeval tv = { 1, 0 };

	eb_log(EB_LOG_WARN, "watch: LISTEN connection lost (%s); retrying", why);
	listen_close(w);
	if (w->stopping)
		return;
	if (w->retry == NULL)
		w->retry = evtimer_new(w->srv->base, retry_cb, w);
	if (w->retry != NULL)
		evtimer_add(w->retry, &tv);
}

static void
notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eb_watch *w = arg;
	PGnotify *n;
	PGresult *res;

	(void)fd;
	(void)what;
	if (!PQconsumeInput(w->listen)) {
		listen_lost(w, PQerrorMessage(w->listen));
		return;
	}
	if (PQflush(w->listen) < 0) {
		listen_lost(w, PQerrorMessage(w->listen));
		return;
	}
	while (!PQisBusy(w->listen) && (res = PQgetResult(w->listen)) != NULL) {
		int bad = PQresultStatus(res) == PGRES_FATAL_ERROR;

		PQclear(res);
		if (bad) {      /* the LISTEN itself was refused */
			listen_lost(w, PQerrorMessage(w->listen));
			return;
		}
	}
	while ((n = PQnotifies(w->listen)) != NULL) {
		char id[EB_ID_MAX];
		const char *colon = strrchr(n->extra, ':');
		size_t len = colon != NULL ? (size_t)(colon - n->extra) :
		    strlen(n->extra);

		if (len < sizeof(id)) {
			memcpy(id, n->extra, len);
			id[len] = '\0';
			eb_watch_appended(w->srv, id);
		}
		PQfreemem(n);
	}
}

/* Wait (one shot) for what PQconnectPoll asked, on the current socket. */
static void
connect_wait(struct eb_watch *w, PostgresPollingStatusType st)
{
	struct timeval tv = { 10, 0 };   /* a connect step that hangs: retry */
	short what = st == PGRES_POLLING_READING ? EV_READ : EV_WRITE;

	if (w->ev != NULL)
		event_free(w->ev);
	w->ev = event_new(w->srv->base, PQsocket(w->listen), what,
	    connect_step, w);
	if (w->ev == NULL || event_add(w->ev, &tv) != 0)
		listen_lost(w, "cannot watch the socket");
}

static void
connect_step(evutil_socket_t fd, short what, void *arg)
{
	struct eb_watch *w = arg;
	PostgresPollingStatusType st;

	(void)fd;
	if (what & EV_TIMEOUT) {
		listen_lost(w, "connecting timed out");
		return;
	}
	st = PQconnectPoll(w->listen);
	if (st == PGRES_POLLING_READING || st == PGRES_POLLING_WRITING) {
		connect_wait(w, st);
		return;
	}
	if (st != PGRES_POLLING_OK) {
		listen_lost(w, PQerrorMessage(w->listen));
		return;
	}
	/* connected: LISTEN, then a persistent read event for the answers */
	event_free(w->ev);
	w->ev = NULL;
	if (PQsetnonblocking(w->listen, 1) != 0 ||
	    !PQsendQuery(w->listen, "LISTEN ebid_log") ||
	    PQflush(w->listen) < 0) {
		listen_lost(w, PQerrorMessage(w->listen));
		return;
	}
	w->ev = event_new(w->srv->base, PQsocket(w->listen), EV_READ |
	    EV_PERSIST, notify_cb, w);
	if (w->ev == NULL || event_add(w->ev, NULL) != 0) {
		listen_lost(w, "cannot watch the socket");
		return;
	}
	w->listening = 1;
	/* anything appended while we were not listening */
	poke_all(w);
}

/* Start connecting, without blocking the loop (PQconnectStart). */
static void
listen_start(struct eb_watch *w)
{
	if (w->stopping)
		return;
	w->listen = PQconnectStart(w->srv->cfg->db);
	if (w->listen == NULL || PQstatus(w->listen) == CONNECTION_BAD) {
		listen_lost(w, w->listen != NULL ? PQerrorMessage(w->listen) :
		    "out of memory");
		return;
	}
	connect_wait(w, PGRES_POLLING_WRITING);
}

int
eb_watch_init(struct eb_server *srv, struct eb_error *err)
{
	struct eb_watch *w = eb_calloc(1, sizeof(*w));

	(void)err;
	w->srv = srv;
	srv->watch = w;
	listen_start(w);
	return EB_OK;
}

void
eb_watch_stop(struct eb_server *srv)
{
	struct eb_watch *w = srv->watch;
	struct waiter *wt, *next;

	if (w == NULL || w->stopping)
		return;
	w->stopping = 1;
	if (w->retry != NULL)
		evtimer_del(w->retry);
	listen_close(w);
	for (wt = w->waiters; wt != NULL; wt = next) {
		struct eb_error e;

		next = wt->next;
		if (wt->r == NULL)
			continue;
		eb_fail(&e, EB_ERR_DB, "shutting-down",
		    "Watch again in a moment.", "the server is stopping");
		eb_reply_error(wt->r, &e);
		wt->r = NULL;
		if (wt->timeout != NULL) {
			event_free(wt->timeout);
			wt->timeout = NULL;
		}
		if (!wt->querying)
			waiter_unlink(w, wt);
		/* else rows_done() frees it when its query ends */
	}
}

size_t
eb_watch_detached(const struct eb_server *srv)
{
	const struct eb_watch *w = srv->watch;
	const struct waiter *wt;
	size_t n = 0;

	if (w == NULL)
		return 0;
	for (wt = w->waiters; wt != NULL; wt = wt->next)
		if (wt->r == NULL && wt->querying)
			n++;
	return n;
}

void
eb_watch_free(struct eb_server *srv)
{
	struct eb_watch *w = srv->watch;
	struct waiter *wt;

	if (w == NULL)
		return;
	eb_watch_stop(srv);
	/*
	 * Called after eb_store_free(), which ran every query's callback: a
	 * waiter left here had no query; free it without touching the store.
	 */
	while ((wt = w->waiters) != NULL) {
		w->waiters = wt->next;
		if (wt->timeout != NULL)
			event_free(wt->timeout);
		free(wt);
	}
	if (w->retry != NULL)
		event_free(w->retry);
	free(w);
	srv->watch = NULL;
}
