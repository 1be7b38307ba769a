/*
 * engine/server/http.c
 *    HTTPS over mutual TLS with evhttp (TECH-NOTES.md section 3):
 *    the listening socket (ours, with TCP_NODELAY, inherited by every
 *    accepted socket on Linux, and set again per request), the bufferevent
 *    factory, limits, routing, and the one reply path that also writes the
 *    request's log line.
 *
 * Limits: evhttp reads at most 2 x max_body (its own bare 413 beyond);
 * a body over max_body is answered by the handler with the XML error
 * (413 body-too-large), so the client learns the limit.  Headers are
 * capped at 16 KiB, the idle timeout is idle_timeout, methods GET/POST.
 *
 * INTERFACE: eb_http_start(), eb_http_stop_accepting(), eb_reply_doc(),
 *    eb_reply_error() (server.h)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>

#include "engine/server/log.h"
#include "engine/server/server.h"
#include "engine/server/system.h"
#include "engine/server/watch.h"
#include "protocol/errdoc.h"

static struct bufferevent *
bev_factory(struct event_base *base, void *arg)
{
	SSL_CTX *ctx = arg;
	SSL *ssl = SSL_new(ctx);
	struct bufferevent *bev;

	if (ssl == NULL)
		return NULL;
	/* On failure bufferevent_openssl frees ssl itself (BEV_OPT_CLOSE_ON_FREE). */
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

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
		if (r->srv->stopping)
			evhttp_add_header(
			    evhttp_request_get_output_headers(r->req),
			    "Connection", "close");
		evbuffer_add(out, p, n);
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
	int status = eb_http_status(e->code);

	if (status >= 500)
		eb_log(EB_LOG_WARN, "req id=%s failed: %s (%s) %s", r->id,
		    e->primary, e->reason, e->detail);
	eb_reply_doc(r, status, d);
	eb_doc_free(d);
}

/*
 * GET /v1/tenders/ID[/duties], /v1/sales/ID[/watch], /v1/pools/ID,
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
			eb_handle_read(r, kinds[i].kind, id, EB_JOB_VIEW);
		else if (strcmp(slash, "/duties") == 0)
			eb_handle_read(r, kinds[i].kind, id, EB_JOB_DUTIES);
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
	r->have_actor = 1;
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
	} else if (strcmp(path, "/v1/commands") == 0 &&
	    cmd == EVHTTP_REQ_POST) {
		eb_handle_command(r);
	} else if (strcmp(path, "/v1/test/clock") == 0 &&
	    cmd == EVHTTP_REQ_POST) {
		eb_handle_test_clock(r);
	} else if (cmd == EVHTTP_REQ_GET &&
	    route_read(r, path, uri != NULL ? evhttp_uri_get_query(uri) : NULL)) {
		/* answered by route_read */
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
	if ((srv->http = evhttp_new(srv->base)) == NULL)
		return eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "cannot create the HTTP server");
	evhttp_set_bevcb(srv->http, bev_factory, srv->ssl);
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
	return EB_OK;
}

void
eb_http_stop_accepting(struct eb_server *srv)
{
	if (srv->http != NULL && srv->listener != NULL)
		evhttp_del_accept_socket(srv->http, srv->listener);
	srv->listener = NULL;
}
