/*
 * engine/server/http.c
 *    HTTPS over mutual TLS with evhttp (docs/engineering-notes.md, TLS):
 *    the listening socket (ours, with TCP_NODELAY, inherited by every
 *    accepted socket on Linux, and set again once per connection by
 *    conns.c), limits,
 *    framing checks, routing, and the one reply path that also writes the
 *    request's log line.  Connection admission (caps, the whole-request
 *    deadline, the accept back-off, the bufferevent factory) is conns.c.
 *
 * Limits: evhttp reads at most 2 x max_body (its own bare 413 beyond);
 * a body over max_body is answered by the handler with the XML error
 * (413 body-too-large), so the client learns the limit.  Headers are
 * capped at 16 KiB, idle_timeout closes a connection silent that long,
 * request_timeout bounds one whole request (conns.c).
 *
 * Methods and paths: one table, endpoints[] (see "the endpoints" below):
 * a known path answers its methods, HEAD where GET, OPTIONS (204, Allow),
 * and 405 with Allow for any other method evhttp parses; an unknown path
 * is 404.  What libevent 2.1 answers before our callback stays its own
 * bare page: a request line it cannot parse (a method it does not know,
 * "FOO /"), headers over 16 KiB, a body over 2 x max_body.
 *
 * Framing: a request another HTTP parser (a proxy or load balancer in
 * front of ebidd) could frame differently is refused with 400 and the
 * connection closed, so nothing behind it is read as a request: two
 * Content-Length headers, Content-Length with Transfer-Encoding, a coding
 * other than "chunked", a Content-Length that is not plain digits, a
 * header name that is not a token ("Transfer-Encoding :" keeps its space
 * in evhttp and is then ignored by it), two Content-Type headers.
 * POST /v1/commands must say Content-Type: application/cms (else 415).
 * Every answer our code gives that is not 2xx is the XML error document.
 *
 * The reply path (send_bytes): the request's log line and metrics, then
 * Content-Type, X-Request-Id and, for HTTP/1.1, the Date and
 * Content-Length evhttp would add itself (the same values and order; the
 * date formatted once a second instead of on every reply).  The request
 * line is put together by hand (eb_log_msg), one line per request.  The
 * reply leaves as one TLS record and is written in the loop's pass that
 * made it (ONE_RECORD_MAX, WRITE_NOW below).
 *
 * INTERFACE: eb_http_start(), eb_http_stop_accepting(), eb_http_free(),
 *    eb_reply_doc(), eb_reply_error() (server.h)
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>

#include "engine/server/conns.h"
#include "engine/server/commands.h"
#include "engine/server/envelopes_http.h"
#include "engine/server/export.h"
#include "engine/server/handlers.h"
#include "engine/server/heads.h"
#include "engine/server/log.h"
#include "engine/server/metrics.h"
#include "engine/server/ocspclient.h"
#include "engine/server/reads.h"
#include "engine/server/replyxml.h"
#include "engine/server/server.h"
#include "engine/server/upload.h"
#include "engine/server/watch.h"
#include "protocol/errdoc.h"
#include "protocol/mem.h"

static const char *
status_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Entity";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void
req_free(struct eb_req *r)
{
	if (r == NULL)
		return;
	if (r->peer != NULL)
		X509_free(r->peer);
	r->srv->reqs_open--;
	free(r);
}

/*
 * The connection goes away before our reply.  libevent 2.1 either has
 * detached the request already (client EOF or timeout while we work: the
 * request's connection is NULL and evhttp_send_reply() will free it, so
 * we keep it and still "reply") or is about to free it with the
 * connection (then we must forget it).  Called before either happens.
 */
static void
conn_closed(struct evhttp_connection *conn, void *arg)
{
	struct eb_req *r = arg;

	(void)conn;
	if (r->req != NULL && evhttp_request_get_connection(r->req) != NULL)
		r->req = NULL;
	r->conn = NULL;
	r->client_gone = 1;
}

/* Line building for log_request(): 's' at line[*o], never past 'cap'. */
static void
put_s(char *line, size_t cap, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n >= cap)
		n = *o < cap ? cap - 1 - *o : 0;
	memcpy(line + *o, s, n);
	*o += n;
}

