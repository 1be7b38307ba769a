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
 *    Connections of one client certificate share one decoded copy of it
 *    (peer_share below): 10,000 idle connections of 14 parties took
 *    4.5 KiB each for their own copy (docs/performance.md, issue 17 fifth
 *    pass).  Every handshake still runs the whole chain check and the
 *    revocation check on it.
 *
 * INTERFACE
 *    eb_tls_server_ctx()      - see tls.h
 *    eb_tls_check_revocation() - see tls.h
 *    eb_tls_shared_certs()     - see tls.h
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>

#include "engine/server/tls.h"
#include "protocol/pki.h"

/* TLS 1.2: forward secrecy and AEAD only, strongest first. */
#define EB_TLS12_CIPHERS \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
/* Session cache entries and ticket lifetime hint (OpenSSL's default: 2 h). */
#define EB_TLS_SESSION_SECONDS 300
/* Buckets of the shared client certificates (chained; one entry per
 * distinct certificate some connection holds). */
#define PEER_BUCKETS 1024

/*
 * The shared client certificates: one decoded X509 per certificate (by
 * the SHA-256 of its DER encoding) that at least one live connection
 * holds.  An entry counts the connections (SSL objects) that hold it; the
 * last one to go (SSL_free, peer_ssl_free) takes the entry and the set's
 * reference with it.  So the set is bounded by the open connections and
 * holds nothing at rest.  It holds certificates only, never a verdict:
 * each handshake checks the chain and the revocation lists (and each
 * request the revocation lists and OCSP, http.c) on the shared copy, as
 * on a copy of its own.  The set belongs to the SSL_CTX (ex data, freed
 * with it); a mutex guards it, though the handshakes and SSL_free() run
 * on the loop thread.
 */
struct peer_cert {
	struct peer_cert *next;
	struct peer_set *set;
	X509 *x;                             /* the set's reference */
	unsigned users;                      /* SSL objects holding it */
	unsigned char md[SHA256_DIGEST_LENGTH];
};

struct peer_set {
	pthread_mutex_t mu;
	struct peer_cert *b[PEER_BUCKETS];
};

static int peer_ssl_idx = -1;            /* SSL -> its peer_cert */
static int peer_ctx_idx = -1;            /* SSL_CTX -> its peer_set */

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

static unsigned
peer_bucket(const unsigned char *md)
{
	return ((unsigned)md[0] | (unsigned)md[1] << 8) % PEER_BUCKETS;
}

/* The entry of 'md', NULL if none (the set locked). */
static struct peer_cert *
peer_find(struct peer_set *set, const unsigned char *md)
{
	struct peer_cert *pc;

	for (pc = set->b[peer_bucket(md)]; pc != NULL; pc = pc->next)
		if (memcmp(pc->md, md, sizeof(pc->md)) == 0)
			return pc;
	return NULL;
}

/* One holder of 'pc' less; the last one frees it. */
static void
peer_release(struct peer_cert *pc)
{
	struct peer_set *set = pc->set;
	struct peer_cert **p;

	pthread_mutex_lock(&set->mu);
	if (--pc->users > 0) {
		pthread_mutex_unlock(&set->mu);
		return;
	}
	for (p = &set->b[peer_bucket(pc->md)]; *p != NULL; p = &(*p)->next)
		if (*p == pc) {
			*p = pc->next;
			break;
		}
	pthread_mutex_unlock(&set->mu);
	X509_free(pc->x);
	free(pc);
}

/* SSL_free() (and every SSL's ex data at its end): its hold on the entry. */
static void
peer_ssl_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (ptr != NULL)
		peer_release(ptr);
}

/* SSL_CTX_free(): every SSL is gone by then (each holds the SSL_CTX). */
static void
peer_ctx_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct peer_set *set = ptr;
	struct peer_cert *pc, *next;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (set == NULL)
		return;
	for (size_t i = 0; i < PEER_BUCKETS; i++)
		for (pc = set->b[i]; pc != NULL; pc = next) {
			next = pc->next;
			X509_free(pc->x);
			free(pc);
		}
	pthread_mutex_destroy(&set->mu);
	free(set);
}

/* 'ssl' holds 'pc' (one use already counted) until it is freed. */
static void
peer_attach(SSL *ssl, struct peer_cert *pc)
{
	struct peer_cert *old = SSL_get_ex_data(ssl, peer_ssl_idx);

	if (SSL_set_ex_data(ssl, peer_ssl_idx, pc) != 1) {
		peer_release(pc);            /* only the sharing is lost */
		return;
	}
	if (old != NULL)
		peer_release(old);
}

/*
 * Before the chain check: when a connection holds a certificate of the
 * same DER encoding as 'leaf' (the first one of 'sent', the one being
 * checked), the check and then the session take that shared copy and the
 * one decoded from this handshake is freed.  OpenSSL's server takes the
 * session's peer certificate from this very stack after the check
 * (tls_process_client_certificate: session->peer = sk_X509_shift(sk)),
 * and the verified chain it keeps from this X509_STORE_CTX, so neither
 * keeps the handshake's copy.  Two certificates of the same DER are the
 * same certificate: the shared copy is checked as the own copy would be
 * (it holds no verdict), and CertificateVerify is then checked against
 * its key, the same key.  Returns the entry to attach, or NULL.
 */
