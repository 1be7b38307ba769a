/*
 * engine/server/http.c
 *    HTTPS over mutual TLS with evhttp (docs/engineering-notes.md, TLS):
 *    the listening socket (ours, with TCP_NODELAY, inherited by every
 *    accepted socket on Linux, and set again per request), limits,
 *    framing checks, routing, and the one reply path that also writes the
 *    request's log line.  Connection admission (caps, the whole-request
 *    deadline, the accept back-off, the bufferevent factory) is conns.c.
 *
 * Limits: evhttp reads at most 2 x max_body (its own bare 413 beyond);
 * a body over max_body is answered by the handler with the XML error
 * (413 body-too-large), so the client learns the limit.  Headers are
 * capped at 16 KiB, idle_timeout closes a connection silent that long,
 * request_timeout bounds one whole request (conns.c), methods GET/POST.
 *
 * Framing: a request another HTTP parser (a proxy or load balancer in
 * front of ebidd) could frame differently is refused with 400 and the
 * connection closed, so nothing behind it is read as a request: two
 * Content-Length headers, Content-Length with Transfer-Encoding, a coding
 * other than "chunked", a Content-Length that is not plain digits, a
 * header name that is not a token ("Transfer-Encoding :" keeps its space
 * in evhttp and is then ignored by it), two Content-Type headers.
 * POST /v1/commands must say Content-Type: application/cms (else 415).
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
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>

#include "engine/server/conns.h"
#include "engine/server/commands.h"
#include "engine/server/export.h"
#include "engine/server/handlers.h"
#include "engine/server/heads.h"
#include "engine/server/log.h"
#include "engine/server/metrics.h"
#include "engine/server/reads.h"
#include "engine/server/server.h"
#include "engine/server/upload.h"
#include "engine/server/watch.h"
#include "protocol/errdoc.h"

static const char *
status_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
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

static void
send_bytes(struct eb_req *r, int status, const char *ctype,
    const void *p, size_t n)
{
	struct evbuffer *out;
	int64_t us = eb_clock_mono_us() - r->t0_us;

	eb_metrics_request(r->srv->metrics, r->path, status, us);

	eb_log(EB_LOG_INFO, "req id=%s peer=%s role=%s addr=%s method=%s "
	    "path=%s status=%d bytes_out=%zu us=%lld%s", r->id,
	    r->have_actor ? r->actor.party : "-",
	    r->have_actor ? eb_role_name(r->actor.role) : "-", r->peer_addr,
	    r->method, r->path, status, n, (long long)us,
	    r->client_gone ? " client-gone" : "");
	if (r->req != NULL) {
		if (r->conn != NULL)
			evhttp_connection_set_closecb(r->conn, NULL, NULL);
		out = evhttp_request_get_output_buffer(r->req);
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "Content-Type", ctype);
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    "X-Request-Id", r->id);
		if (r->srv->stopping || r->close_after)
			evhttp_add_header(
			    evhttp_request_get_output_headers(r->req),
			    "Connection", "close");
		evbuffer_add(out, p, n);
		if (r->conn != NULL && !r->close_after)
			eb_conns_reply_out(r->srv->conns, r->conn);
		evhttp_send_reply(r->req, status, status_phrase(status), NULL);
	}
	req_free(r);
}

void
eb_reply_doc(struct eb_req *r, int status, const struct eb_doc *doc)
{
	struct eb_buf b = EB_BUF_INIT;

	if (eb_xml_write(doc, 0, &b) != EB_OK) {
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

/*
 * GET /v1/tenders/ID[/duties], /v1/sales/ID[/watch], /v1/pools/ID,
 * /v1/subjects/ID,
 * /v1/log[/ID], /v1/heads/ID:
 * returns 1 when 'path' is one of them (and the request is answered or
 * queued), 0 otherwise.
 */
static int
route_read(struct eb_req *r, const char *path, const char *query)
{
	static const struct {
		const char *prefix, *kind;
	} kinds[] = {
		{ "/v1/tenders/", "tender" },
		{ "/v1/sales/", "sale" },
		{ "/v1/pools/", "pool" },
		{ "/v1/subjects/", "subject" },
	};
	char id[EB_ID_MAX];
	const char *rest, *slash;
	size_t n;

	if (strcmp(path, "/v1/log") == 0) {
		eb_handle_log(r, NULL, query);
		return 1;
	}
	if (strncmp(path, "/v1/log/", 8) == 0) {
		eb_handle_log(r, path + 8, NULL);
		return 1;
	}
	if (strncmp(path, "/v1/heads/", 10) == 0) {   /* public board */
		eb_handle_heads(r, path + 10);
		return 1;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i].prefix);
		if (strncmp(path, kinds[i].prefix, n) != 0)
			continue;
		rest = path + n;
		slash = strchr(rest, '/');
		n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
		if (n == 0 || n >= sizeof(id))
			return 0;
		memcpy(id, rest, n);
		id[n] = '\0';
		if (slash == NULL)
			eb_handle_read(r, kinds[i].kind, id, EB_READ_VIEW);
		else if (strcmp(slash, "/duties") == 0)
			eb_handle_read(r, kinds[i].kind, id, EB_READ_DUTIES);
		else if (strcmp(slash, "/watch") == 0 &&
		    strcmp(kinds[i].kind, "sale") == 0)
			eb_handle_watch(r, id, query);
		else
			return 0;
		return 1;
	}
	return 0;
}

