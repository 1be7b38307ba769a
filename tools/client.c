/*
 * tools/client.c
 *    The blocking-simple HTTPS mutual-TLS client (client.h).
 *
 * Per docs/engineering-notes.md, TLS: TLS >= 1.2, only the given CA trusted,
 * SNI and SSL_set1_host for names (X509_VERIFY_PARAM_set1_ip_asc for IP
 * literals), TCP_NODELAY on the socket right after evhttp_make_request
 * (the socket exists then because no DNS base is used), dirty shutdown
 * allowed (libevent never sends close_notify), no automatic retries (a
 * POST must not be sent twice).  The connection is freed only in
 * eb_client_close(), never inside its own callback.
 *
 * INTERFACE: see client.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "protocol/doc.h"
#include "protocol/errdoc.h"
#include "protocol/mem.h"
#include "protocol/xml.h"
#include "tools/client.h"

#define CLIENT_TIMEOUT_S 60

struct eb_client {
	char host[256];
	int port;
	int is_ip;
	SSL_CTX *ctx;
	struct event_base *base;
	struct evhttp_connection *conn;
	struct bufferevent *bev;       /* owned by conn */
	/* the exchange in progress */
	int done, status;
	enum evhttp_request_error req_err;
	int have_req_err;
	struct eb_buf *body;
	int body_rc;
	char alert[96];                /* last TLS alert the server sent */
	char verify[160];              /* why the server's chain failed */
	int handshakes;                /* TLS handshakes completed */
	int reply_xml;                 /* the reply said application/xml */
	eb_client_sink_fn sink;        /* eb_client_get_stream(): a 200's */
	void *sink_arg;                /* body goes here, piece by piece */
	int sink_failed;
	/* eb_client_get_stream_from(): the request's Range and If-Range; a
	 * 206's body is streamed too, its Content-Range kept here */
	const char *range, *if_range;
	char *content_range;
	size_t content_range_cap;
	int *status_early;             /* the caller's, set before the sink
	                                * gets the first piece */
};

/* The status whose body goes to the sink (a 206 only when asked for). */
static int
streamed(const struct eb_client *c, int status)
{
	return status == 200 || (status == 206 && c->range != NULL);
}

/* eb_client_get_stream_from(): the answer's Content-Range, kept. */
static void
keep_content_range(struct eb_client *c, struct evhttp_request *req)
{
	const char *cr;

	if (c->content_range == NULL)
		return;
	cr = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Range");
	snprintf(c->content_range, c->content_range_cap, "%s",
	    cr != NULL ? cr : "");
}

/* Record alerts received from the server (the words for refusals). */
static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct eb_client *c = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (c != NULL && (where & SSL_CB_HANDSHAKE_DONE))
		c->handshakes++;
	if (c != NULL && (where & SSL_CB_ALERT) && (where & SSL_CB_READ) &&
	    (ret & 0xff) != 0 /* close_notify */)
		snprintf(c->alert, sizeof(c->alert), "%s", (ret & 0xff) == 116 ?
		    "certificate required" :   /* TLS 1.3, unnamed in 3.0 */
		    SSL_alert_desc_string_long(ret));
}

/* Record why the server's certificate failed; the verdict is OpenSSL's. */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct eb_client *c = ssl != NULL ?
	    SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;

	if (!ok && c != NULL && c->verify[0] == '\0')
		snprintf(c->verify, sizeof(c->verify), "%s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
	return ok;
}

void
eb_client_settings_env(struct eb_client_settings *s)
{
	if (s->url == NULL)
		s->url = getenv("EBID_URL");
	if (s->url == NULL)
		s->url = EB_CLIENT_DEFAULT_URL;
	if (s->ca == NULL)
		s->ca = getenv("EBID_CA");
	if (s->cert == NULL)
		s->cert = getenv("EBID_CERT");
	if (s->key == NULL)
		s->key = getenv("EBID_KEY");
}

static int
tls_fail(struct eb_error *err, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	const char *why = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return eb_fail(err, EB_ERR_CRYPTO, "client-setup",
	    "Check the --ca, --cert and --key files (or EBID_CA, EBID_CERT, "
	    "EBID_KEY): PEM files, and a key that matches the certificate.",
	    "%s %s: %s", what, path, why != NULL ? why : "failed");
}