static struct peer_cert *
peer_share(struct peer_set *set, X509_STORE_CTX *xs, STACK_OF(X509) *sent,
    unsigned char *md, int *have_md)
{
	X509 *leaf = sk_X509_value(sent, 0), *shared;
	unsigned char *der = NULL;
	struct peer_cert *pc;
	int len;

	*have_md = 0;
	if (leaf == NULL || leaf != X509_STORE_CTX_get0_cert(xs) ||
	    (len = i2d_X509(leaf, &der)) <= 0)
		return NULL;
	SHA256(der, (size_t)len, md);
	OPENSSL_free(der);
	*have_md = 1;
	pthread_mutex_lock(&set->mu);
	if ((pc = peer_find(set, md)) == NULL || pc->x == leaf ||
	    X509_up_ref(pc->x) != 1) {
		pthread_mutex_unlock(&set->mu);
		return NULL;
	}
	pc->users++;
	shared = pc->x;
	pthread_mutex_unlock(&set->mu);
	X509_STORE_CTX_set_cert(xs, shared);
	(void)sk_X509_set(sent, 0, shared);  /* takes our reference */
	X509_free(leaf);
	return pc;
}

/* After a chain check that passed on the handshake's own copy: share it. */
static struct peer_cert *
peer_add(struct peer_set *set, X509 *leaf, const unsigned char *md)
{
	struct peer_cert *pc;

	pthread_mutex_lock(&set->mu);
	if ((pc = peer_find(set, md)) != NULL) {
		/* not reached on one loop thread; keep the own copy */
		pthread_mutex_unlock(&set->mu);
		return NULL;
	}
	if ((pc = calloc(1, sizeof(*pc))) == NULL ||
	    X509_up_ref(leaf) != 1) {
		pthread_mutex_unlock(&set->mu);
		free(pc);
		return NULL;
	}
	pc->set = set;
	pc->x = leaf;
	pc->users = 1;
	memcpy(pc->md, md, sizeof(pc->md));
	pc->next = set->b[peer_bucket(md)];
	set->b[peer_bucket(md)] = pc;
	pthread_mutex_unlock(&set->mu);
	return pc;
}

/*
 * The chain check of a client certificate (OpenSSL's X509_verify_cert,
 * with verify_revoked above), on the shared copy of the certificate when
 * a connection holds one (peer_share), else on the handshake's own copy,
 * which is then shared (peer_add).  Then the certificates the client sent
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
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct peer_set *set = arg;
	struct peer_cert *pc = NULL;
	unsigned char md[SHA256_DIGEST_LENGTH];
	int have_md = 0, ok;

	if (set != NULL && ssl != NULL && sent != NULL &&
	    sk_X509_num(sent) > 0)
		pc = peer_share(set, xs, sent, md, &have_md);
	ok = X509_verify_cert(xs);
	if (pc == NULL && ok > 0 && have_md &&
	    X509_STORE_CTX_get_error(xs) == X509_V_OK)
		pc = peer_add(set, sk_X509_value(sent, 0), md);
	if (pc != NULL)
		peer_attach(ssl, pc);
	while (sent != NULL && sk_X509_num(sent) > 1)
		X509_free(sk_X509_pop(sent));
	return ok;
}

void
eb_tls_shared_certs(SSL_CTX *ctx, size_t *certs, size_t *holders)
{
	struct peer_set *set = peer_ctx_idx >= 0 ?
	    SSL_CTX_get_ex_data(ctx, peer_ctx_idx) : NULL;
	const struct peer_cert *pc;

	*certs = *holders = 0;
	if (set == NULL)
		return;
	pthread_mutex_lock(&set->mu);
	for (size_t i = 0; i < PEER_BUCKETS; i++)
		for (pc = set->b[i]; pc != NULL; pc = pc->next) {
			(*certs)++;
			*holders += pc->users;
		}
	pthread_mutex_unlock(&set->mu);
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
	struct peer_set *set;

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
	/*
	 * The chain ebidd sends: its certificate and the intermediates (from
	 * the certificate file or the CA file), never the root, which every
	 * client has (it verifies against its own trust) and RFC 8446 4.4.2
	 * lets a sender omit.  Built once here; OpenSSL's automatic chain
	 * would run X509_verify_cert() at every handshake and send the root.
	 * A chain the CA file cannot complete is sent as far as it goes.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_UNTRUSTED |
	    SSL_BUILD_CHAIN_FLAG_NO_ROOT |
	    SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR) <= 0) {
		ssl_fail(err, "cannot build the server certificate's chain",
		    cert);
		goto bad;
	}
	ERR_clear_error();
	if ((names = SSL_load_client_CA_file(ca)) == NULL) {
		ssl_fail(err, "cannot read CA names from", ca);
		goto bad;
	}
	SSL_CTX_set_client_CA_list(ctx, names);   /* takes ownership */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	if (peer_ssl_idx < 0)
		peer_ssl_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    peer_ssl_free);
	if (peer_ctx_idx < 0)
		peer_ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    peer_ctx_free);
	if (peer_ssl_idx < 0 || peer_ctx_idx < 0 ||
	    (set = calloc(1, sizeof(*set))) == NULL) {
		ssl_fail(err, "cannot set up the shared client certificates",
		    "");
		goto bad;
	}
	pthread_mutex_init(&set->mu, NULL);
	if (SSL_CTX_set_ex_data(ctx, peer_ctx_idx, set) != 1) {
		peer_ctx_free(NULL, set, NULL, 0, 0, NULL);
		ssl_fail(err, "cannot set up the shared client certificates",
		    "");
		goto bad;
	}
	SSL_CTX_set_cert_verify_callback(ctx, verify_then_drop_sent, set);
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