/* The decimal of 'v' the same way. */
static void
put_u(char *line, size_t cap, size_t *o, unsigned long long v)
{
	char d[24];
	size_t i = sizeof(d) - 1;

	d[i] = '\0';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put_s(line, cap, o, d + i);
}

/*
 * The request's metrics and log line: "req id=... peer=... role=...
 * addr=... method=... path=... status=... bytes_out=... us=..." (the
 * fields docs/operations-server.md names), put together by hand rather
 * than by printf (one line per request).
 */
static void
log_request(struct eb_req *r, int status, size_t n)
{
	int64_t us = eb_clock_mono_us() - r->t0_us;
	char line[512];
	size_t o = 0;

	eb_metrics_request(r->srv->metrics, r->path, status, us);

	put_s(line, sizeof(line), &o, "req id=");
	put_s(line, sizeof(line), &o, r->id);
	put_s(line, sizeof(line), &o, " peer=");
	put_s(line, sizeof(line), &o, r->have_actor ? r->actor.party : "-");
	put_s(line, sizeof(line), &o, " role=");
	put_s(line, sizeof(line), &o, r->have_actor ?
	    eb_role_name(r->actor.role) : "-");
	put_s(line, sizeof(line), &o, " addr=");
	put_s(line, sizeof(line), &o, r->peer_addr);
	put_s(line, sizeof(line), &o, " method=");
	put_s(line, sizeof(line), &o, r->method);
	put_s(line, sizeof(line), &o, " path=");
	put_s(line, sizeof(line), &o, r->path);
	put_s(line, sizeof(line), &o, " status=");
	if (status < 0) {
		put_s(line, sizeof(line), &o, "-");
		status = -status;
	}
	put_u(line, sizeof(line), &o, (unsigned long long)status);
	put_s(line, sizeof(line), &o, " bytes_out=");
	put_u(line, sizeof(line), &o, (unsigned long long)n);
	put_s(line, sizeof(line), &o, " us=");
	if (us < 0) {
		put_s(line, sizeof(line), &o, "-");
		us = -us;
	}
	put_u(line, sizeof(line), &o, (unsigned long long)us);
	if (r->client_gone)
		put_s(line, sizeof(line), &o, " client-gone");
	line[o] = '\0';
	eb_log_str(EB_LOG_INFO, line, o);
}

void
eb_reply_streamed(struct eb_req *r, int status, size_t n)
{
	log_request(r, status, n);
	req_free(r);
}

/*
 * The Date header of HTTP/1.1 replies, "Sun, 06 Dec 2026 21:00:00 GMT":
 * what evhttp would add (evutil_date_rfc1123: time(), gmtime_r and a
 * printf on every reply), formatted once a second.
 */
static const char *
http_date(void)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static __thread time_t sec = (time_t)-1;
	static __thread char date[40];
	time_t now = time(NULL);
	struct tm tm;

	if (now != sec) {
		if (gmtime_r(&now, &tm) == NULL)
			return NULL;
		snprintf(date, sizeof(date), "%s, %02d %s %4d %02d:%02d:%02d "
		    "GMT", days[tm.tm_wday % 7], tm.tm_mday,
		    months[tm.tm_mon % 12], 1900 + tm.tm_year, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		sec = now;
	}
	return date;
}

/*
 * The headers evhttp adds to an HTTP/1.1 reply when they are missing
 * (evhttp_make_header_response: Date, then Content-Length where the
 * reply has a body), added here first, in the same order and with the
 * same values, so that evhttp finds them: the Date formatted once a
 * second, the length without a printf.  HTTP/1.0 replies are left to
 * evhttp as they were.
 */