static void
route(struct evhttp_request *req, void *arg)
{
	struct eb_server *srv = arg;
	struct eb_req *r = calloc(1, sizeof(*r));
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct eb_error e;
	SSL *ssl;
	int one = 1;
	char *addr = NULL;
	ev_uint16_t port = 0;

	eb_conns_request_in(srv->conns, conn);
	if (r == NULL) {
		evhttp_send_error(req, 503, "out of memory");
		return;
	}
	eb_error_clear(&e);
	srv->reqs_open++;
	r->srv = srv;
	r->req = req;
	r->conn = conn;
	r->t0_us = eb_clock_mono_us();
	r->method = cmd == EVHTTP_REQ_GET ? "GET" : cmd == EVHTTP_REQ_POST ?
	    "POST" : "OTHER";
	snprintf(r->id, sizeof(r->id), "%08x-%llu", srv->boot_id,
	    (unsigned long long)++srv->next_req);
	snprintf(r->path, sizeof(r->path), "%s", path != NULL ? path : "?");
	evhttp_connection_get_peer(conn, &addr, &port);
	snprintf(r->peer_addr, sizeof(r->peer_addr), "%s",
	    addr != NULL ? addr : "?");
	evhttp_connection_set_closecb(conn, conn_closed, r);
	if (bev != NULL && bufferevent_getfd(bev) >= 0)
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof(one));

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
	if (eb_actor_from_cert(r->peer, &r->actor, &e) != EB_OK) {
		eb_reply_error(r, &e);
		return;
	}
	/* revoked since the handshake (a kept-alive or resumed session) */
	if (eb_trust_check_revoked(srv->trust, r->peer, 0, &e) != EB_OK) {
		r->close_after = 1;
		eb_reply_error(r, &e);
		return;
	}
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
	if (path == NULL) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-uri", NULL, "malformed URI");
		eb_reply_error(r, &e);
		return;
	}
	if (strcmp(path, "/v1/health") == 0 && cmd == EVHTTP_REQ_GET) {
		eb_handle_health(r);
	} else if (strcmp(path, "/v1/whoami") == 0 && cmd == EVHTTP_REQ_GET) {
		eb_handle_whoami(r);
	} else if (strcmp(path, "/v1/opening-authority") == 0 &&
	    cmd == EVHTTP_REQ_GET) {
		eb_handle_opening_authority(r);
	} else if (strcmp(path, "/v1/commands") == 0 &&
	    cmd == EVHTTP_REQ_POST && !is_media_type(evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Content-Type"),
	    "application/cms")) {
		eb_fail(&e, EB_ERR_FORMAT, "unsupported-media-type",
		    "Send the signed command as Content-Type: application/cms "
		    "(ebid send does).", "a command must be application/cms");
		reply_error_status(r, 415, &e);
	} else if (strcmp(path, "/v1/commands") == 0 &&
	    cmd == EVHTTP_REQ_POST) {
		eb_handle_command(r);
	} else if (strcmp(path, "/v1/test/clock") == 0 &&
	    cmd == EVHTTP_REQ_POST) {
		eb_handle_test_clock(r);
	} else if (cmd == EVHTTP_REQ_GET &&
	    route_read(r, path, uri != NULL ? evhttp_uri_get_query(uri) : NULL)) {
		/* answered by route_read */
	} else if ((cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_POST) &&
	    eb_uploads_route(r, cmd == EVHTTP_REQ_POST, path,
	    uri != NULL ? evhttp_uri_get_query(uri) : NULL)) {
		/* large bids' envelopes: upload.h */
	} else if (strcmp(path, "/v1/health") == 0 ||
	    strcmp(path, "/v1/whoami") == 0 ||
	    strcmp(path, "/v1/commands") == 0 ||
	    strcmp(path, "/v1/test/clock") == 0) {
		eb_fail(&e, EB_ERR_USAGE, "method-not-allowed",
		    "See docs/protocol.md for the method of each path.",
		    "%s is not allowed on %s", r->method, path);
		eb_reply_error(r, &e);
	} else {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-path",
		    "See docs/protocol.md for the paths ebidd serves.",
		    "no such path: %s", r->path);
		eb_reply_error(r, &e);
	}
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
		return err != NULL ? err->code : EB_ERR_NOMEM;
	if ((srv->http = evhttp_new(srv->base)) == NULL)
		return eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "cannot create the HTTP server");
	evhttp_set_bevcb(srv->http, eb_conns_bev, srv->conns);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
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
}
