/*
 * engine/server/tls.c
 *    The server's TLS context for mutual TLS (docs/engineering-notes.md, TLS):
 *    TLS 1.2 at least, the server chain and key, the centre's CA as the
 *    only trust and as the client CA list sent to clients, a required
 *    client certificate, and a session id context so that resumed TLS 1.2
 *    sessions with client verification work.  TLS 1.2 offers only ECDHE
 *    with AEAD ciphers (AES-GCM, ChaCha20-Poly1305): no CBC, no SHA-1 MAC,
 *    no static RSA key exchange; TLS 1.3 keeps OpenSSL's suites (all AEAD).
 *    Sessions and tickets live EB_TLS_SESSION_SECONDS: ebid opens a fresh
 *    session for every exchange, so resumption only has to cover a burst.
 *
 *    A client whose certificate the CA revoked (the crl setting, reloaded
 *    on SIGHUP) fails the handshake (verify_revoked); a connection or
 *    resumed session that began before the revocation is refused at its
 *    next request (http.c).
 *
 * INTERFACE
 *    eb_tls_server_ctx()      - see tls.h
 *    eb_tls_check_revocation() - see tls.h
 */
#include <string.h>

#include <openssl/err.h>

#include "engine/server/server.h"
#include "engine/server/tls.h"

/* TLS 1.2: forward secrecy and AEAD only, strongest first. */
#define EB_TLS12_CIPHERS \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
/* Session cache entries and ticket lifetime hint (OpenSSL's default: 2 h). */
#define EB_TLS_SESSION_SECONDS 300

static int
ssl_fail(struct eb_error *err, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	const char *why = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return eb_fail(err, EB_ERR_CRYPTO, "tls-setup",
	    "Check the ca, cert and key settings: PEM files the server can "
	    "read, and a key that matches the certificate.",
	    "%s %s: %s", what, path, why != NULL ? why : "failed");
}

/*
 * The handshake's verify callback: OpenSSL's chain verdict, then, for the
 * client's own certificate, the revocation lists of the trust set by
 * eb_tls_check_revocation() (the SSL_CTX's app data).
 */
static int
verify_revoked(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	const struct eb_trust *t = ssl != NULL ?
	    SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;

	if (!ok || t == NULL || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	if (eb_trust_check_revoked(t, X509_STORE_CTX_get_current_cert(xs), 0,
	    NULL) != EB_OK) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REVOKED);
		return 0;
	}
	return 1;
}

/*
 * The chain check of a client certificate (OpenSSL's X509_verify_cert,
 * with verify_revoked above), then the certificates the client sent
 * besides its own are dropped: OpenSSL clients send their CA too (the
 * chain they build from their trust store), the handshake decodes it and
 * the session keeps it for the connection's life, 5.3 KiB per connection
 * that nothing reads (the check takes the CA from our own store; ebidd
 * reads only the client's certificate).  Measured with the bare server:
 * 28.2 -> 23.0 KiB of heap per idle connection (docs/performance.md).
 * The stack is the one the session keeps (X509_STORE_CTX_init's
 * untrusted list); the verified chain holds its own references.
 */
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

void
eb_tls_check_revocation(SSL_CTX *ctx, const struct eb_trust *t)
{
	SSL_CTX_set_app_data(ctx, (void *)t);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_revoked);
}

SSL_CTX *
eb_tls_server_ctx(const char *ca, const char *cert, const char *key,
    struct eb_error *err)
{
	static const unsigned char sid_ctx[] = "ebidd";
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	STACK_OF(X509_NAME) *names = NULL;

	if (ctx == NULL) {
		ssl_fail(err, "cannot create a TLS context", "");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_set_cipher_list(ctx, EB_TLS12_CIPHERS) != 1) {
		ssl_fail(err, "cannot set the TLS 1.2 ciphers", "");
		goto bad;
	}
	SSL_CTX_set_timeout(ctx, EB_TLS_SESSION_SECONDS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		ssl_fail(err, "cannot load the server certificate", cert);
		goto bad;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ssl_fail(err, "cannot load the server key", key);
		goto bad;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_fail(err, "the key does not match the certificate", key);
		goto bad;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		ssl_fail(err, "cannot load the CA", ca);
		goto bad;
	}
	if ((names = SSL_load_client_CA_file(ca)) == NULL) {
		ssl_fail(err, "cannot read CA names from", ca);
		goto bad;
	}
	SSL_CTX_set_client_CA_list(ctx, names);   /* takes ownership */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	SSL_CTX_set_cert_verify_callback(ctx, verify_then_drop_sent, NULL);
	if (SSL_CTX_set_session_id_context(ctx, sid_ctx,
	    sizeof(sid_ctx) - 1) != 1) {
		ssl_fail(err, "cannot set the session id context", "");
		goto bad;
	}
	/*
	 * Idle connections give their read and write buffers back to the
	 * allocator: 10,000 idle TLS connections measured 426 MiB without,
	 * the bare libevent server 278 MiB with it, at the same CPU per
	 * request (docs/performance.md).
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	return ctx;
bad:
	SSL_CTX_free(ctx);
	return NULL;
}