static void
add_date_and_length(struct evhttp_request *req, int status)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evkeyval *kv;
	const char *date;
	char len[24];
	size_t i = sizeof(len), v;
	int has_date = 0, has_len = 0;

	if (req->major != 1 || req->minor < 1)
		return;
	TAILQ_FOREACH(kv, h, next) {            /* what evhttp looks for */
		if (strcasecmp(kv->key, "Date") == 0)
			has_date = 1;
		else if (strcasecmp(kv->key, "Content-Length") == 0 ||
		    strcasecmp(kv->key, "Transfer-Encoding") == 0)
			has_len = 1;
	}
	if (!has_date && (date = http_date()) != NULL)
		evhttp_add_header(h, "Date", date);
	if (has_len || status == 204 || status == 304 ||
	    (status >= 100 && status < 200) ||
	    evhttp_request_get_command(req) == EVHTTP_REQ_HEAD)
		return;
	v = evbuffer_get_length(evhttp_request_get_output_buffer(req));
	len[--i] = '\0';
	do {
		len[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	evhttp_add_header(h, "Content-Length", len + i);
}

/*
 * A reply up to this size (status line, headers and body) leaves in one
 * piece: one TLS record, one write(2).  evhttp puts the headers and the
 * body in two chains of the connection's output buffer and
 * bufferevent_openssl (libevent 2.1) calls SSL_write once per chain: two
 * records and two write(2) for every small reply.  16 KiB is a TLS
 * record's most.
 */
#define ONE_RECORD_MAX 16384

/*
 * WRITE_NOW: bufferevent_openssl (libevent 2.1) writes a socket's output
 * only when epoll reports the socket writable: evhttp arms the write
 * event, the loop goes round, epoll_wait() wakes for EPOLLOUT, SSL_write()
 * and write(2), then the write event is disarmed (two epoll_ctl() and one
 * more wake-up for every reply, though a keep-alive socket's send buffer
 * is empty).  send_bytes() instead activates the connection's write event
 * at once (event_active() on the bufferevent's ev_write, the same callback
 * EPOLLOUT would run, later in this pass of the loop, never inside
 * send_bytes): the reply is written in the pass that made it, evhttp's
 * completion runs there as it would have, and with the loop's change list
 * (main.c) the arming and disarming never reach the kernel.  A socket
 * that cannot take the reply (SSL_write wants to write) keeps its write
 * event armed and waits for EPOLLOUT as before.
 */

static void
send_bytes(struct eb_req *r, int status, const char *ctype,
    const void *p, size_t n)
{
	struct evbuffer *out, *wire = NULL;
	struct bufferevent *bev;

	log_request(r, status, n);
	if (r->req != NULL) {
		if (r->conn != NULL)
			evhttp_connection_set_closecb(r->conn, NULL, NULL);
		struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
		char len[24];

		out = evhttp_request_get_output_buffer(r->req);
		if (ctype != NULL)
			evhttp_add_header(h, "Content-Type", ctype);
		evhttp_add_header(h, "X-Request-Id", r->id);
		if (r->srv->stopping || r->close_after)
			evhttp_add_header(h, "Connection", "close");
		if (evhttp_request_get_command(r->req) == EVHTTP_REQ_HEAD) {
			/* what GET would send, without the body (RFC 9110
			 * 9.3.2); evhttp 2.1 would write a body we add */
			snprintf(len, sizeof(len), "%zu", n);
			evhttp_add_header(h, "Content-Length", len);
		} else if (n > 0) {
			evbuffer_add(out, p, n);
		}
		add_date_and_length(r->req, status);
		if (r->conn != NULL && !r->close_after)
			eb_conns_reply_out(r->srv->conns, r->conn);
		/* the connection's output buffer, when nothing waits in it
		 * (so no SSL_write is half done on bytes we would move) */
		if (r->conn != NULL && (bev = evhttp_connection_get_bufferevent(
		    r->conn)) != NULL && evbuffer_get_length(wire =
		    bufferevent_get_output(bev)) > 0)
			wire = NULL;
		evhttp_send_reply(r->req, status, status_phrase(status), NULL);
		/* evhttp has put the reply there and armed the socket's write
		 * event: one chain, one record; then written in this pass of
		 * the loop (see WRITE_NOW) */
		if (wire != NULL) {
			if (evbuffer_get_length(wire) <= ONE_RECORD_MAX)
				evbuffer_pullup(wire, -1);
			event_active(&bev->ev_write, EV_WRITE, 1);
		}
	}
	req_free(r);
}

void
eb_reply_xml(struct eb_req *r, int status, const char *xml, size_t n)
{
	send_bytes(r, status, "application/xml; charset=utf-8", xml, n);
}

void
eb_reply_doc(struct eb_req *r, int status, const struct eb_doc *doc)
{
	struct eb_buf b = EB_BUF_INIT;
	int rc;

	/* straight from the tree (replyxml.h); a tree it does not take as
	 * it is (attributes out of order) goes through libxml2 */
	if ((rc = eb_replyxml_write(doc, EB_XML_NS, &b)) == EB_ERR_FORMAT)
		rc = eb_xml_write(doc, 0, &b);
	if (rc != EB_OK) {
		static const char fallback[] =
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error "
		    "xmlns=\"urn:ebid:1\" code=\"internal\" reason=\"reply-"
		    "failed\" status=\"500\"><message>the reply could not be "
		    "written</message></error>\n";
		send_bytes(r, 500, "application/xml; charset=utf-8", fallback,
		    sizeof(fallback) - 1);
	} else {
		send_bytes(r, status, "application/xml; charset=utf-8", b.data,
		    b.len);
	}
	eb_buf_free(&b);
}

void
eb_reply_error(struct eb_req *r, const struct eb_error *e)
{
	struct eb_doc *d = eb_errdoc_build(e, r->id);
	int status = eb_error_status(e);

	if (status >= 500)
		eb_log(EB_LOG_WARN, "req id=%s failed: %s (%s) %s", r->id,
		    e->primary, e->reason, e->detail);
	eb_reply_doc(r, status, d);
	eb_doc_free(d);
}

/* Reply the error document of 'e' with an HTTP status of our choosing. */
static void
reply_error_status(struct eb_req *r, int status, const struct eb_error *e)
{
	struct eb_doc *d = eb_errdoc_build(e, r->id);

	eb_doc_set_attr_i64(d, "status", status);
	eb_reply_doc(r, status, d);
	eb_doc_free(d);
}

/* An RFC 9110 token: what a header name must be. */
static int
is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p > 127 || (!isalnum(*p) && strchr(extra, *p) == NULL))
			return 0;
	return 1;
}

