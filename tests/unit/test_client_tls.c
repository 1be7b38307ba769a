/*
 * tests/unit/test_client_tls.c
 *    The tools' TLS client context (tools/client.c eb_client_tls_ctx):
 *    what chain a client sends, seen by a real OpenSSL server over an
 *    in-memory BIO pair.  Its own certificate and the intermediates, never
 *    the trust anchor: a certificate of the root CA itself is sent alone;
 *    one under an intermediate carries the intermediate, whether the
 *    intermediate is in the certificate file or only in the CA file, or
 *    the CA file cannot complete the chain; a leaf alone that cannot be
 *    completed still makes a context (the server judges it); a key that does not match is refused (client-setup).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tests/unit/testpki.h"
#include "tools/client.h"

static struct eb_testpki P;
static char dir[] = "/tmp/eb-clienttls.XXXXXX";
static EVP_PKEY *ikey, *lkey;
static X509 *ica, *leaf;      /* an intermediate CA under P.ca, a leaf under it */

static char *
path(const char *name)
{
	static char b[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", dir, name);
	return b[i];
}

/* Write the certificates (NULL-terminated) and, if 'key', a key. */
static void
write_pem(const char *name, X509 *const *certs, EVP_PKEY *key)
{
	FILE *f = fopen(path(name), "w");

	assert_non_null(f);
	for (; *certs != NULL; certs++)
		assert_int_equal(PEM_write_X509(f, *certs), 1);
	if (key != NULL)
		assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0,
		    NULL, NULL), 1);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	const char *subj = "/O=ACME/OU=bidder/UID=bidder7/serialNumber=P-1007"
	    "/CN=Bidder Seven";

	(void)state;
	if (eb_testpki_init(&P) != 0 || mkdtemp(dir) == NULL)
		return -1;
	ikey = eb_testpki_ec_key();
	lkey = eb_testpki_ec_key();
	ica = eb_testpki_issue(P.ca.cert, P.ca.key, ikey, "/CN=ebid Test Sub CA",
	    P.now_ms - EB_TP_DAY, P.now_ms + 30 * EB_TP_DAY, EB_TP_CA);
	leaf = eb_testpki_issue(ica, ikey, lkey, subj, P.now_ms - EB_TP_DAY,
	    P.now_ms + 30 * EB_TP_DAY, EB_TP_PARTY);
	if (ikey == NULL || lkey == NULL || ica == NULL || leaf == NULL)
		return -1;
	write_pem("root.pem", (X509 *[]){ P.ca.cert, NULL }, NULL);
	write_pem("other.pem", (X509 *[]){ P.other_ca.cert, NULL }, NULL);
	write_pem("both.pem", (X509 *[]){ P.ca.cert, ica, NULL }, NULL);
	write_pem("bidder.crt", (X509 *[]){ P.bidder.cert, NULL }, NULL);
	write_pem("bidder.key", (X509 *[]){ NULL }, P.bidder.key);
	write_pem("leaf.crt", (X509 *[]){ leaf, NULL }, NULL);
	write_pem("leafchain.crt", (X509 *[]){ leaf, ica, NULL }, NULL);
	write_pem("leaf.key", (X509 *[]){ NULL }, lkey);
	write_pem("foreign.crt", (X509 *[]){ P.foreign.cert, NULL }, NULL);
	write_pem("foreign.key", (X509 *[]){ NULL }, P.foreign.key);
	return 0;
}

