/*
 * tests/bench/https_baseline.c
 *    The HTTP/TLS limit of this machine for tests/bench/run: a bare
 *    libevent evhttp server with the same TLS set-up as ebidd
 *    (engine/server/tls.c: TLS >= 1.2, mutual TLS against the same CA,
 *    server certificate and key, session id context; engineering-notes),
 *    ebidd's drop of the certificates a client sends besides its own,
 *    the same kind of listening socket (ours, TCP_NODELAY inherited),
 *    ebidd's event loop settings (epoll's change list) and reply path (one
 *    TLS record, written in the pass that made it: http.c) and
 *    keep-alive, and a handler that does only what any mutual-TLS handler
 *    must: take the peer certificate, check the verify result, reply a
 *    small XML document naming the peer.  No logging, no database, no
 *    XML library.  build/ebid-load keepalive against it and against ebidd
 *    gives the ratio of docs/performance.md.
 *
 *    https_baseline --port N --ca CA --cert CRT --key KEY [--seconds S]
 *                   [--release-buffers] [--no-session-cache]
 *
 * --release-buffers sets SSL_MODE_RELEASE_BUFFERS (OpenSSL frees a
 * connection's 16 KiB+ read/write buffers while it is idle): the measured
 * difference in RSS per idle connection is the figure behind the
 * recommendation in docs/performance.md.  --no-session-cache turns off
 * the server-side session cache and TLS 1.3 tickets (no SSL_SESSION with
 * its peer certificate kept beyond the connection).
 *
 * Exits by itself after --seconds (default 120) or on SIGTERM/SIGINT.
 * Owner: performance engineer.
 *
 * INTERFACE: main() (a benchmark program)
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static struct bufferevent *
bev_factory(struct event_base *base, void *arg)
{
	SSL *ssl = SSL_new(arg);
	struct bufferevent *bev;

	if (ssl == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/* As ebidd (engine/server/tls.c): the chain check, then the certificates
 * the client sent besides its own are not kept for the session. */
static int
verify_then_drop_sent(X509_STORE_CTX *xs, void *arg)
{
	STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(xs);
	int ok = X509_verify_cert(xs);

	(void)arg;
	while (sent != NULL && sk_X509_num(sent) > 1)
		X509_free(sk_X509_pop(sent));
	return ok;
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	X509 *peer = ssl != NULL ? SSL_get1_peer_certificate(ssl) : NULL;
	char cn[128] = "?";
	struct evbuffer *out = evhttp_request_get_output_buffer(req), *wire;

	(void)arg;
	/* Nagle is off on the accepted socket, inherited from the listening
	 * one (ebidd sets it once per connection, not per request). */
	if (peer == NULL || SSL_get_verify_result(ssl) != X509_V_OK) {
		X509_free(peer);
		evhttp_send_error(req, 403, "no client certificate");
		return;
	}
	X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
	    cn, sizeof(cn));
	X509_free(peer);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/xml; charset=utf-8");
	evbuffer_add_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "\n<whoami xmlns=\"urn:ebid:1\" name=\"%s\"/>\n", cn);
	/* As ebidd does (engine/server/http.c): evhttp leaves the head and
	 * the body in two chunks and libevent 2.1's TLS layer writes one
	 * record per chunk; merged, the reply is one record and one write.
	 * Only when nothing waited in the output (no SSL_write half done). */
	wire = bufferevent_get_output(bev);
	if (evbuffer_get_length(wire) > 0)
		wire = NULL;
	evhttp_send_reply(req, 200, "OK", NULL);
	/* As ebidd does (http.c, WRITE_NOW): written in this pass of the
	 * loop, not after another wake-up for EPOLLOUT. */
	if (wire != NULL) {
		if (evbuffer_get_length(wire) <= 16384)
			evbuffer_pullup(wire, -1);
		event_active(&bev->ev_write, EV_WRITE, 1);
	}
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopexit(arg, NULL);
}

static void
usage(void)
{
	fprintf(stderr, "usage: https_baseline --port N --ca CA --cert CRT "
	    "--key KEY [--seconds S] [--release-buffers] "
	    "[--no-session-cache]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const unsigned char sid[] = "https_baseline";
	const char *ca = NULL, *cert = NULL, *key = NULL;
	int port = 0, secs = 120, fd, one = 1, release = 0, nocache = 0;
	struct sockaddr_in sa;
	struct event_config *cfg;
	struct event_base *base;
	struct evhttp *http;
	SSL_CTX *ctx;
	struct event *stop, *sigt, *sigi;
	struct timeval tv;

	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--release-buffers") == 0) {
			release = 1;
			i--;
			continue;
		}
		if (strcmp(argv[i], "--no-session-cache") == 0) {
			nocache = 1;
			i--;
			continue;
		}
		if (i + 1 >= argc) usage();
		if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--ca") == 0) ca = argv[i + 1];
		else if (strcmp(argv[i], "--cert") == 0) cert = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0) key = argv[i + 1];
		else if (strcmp(argv[i], "--seconds") == 0)
			secs = atoi(argv[i + 1]);
		else usage();
	}
	if (port <= 0 || port > 65535 || ca == NULL || cert == NULL ||
	    key == NULL || secs < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
		return 1;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (release)
		SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (nocache) {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_num_tickets(ctx, 0);
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	/* as ebidd (engine/server/tls.c): the chain built once, no root */
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_UNTRUSTED |
	    SSL_BUILD_CHAIN_FLAG_NO_ROOT |
	    SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR) <= 0) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	ERR_clear_error();
	SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(ca));
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	SSL_CTX_set_cert_verify_callback(ctx, verify_then_drop_sent, NULL);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 512) < 0 || evutil_make_socket_nonblocking(fd) < 0) {
		perror("https_baseline: listen");
		return 1;
	}
	/* As ebidd (main.c): epoll with libevent's change list. */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) != 0 ||
	    (base = event_base_new_with_config(cfg)) == NULL ||
	    (http = evhttp_new(base)) == NULL)
		return 1;
	event_config_free(cfg);
	evhttp_set_bevcb(http, bev_factory, ctx);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_max_body_size(http, 16 << 20);
	evhttp_set_timeout(http, 60);
	evhttp_set_gencb(http, handle, NULL);
	if (evhttp_accept_socket_with_handle(http, fd) == NULL)
		return 1;
	stop = evtimer_new(base, stop_cb, base);
	tv.tv_sec = secs;
	tv.tv_usec = 0;
	evtimer_add(stop, &tv);
	sigt = evsignal_new(base, SIGTERM, stop_cb, base);
	sigi = evsignal_new(base, SIGINT, stop_cb, base);
	evsignal_add(sigt, NULL);
	evsignal_add(sigi, NULL);
	fprintf(stderr, "https_baseline: listening on 127.0.0.1:%d for %d s\n",
	    port, secs);
	event_base_dispatch(base);
	event_free(stop);
	event_free(sigt);
	event_free(sigi);
	evhttp_free(http);
	event_base_free(base);
	SSL_CTX_free(ctx);
	return 0;
}