/* See the header comment: the framing other parsers agree on, or 400. */
static int
check_framing(struct evhttp_request *req, struct eb_error *e)
{
	static const char hint[] = "Send one Content-Length, or "
	    "Transfer-Encoding: chunked alone, and header names without "
	    "spaces (RFC 9112 section 6).";
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	const char *cl = NULL, *te = NULL;
	int ncl = 0, nte = 0, nct = 0;

	TAILQ_FOREACH(kv, h, next) {
		if (!is_token(kv->key))
			return eb_fail(e, EB_ERR_FORMAT, "bad-header-name", hint,
			    "the header name \"%.64s\" is not an HTTP token "
			    "(a space before the colon?)", kv->key);
		if (strcasecmp(kv->key, "Content-Length") == 0) {
			ncl++;
			cl = kv->value;
		} else if (strcasecmp(kv->key, "Transfer-Encoding") == 0) {
			nte++;
			te = kv->value;
		} else if (strcasecmp(kv->key, "Content-Type") == 0) {
			nct++;
		}
	}
	if (ncl > 1)
		return eb_fail(e, EB_ERR_FORMAT, "duplicate-content-length",
		    hint, "the request has %d Content-Length headers", ncl);
	if (nte > 1)
		return eb_fail(e, EB_ERR_FORMAT,
		    "duplicate-transfer-encoding", hint,
		    "the request has %d Transfer-Encoding headers", nte);
	if (nct > 1)
		return eb_fail(e, EB_ERR_FORMAT, "duplicate-content-type",
		    "Send one Content-Type header.",
		    "the request has %d Content-Type headers", nct);
	if (cl != NULL && te != NULL)
		return eb_fail(e, EB_ERR_FORMAT, "ambiguous-length", hint,
		    "the request has both Content-Length and "
		    "Transfer-Encoding");
	if (cl != NULL && (*cl == '\0' || strspn(cl, "0123456789") !=
	    strlen(cl)))
		return eb_fail(e, EB_ERR_FORMAT, "bad-content-length", hint,
		    "Content-Length \"%.32s\" is not a number of bytes", cl);
	if (te != NULL && strcasecmp(te, "chunked") != 0)
		return eb_fail(e, EB_ERR_FORMAT,
		    "unsupported-transfer-encoding", hint,
		    "Transfer-Encoding \"%.64s\" is not \"chunked\"", te);
	return EB_OK;
}

/* 'ct' (a Content-Type value, may be NULL) names media type 'want'. */
static int
is_media_type(const char *ct, const char *want)
{
	size_t n = strlen(want);

	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	ct += strspn(ct, " \t");
	return *ct == '\0' || *ct == ';';
}

