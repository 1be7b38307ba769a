/*
 * tests/fuzz/http_fuzzer.c
 *    Fuzz the HTTP request path into ebidd: the input's bytes are sent as
 *    a raw request over a real loopback TCP connection to evhttp set up by
 *    ebidd's own eb_http_start() (its limits: methods, body and header
 *    sizes, idle timeout), through ebidd's own connection admission
 *    (engine/server/conns.c, compiled in here: the bufferevent factory,
 *    the per-connection record and its accounting, the per-address count,
 *    the whole-request deadline), and the request lands in ebidd's own
 *    route() (engine/server/http.c, compiled in here): framing and
 *    content-type checks, URI and path checks, the peer certificate to
 *    actor mapping (eb_actor_from_cert, protocol/pki.c) and the routing to
 *    the handlers; the small handlers are ebidd's own
 *    (engine/server/handlers.c: whoami, health, the test clock's body).
 *
 *    What is replaced (macros before the #include, so no file is
 *    changed): the TLS layer only.  The bufferevent is a plain socket one
 *    instead of bufferevent_openssl (OpenSSL's TLS and its X.509 parsing
 *    are fuzzed by OpenSSL's own fuzzers); the SSL that conns.c makes for
 *    each connection (SSL_new on a real SSL_CTX made at start-up, never
 *    handshaken) is kept in a small table next to its bufferevent, so that
 *    bufferevent_openssl_get_ssl() and SSL_get_fd() answer as with TLS, and
 *    it is freed (conns.c's record with it) once evhttp has let the
 *    bufferevent go.  "The verified peer certificate" is taken from the
 *    input: one of six well-formed certificates made at start-up (a role
 *    each, and one without a role), or DER bytes from the input
 *    (d2i_X509), or none; the verify result is chosen by the input.  The
 *    handlers that need PostgreSQL or the worker threads (commands, reads,
 *    log export, signed heads, watch) are stubs that record what route()
 *    passed them and reply 200; health sees the database down and one
 *    idle worker.
 *    The command body behind them (CMS SignedData, then XML) is fuzzed by
 *    cms_fuzzer and xml_fuzzer.
 *
 *    Input: byte 0 = flags (bits 0-2 certificate: 0-5 built-in, 6 DER
 *    from the input, 7 none; bit 3 verify fails; bit 4 server stopping;
 *    bit 5 driven test clock); with DER, bytes 1-2 its length (big
 *    endian) and then the DER; the rest is the raw HTTP request.
 *
 *    Checks beyond "no crash": every connection is gone within 5 s of the
 *    client's close, and then every eb_req is freed (reqs_open is 0) and
 *    conns.c counts no connection open; a reply, if any, starts with a
 *    status line (evhttp echoes the request's version: "HTTP/-1.1 200" is
 *    evhttp's); route() hands the handlers an id that is 1..63 bytes
 *    without '/'; only a verified certificate with a role, a party and a
 *    person gets past route()'s identity checks (to a stub or to a 200
 *    reply), and nothing gets past them while the server is stopping.
 *
 * Owner: the fuzzing engineer.  Corpus: tests/fuzz/http_corpus/.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "engine/server/log.h"
#include "engine/server/server.h"
#include "engine/server/reads.h"
#include "engine/server/timers.h"
#include "engine/server/watch.h"
#include "engine/server/workers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* -- the TLS layer, replaced ------------------------------------------- */

/*
 * One entry per bufferevent conns.c asked for: the plain socket
 * bufferevent and the SSL that conns.c made for it (its record rides on
 * that SSL's ex_data).  With bufferevent_openssl the SSL goes with the
 * bufferevent; here the fuzzer holds a reference on the bufferevent, so
 * that both stay valid until fz_conns_sweep() sees that evhttp let the
 * bufferevent go (its callbacks are cleared) and frees the SSL (conns.c's
 * record with it), then drops its reference (the socket closes).
 */
#define FZ_CONNS 64

static struct {
	struct bufferevent *bev;
	SSL *ssl;
} fz_conns[FZ_CONNS];