/*
 * The chain a client sends is its own certificate and the intermediates
 * up to, not including, the trust anchor: the server has the anchor (it
 * verifies against its own store) and RFC 8446 4.4.2 lets the sender
 * omit it.  Built once here from the certificate file and 'ca'; OpenSSL's
 * automatic chain, which otherwise runs X509_verify_cert() at every
 * handshake and sends the root too, is turned off.  A chain that cannot
 * be completed from 'ca' is sent as far as it goes (the server judges
 * it), as OpenSSL's automatic chain did.
 */
SSL_CTX *
eb_client_tls_ctx(const char *ca, const char *cert, const char *key,
    struct eb_error *err)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		tls_fail(err, "cannot create a TLS context", "");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		tls_fail(err, "cannot load the CA certificate", ca);
		goto bad;
	}
	if (cert == NULL)
		return ctx;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_fail(err, "cannot load the certificate", cert);
		goto bad;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		tls_fail(err, "cannot load the key", key);
		goto bad;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_fail(err, "the key does not match the certificate", key);
		goto bad;
	}
	/* the file's intermediates count (UNTRUSTED); 1: built, 2: an
	 * error ignored (an incomplete chain, sent as far as it goes) */
	if (SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_UNTRUSTED |
	    SSL_BUILD_CHAIN_FLAG_NO_ROOT |
	    SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR) <= 0) {
		tls_fail(err, "cannot build the certificate chain of", cert);
		goto bad;
	}
	ERR_clear_error();
	return ctx;
bad:
	SSL_CTX_free(ctx);
	return NULL;
}

struct eb_client *
eb_client_open(const char *url, const char *ca, const char *cert,
    const char *key, struct eb_error *err)
{
	struct eb_client *c = NULL;
	struct evhttp_uri *u = NULL;
	const char *scheme, *host;
	unsigned char tmp[16];

	if (url == NULL || (u = evhttp_uri_parse(url)) == NULL ||
	    (scheme = evhttp_uri_get_scheme(u)) == NULL ||
	    strcmp(scheme, "https") != 0 ||
	    (host = evhttp_uri_get_host(u)) == NULL || *host == '\0') {
		eb_fail(err, EB_ERR_USAGE, "bad-url",
		    "Give the server as https://HOST:PORT (--url or EBID_URL).",
		    "\"%s\" is not an https URL", url != NULL ? url : "");
		goto bad;
	}
	if (ca == NULL || *ca == '\0') {
		eb_fail(err, EB_ERR_USAGE, "no-ca",
		    "Give the centre's CA certificate with --ca or EBID_CA.",
		    "no CA certificate given");
		goto bad;
	}
	if ((cert == NULL) != (key == NULL)) {
		eb_fail(err, EB_ERR_USAGE, "no-key",
		    "Give both --cert and --key (or EBID_CERT and EBID_KEY).",
		    "a certificate needs its key and a key its certificate");
		goto bad;
	}
	c = eb_calloc(1, sizeof(*c));
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 443;
	c->is_ip = inet_pton(AF_INET, c->host, tmp) == 1 ||
	    inet_pton(AF_INET6, c->host, tmp) == 1;
	if ((c->ctx = eb_client_tls_ctx(ca, cert, key, err)) == NULL)
		goto bad;
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_info_callback(c->ctx, info_cb);
	SSL_CTX_set_app_data(c->ctx, c);
	if ((c->base = event_base_new()) == NULL)
		eb_oom("event_base_new", 0);
	evhttp_uri_free(u);
	return c;
bad:
	if (u != NULL)
		evhttp_uri_free(u);
	eb_client_close(c);
	return NULL;
}

void
eb_client_close(struct eb_client *c)
{
	if (c == NULL)
		return;
	if (c->conn != NULL)
		evhttp_connection_free(c->conn);   /* frees bev and SSL */
	if (c->base != NULL)
		event_base_free(c->base);
	if (c->ctx != NULL)
		SSL_CTX_free(c->ctx);
	free(c);
}

