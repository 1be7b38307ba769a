/*
 * engine/server/board.c
 *    The public board (see board.h): a plain-HTTP evhttp of its own on the
 *    event loop, beside the mutual-TLS one of http.c.
 *
 *    GET /                       tenders and sales on the board
 *    GET /tenders/ID             a tender's public page
 *    GET /sales/ID               a sale's live board
 *    GET /sales/ID/watch?after=N the sale's entries after N (watch.c's long
 *                                poll, numbers only), for the page's script
 *    GET /sanctions              integrity sanctions in force
 *                                (board_sanctions.h)
 *    GET /heads[/ID]             signed chain heads (all heads of ID, with
 *                                their CMS signatures, to check an export)
 *    GET /static/board.css|board.js
 *    any page: ?lang=en for English (Simplified Chinese otherwise)
 *
 * Each page is built as <page lang= now= path=><strings/>CONTENT</page>
 * where CONTENT is the core's view for the public viewer (role
 * EB_ROLE_NONE, read through eb_reads_submit(), the API's own read path)
 * or the board's list, then transformed by pages_dir/board.xsl.  The
 * stylesheet is compiled once at start; a transform may read no file and
 * no URL (xsltSecurityPrefs forbid all).  A tender is on the board once its
 * view carries the announcement; a sale once it is listed.  Signed heads
 * of a tender appear once its bid deadline has passed: before that, their
 * sequence numbers would tell how many sign-ups and bids there are.
 *
 * Limits: GET/HEAD only (evhttp answers 405 to the rest), headers 8 KiB,
 * no body, idle_timeout; per client address a token bucket of public_rate
 * requests a second and public_burst at once (429 with Retry-After).
 *
 * Lifetime of a request: a struct preq from the callback to its one reply
 * (reply()); the connection's close callback forgets evhttp's request when
 * the client leaves first (as http.c does), the reads in flight still end
 * and free it.
 *
 * INTERFACE: eb_board_start(), eb_board_stop_accepting(), eb_board_free()
 */
#include "engine/server/board.h"
#include "engine/server/board_ocds.h"
#include "engine/server/board_sanctions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libpq-fe.h>
#include <libxml/parser.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "engine/core/flows.h"
#include "engine/server/commands.h"
#include "engine/server/idmap.h"
#include "engine/server/log.h"
#include "engine/server/reads.h"
#include "engine/server/server.h"
#include "engine/server/states.h"
#include "engine/server/watch.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"
#include "protocol/pagefn.h"
#include "protocol/xml.h"

#define RATE_SLOTS 4096
#define INDEX_MAX "100"
#define FILE_MAX ((long)1 << 20)

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

struct rate {
	char addr[48];
	int64_t milli;           /* tokens x 1000 */
	int64_t last_us;
};

struct file {
	char *data;
	size_t len;
};

struct eb_board {
	struct eb_server *srv;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	xsltStylesheetPtr style;
	xsltSecurityPrefsPtr sec;
	struct eb_doc *strings;
	struct file css, js;
	struct rate rates[RATE_SLOTS];
	/* queries built at start from the core's state lists (states.h); the
	 * store keeps the pointer, so they live as long as the board */
	char index_sql[1200];
	char heads_all_sql[1800];
	char heads_one_sql[1800];
	/* accept errors (EMFILE): shed with a reserve descriptor, pause */
	struct event *backoff;
	int reserve_fd;
	int64_t last_log_us;
};

/*
 * The board's listener, for its accept-error callback: libevent hands
 * that callback evhttp's pointer, not ours (the same exception as
 * conns.c's, engine/server/README.md).  One board per process.
 */
static struct eb_board *board_listening;

#define BOARD_BACKOFF_MS 250
#define BOARD_SHED_MAX 256
#define BOARD_LOG_EVERY_US (10 * INT64_C(1000000))

static void
board_backoff_over(evutil_socket_t fd, short what, void *arg)
{
	struct eb_board *b = arg;

	(void)fd;
	(void)what;
	if (b->sock != NULL)
		evconnlistener_enable(evhttp_bound_socket_get_listener(b->sock));
}