/* -- the endpoints ------------------------------------------------------
 *
 * One table: the path pattern ('*' is one path segment, an id), the
 * methods it answers, its handler.  HEAD is answered wherever GET is (the
 * same status and headers, no body); OPTIONS wherever the path exists (204
 * with Allow); any other method on a known path is 405 with Allow; an
 * unknown path is 404; both are the XML error document.  Adding an
 * endpoint is one line in endpoints[] and one row in docs/protocol.md.
 */
#define M_GET  (EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)
#define M_POST EVHTTP_REQ_POST

typedef void endpoint_fn(struct eb_req *r, const char *id, const char *query);

static void
h_health(struct eb_req *r, const char *id, const char *q)
{
	(void)id, (void)q;
	eb_handle_health(r);
}

static void
h_whoami(struct eb_req *r, const char *id, const char *q)
{
	(void)id, (void)q;
	eb_handle_whoami(r);
}

static void
h_opening_authority(struct eb_req *r, const char *id, const char *q)
{
	(void)id, (void)q;
	eb_handle_opening_authority(r);
}

static void
h_server_certificate(struct eb_req *r, const char *id, const char *q)
{
	(void)id, (void)q;
	eb_handle_server_certificate(r);
}

static void
h_commands(struct eb_req *r, const char *id, const char *q)
{
	struct eb_error e;

	(void)id, (void)q;
	if (r->req != NULL && !is_media_type(evhttp_find_header(
	    evhttp_request_get_input_headers(r->req), "Content-Type"),
	    "application/cms")) {
		eb_error_clear(&e);
		eb_fail(&e, EB_ERR_FORMAT, "unsupported-media-type",
		    "Send the signed command as Content-Type: application/cms "
		    "(ebid send does).", "a command must be application/cms");
		reply_error_status(r, 415, &e);
		return;
	}
	eb_handle_command(r);
}

static void
h_clock(struct eb_req *r, const char *id, const char *q)
{
	(void)id, (void)q;
	eb_handle_test_clock(r);
}

static void
h_logs(struct eb_req *r, const char *id, const char *q)
{
	(void)id;
	eb_handle_log(r, NULL, q);
}

static void
h_log(struct eb_req *r, const char *id, const char *q)
{
	(void)q;
	eb_handle_log(r, id, NULL);
}

static void
h_heads(struct eb_req *r, const char *id, const char *q)
{
	(void)q;
	eb_handle_heads(r, id);                   /* public board */
}