static struct {
	X509 *peer;         /* what "the TLS layer" verified; borrowed */
	long verify;        /* X509_V_OK or an error */
	int routed;         /* a stub handler ran */
} fz;

static struct bufferevent *
fz_bev_new(struct event_base *base, evutil_socket_t fd, SSL *ssl, int opts)
{
	struct bufferevent *bev;
	size_t i;

	for (i = 0; i < FZ_CONNS && fz_conns[i].bev != NULL; i++)
		;
	if (i == FZ_CONNS) {
		fprintf(stderr, "http_fuzzer: more than %d connections\n",
		    FZ_CONNS);
		abort();
	}
	/* as bufferevent_openssl_socket_new: on failure, ssl is freed */
	if ((bev = bufferevent_socket_new(base, fd, opts)) == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	bufferevent_incref(bev);
	fz_conns[i].bev = bev;
	fz_conns[i].ssl = ssl;
	return bev;
}

static SSL *
fz_get_ssl(struct bufferevent *bev)
{
	for (size_t i = 0; i < FZ_CONNS; i++)
		if (fz_conns[i].bev == bev)
			return fz_conns[i].ssl;
	return NULL;
}

/* The socket under 'ssl': the one of its bufferevent. */
static int
fz_ssl_fd(const SSL *ssl)
{
	for (size_t i = 0; i < FZ_CONNS; i++)
		if (fz_conns[i].bev != NULL && fz_conns[i].ssl == ssl)
			return (int)bufferevent_getfd(fz_conns[i].bev);
	return -1;
}

/* Free the SSL of every connection evhttp has let go; how many are
 * still evhttp's. */
static unsigned
fz_conns_sweep(void)
{
	unsigned live = 0;

	for (size_t i = 0; i < FZ_CONNS; i++) {
		void *arg = NULL;

		if (fz_conns[i].bev == NULL)
			continue;
		bufferevent_getcb(fz_conns[i].bev, NULL, NULL, NULL, &arg);
		if (arg != NULL) {
			live++;
			continue;
		}
		SSL_free(fz_conns[i].ssl);
		bufferevent_decref(fz_conns[i].bev);
		fz_conns[i].bev = NULL;
		fz_conns[i].ssl = NULL;
	}
	return live;
}

static X509 *
fz_get_peer(const SSL *ssl)
{
	(void)ssl;
	if (fz.peer != NULL)
		X509_up_ref(fz.peer);
	return fz.peer;
}

static long
fz_verify_result(const SSL *ssl)
{
	(void)ssl;
	return fz.verify;
}

#define bufferevent_openssl_socket_new(base, fd, ssl, state, opts) \
	fz_bev_new((base), (fd), (ssl), (opts))
#define bufferevent_openssl_set_allow_dirty_shutdown(bev, v) \
	((void)(bev), (void)(v))
#define bufferevent_openssl_get_ssl(bev) fz_get_ssl(bev)
#define SSL_get_fd(ssl) fz_ssl_fd(ssl)
#define SSL_get1_peer_certificate(ssl) fz_get_peer(ssl)
#define SSL_get_verify_result(ssl) fz_verify_result(ssl)
#include "engine/server/conns.c"
#include "engine/server/metrics.h"
#define eb_metrics_request(m, p, s, us) ((void)(m)) /* metrics.c is not linked */
#include "engine/server/http.c"
#undef bufferevent_openssl_socket_new
#undef bufferevent_openssl_set_allow_dirty_shutdown
#undef bufferevent_openssl_get_ssl
#undef SSL_get_fd
#undef SSL_get1_peer_certificate
#undef SSL_get_verify_result

/* -- the database and the workers, replaced: health sees the database
 * down and one idle worker ---------------------------------------------- */

static int
fz_store_ping(struct eb_store *s, eb_store_i64_fn cb, void *arg)
{
	(void)s;
	(void)cb;
	(void)arg;
	return EB_ERR_DB;
}

static void
fz_workers_stats(struct eb_workers *w, struct eb_workers_stats *st)
{
	(void)w;
	memset(st, 0, sizeof(*st));
	st->threads = 1;
}

#define eb_store_ping(s, cb, arg) fz_store_ping((s), (cb), (arg))
#define eb_workers_stats(w, st) fz_workers_stats((w), (st))
#define eb_store_up(s) ((void)(s), 0)
#define eb_timers_clock_moved(srv) ((void)(srv))
#include "engine/server/handlers.c"
#undef eb_store_ping
#undef eb_workers_stats
#undef eb_store_up
#undef eb_timers_clock_moved

/* -- the handlers behind PostgreSQL and the workers, recorded ----------- */

static void
stub_reply(struct eb_req *r, const char *what, const char *id)
{
	struct eb_doc *d = eb_doc_new("routed");

	fz.routed = 1;
	if (!r->have_actor || r->actor.role == EB_ROLE_NONE ||
	    r->actor.party[0] == '\0' || r->actor.person[0] == '\0')
		abort();
	if (id != NULL && (id[0] == '\0' || strlen(id) >= EB_ID_MAX ||
	    strchr(id, '/') != NULL))
		abort();
	eb_doc_set_attr(d, "to", what);
	if (id != NULL)
		eb_doc_set_attr(d, "id", id);
	eb_reply_doc(r, 200, d);
	eb_doc_free(d);
}

void
eb_handle_command(struct eb_req *r)
{
	if (r->req == NULL)
		abort();
	stub_reply(r, "command", NULL);
}

void
eb_handle_read(struct eb_req *r, const char *kind, const char *id,
    enum eb_read_what job)
{
	(void)job;
	stub_reply(r, kind, id);
}

void
eb_handle_log(struct eb_req *r, const char *id, const char *query)
{
	(void)query;
	/*
	 * /v1/log/ID: route() passes the rest of the path as it is ('/' and
	 * all); system.c refuses 64 bytes or more and looks the rest up as
	 * a bound SQL parameter (not found).  So no claim on it here.
	 */
	(void)id;
	stub_reply(r, "log", NULL);
}

void
eb_handle_heads(struct eb_req *r, const char *id)
{
	/* /v1/heads/ID: as /v1/log/ID, the rest of the path as it is;
	 * system.c checks its length and binds it as an SQL parameter. */
	(void)id;
	stub_reply(r, "heads", NULL);
}

void
eb_handle_watch(struct eb_req *r, const char *sale, const char *query)
{
	(void)query;
	stub_reply(r, "watch", sale);
}

/* OCSP is off in the fuzzer (ocspclient.h: srv->ocsp NULL) */
int
eb_ocspc_check(struct eb_server *s, X509 *cert, int64_t at_ms,
    struct eb_error *e, eb_ocspc_done_fn done, void *arg)
{
	(void)s, (void)cert, (void)at_ms, (void)e, (void)done, (void)arg;
	return EB_OK;
}

void
eb_uploads_gc(struct eb_server *s)
{
	(void)s;
}

void
eb_handle_upload_open(struct eb_req *r)
{
	stub_reply(r, "upload-open", NULL);
}

void
eb_handle_upload_offset(struct eb_req *r, const char *query)
{
	(void)query;
	stub_reply(r, "upload-offset", NULL);
}

void
eb_handle_upload_chunk(struct eb_req *r, const char *query)
{
	(void)query;
	stub_reply(r, "upload-chunk", NULL);
}

void
eb_handle_envelope(struct eb_req *r, const char *hex)
{
	/* a '%' segment: longer than an id, still one segment */
	if (hex == NULL || hex[0] == '\0' || strchr(hex, '/') != NULL)
		abort();
	stub_reply(r, "envelope", NULL);
}

/* -- set-up ------------------------------------------------------------- */

static struct eb_server srv;
static struct eb_config cfg;
static X509 *certs[6];
static uint16_t port;

static X509 *
make_cert(EVP_PKEY *key, const char *role, const char *party)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	if (x == NULL || n == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	if (role != NULL)
		X509_NAME_add_entry_by_NID(n, NID_organizationalUnitName,
		    MBSTRING_UTF8, (const unsigned char *)role, -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_userId, MBSTRING_UTF8,
	    (const unsigned char *)party, -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_serialNumber, MBSTRING_UTF8,
	    (const unsigned char *)"P-0001", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_organizationName, MBSTRING_UTF8,
	    (const unsigned char *)"泰安市公共资源交易中心", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)party, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	X509_set_pubkey(x, key);
	if (X509_sign(x, key, EVP_sha256()) == 0)
		abort();
	return x;
}

static void
setup(void)
{
	static const char *const roles[6][2] = { { "bidder", "bidder1" },
	    { "auditor", "auditor1" }, { "registrar", "registrar1" },
	    { "supervisor", "supervisor1" }, { "expert", "expert1" },
	    { NULL, "nobody" } };
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct eb_error err;
	EVP_PKEY *key;
	char listen[64];
	int fd;

	if (eb_log_open("/dev/null", &err) != EB_OK)
		abort();
	key = EVP_EC_gen("P-256");
	for (int i = 0; i < 6; i++)
		certs[i] = make_cert(key, roles[i][0], roles[i][1]);
	EVP_PKEY_free(key);
	eb_xml_init();
	/* a free loopback port, then ebidd's own listener on it */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
		abort();
	port = ntohs(sa.sin_port);
	close(fd);
	if (eb_config_defaults(&cfg) != EB_OK)
		abort();
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	if (eb_config_set(&cfg, "listen", listen, &err) != EB_OK ||
	    eb_config_set(&cfg, "max_body", "65536", &err) != EB_OK ||
	    eb_config_set(&cfg, "idle_timeout", "1", &err) != EB_OK ||
	    eb_config_set(&cfg, "request_timeout", "1", &err) != EB_OK ||
	    eb_config_set(&cfg, "max_connections", "8", &err) != EB_OK ||
	    eb_config_set(&cfg, "max_connections_per_address", "4",
	    &err) != EB_OK)
		abort();
	srv.cfg = &cfg;
	srv.base = event_base_new();
	srv.ssl = SSL_CTX_new(TLS_server_method());
	if (srv.base == NULL || srv.ssl == NULL ||
	    eb_http_start(&srv, &err) != EB_OK) {
		fprintf(stderr, "http_fuzzer: %s\n", err.primary);
		abort();
	}
}

/* -- one request -------------------------------------------------------- */

/*
 * connect() that survives a signal: libFuzzer's timers (SIGALRM for
 * -max_total_time and -timeout) interrupted one after 459,809 exchanges
 * (EINTR, a finding of the harness, not of ebidd).  An interrupted
 * connect goes on asynchronously: wait for it and read its outcome.
 */
static int
connect_wait(int fd, const struct sockaddr_in *sa)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int soerr = 0, rc;
	socklen_t len = sizeof(soerr);

	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 0;
	if (errno != EINTR)
		return -1;
	while ((rc = poll(&pfd, 1, 10000)) < 0 && errno == EINTR)
		;
	if (rc != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
	    &len) != 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

static int
client_connect(void)
{
	struct sockaddr_in sa;
	/* closed with a reset: no TIME_WAIT, so a campaign of millions of
	 * exchanges does not run out of loopback ports (a finding of the
	 * harness, not of ebidd: connect() failed after 364,067 runs) */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)) != 0 ||
	    connect_wait(fd, &sa) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		fprintf(stderr, "http_fuzzer: cannot connect to the server: "
		    "%s\n", strerror(errno));
		abort();
	}
	return fd;
}