static int
teardown(void **state)
{
	static const char *names[] = { "root.pem", "other.pem", "both.pem", "bidder.crt",
	    "bidder.key", "leaf.crt", "leafchain.crt", "leaf.key",
	    "foreign.crt", "foreign.key" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (getenv("EB_TEST_DEBUG") == NULL)
			unlink(path(names[i]));
	if (getenv("EB_TEST_DEBUG") == NULL)
		rmdir(dir);
	X509_free(ica);
	X509_free(leaf);
	EVP_PKEY_free(ikey);
	EVP_PKEY_free(lkey);
	eb_testpki_free(&P);
	return 0;
}

/*
 * Handshake a client of 'cctx' with a server trusting P.ca only and
 * requiring a client certificate.  Returns 1 when both ends finished;
 * '*sent' gets a copy of the chain the client sent beyond its own
 * certificate (the server's view), '*peer' the client's certificate.
 */
static int
handshake(SSL_CTX *cctx, STACK_OF(X509) **sent, X509 **peer)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	X509_STORE *st;
	SSL *c, *s;
	BIO *cb, *sb;
	int cdone = 0, sdone = 0, ok;

	assert_non_null(sctx);
	assert_int_equal(SSL_CTX_use_certificate(sctx, P.expert.cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(sctx, P.expert.key), 1);
	st = SSL_CTX_get_cert_store(sctx);
	assert_int_equal(X509_STORE_add_cert(st, P.ca.cert), 1);
	SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	c = SSL_new(cctx);
	s = SSL_new(sctx);
	assert_non_null(c);
	assert_non_null(s);
	/* the test's server certificate is not for TLS servers: what is
	 * under test is what the client sends */
	SSL_set_verify(c, SSL_VERIFY_NONE, NULL);
	assert_int_equal(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	for (int i = 0; i < 50 && !(cdone && sdone); i++) {
		if (!cdone) {
			ok = SSL_do_handshake(c);
			if (ok == 1)
				cdone = 1;
			else if (SSL_get_error(c, ok) != SSL_ERROR_WANT_READ)
				break;
		}
		if (!sdone) {
			ok = SSL_do_handshake(s);
			if (ok == 1)
				sdone = 1;
			else if (SSL_get_error(s, ok) != SSL_ERROR_WANT_READ)
				break;
		}
	}
	if (getenv("EB_TEST_DEBUG") != NULL)
		ERR_print_errors_fp(stderr);
	ERR_clear_error();
	*sent = NULL;
	*peer = NULL;
	if (sdone) {
		STACK_OF(X509) *ch = SSL_get_peer_cert_chain(s);

		*sent = ch != NULL ? X509_chain_up_ref(ch) : sk_X509_new_null();
		*peer = SSL_get1_peer_certificate(s);
	}
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(sctx);
	return cdone && sdone;
}

/* A certificate of the root CA: sent alone, the root is not. */
static void
test_root_not_sent(void **state)
{
	struct eb_error e;
	SSL_CTX *ctx;
	STACK_OF(X509) *sent;
	X509 *peer;

	(void)state;
	eb_error_clear(&e);
	ctx = eb_client_tls_ctx(path("root.pem"), path("bidder.crt"),
	    path("bidder.key"), &e);
	assert_non_null(ctx);
	assert_int_equal(handshake(ctx, &sent, &peer), 1);
	assert_int_equal(X509_cmp(peer, P.bidder.cert), 0);
	assert_int_equal(sk_X509_num(sent), 0);
	sk_X509_pop_free(sent, X509_free);
	X509_free(peer);
	SSL_CTX_free(ctx);
}

/* Under an intermediate: the intermediate goes with it, the root not;
 * from the CA file or from the certificate file alike. */
static void
test_intermediate_sent(void **state)
{
	const char *files[3][2] = {
		{ "both.pem", "leaf.crt" },       /* intermediate in the CA file */
		{ "root.pem", "leafchain.crt" },  /* in the certificate file */
		/* a CA file that cannot complete it: the file's chain, as is */
		{ "other.pem", "leafchain.crt" },
	};

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct eb_error e;
		SSL_CTX *ctx;
		STACK_OF(X509) *sent;
		X509 *peer;

		eb_error_clear(&e);
		ctx = eb_client_tls_ctx(path(files[i][0]), path(files[i][1]),
		    path("leaf.key"), &e);
		assert_non_null(ctx);
		assert_int_equal(handshake(ctx, &sent, &peer), 1);
		assert_int_equal(X509_cmp(peer, leaf), 0);
		assert_int_equal(sk_X509_num(sent), 1);
		assert_int_equal(X509_cmp(sk_X509_value(sent, 0), ica), 0);
		sk_X509_pop_free(sent, X509_free);
		X509_free(peer);
		SSL_CTX_free(ctx);
	}
}

/* A chain the CA file cannot complete: a context all the same (the
 * leaf is sent as it is); this server refuses it. */
static void
test_incomplete_chain(void **state)
{
	struct eb_error e;
	SSL_CTX *ctx;
	STACK_OF(X509) *sent;
	X509 *peer;

	(void)state;
	eb_error_clear(&e);
	ctx = eb_client_tls_ctx(path("root.pem"), path("foreign.crt"),
	    path("foreign.key"), &e);
	assert_non_null(ctx);
	assert_int_equal(handshake(ctx, &sent, &peer), 0);
	assert_null(sent);
	SSL_CTX_free(ctx);
}

/* The wrong key: no context, a client-setup error naming the key. */
static void
test_wrong_key(void **state)
{
	struct eb_error e;

	(void)state;
	eb_error_clear(&e);
	assert_null(eb_client_tls_ctx(path("root.pem"), path("bidder.crt"),
	    path("leaf.key"), &e));
	assert_string_equal(e.reason, "client-setup");
	assert_non_null(strstr(e.primary, "leaf.key"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_not_sent),
		cmocka_unit_test(test_intermediate_sent),
		cmocka_unit_test(test_incomplete_chain),
		cmocka_unit_test(test_wrong_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