static int
connect_lazily(struct eb_client *c, struct eb_error *err)
{
	SSL *ssl;
	const char *src;

	if (c->conn != NULL)
		return EB_OK;
	if ((ssl = SSL_new(c->ctx)) == NULL)
		return tls_fail(err, "cannot create a TLS session", "");
	if (c->is_ip) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), c->host);
	} else {
		SSL_set_tlsext_host_name(ssl, c->host);
		SSL_set1_host(ssl, c->host);
	}
	c->bev = bufferevent_openssl_socket_new(c->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (c->bev == NULL)
		eb_oom("bufferevent_openssl_socket_new", 0);
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	c->conn = evhttp_connection_base_bufferevent_new(c->base, NULL, c->bev,
	    c->host, (unsigned short)c->port);
	if (c->conn == NULL)
		eb_oom("evhttp_connection_base_bufferevent_new", 0);
	evhttp_connection_set_retries(c->conn, 0);
	evhttp_connection_set_timeout(c->conn, CLIENT_TIMEOUT_S);
	/* a multi-homed machine (and the monitoring tests) pick the address
	 * the connection leaves from */
	if ((src = getenv("EBID_SOURCE_ADDRESS")) != NULL && src[0] != '\0')
		evhttp_connection_set_local_address(c->conn, src);
	return EB_OK;
}

static void
request_done(struct evhttp_request *req, void *arg)
{
	struct eb_client *c = arg;

	c->done = 1;
	if (req != NULL && evhttp_request_get_response_code(req) != 0) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);

		const char *ct = evhttp_find_header(
		    evhttp_request_get_input_headers(req), "Content-Type");

		c->status = evhttp_request_get_response_code(req);
		c->reply_xml = ct != NULL &&
		    strncmp(ct, "application/xml", 15) == 0;
		keep_content_range(c, req);
		if (c->status_early != NULL)
			*c->status_early = c->status;
		if (c->sink != NULL && streamed(c, c->status)) {
			if (n > 0 && !c->sink_failed &&
			    c->sink(evbuffer_pullup(in, (ev_ssize_t)n), n,
			    c->sink_arg) != 0)
				c->sink_failed = 1;
		} else if (n > 0) {
			uint8_t *p = evbuffer_pullup(in, (ev_ssize_t)n);

			if (p == NULL)
				eb_oom("evbuffer_pullup", n);
			c->body_rc = eb_buf_append(c->body, p, n);
		}
	}
	event_base_loopbreak(c->base);
}

/* eb_client_get_stream(): a 200's body as it arrives, in pieces. */
static void
request_chunk(struct evhttp_request *req, void *arg)
{
	struct eb_client *c = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evbuffer_iovec v[8];
	int nv;

	if (c->status_early != NULL && *c->status_early == 0) {
		*c->status_early = evhttp_request_get_response_code(req);
		keep_content_range(c, req);
	}
	if (!streamed(c, evhttp_request_get_response_code(req))) {
		size_t n = evbuffer_get_length(in);   /* an error document */

		if (n > 0 && eb_buf_append(c->body, evbuffer_pullup(in,
		    (ev_ssize_t)n), n) != EB_OK)
			c->body_rc = EB_ERR_LIMIT;
		return;                   /* evhttp drains the buffer */
	}
	nv = evbuffer_peek(in, -1, NULL, v, 8);
	for (int i = 0; i < nv && i < 8 && !c->sink_failed; i++)
		if (c->sink(v[i].iov_base, v[i].iov_len, c->sink_arg) != 0)
			c->sink_failed = 1;
	if (nv > 8 && !c->sink_failed) {          /* rare: the rest whole */
		size_t done = 0, n = evbuffer_get_length(in);

		for (int i = 0; i < 8; i++)
			done += v[i].iov_len;
		if (c->sink(evbuffer_pullup(in, (ev_ssize_t)n) + done,
		    n - done, c->sink_arg) != 0)
			c->sink_failed = 1;
	}
}

static void
request_error(enum evhttp_request_error e, void *arg)
{
	struct eb_client *c = arg;

	c->req_err = e;
	c->have_req_err = 1;
}

/*
 * The server closed the connection right after a completed handshake: in
 * TLS 1.3 a refused client certificate is reported by an alert that
 * arrives after the client already sent its request, and the reset caused
 * by that request can destroy the alert.  Make one more handshake that
 * sends nothing and only reads (2 s at most), so the alert, if any, is
 * received by info_cb.  Only runs after a failure.
 */