/* Send 'p', half-close, run the loop until ebidd closes; the reply. */
static size_t
exchange(const uint8_t *p, size_t n, char *reply, size_t cap)
{
	int fd = client_connect(), eof = 0, shut = 0;
	size_t sent = 0, got = 0;
	int64_t t0 = eb_clock_mono_us();

	while (!eof) {
		ssize_t k;
		char sink[4096] = { 0 };   /* a drain: what lands here is never read */

		if (sent < n) {
			k = send(fd, p + sent, n - sent, MSG_NOSIGNAL);
			if (k > 0)
				sent += (size_t)k;
			else if (k < 0 && errno != EAGAIN)
				sent = n;       /* reset by ebidd: stop sending */
		}
		if (sent == n && !shut) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		event_base_loop(srv.base, EVLOOP_NONBLOCK);
		for (;;) {
			k = recv(fd, got < cap ? reply + got : sink,
			    got < cap ? cap - got : sizeof(sink), 0);
			if (k > 0) {
				if (got < cap)
					got += (size_t)k;
				continue;
			}
			if (k == 0 || errno != EAGAIN)
				eof = 1;
			break;
		}
		if (eb_clock_mono_us() - t0 > 20000000) {
			fprintf(stderr, "http_fuzzer: no end after 20 s\n");
			abort();
		}
	}
	close(fd);
	/*
	 * Let evhttp see the close and free the connection (and what is left
	 * of the request); the SSL of each connection it let go is freed,
	 * and with it conns.c's record.
	 */
	t0 = eb_clock_mono_us();
	while (fz_conns_sweep() > 0 || srv.reqs_open > 0) {
		if (eb_clock_mono_us() - t0 > 5000000) {
			fprintf(stderr, "http_fuzzer: connection still open "
			    "5 s after the client closed\n");
			abort();
		}
		event_base_loop(srv.base, EVLOOP_NONBLOCK);
	}
	return got;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	X509 *own = NULL;
	char reply[4096];
	struct eb_actor a;
	struct eb_error err;
	size_t got, off = 1;
	unsigned flags, which;
	int identity_ok;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	flags = data[0];
	which = flags & 7;
	if (which < 6) {
		fz.peer = certs[which];
	} else if (which == 6) {
		const unsigned char *q;
		size_t len;

		if (size < 3)
			return 0;
		len = (size_t)data[1] << 8 | data[2];
		off = 3;
		if (len > size - off)
			len = size - off;
		q = data + off;
		own = d2i_X509(NULL, &q, (long)len);
		off += len;
		fz.peer = own;
	} else {
		fz.peer = NULL;
	}
	fz.verify = flags & 8 ? X509_V_ERR_CERT_HAS_EXPIRED : X509_V_OK;
	srv.stopping = (flags & 16) != 0;
	if (eb_clock_init(&srv.clock, flags & 32 ? "driven" : "system",
	    &err) != EB_OK)
		abort();
	fz.routed = 0;
	identity_ok = fz.peer != NULL && fz.verify == X509_V_OK &&
	    eb_actor_from_cert(fz.peer, &a, &err) == EB_OK;

	got = exchange(data + off, size - off, reply, sizeof(reply));
	if (getenv("EB_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "http_fuzzer: routed=%d reply %zu bytes:\n%.*s\n",
		    fz.routed, got, (int)got, reply);
	if (srv.reqs_open != 0) {
		fprintf(stderr, "http_fuzzer: %u request(s) not freed\n",
		    srv.reqs_open);
		abort();
	}
	/* conns.c's accounting: every record went with its connection */
	if (eb_conns_open(srv.conns) != 0) {
		fprintf(stderr, "http_fuzzer: conns counts %u open\n",
		    eb_conns_open(srv.conns));
		abort();
	}
	/* evhttp echoes the request's version, even "HTTP/0.1", "HTTP/-1.1" */
	if (got >= 5 && memcmp(reply, "HTTP/", 5) != 0)
		abort();
	if (fz.routed && (!identity_ok || srv.stopping))
		abort();
	/* a 200 only for a verified identity (whoami, health, test clock) */
	if (got >= 12 && memcmp(reply + 8, " 200", 4) == 0 && !identity_ok)
		abort();
	ERR_clear_error();
	X509_free(own);
	fz.peer = NULL;
	return 0;
}
