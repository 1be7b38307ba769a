/*
 * engine/server/handlers.c
 *    The small endpoints: GET /v1/health, GET /v1/whoami and the test
 *    clock POST /v1/test/clock.
 *
 * Health makes a real round trip on the store's connections (SELECT 1),
 * so "database=ok" means a query just ran.  It also reports the worker
 * pool (workers.h): threads, busy, queued, and the age of the longest
 * running job; status is "degraded" (workers="over-budget") while a job
 * has run longer than command_budget_ms.  The test clock is accepted
 * only when ebidd runs with --test-clock, only from a loopback address,
 * and every move is logged (warn level).
 *
 * INTERFACE: eb_handle_health(), eb_handle_whoami(),
 *    eb_handle_test_clock() (server.h)
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "engine/server/handlers.h"
#include "engine/server/log.h"
#include "engine/server/replyxml.h"
#include "engine/server/server.h"
#include "engine/server/timers.h"
#include "engine/server/upload.h"
#include "engine/server/workers.h"
#include "protocol/cms.h"
#include "protocol/isotime.h"
#include "protocol/xml.h"

static void
health_done(int rc, const struct eb_error *e, int64_t v, void *arg)
{
	struct eb_req *r = arg;
	struct eb_server *srv = r->srv;
	struct eb_doc *d = eb_doc_new("health");
	char iso[EB_ISOTIME_LEN];
	int ok = rc == EB_OK && v == 1;
	struct eb_workers_stats ws;
	int stuck;

	if (!ok)
		eb_log(EB_LOG_WARN, "health: database down: %s",
		    e != NULL ? e->primary : "?");
	eb_workers_stats(srv->workers, &ws);
	stuck = ws.oldest_ms > srv->cfg->command_budget_ms;
	if (stuck)
		eb_log(EB_LOG_WARN, "health: a worker job has run %lld ms, over "
		    "the budget of %lld ms (%d of %d workers busy, %zu queued)",
		    (long long)ws.oldest_ms,
		    (long long)srv->cfg->command_budget_ms, ws.busy,
		    ws.threads, ws.queued);
	eb_doc_set_attr(d, "status", ok && !stuck ? "ok" : "degraded");
	eb_doc_set_attr(d, "database", ok ? "ok" : "down");
	eb_doc_set_attr(d, "workers", stuck ? "over-budget" : "ok");
	eb_doc_set_attr_i64(d, "workers-total", ws.threads);
	eb_doc_set_attr_i64(d, "workers-busy", ws.busy);
	eb_doc_set_attr_i64(d, "workers-queued", (int64_t)ws.queued);
	eb_doc_set_attr_i64(d, "oldest-job-ms", ws.oldest_ms);
	eb_doc_set_attr(d, "clock", eb_clock_name(&srv->clock));
	eb_isotime_format(eb_clock_now(&srv->clock), iso);
	eb_doc_set_attr(d, "time", iso);
	eb_doc_set_attr_i64(d, "db-connections", eb_store_up(srv->store));
	eb_reply_doc(r, 200, d);
	eb_doc_free(d);
}

void
eb_handle_health(struct eb_req *r)
{
	struct eb_error e;

	if (eb_store_ping(r->srv->store, health_done, r) != EB_OK) {
		eb_error_clear(&e);
		health_done(EB_ERR_DB, &e, 0, r);
	}
}

/*
 * GET /v1/whoami: the actor of the client certificate.  The reply is one
 * element of attributes, written straight into a buffer on the stack
 * (replyxml.h, eb_replyxml_flat: the bytes the tree would give); a value
 * it would not take as it is goes the usual way (the tree, libxml2).
 */
void
eb_handle_whoami(struct eb_req *r)
{
	static const char *const names[] = { "name", "org", "party", "person",
	    "role" };
	const char *values[] = { r->actor.name, r->actor.org, r->actor.party,
	    r->actor.person, eb_role_name(r->actor.role) };
	char xml[3072];              /* the actor's fields, escaped, fit */
	size_t n = eb_replyxml_flat(xml, sizeof(xml), "whoami", EB_XML_NS,
	    names, values, sizeof(names) / sizeof(names[0]));
	struct eb_doc *d;

	if (n > 0) {
		eb_reply_xml(r, 200, xml, n);
		return;
	}
	d = eb_doc_new("whoami");

	eb_doc_set_attr(d, "party", r->actor.party);
	eb_doc_set_attr(d, "person", r->actor.person);
	eb_doc_set_attr(d, "org", r->actor.org);
	eb_doc_set_attr(d, "name", r->actor.name);
	eb_doc_set_attr(d, "role", eb_role_name(r->actor.role));
	eb_reply_doc(r, 200, d);
	eb_doc_free(d);
}