static void
diagnose(struct eb_client *c)
{
	struct addrinfo hints, *ai = NULL;
	struct timeval tv = { 2, 0 };
	char port[8], byte;
	SSL *ssl = NULL;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", c->port);
	if (getaddrinfo(c->host, port, &hints, &ai) != 0)
		return;
	if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    (ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		goto out;
	if (c->is_ip) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), c->host);
	} else {
		SSL_set_tlsext_host_name(ssl, c->host);
		SSL_set1_host(ssl, c->host);
	}
	if (SSL_connect(ssl) == 1)
		(void)SSL_read(ssl, &byte, 1);
out:
	ERR_clear_error();
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
}

/* Put the TLS / socket failure into plain words. */
static int
explain_failure(struct eb_client *c, struct eb_error *err)
{
	unsigned long e, last = 0;
	char reason[256] = "";
	SSL *ssl = c->bev != NULL ? bufferevent_openssl_get_ssl(c->bev) : NULL;

	int sock_errno = errno == ECONNREFUSED || errno == ETIMEDOUT ||
	    errno == EHOSTUNREACH || errno == ENETUNREACH ? errno : 0;

	while (c->bev != NULL &&
	    (e = bufferevent_get_openssl_error(c->bev)) != 0)
		last = e;
	while ((e = ERR_get_error()) != 0)
		last = e;
	if (c->alert[0] == '\0' && c->verify[0] == '\0' && c->handshakes > 0)
		diagnose(c);
	if (last != 0 && ERR_reason_error_string(last) != NULL)
		snprintf(reason, sizeof(reason), "%s",
		    ERR_reason_error_string(last));
	if (c->verify[0] != '\0')
		return eb_fail(err, EB_ERR_CRYPTO, "server-not-trusted",
		    "Check --ca (EBID_CA): it must be the centre's CA "
		    "certificate, and --url must name the server's host.",
		    "server certificate not trusted: %s", c->verify);
	if (c->alert[0] != '\0') {
		static const char *const cert_alerts[] = {
			"certificate required", "unknown CA", "bad certificate",
			"certificate expired", "certificate revoked",
			"unsupported certificate", "certificate unknown",
			"access denied", NULL
		};
		for (const char *const *a = cert_alerts; *a != NULL; a++)
			if (strcmp(c->alert, *a) == 0)
				return eb_fail(err, EB_ERR_CRYPTO,
				    "certificate-refused",
				    "Use the certificate and key the centre "
				    "issued to you (--cert/--key or EBID_CERT/"
				    "EBID_KEY); it may have expired or come "
				    "from another CA.",
				    "the server refused our certificate: tls "
				    "alert %s", c->alert);
		return eb_fail(err, EB_ERR_CRYPTO, "tls-failed",
		    "Check that --url names an ebid server.",
		    "TLS failure with %s:%d: the server sent alert \"%s\"",
		    c->host, c->port, c->alert);
	}
	if (strstr(reason, "certificate verify failed") != NULL) {
		long v = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
		return eb_fail(err, EB_ERR_CRYPTO, "server-not-trusted",
		    "Check --ca (EBID_CA): it must be the centre's CA "
		    "certificate, and --url must name the server's host.",
		    "server certificate not trusted: %s",
		    v != X509_V_OK ? X509_verify_cert_error_string(v) : reason);
	}
	if (strstr(reason, "alert") != NULL &&
	    (strstr(reason, "certificate") != NULL ||
	    strstr(reason, "unknown ca") != NULL ||
	    strstr(reason, "access denied") != NULL))
		return eb_fail(err, EB_ERR_CRYPTO, "certificate-refused",
		    "Use the certificate and key the centre issued to you "
		    "(--cert/--key or EBID_CERT/EBID_KEY); it may have expired "
		    "or come from another CA.",
		    "the server refused our certificate: %s", reason);
	if (reason[0] != '\0')
		return eb_fail(err, EB_ERR_CRYPTO, "tls-failed",
		    "Check that --url names an ebid server and that the CA is "
		    "the centre's.", "TLS failure with %s:%d: %s", c->host,
		    c->port, reason);
	if (c->have_req_err && c->req_err == EVREQ_HTTP_TIMEOUT)
		return eb_fail(err, EB_ERR_IO, "timeout",
		    "Try again; if it persists, the server may be overloaded.",
		    "no reply from %s:%d within %d s", c->host, c->port,
		    CLIENT_TIMEOUT_S);
	if (c->have_req_err && c->req_err == EVREQ_HTTP_EOF)
		return eb_fail(err, EB_ERR_IO, "connection-closed",
		    "Try again; the server may be restarting.",
		    "%s:%d closed the connection before replying", c->host,
		    c->port);
	return eb_fail(err, EB_ERR_IO, "cannot-connect",
	    "Check --url (EBID_URL) and that the server is running.",
	    "cannot connect to %s:%d%s%s", c->host, c->port,
	    sock_errno != 0 ? ": " : "",
	    sock_errno != 0 ? strerror(sock_errno) : "");
}