/*
 * accept() failed (out of descriptors, say): without this callback
 * libevent retries at once and logs every failure, spinning a core.  Shed
 * the waiting connections with the reserve descriptor, pause the listener
 * for BOARD_BACKOFF_MS, log once per 10 s.  The public board needs no
 * certificate, so this is the listener anyone can flood.
 */
static void
board_accept_error(struct evconnlistener *lev, void *arg)
{
	struct eb_board *b = board_listening;
	struct timeval tv = { 0, BOARD_BACKOFF_MS * 1000 };
	int err = EVUTIL_SOCKET_ERROR(), fd, shed = 0;
	int64_t now;

	(void)arg;
	evconnlistener_disable(lev);
	if (b == NULL || b->backoff == NULL)
		return;
	if ((err == EMFILE || err == ENFILE) && b->reserve_fd >= 0) {
		close(b->reserve_fd);
		while (shed < BOARD_SHED_MAX && (fd = accept4(
		    evconnlistener_get_fd(lev), NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			close(fd);
			shed++;
		}
		b->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	evtimer_add(b->backoff, &tv);
	now = eb_clock_mono_us();
	if (b->last_log_us == 0 || now - b->last_log_us >= BOARD_LOG_EVERY_US) {
		b->last_log_us = now;
		eb_log(EB_LOG_WARN, "public board: accept failed (%s): closed %d "
		    "waiting connections, accepting again in %d ms (raise the "
		    "open-file limit)", strerror(err), shed, BOARD_BACKOFF_MS);
	}
}

struct preq {
	struct eb_board *b;
	struct evhttp_request *req;       /* NULL once the client left */
	struct evhttp_connection *conn;
	int64_t t0_us;
	char path[128];
	char addr[48];
	char lang[4];
	struct eb_doc *list;              /* the index (or a page's subject
	                                   * names) being gathered */
	int pending;                      /* reads in flight */
};

/* One read of the index: fills its slot of the list. */
struct item {
	struct preq *p;
	struct eb_doc *slot;
};

/* -- files -------------------------------------------------------------- */

static int
read_file(const char *dir, const char *name, struct file *f,
    struct eb_error *err)
{
	char path[1024];
	FILE *fp;
	long n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) == NULL)
		return eb_fail(err, EB_ERR_IO, "pages-missing",
		    "Set pages_dir to the folder holding board.xsl "
		    "(engine/server/pages in the source tree).",
		    "cannot read %s: %s", path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    n <= FILE_MAX && fseek(fp, 0, SEEK_SET) == 0)
		f->data = eb_malloc((size_t)n + 1);
	if (f->data == NULL || fread(f->data, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		free(f->data);
		f->data = NULL;
		return eb_fail(err, EB_ERR_IO, "pages-unreadable", NULL,
		    "cannot read %s (at most 1 MiB)", path);
	}
	fclose(fp);
	f->data[n] = '\0';
	f->len = (size_t)n;
	return EB_OK;
}

static int
load_pages(struct eb_board *b, const char *dir, struct eb_error *err)
{
	struct file xsl = { NULL, 0 }, str = { NULL, 0 };
	struct eb_xml_limits lim = { .max_bytes = (size_t)1 << 20,
	    .max_depth = 16, .max_elements = 20000 };
	xmlDocPtr doc;
	int rc;

	if ((rc = read_file(dir, "board.xsl", &xsl, err)) != EB_OK ||
	    (rc = read_file(dir, "strings.xml", &str, err)) != EB_OK ||
	    (rc = read_file(dir, "board.css", &b->css, err)) != EB_OK ||
	    (rc = read_file(dir, "board.js", &b->js, err)) != EB_OK)
		goto out;
	rc = eb_xml_parse(NULL, &lim, (const uint8_t *)str.data, str.len,
	    &b->strings, err);
	if (rc != EB_OK)
		goto out;
	doc = xmlReadMemory(xsl.data, (int)xsl.len, "board.xsl", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || (b->style = xsltParseStylesheetDoc(doc)) == NULL) {
		if (doc != NULL)
			xmlFreeDoc(doc);
		rc = eb_fail(err, EB_ERR_FORMAT, "bad-stylesheet", NULL,
		    "%s/board.xsl is not a valid XSLT 1.0 stylesheet", dir);
		goto out;
	}
	/* a transform reads and writes nothing outside its input */
	if ((b->sec = xsltNewSecurityPrefs()) == NULL ||
	    xsltSetSecurityPrefs(b->sec, XSLT_SECPREF_READ_FILE,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(b->sec, XSLT_SECPREF_WRITE_FILE,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(b->sec, XSLT_SECPREF_CREATE_DIRECTORY,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(b->sec, XSLT_SECPREF_READ_NETWORK,
	    xsltSecurityForbid) != 0 ||
	    xsltSetSecurityPrefs(b->sec, XSLT_SECPREF_WRITE_NETWORK,
	    xsltSecurityForbid) != 0)
		eb_oom("xsltNewSecurityPrefs", 0);
out:
	free(xsl.data);
	free(str.data);
	return rc;
}

/*
 * <page lang= now= path=> strings CONTENT </page> through board.xsl;
 * takes 'content'.  The HTML in 'out' (malloc'd) or an error.
 */
static int
render(struct eb_board *b, struct eb_doc *content, const struct preq *p,
    char **out, size_t *outlen)
{
	static const char doctype[] = "<!DOCTYPE html>\n";
	struct eb_doc *page = eb_doc_new("page");
	struct eb_buf x = EB_BUF_INIT;
	char now[EB_ISOTIME_LEN], q[16];
	const char *params[3] = { "lang", q, NULL };
	xmlDocPtr in = NULL, res = NULL;
	xsltTransformContextPtr ctx = NULL;
	xmlChar *html = NULL;
	int len = 0, rc = EB_ERR_INTERNAL;

	eb_isotime_format(eb_clock_now(&b->srv->clock), now);
	eb_doc_set_attr(page, "lang", p->lang);
	eb_doc_set_attr(page, "now", now);
	eb_doc_set_attr(page, "path", p->path);
	eb_doc_append(page, eb_doc_clone(b->strings));
	eb_doc_append(page, content);
	snprintf(q, sizeof(q), "'%s'", p->lang);
	x.max = (size_t)64 << 20;
	if (eb_xml_write(page, 0, &x) != EB_OK)
		goto out;
	in = xmlReadMemory((const char *)x.data, (int)x.len, "page.xml",
	    "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (in == NULL || (ctx = xsltNewTransformContext(b->style, in)) ==
	    NULL || xsltSetCtxtSecurityPrefs(b->sec, ctx) != 0 ||
	    eb_pagefn_register(ctx) != 0)
		goto out;
	res = xsltApplyStylesheetUser(b->style, in, params, NULL, NULL, ctx);
	if (res == NULL || ctx->state != XSLT_STATE_OK ||
	    xsltSaveResultToString(&html, &len, res, b->style) != 0 ||
	    html == NULL)
		goto out;
	*out = eb_malloc(sizeof(doctype) + (size_t)len);
	memcpy(*out, doctype, sizeof(doctype) - 1);
	memcpy(*out + sizeof(doctype) - 1, html, (size_t)len);
	*outlen = sizeof(doctype) - 1 + (size_t)len;
	rc = EB_OK;
out:
	if (rc != EB_OK)
		eb_log(EB_LOG_ERROR, "board: cannot render %s", p->path);
	xmlFree(html);
	if (res != NULL)
		xmlFreeDoc(res);
	if (ctx != NULL)
		xsltFreeTransformContext(ctx);
	if (in != NULL)
		xmlFreeDoc(in);
	eb_buf_free(&x);
	eb_doc_free(page);
	return rc;
}

/* -- replies ------------------------------------------------------------ */

static void
preq_free(struct preq *p)
{
	eb_doc_free(p->list);
	free(p);
}

/* As http.c's conn_closed(): forget evhttp's request if it goes with the
 * connection; keep it if libevent detached it already. */
static void
conn_closed(struct evhttp_connection *conn, void *arg)
{
	struct preq *p = arg;

	(void)conn;
	if (p->req != NULL && evhttp_request_get_connection(p->req) != NULL)
		p->req = NULL;
	p->conn = NULL;
}

static void
common_headers(struct evkeyvalq *h, const char *ctype, const char *cache)
{
	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", cache);
	evhttp_add_header(h, "Content-Security-Policy", csp);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
}

/* The one reply of 'p' (then freed). */
static void
reply(struct preq *p, int status, const char *ctype, const char *cache,
    const void *body, size_t n)
{
	eb_log(EB_LOG_INFO, "board addr=%s path=%s status=%d bytes_out=%zu "
	    "us=%lld%s", p->addr, p->path, status, n,
	    (long long)(eb_clock_mono_us() - p->t0_us),
	    p->req == NULL ? " client-gone" : "");
	if (p->req != NULL) {
		if (p->conn != NULL)
			evhttp_connection_set_closecb(p->conn, NULL, NULL);
		common_headers(evhttp_request_get_output_headers(p->req), ctype,
		    cache);
		if (status == 429)
			evhttp_add_header(evhttp_request_get_output_headers(
			    p->req), "Retry-After", "1");
		evbuffer_add(evhttp_request_get_output_buffer(p->req), body, n);
		evhttp_send_reply(p->req, status, status == 200 ? "OK" : status == 204 ? "No Content" :
		    status == 404 ? "Not Found" : status == 429 ?
		    "Too Many Requests" : "Error", NULL);
	}
	preq_free(p);
}

static void
reply_page(struct preq *p, int status, struct eb_doc *content)
{
	char *html = NULL;
	size_t n = 0;

	if (render(p->b, content, p, &html, &n) != EB_OK) {
		static const char msg[] = "the page cannot be shown\n";

		reply(p, 500, "text/plain; charset=utf-8", "no-store", msg,
		    sizeof(msg) - 1);
		return;
	}
	reply(p, status, "text/html; charset=utf-8", status == 200 ?
	    "public, max-age=2" : "no-store", html, n);
	free(html);
}

/* An error page: <problem status= code=> */
static void
reply_problem(struct preq *p, int status, const char *code)
{
	struct eb_doc *d = eb_doc_new("problem");

	eb_doc_set_attr_i64(d, "status", status);
	eb_doc_set_attr(d, "code", code);
	reply_page(p, status, d);
}

/* -- pages -------------------------------------------------------------- */

static const struct eb_actor public_actor;    /* EB_ROLE_NONE, no party */

/* A tender is on the board once announced; a sale once listed. */
static int
on_board(const struct eb_doc *v)
{
	const char *st = eb_doc_attr(v, "state");

	if (strcmp(v->name, "tender") == 0)
		return eb_doc_child(v, "announcement") != NULL;
	return st != NULL && !eb_state_in(v->name, EB_STATES_UNLISTED, st);
}

/* The names of the trading subjects a tender page names: one read each,
 * gathered in p->list (the page's content) as <names><subject-name id=
 * name=/></names>; the page goes out when the last read is back. */
#define MAX_PAGE_SUBJECTS 64

static void
names_release(struct preq *p)
{
	struct eb_doc *content;

	if (--p->pending > 0)
		return;
	content = p->list;
	p->list = NULL;
	reply_page(p, 200, content);
}

static void
name_done(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *view)
{
	struct preq *p = arg;
	struct eb_doc *n;

	(void)e;
	if (rc == EB_OK && view != NULL && eb_doc_attr(view, "name") != NULL &&
	    eb_doc_attr(view, "id") != NULL) {
		n = eb_doc_add(eb_doc_child(p->list, "names"), "subject-name");
		eb_doc_set_attr(n, "id", eb_doc_attr(view, "id"));
		eb_doc_set_attr(n, "name", eb_doc_attr(view, "name"));
	}
	names_release(p);
}

static void
view_done(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *view)
{
	struct preq *p = arg;
	const char *ids[MAX_PAGE_SUBJECTS];
	const struct eb_doc *r;
	struct eb_doc *content;
	size_t n = 0, i;

	(void)e;
	if (rc != EB_OK || view == NULL || !on_board(view)) {
		reply_problem(p, 404, "not-on-board");
		return;
	}
	content = eb_doc_clone(view);
	/* a bidder acting for a registered trading subject is named by the
	 * subject's registered name (docs/board.md) */
	eb_doc_foreach(r, eb_doc_child(content, "opening-record"),
	    "bid-result") {
		const char *s = eb_doc_attr(eb_doc_child(r, "signed-up-as"),
		    "subject");

		for (i = 0; s != NULL && i < n && strcmp(ids[i], s) != 0; i++)
			;
		if (s != NULL && i == n && n < MAX_PAGE_SUBJECTS)
			ids[n++] = s;
	}
	if (n == 0) {
		reply_page(p, 200, content);
		return;
	}
	eb_doc_add(content, "names");
	p->list = content;
	p->pending = 1;                   /* held until every read is queued */
	for (i = 0; i < n; i++) {
		p->pending++;
		if (eb_reads_submit(p->b->srv, "subject", ids[i],
		    &public_actor, EB_READ_VIEW, name_done, p) != EB_OK)
			p->pending--;
	}
	names_release(p);
}

static void
page_of(struct preq *p, const char *kind, const char *id)
{
	if (eb_reads_submit(p->b->srv, kind, id, &public_actor,
	    EB_READ_VIEW, view_done, p) != EB_OK)
		reply_problem(p, 404, "not-on-board");
}

/* The index: the public view of each listed aggregate, in one list. */
static void
index_release(struct preq *p)
{
	struct eb_doc *list;

	if (--p->pending > 0)
		return;
	list = p->list;
	p->list = NULL;
	reply_page(p, 200, list);
}

static void
item_done(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *view)
{
	struct item *it = arg;
	struct preq *p = it->p;

	(void)e;
	if (rc == EB_OK && view != NULL && on_board(view))
		eb_doc_append(it->slot, eb_doc_clone(view));
	free(it);
	index_release(p);
}

static void
index_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct preq *p = arg;
	int i, n;

	(void)err;
	if (rc != EB_OK) {
		reply_problem(p, 503, "unavailable");
		return;
	}
	n = PQntuples(r);
	p->list = eb_doc_new("board");
	p->pending = 1;                /* held until every read is queued */
	for (i = 0; i < n; i++) {
		struct item *it = eb_calloc(1, sizeof(*it));

		it->p = p;
		it->slot = eb_doc_add(p->list, "entry");
		eb_doc_set_attr(it->slot, "kind", PQgetvalue(r, i, 1));
		p->pending++;
		if (eb_reads_submit(p->b->srv, PQgetvalue(r, i, 1),
		    PQgetvalue(r, i, 0), &public_actor, EB_READ_VIEW, item_done,
		    it) != EB_OK) {
			p->pending--;
			free(it);
		}
	}
	index_release(p);
}

static void
index_page(struct preq *p)
{
	if (eb_store_select_text(p->b->srv->store, p->b->index_sql, 0, NULL,
	    index_rows, p) != EB_OK)
		reply_problem(p, 503, "unavailable");
}

static void
heads_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct preq *p = arg;
	struct eb_doc *d;
	int i;

	(void)err;
	if (rc != EB_OK) {
		reply_problem(p, 503, "unavailable");
		return;
	}
	d = eb_doc_new("heads");
	for (i = 0; i < PQntuples(r); i++) {
		struct eb_doc *h = eb_doc_add(d, "head");

		eb_doc_set_attr(h, "aggregate", PQgetvalue(r, i, 0));
		eb_doc_set_attr(h, "kind", PQgetvalue(r, i, 1));
		eb_doc_set_attr(h, "seq", PQgetvalue(r, i, 2));
		eb_doc_set_attr(h, "hash", PQgetvalue(r, i, 3));
		eb_doc_set_attr(h, "written", PQgetvalue(r, i, 5));
		if (!PQgetisnull(r, i, 4))
			eb_doc_add_text(h, "signature", PQgetvalue(r, i, 4));
	}
	reply_page(p, 200, d);
}

/*
 * /heads: the latest signed head of every aggregate on the board;
 * /heads/ID: every signed head of ID with its signature (base64 DER).
 */
static void
heads_page(struct preq *p, const char *id)
{
	const char *params[1] = { id };
	int rc;

	if (id == NULL)
		rc = eb_store_select_text(p->b->srv->store, p->b->heads_all_sql,
		    0, NULL, heads_rows, p);
	else
		rc = eb_store_select_text(p->b->srv->store, p->b->heads_one_sql,
		    1, params, heads_rows, p);
	if (rc != EB_OK)
		reply_problem(p, 503, "unavailable");
}

/* http.c's conn_closed() for the eb_req a watch hands to watch.c. */
static void
watch_conn_closed(struct evhttp_connection *conn, void *arg)
{
	struct eb_req *r = arg;

	(void)conn;
	if (r->req != NULL && evhttp_request_get_connection(r->req) != NULL)
		r->req = NULL;
	r->conn = NULL;
	r->client_gone = 1;
}

/* The sale's entries, as watch.c answers the API (numbers only). */
static void
watch(struct preq *p, const char *sale, const char *query)
{
	struct eb_server *srv = p->b->srv;
	struct eb_req *r = eb_calloc(1, sizeof(*r));
	struct evhttp_request *req = p->req;

	eb_log(EB_LOG_INFO, "board addr=%s path=%s watch", p->addr, p->path);
	/* the request now belongs to watch.c's eb_req (http.c replies) */
	evhttp_connection_set_closecb(p->conn, NULL, NULL);
	srv->reqs_open++;
	r->srv = srv;
	r->req = req;
	r->conn = p->conn;
	r->t0_us = p->t0_us;
	r->method = "GET";
	snprintf(r->id, sizeof(r->id), "%08x-%llu", srv->boot_id,
	    (unsigned long long)++srv->next_req);
	snprintf(r->path, sizeof(r->path), "%s", p->path);
	snprintf(r->peer_addr, sizeof(r->peer_addr), "%s", p->addr);
	preq_free(p);
	common_headers(evhttp_request_get_output_headers(req),
	    "application/xml; charset=utf-8", "no-store");
	/* eb_reply_doc adds its own Content-Type: drop ours */
	evhttp_remove_header(evhttp_request_get_output_headers(req),
	    "Content-Type");
	evhttp_connection_set_closecb(r->conn, watch_conn_closed, r);
	eb_handle_watch(r, sale, query);
}

/* -- routing ------------------------------------------------------------ */

static int
rate_ok(struct eb_board *b, const char *addr)
{
	struct rate *s = &b->rates[eb_idmap_hash(addr) % RATE_SLOTS];
	int64_t now = eb_clock_mono_us(), cap;

	cap = b->srv->cfg->public_burst * 1000;
	if (strcmp(s->addr, addr) != 0) {
		snprintf(s->addr, sizeof(s->addr), "%s", addr);
		s->milli = cap;
		s->last_us = now;
	}
	s->milli += (now - s->last_us) * b->srv->cfg->public_rate / 1000;
	s->last_us = now;
	if (s->milli > cap)
		s->milli = cap;
	if (s->milli < 1000)
		return 0;
	s->milli -= 1000;
	return 1;
}

/* The sanctions in force (board_sanctions.c): the page, or a problem. */
static void
sanctions_done(void *arg, struct eb_doc *list)
{
	if (list != NULL)
		reply_page(arg, 200, list);
	else
		reply_problem(arg, 503, "unavailable");
}

/* The OCDS packages (board_ocds.c): JSON, or the problem page. */
static void
ocds_done(void *arg, int status, const char *json, size_t n)
{
	if (status == 200)
		reply(arg, 200, "application/json; charset=utf-8",
		    "public, max-age=2", json, n);
	else
		reply_problem(arg, status, status == 404 ? "no-such-page" :
		    "unavailable");
}

static int
valid_id(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= EB_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static void
route(struct evhttp_request *req, void *arg)
{
	struct eb_board *b = arg;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	struct preq *p = eb_calloc(1, sizeof(*p));
	char *addr = NULL, id[EB_ID_MAX];
	ev_uint16_t port = 0;
	const char *rest, *slash;
	size_t n;

	p->b = b;
	p->req = req;
	p->conn = conn;
	p->t0_us = eb_clock_mono_us();
	snprintf(p->path, sizeof(p->path), "%s", path != NULL ? path : "?");
	evhttp_connection_get_peer(conn, &addr, &port);
	snprintf(p->addr, sizeof(p->addr), "%s", addr != NULL ? addr : "?");
	snprintf(p->lang, sizeof(p->lang), "%s", query != NULL &&
	    (strcmp(query, "lang=en") == 0 || strstr(query, "&lang=en") ||
	    strncmp(query, "lang=en&", 8) == 0) ? "en" : "zh");
	evhttp_connection_set_closecb(conn, conn_closed, p);
	if (b->srv->stopping) {
		reply_problem(p, 503, "shutting-down");
		return;
	}
	if (!rate_ok(b, p->addr)) {
		static const char msg[] = "too many requests: try again in a "
		    "second\n";

		reply(p, 429, "text/plain; charset=utf-8", "no-store", msg,
		    sizeof(msg) - 1);
		return;
	}
	if (path == NULL) {
		reply_problem(p, 404, "no-such-page");
		return;
	}
	if (strcmp(path, "/") == 0) {
		index_page(p);
		return;
	}
	if (strcmp(path, "/favicon.ico") == 0) {
		reply(p, 204, "image/x-icon", "public, max-age=86400", "", 0);
		return;
	}
	if (strcmp(path, "/static/board.css") == 0) {
		reply(p, 200, "text/css; charset=utf-8", "public, max-age=3600",
		    b->css.data, b->css.len);
		return;
	}
	if (strcmp(path, "/static/board.js") == 0) {
		reply(p, 200, "text/javascript; charset=utf-8",
		    "public, max-age=3600", b->js.data, b->js.len);
		return;
	}
	if (strcmp(path, "/heads") == 0) {
		heads_page(p, NULL);
		return;
	}
	if (strcmp(path, "/sanctions") == 0) {
		eb_board_sanctions(b->srv, sanctions_done, p);
		return;
	}
	if (strncmp(path, "/heads/", 7) == 0 &&
	    valid_id(path + 7, strlen(path + 7))) {
		heads_page(p, path + 7);
		return;
	}
	if (strncmp(path, "/tenders/", 9) == 0 &&
	    valid_id(path + 9, strlen(path + 9))) {
		page_of(p, "tender", path + 9);
		return;
	}
	if (strncmp(path, "/sales/", 7) == 0) {
		rest = path + 7;
		slash = strchr(rest, '/');
		n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
		if (valid_id(rest, n)) {
			memcpy(id, rest, n);
			id[n] = '\0';
			if (slash == NULL) {
				page_of(p, "sale", id);
				return;
			}
			if (strcmp(slash, "/watch") == 0) {
				watch(p, id, query);
				return;
			}
		}
	}
	if (strncmp(path, "/public/ocds/", 13) == 0) {  /* board_ocds.h */
		eb_board_ocds(b->srv, path + 13, ocds_done, p);
		return;
	}
	reply_problem(p, 404, "no-such-page");
}

/* -- lifetime ----------------------------------------------------------- */

/*
 * The index lists the kinds the core lists, past their unlisted states;
 * the heads are those of the kinds and states the core makes public.
 */
static int
board_queries(struct eb_board *b, struct eb_error *err)
{
	char listed[1024], pub[1024];
	int n1, n2, n3;

	if (eb_states_sql(listed, sizeof(listed), "kind", "state",
	    EB_STATES_UNLISTED, 1) != 0 ||
	    eb_states_sql(pub, sizeof(pub), "s.kind", "s.state",
	    EB_STATES_PUBLIC_HEADS, 0) != 0)
		return eb_fail(err, EB_ERR_INTERNAL, "states-too-long", NULL,
		    "the core's state lists do not fit the board's queries");
	n1 = snprintf(b->index_sql, sizeof(b->index_sql),
	    "SELECT aggregate, kind FROM aggregate_state WHERE %s"
	    " ORDER BY updated_ms DESC, aggregate LIMIT " INDEX_MAX, listed);
	n2 = snprintf(b->heads_all_sql, sizeof(b->heads_all_sql),
	    "SELECT DISTINCT ON (h.aggregate) h.aggregate, s.kind,"
	    " h.seq::text, encode(h.hash, 'hex'), NULL,"
	    " to_char(h.written AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    "  FROM chain_heads_signed h"
	    "  JOIN aggregate_state s ON s.aggregate = h.aggregate"
	    " WHERE %s ORDER BY h.aggregate, h.seq DESC", pub);
	n3 = snprintf(b->heads_one_sql, sizeof(b->heads_one_sql),
	    "SELECT h.aggregate, s.kind, h.seq::text,"
	    " encode(h.hash, 'hex'), encode(h.signature, 'base64'),"
	    " to_char(h.written AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    "  FROM chain_heads_signed h"
	    "  JOIN aggregate_state s ON s.aggregate = h.aggregate"
	    " WHERE %s AND h.aggregate = $1 ORDER BY h.seq", pub);
	if (n1 < 0 || (size_t)n1 >= sizeof(b->index_sql) || n2 < 0 ||
	    (size_t)n2 >= sizeof(b->heads_all_sql) || n3 < 0 ||
	    (size_t)n3 >= sizeof(b->heads_one_sql))
		return eb_fail(err, EB_ERR_INTERNAL, "states-too-long", NULL,
		    "the core's state lists do not fit the board's queries");
	return EB_OK;
}

int
eb_board_start(struct eb_server *srv, struct eb_error *err)
{
	const struct eb_config *cfg = srv->cfg;
	struct eb_board *b;
	char host[256];
	int port, rc;

	if (cfg->public_listen == NULL || *cfg->public_listen == '\0')
		return EB_OK;
	if ((rc = eb_config_split_listen(cfg->public_listen, host,
	    sizeof(host), &port, err)) != EB_OK)
		return rc;
	b = eb_calloc(1, sizeof(*b));
	b->srv = srv;
	b->reserve_fd = -1;
	srv->board = b;
	if ((rc = board_queries(b, err)) != EB_OK ||
	    (rc = load_pages(b, cfg->pages_dir, err)) != EB_OK)
		return rc;
	if ((b->http = evhttp_new(srv->base)) == NULL)
		eb_oom("evhttp_new", 0);
	evhttp_set_allowed_methods(b->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_body_size(b->http, 0);
	evhttp_set_max_headers_size(b->http, 8192);
	evhttp_set_timeout(b->http, (int)cfg->idle_timeout);
	evhttp_set_gencb(b->http, route, b);
	if ((b->sock = evhttp_bind_socket_with_handle(b->http, host,
	    (ev_uint16_t)port)) == NULL)
		return eb_fail(err, EB_ERR_IO, "cannot-listen",
		    "Is another program using this port? Set public_listen.",
		    "cannot listen on %s for the public board",
		    cfg->public_listen);
	b->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if ((b->backoff = evtimer_new(srv->base, board_backoff_over, b)) ==
	    NULL)
		eb_oom("evtimer_new", 0);
	board_listening = b;
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b->sock),
	    board_accept_error);
	eb_log(EB_LOG_INFO, "public board on http://%s (no client "
	    "certificates; GET only)", cfg->public_listen);
	return EB_OK;
}

void
eb_board_stop_accepting(struct eb_server *srv)
{
	struct eb_board *b = srv->board;

	if (b != NULL && b->http != NULL && b->sock != NULL)
		evhttp_del_accept_socket(b->http, b->sock);
	if (b != NULL)
		b->sock = NULL;
}

void
eb_board_free(struct eb_server *srv)
{
	struct eb_board *b = srv->board;

	if (b == NULL)
		return;
	if (board_listening == b)
		board_listening = NULL;
	if (b->backoff != NULL)
		event_free(b->backoff);
	if (b->reserve_fd >= 0)
		close(b->reserve_fd);
	if (b->http != NULL)
		evhttp_free(b->http);
	if (b->style != NULL)
		xsltFreeStylesheet(b->style);
	if (b->sec != NULL)
		xsltFreeSecurityPrefs(b->sec);
	eb_doc_free(b->strings);
	free(b->css.data);
	free(b->js.data);
	free(b);
	srv->board = NULL;
}