/* GET /v1/opening-authority: the sub-CA of the opening certificates. */
void
eb_handle_opening_authority(struct eb_req *r)
{
	struct eb_server *srv = r->srv;
	struct eb_doc *d;
	struct eb_error e;
	unsigned char *der = NULL;
	char *b64 = NULL;
	int len;

	if (srv->opening_ca == NULL ||
	    (len = i2d_X509(srv->opening_ca, &der)) <= 0 ||
	    eb_base64_encode(der, (size_t)len, &b64) != EB_OK) {
		OPENSSL_free(der);
		eb_fail(&e, EB_ERR_NOTFOUND, "no-opening-authority",
		    "The centre must configure opening_authority_cert "
		    "(docs/operations-server.md).",
		    "this server has no opening authority");
		eb_reply_error(r, &e);
		return;
	}
	d = eb_doc_new("opening-authority");
	eb_doc_add_text(d, "certificate", b64);
	eb_reply_doc(r, 200, d);
	eb_doc_free(d);
	free(b64);
	OPENSSL_free(der);
}

/*
 * GET /v1/server-certificate: the server's signing certificate, the one
 * custodians seal their shares to (it may differ from the TLS
 * certificate: signing_cert, keyproc.h).
 */
void
eb_handle_server_certificate(struct eb_req *r)
{
	struct eb_doc *d;
	struct eb_error e;
	unsigned char *der = NULL;
	char *b64 = NULL;
	int len;

	if ((len = i2d_X509(r->srv->cert, &der)) <= 0 ||
	    eb_base64_encode(der, (size_t)len, &b64) != EB_OK) {
		OPENSSL_free(der);
		eb_fail(&e, EB_ERR_INTERNAL, "internal", NULL,
		    "cannot encode the server's certificate");
		eb_reply_error(r, &e);
		return;
	}
	d = eb_doc_new("server-certificate");
	eb_doc_add_text(d, "certificate", b64);
	eb_reply_doc(r, 200, d);
	eb_doc_free(d);
	free(b64);
	OPENSSL_free(der);
}

static int
is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	    strncmp(addr, "::ffff:127.", 11) == 0;
}

void
eb_handle_test_clock(struct eb_req *r)
{
	struct eb_server *srv = r->srv;
	struct evbuffer *in;
	char text[64], iso[EB_ISOTIME_LEN];
	size_t n;
	int64_t ms;
	struct eb_error e;
	struct eb_doc *d;

	eb_error_clear(&e);
	if (srv->clock.mode == EB_CLOCK_SYSTEM) {
		eb_fail(&e, EB_ERR_NOTFOUND, "no-test-clock",
		    "Start ebidd with --test-clock=driven to use this path.",
		    "this server runs on the system clock");
		eb_reply_error(r, &e);
		return;
	}
	if (!is_loopback(r->peer_addr)) {
		eb_log(EB_LOG_WARN, "test clock: refused from %s (%s)",
		    r->peer_addr, r->actor.party);
		eb_fail(&e, EB_ERR_DENIED, "test-clock-not-local",
		    "Drive the test clock from the machine ebidd runs on.",
		    "the test clock is driven only from a loopback address");
		eb_reply_error(r, &e);
		return;
	}
	in = r->req != NULL ? evhttp_request_get_input_buffer(r->req) : NULL;
	n = in != NULL ? evbuffer_get_length(in) : 0;
	if (n == 0 || n >= sizeof(text)) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-instant",
		    "Send the instant as text, e.g. 2026-03-01T09:00:00.000Z.",
		    "the body must be one ISO instant");
		eb_reply_error(r, &e);
		return;
	}
	evbuffer_copyout(in, text, n);
	text[n] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
	    text[n - 1] == ' '))
		text[--n] = '\0';
	if (eb_isotime_parse(text, &ms) != 0) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-instant",
		    "Send the instant as text, e.g. 2026-03-01T09:00:00.000Z.",
		    "\"%s\" is not an instant", text);
		eb_reply_error(r, &e);
		return;
	}
	if (eb_clock_set(&srv->clock, ms, &e) != EB_OK) {
		eb_reply_error(r, &e);
		return;
	}
	eb_timers_clock_moved(srv);
	eb_uploads_gc(srv);      /* abandoned uploads past their deadline */
	eb_isotime_format(eb_clock_now(&srv->clock), iso);
	eb_log(EB_LOG_WARN, "test clock: %s clock set to %s by %s from %s",
	    eb_clock_name(&srv->clock), iso, r->actor.party, r->peer_addr);
	d = eb_doc_new("clock");
	eb_doc_set_attr(d, "mode", eb_clock_name(&srv->clock));
	eb_doc_set_attr(d, "time", iso);
	eb_reply_doc(r, 200, d);
	eb_doc_free(d);
}