/*
 * A test hook (tests/integration/lib.sh): with EBID_REPLY_DIR set, every
 * reply with an XML body is copied to DIR/PID-N.xml (renamed into place
 * once whole), and DIR/PID-N.what says "METHOD PATH STATUS", so the tests can validate every document the
 * server sent against the schema.  Best effort: a failure only skips it.
 */
static void
trace_reply(const struct eb_client *c, const char *method, const char *path,
    const struct eb_buf *body)
{
	static unsigned n;
	const char *dir = getenv("EBID_REPLY_DIR");
	char name[4096], done[4096];
	FILE *f;

	if (dir == NULL || *dir == '\0' || !c->reply_xml || body->len == 0)
		return;
	n++;
	snprintf(name, sizeof(name), "%s/%ld-%u.what", dir, (long)getpid(), n);
	if ((f = fopen(name, "w")) == NULL)
		return;
	fprintf(f, "%s %s %d\n", method, path, c->status);
	fclose(f);
	snprintf(name, sizeof(name), "%s/%ld-%u.part", dir, (long)getpid(), n);
	snprintf(done, sizeof(done), "%s/%ld-%u.xml", dir, (long)getpid(), n);
	if ((f = fopen(name, "wb")) == NULL)
		return;
	fwrite(body->data, 1, body->len, f);
	if (fclose(f) == 0)
		(void)rename(name, done);  /* whole, or not there at all */
}

static int
exchange(struct eb_client *c, enum evhttp_cmd_type method, const char *path,
    const char *ctype, const uint8_t *bytes, size_t len, struct eb_buf *body,
    int *status, struct eb_error *err)
{
	struct evhttp_request *req;
	struct evkeyvalq *h;
	char hosthdr[300];
	int rc, one = 1;

	*status = 0;
	ERR_clear_error();
	if ((rc = connect_lazily(c, err)) != EB_OK)
		return rc;
	if ((req = evhttp_request_new(request_done, c)) == NULL)
		eb_oom("evhttp_request_new", 0);
	evhttp_request_set_error_cb(req, request_error);
	if (c->sink != NULL)
		evhttp_request_set_chunked_cb(req, request_chunk);
	h = evhttp_request_get_output_headers(req);
	snprintf(hosthdr, sizeof(hosthdr), strchr(c->host, ':') ? "[%s]:%d" :
	    "%s:%d", c->host, c->port);
	evhttp_add_header(h, "Host", hosthdr);
	evhttp_add_header(h, "Accept", "application/xml");
	if (c->range != NULL)
		evhttp_add_header(h, "Range", c->range);
	if (c->if_range != NULL)
		evhttp_add_header(h, "If-Range", c->if_range);
	if (ctype != NULL) {
		evhttp_add_header(h, "Content-Type", ctype);
		/* by reference, not copied: 'bytes' outlives the exchange
		 * (it ends with the reply, or with the connection freed) */
		evbuffer_add_reference(evhttp_request_get_output_buffer(req),
		    bytes, len, NULL, NULL);
	}
	c->done = 0;
	c->status = 0;
	c->have_req_err = 0;
	c->alert[0] = c->verify[0] = '\0';
	c->handshakes = 0;
	c->body = body;
	c->body_rc = EB_OK;
	c->reply_xml = 0;
	if (evhttp_make_request(c->conn, req, method, path) != 0)
		return eb_fail(err, EB_ERR_IO, "cannot-connect",
		    "Check --url (EBID_URL) and that the server is running.",
		    "cannot send the request to %s:%d", c->host, c->port);
	if (bufferevent_getfd(c->bev) >= 0)
		setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof(one));
	while (!c->done)
		if (event_base_dispatch(c->base) < 0)
			break;
	c->body = NULL;
	if (c->status == 0) {
		rc = explain_failure(c, err);
		/* Start the next exchange on a fresh TLS session (we are
		 * outside every callback of this connection here). */
		evhttp_connection_free(c->conn);
		c->conn = NULL;
		c->bev = NULL;
		return rc;
	}
	if (c->body_rc != EB_OK)
		return eb_fail(err, c->body_rc, "reply-too-large", NULL,
		    "the reply is larger than this tool accepts");
	*status = c->status;
	trace_reply(c, method == EVHTTP_REQ_POST ? "POST" : "GET", path, body);
	return EB_OK;
}