/* The view and the duties of one kind of aggregate. */
#define READ_FNS(kind)							\
static void								\
h_##kind(struct eb_req *r, const char *id, const char *q)		\
{									\
	(void)q;							\
	eb_handle_read(r, #kind, id, EB_READ_VIEW);			\
}									\
static void								\
h_##kind##_duties(struct eb_req *r, const char *id, const char *q)	\
{									\
	(void)q;							\
	eb_handle_read(r, #kind, id, EB_READ_DUTIES);			\
}
READ_FNS(tender)
READ_FNS(sale)
READ_FNS(pool)
READ_FNS(subject)
READ_FNS(monitor)

static void
h_sale_watch(struct eb_req *r, const char *id, const char *q)
{
	eb_handle_watch(r, id, q);
}

/* Large bids' envelopes (upload.h, docs/bigbids.md). */
static void
h_upload_open(struct eb_req *r, const char *id, const char *q)
{
	(void)id, (void)q;
	eb_handle_upload_open(r);
}

static void
h_upload_offset(struct eb_req *r, const char *id, const char *q)
{
	(void)id;
	eb_handle_upload_offset(r, q);
}

static void
h_upload_chunk(struct eb_req *r, const char *id, const char *q)
{
	(void)id;
	eb_handle_upload_chunk(r, q);
}

static void
h_envelope(struct eb_req *r, const char *id, const char *q)
{
	(void)q;
	eb_handle_envelope(r, id);             /* envelopes_http.h */
}

static const struct endpoint {
	const char *pattern;
	int methods;
	endpoint_fn *fn;
} endpoints[] = {
	{ "/v1/health", M_GET, h_health },
	{ "/v1/whoami", M_GET, h_whoami },
	{ "/v1/opening-authority", M_GET, h_opening_authority },
	{ "/v1/server-certificate", M_GET, h_server_certificate },
	{ "/v1/commands", M_POST, h_commands },
	{ "/v1/test/clock", M_POST, h_clock },
	{ "/v1/log", M_GET, h_logs },
	{ "/v1/log/*", M_GET, h_log },
	{ "/v1/heads/*", M_GET, h_heads },
	{ "/v1/tenders/*", M_GET, h_tender },
	{ "/v1/tenders/*/duties", M_GET, h_tender_duties },
	{ "/v1/sales/*", M_GET, h_sale },
	{ "/v1/sales/*/duties", M_GET, h_sale_duties },
	{ "/v1/sales/*/watch", M_GET, h_sale_watch },
	{ "/v1/pools/*", M_GET, h_pool },
	{ "/v1/pools/*/duties", M_GET, h_pool_duties },
	{ "/v1/subjects/*", M_GET, h_subject },
	{ "/v1/subjects/*/duties", M_GET, h_subject_duties },
	{ "/v1/monitors/*", M_GET, h_monitor },
	{ "/v1/monitors/*/duties", M_GET, h_monitor_duties },
	{ "/v1/uploads", M_POST, h_upload_open },
	{ "/v1/uploads/offset", M_GET, h_upload_offset },
	{ "/v1/uploads/chunk", M_POST, h_upload_chunk },
	{ "/v1/envelopes/%", M_GET, h_envelope },
};

/* 'path' matches 'pattern'; the segment '*' stood for goes into 'id'
 * ('*': an id, shorter than EB_ID_MAX; '%': a hash, shorter than idsz). */
static int
path_matches(const char *pattern, const char *path, char *id, size_t idsz)
{
	size_t n;

	id[0] = '\0';
	for (;;) {
		if (*pattern == '*' || *pattern == '%') {
			n = strcspn(path, "/");
			if (n == 0 || n >= (*pattern == '*' ? EB_ID_MAX : idsz))
				return 0;
			memcpy(id, path, n);
			id[n] = '\0';
			path += n;
			pattern++;
		} else if (*pattern != *path) {
			return 0;
		} else if (*pattern == '\0') {
			return 1;
		} else {
			pattern++;
			path++;
		}
	}
}

static const char *
method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	default: return "OTHER";
	}
}

/* The Allow header of an endpoint's methods. */
static void
allow_text(int methods, char *out, size_t len)
{
	snprintf(out, len, "%s%s%sOPTIONS",
	    (methods & EVHTTP_REQ_GET) ? "GET, " : "",
	    (methods & EVHTTP_REQ_HEAD) ? "HEAD, " : "",
	    (methods & EVHTTP_REQ_POST) ? "POST, " : "");
}

/* Answer 'r' for 'path' (after the checks every request passes). */
static void
dispatch(struct eb_req *r, enum evhttp_cmd_type cmd, const char *path,
    const char *query)
{
	const struct endpoint *ep = NULL;
	char id[EB_ID_MAX + 96], allow[64];
	struct eb_error e;                   /* only eb_fail() fills it */

	for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		if (path_matches(endpoints[i].pattern, path, id, sizeof(id))) {
			ep = &endpoints[i];
			break;
		}
	if (ep == NULL) {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-path",
		    "See docs/protocol.md for the paths ebidd serves.",
		    "no such path: %s", r->path);
		eb_reply_error(r, &e);
		return;
	}
	if (cmd == EVHTTP_REQ_OPTIONS || (ep->methods & (int)cmd) == 0) {
		allow_text(ep->methods, allow, sizeof(allow));
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Allow", allow);
	}
	if (cmd == EVHTTP_REQ_OPTIONS) {
		send_bytes(r, 204, NULL, NULL, 0);
		return;
	}
	if ((ep->methods & (int)cmd) == 0) {
		eb_fail(&e, EB_ERR_USAGE, "method-not-allowed",
		    "See docs/protocol.md for the methods of each path.",
		    "%s is not allowed on %s (allowed: %s)", r->method,
		    r->path, allow);
		eb_reply_error(r, &e);
		return;
	}
	ep->fn(r, id, query);
}

static void route_checked(struct eb_req *r);

/* The client certificate's OCSP verdict came (ocspclient.h). */
static void
peer_checked(void *arg, int rc, const struct eb_error *e)
{
	struct eb_req *r = arg;
	struct eb_error gone;

	if (rc != EB_OK) {
		r->close_after = 1;
		eb_reply_error(r, e);
		return;
	}
	if (r->req == NULL || r->conn == NULL) {   /* left while we asked */
		eb_fail(&gone, EB_ERR_IO, "connection-closed", NULL,
		    "%s closed the connection before the reply",
		    r->peer_addr);
		eb_reply_error(r, &gone);
		return;
	}
	route_checked(r);
}