int
eb_client_get(struct eb_client *c, const char *path, struct eb_buf *body,
    int *status, struct eb_error *err)
{
	return exchange(c, EVHTTP_REQ_GET, path, NULL, NULL, 0, body, status,
	    err);
}

int
eb_client_get_stream(struct eb_client *c, const char *path,
    eb_client_sink_fn sink, void *arg, struct eb_buf *body, int *status,
    struct eb_error *err)
{
	int rc;

	c->sink = sink;
	c->sink_arg = arg;
	c->sink_failed = 0;
	c->status_early = status;
	rc = exchange(c, EVHTTP_REQ_GET, path, NULL, NULL, 0, body, status,
	    err);
	c->sink = NULL;
	c->sink_arg = NULL;
	c->status_early = NULL;
	if (rc == EB_OK && c->sink_failed)
		return eb_fail(err, EB_ERR_IO, "write-failed", NULL,
		    "the reply to %s could not be kept (see above)", path);
	return rc;
}

int
eb_client_get_stream_from(struct eb_client *c, const char *path,
    int64_t from, const char *if_range, char *content_range, size_t cap,
    eb_client_sink_fn sink, void *arg, struct eb_buf *body, int *status,
    struct eb_error *err)
{
	char range[48];
	int rc;

	snprintf(range, sizeof(range), "bytes=%lld-", (long long)from);
	if (cap > 0)
		content_range[0] = '\0';
	c->range = range;
	c->if_range = if_range;
	c->content_range = cap > 0 ? content_range : NULL;
	c->content_range_cap = cap;
	rc = eb_client_get_stream(c, path, sink, arg, body, status, err);
	c->range = c->if_range = NULL;
	c->content_range = NULL;
	c->content_range_cap = 0;
	return rc;
}

int
eb_client_post(struct eb_client *c, const char *path,
    const char *content_type, const uint8_t *bytes, size_t len,
    struct eb_buf *body, int *status, struct eb_error *err)
{
	return exchange(c, EVHTTP_REQ_POST, path,
	    content_type != NULL ? content_type : "application/octet-stream",
	    bytes, len, body, status, err);
}

int
eb_client_reply_error(const struct eb_buf *body, int status,
    struct eb_error *err)
{
	struct eb_doc *d = NULL;
	struct eb_error pe;
	struct eb_error tmp;

	eb_error_clear(&tmp);
	if (body->len > 0 && eb_xml_parse(NULL, NULL, body->data, body->len,
	    &d, &pe) == EB_OK && eb_errdoc_read(d, &tmp) == EB_OK) {
		eb_doc_free(d);
		if (err != NULL)
			*err = tmp;
		return tmp.code < 0 ? tmp.code : EB_ERR_INTERNAL;
	}
	eb_doc_free(d);
	return eb_fail(err, status == 413 ? EB_ERR_LIMIT : status >= 500 ?
	    EB_ERR_INTERNAL : EB_ERR_FORMAT, "http-error", NULL,
	    "the server answered HTTP %d", status);
}

void
eb_client_print_error(FILE *f, const struct eb_error *e)
{
	fprintf(f, "error: %s\n", e->primary[0] ? e->primary :
	    eb_strerror(e->code));
	if (e->detail[0])
		fprintf(f, "  detail: %s\n", e->detail);
	if (e->reason[0])   /* the stable code scripts test for */
		fprintf(f, "  code: %s\n", e->reason);
	if (e->hint[0])
		fprintf(f, "  hint: %s\n", e->hint);
}

X509 *
eb_client_peer_cert(struct eb_client *c)
{
	SSL *ssl;

	if (c == NULL || c->bev == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(c->bev)) == NULL)
		return NULL;
	return SSL_get1_peer_certificate(ssl);
}