/* 's' into dst (cap bytes), cut to cap - 1 bytes (snprintf "%s"). */
static void
copy_cut(char *dst, size_t cap, const char *s)
{
	size_t n = strnlen(s, cap - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The request id "%08x-%llu" of the boot id and the request's number. */
static void
req_id(char id[32], unsigned boot, unsigned long long num)
{
	static const char hex[] = "0123456789abcdef";
	char d[24];
	size_t i = sizeof(d), n;

	for (int k = 0; k < 8; k++)
		id[k] = hex[(boot >> (28 - 4 * k)) & 0xf];
	id[8] = '-';
	do {
		d[--i] = (char)('0' + num % 10);
		num /= 10;
	} while (num > 0);
	n = sizeof(d) - i;                   /* at most 20 digits */
	memcpy(id + 9, d + i, n);
	id[9 + n] = '\0';
}

static void
route(struct evhttp_request *req, void *arg)
{
	struct eb_server *srv = arg;
	struct eb_req *r = eb_calloc(1, sizeof(*r));
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct eb_error e;
	SSL *ssl;
	char *addr = NULL;
	ev_uint16_t port = 0;

	eb_conns_request_in(srv->conns, conn);
	eb_error_clear(&e);
	srv->reqs_open++;
	r->srv = srv;
	r->req = req;
	r->conn = conn;
	r->t0_us = eb_clock_mono_us();
	r->method = method_name(cmd);
	req_id(r->id, srv->boot_id, ++srv->next_req);
	copy_cut(r->path, sizeof(r->path), path != NULL ? path : "?");
	evhttp_connection_get_peer(conn, &addr, &port);
	copy_cut(r->peer_addr, sizeof(r->peer_addr), addr != NULL ? addr : "?");
	evhttp_connection_set_closecb(conn, conn_closed, r);

	ssl = bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;
	if (ssl != NULL)
		r->peer = SSL_get1_peer_certificate(ssl);
	if (r->peer == NULL || SSL_get_verify_result(ssl) != X509_V_OK) {
		eb_fail(&e, EB_ERR_DENIED, "no-client-certificate",
		    "Connect with the certificate the centre issued to you.",
		    "a valid client certificate is required");
		eb_reply_error(r, &e);
		return;
	}
	if (eb_conns_actor(srv->conns, r->peer, &r->actor, &e) != EB_OK) {
		eb_reply_error(r, &e);
		return;
	}
	/* revoked since the handshake (a kept-alive or resumed session) */
	if (eb_trust_check_revoked(srv->trust, r->peer, 0, &e) != EB_OK) {
		r->close_after = 1;
		eb_reply_error(r, &e);
		return;
	}
	/* OCSP (ocspclient.h): the answer may come later, on the loop */
	switch (eb_ocspc_check(srv, r->peer, 0, &e, peer_checked, r)) {
	case EB_OK:
		break;
	case EB_OCSPC_WAIT:
		return;
	default:
		r->close_after = 1;
		eb_reply_error(r, &e);
		return;
	}
	route_checked(r);
}

/* After the certificate checks: framing, admission, the endpoint. */
static void
route_checked(struct eb_req *r)
{
	struct eb_server *srv = r->srv;
	struct evhttp_request *req = r->req;
	struct evhttp_connection *conn = r->conn;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct eb_error e;                   /* only eb_fail() fills it */

	r->have_actor = 1;
	if (check_framing(req, &e) != EB_OK) {
		r->close_after = 1;          /* never read what follows */
		eb_reply_error(r, &e);
		return;
	}
	if (srv->stopping) {
		eb_fail(&e, EB_ERR_DB, "shutting-down",
		    "Send the request again in a moment.",
		    "the server is shutting down");
		eb_reply_error(r, &e);
		return;
	}
	if (eb_conns_refused(srv->conns, conn)) {     /* conns.h */
		r->close_after = 1;
		eb_fail(&e, EB_ERR_LIMIT, "too-many-connections",
		    "Send the request again in a few seconds, and keep one "
		    "connection open rather than many.",
		    "the server holds as many connections as it is set to "
		    "(refuse_connections_above)");
		eb_reply_error(r, &e);
		return;
	}
	if (path == NULL) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-uri", NULL, "malformed URI");
		eb_reply_error(r, &e);
		return;
	}
	dispatch(r, cmd, path, uri != NULL ? evhttp_uri_get_query(uri) : NULL);
}

/* Our own listening socket: TCP_NODELAY is inherited by accepted sockets. */
static int
listen_socket(const char *host, int port, evutil_socket_t *out,
    struct eb_error *err)
{
	struct addrinfo hints, *ai = NULL;
	char ports[8];
	int fd = -1, one = 1, gai, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(ports, sizeof(ports), "%d", port);
	if ((gai = getaddrinfo(host, ports, &hints, &ai)) != 0)
		return eb_fail(err, EB_ERR_USAGE, "bad-listen-address",
		    "Set listen to a local address and port, e.g. "
		    "127.0.0.1:8443.", "cannot resolve %s: %s", host,
		    gai_strerror(gai));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, 512) < 0 || evutil_make_socket_nonblocking(fd) < 0) {
		rc = eb_fail(err, EB_ERR_IO, "cannot-listen",
		    "Is another ebidd (or another program) using this port?",
		    "cannot listen on %s:%d: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	*out = fd;
	return EB_OK;
}

/* The log's lines of this pass of the loop, in one write (log.h). */
static void
log_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	eb_log_flush();
}

static void
log_arm(void *arg)
{
	event_active(arg, EV_TIMEOUT, 0);
}

int
eb_http_start(struct eb_server *srv, struct eb_error *err)
{
	const struct eb_config *cfg = srv->cfg;
	char host[256];
	int port, rc;
	evutil_socket_t fd = -1;

	if ((rc = eb_config_split_listen(cfg->listen, host, sizeof(host),
	    &port, err)) != EB_OK)
		return rc;
	if ((srv->conns = eb_conns_new(srv->base, srv->ssl, cfg, err)) ==
	    NULL)
		return err != NULL ? err->code : EB_ERR_IO;
	if ((srv->http = evhttp_new(srv->base)) == NULL)
		eb_oom("evhttp_new", 0);
	if (srv->log_flush == NULL) {
		if ((srv->log_flush = event_new(srv->base, -1, 0, log_flush_cb,
		    NULL)) == NULL)
			eb_oom("event_new", 0);
		eb_log_defer(log_arm, srv->log_flush);
	}
	evhttp_set_bevcb(srv->http, eb_conns_bev, srv->conns);
	/* every method evhttp parses reaches dispatch(), which answers 405
	 * itself (evhttp's own answer would be a bare HTML 501) */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)(2 * cfg->max_body));
	evhttp_set_max_headers_size(srv->http, 16384);
	evhttp_set_timeout(srv->http, (int)cfg->idle_timeout);
	evhttp_set_gencb(srv->http, route, srv);
	if ((rc = listen_socket(host, port, &fd, err)) != EB_OK)
		return rc;
	if ((srv->listener = evhttp_accept_socket_with_handle(srv->http,
	    fd)) == NULL) {
		close(fd);
		return eb_fail(err, EB_ERR_IO, "cannot-listen", NULL,
		    "cannot accept on %s", cfg->listen);
	}
	eb_conns_listen(srv->conns,
	    evhttp_bound_socket_get_listener(srv->listener));
	return EB_OK;
}

void
eb_http_stop_accepting(struct eb_server *srv)
{
	/* shutting down: every line at once again (a hang or crash in the
	 * shutdown loses none) */
	if (srv->log_flush != NULL)
		eb_log_defer(NULL, NULL);
	if (srv->conns != NULL)
		eb_conns_unlisten(srv->conns);
	if (srv->http != NULL && srv->listener != NULL)
		evhttp_del_accept_socket(srv->http, srv->listener);
	srv->listener = NULL;
}

void
eb_http_free(struct eb_server *srv)
{
	eb_http_stop_accepting(srv);
	if (srv->http != NULL)
		evhttp_free(srv->http);
	srv->http = NULL;
	eb_conns_free(srv->conns);
	srv->conns = NULL;
	if (srv->log_flush != NULL) {
		eb_log_defer(NULL, NULL);            /* what waits is written */
		event_free(srv->log_flush);
		srv->log_flush = NULL;
	}
}
