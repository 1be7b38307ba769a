/*
 * tests/unit/test_tls.c
 *    The server's TLS context (engine/server/tls.c) in memory: real
 *    handshakes over BIO pairs with the in-memory test PKI.  Connections
 *    of one client certificate share one decoded copy of it (the session's
 *    peer certificate and the verified chain both point to it), another
 *    certificate gets its own, the set empties as the connections go; the
 *    CA a client sends is not kept, and the server does not send its own
 *    CA (only its certificate and intermediates); and a certificate revoked while a
 *    connection holds its shared copy is refused at the next handshake
 *    (the shared copy carries no verdict).  TLS 1.3 and TLS 1.2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "engine/server/tls.h"
#include "protocol/revocation.h"
#include "tests/unit/testpki.h"

struct fixture {
	struct eb_testpki pki;
	char dir[64], ca[96], cert[96], key[96];
	SSL_CTX *sctx;
};

/* One live connection: the server's end (what ebidd keeps) and the
 * client's. */
struct tconn {
	SSL *s, *c;
};

static void
write_pem_cert(const char *path, X509 *x)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct eb_error err;
	FILE *f;

	assert_non_null(fx);
	assert_int_equal(eb_testpki_init(&fx->pki), 0);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ebid-tls-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->ca, sizeof(fx->ca), "%s/ca.crt", fx->dir);
	snprintf(fx->cert, sizeof(fx->cert), "%s/server.crt", fx->dir);
	snprintf(fx->key, sizeof(fx->key), "%s/server.key", fx->dir);
	write_pem_cert(fx->ca, fx->pki.ca.cert);
	/* the server's certificate: any of the CA's with its key */
	write_pem_cert(fx->cert, fx->pki.custodian[0].cert);
	assert_non_null(f = fopen(fx->key, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, fx->pki.custodian[0].key,
	    NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	eb_error_clear(&err);
	fx->sctx = eb_tls_server_ctx(fx->ca, fx->cert, fx->key, &err);
	assert_non_null(fx->sctx);
	eb_tls_check_revocation(fx->sctx, fx->pki.trust);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	SSL_CTX_free(fx->sctx);
	unlink(fx->ca);
	unlink(fx->cert);
	unlink(fx->key);
	rmdir(fx->dir);
	eb_testpki_free(&fx->pki);
	free(fx);
	return 0;
}

/* A client context of 'pt' that also sends the CA (as OpenSSL clients
 * that build their chain from their trust store do). */
static SSL_CTX *
client_ctx(const struct fixture *fx, const struct eb_tp_party *pt,
    int max_version)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	assert_non_null(c);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	assert_int_equal(SSL_CTX_use_certificate(c, pt->cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(c, pt->key), 1);
	assert_int_equal(SSL_CTX_add1_chain_cert(c, fx->pki.ca.cert), 1);
	if (max_version != 0)
		assert_int_equal(SSL_CTX_set_max_proto_version(c,
		    max_version), 1);
	return c;
}

/* A handshake of 'pt' over a BIO pair; 1 when the server accepted it. */
static int
handshake(const struct fixture *fx, const struct eb_tp_party *pt,
    int max_version, struct tconn *tc)
{
	SSL_CTX *cctx = client_ctx(fx, pt, max_version);
	BIO *bs = NULL, *bc = NULL;
	int sdone = 0, cdone = 0, failed = 0, r;

	assert_int_equal(BIO_new_bio_pair(&bs, 0, &bc, 0), 1);
	tc->s = SSL_new(fx->sctx);
	tc->c = SSL_new(cctx);
	SSL_CTX_free(cctx);                  /* the SSL holds it */
	assert_non_null(tc->s);
	assert_non_null(tc->c);
	SSL_set_bio(tc->s, bs, bs);
	SSL_set_bio(tc->c, bc, bc);
	SSL_set_accept_state(tc->s);
	SSL_set_connect_state(tc->c);
	for (int i = 0; i < 50 && !failed && !(sdone && cdone); i++) {
		if (!cdone) {
			r = SSL_do_handshake(tc->c);
			if (r == 1)
				cdone = 1;
			else if (SSL_get_error(tc->c, r) != SSL_ERROR_WANT_READ)
				failed = 1;
		}
		if (!sdone && !failed) {
			r = SSL_do_handshake(tc->s);
			if (r == 1)
				sdone = 1;
			else if (SSL_get_error(tc->s, r) != SSL_ERROR_WANT_READ)
				failed = 1;
		}
	}
	ERR_clear_error();
	return sdone && !failed;
}

static void
tconn_free(struct tconn *tc)
{
	SSL_free(tc->c);
	SSL_free(tc->s);
	tc->c = tc->s = NULL;
}

static void
expect_shared(SSL_CTX *ctx, size_t certs, size_t holders)
{
	size_t n = 99, h = 99;

	eb_tls_shared_certs(ctx, &n, &h);
	assert_int_equal(n, certs);
	assert_int_equal(h, holders);
}

static void
shared(void **state, int max_version)
{
	struct fixture *fx = *state;
	struct tconn a, b, e;
	X509 *pa, *pb, *pe;
	STACK_OF(X509) *chain;

	expect_shared(fx->sctx, 0, 0);
	assert_true(handshake(fx, &fx->pki.bidder, max_version, &a));
	assert_true(handshake(fx, &fx->pki.bidder, max_version, &b));
	assert_int_equal(SSL_get_verify_result(a.s), X509_V_OK);
	assert_int_equal(SSL_get_verify_result(b.s), X509_V_OK);
	if (max_version != 0)
		assert_int_equal(SSL_version(a.s), max_version);
	else
		assert_int_equal(SSL_version(a.s), TLS1_3_VERSION);
	pa = SSL_get0_peer_certificate(a.s);
	pb = SSL_get0_peer_certificate(b.s);
	assert_non_null(pa);
	assert_int_equal(X509_cmp(pa, fx->pki.bidder.cert), 0);
	/* one decoded copy for both connections */
	assert_ptr_equal(pa, pb);
	expect_shared(fx->sctx, 1, 2);
	/* the verified chain kept by the second holds the shared copy too,
	 * then the CA of our store */
	chain = SSL_get0_verified_chain(b.s);
	assert_non_null(chain);
	assert_int_equal(sk_X509_num(chain), 2);
	assert_ptr_equal(sk_X509_value(chain, 0), pa);
	assert_int_equal(X509_cmp(sk_X509_value(chain, 1), fx->pki.ca.cert),
	    0);
	/* the server sent its own certificate, not the CA (the client side's
	 * list holds the peer's certificate first) */
	chain = SSL_get_peer_cert_chain(a.c);
	assert_non_null(chain);
	assert_int_equal(sk_X509_num(chain), 1);
	assert_int_equal(X509_cmp(sk_X509_value(chain, 0),
	    fx->pki.custodian[0].cert), 0);
	/* the CA the client sent is not kept (the server's list has no leaf) */
	chain = SSL_get_peer_cert_chain(b.s);
	assert_true(chain == NULL || sk_X509_num(chain) == 0);
	/* another certificate: its own copy */
	assert_true(handshake(fx, &fx->pki.expert, max_version, &e));
	pe = SSL_get0_peer_certificate(e.s);
	assert_non_null(pe);
	assert_ptr_not_equal(pe, pa);
	assert_int_equal(X509_cmp(pe, fx->pki.expert.cert), 0);
	expect_shared(fx->sctx, 2, 3);
	/* the set empties as the connections go */
	tconn_free(&a);
	expect_shared(fx->sctx, 2, 2);
	assert_int_equal(X509_cmp(SSL_get0_peer_certificate(b.s),
	    fx->pki.bidder.cert), 0);
	tconn_free(&b);
	expect_shared(fx->sctx, 1, 1);
	tconn_free(&e);
	expect_shared(fx->sctx, 0, 0);
}

static void
test_shared_tls13(void **state)
{
	shared(state, 0);
}

static void
test_shared_tls12(void **state)
{
	shared(state, TLS1_2_VERSION);
}

/* A CRL of the test CA revoking 'cert' an hour ago, loaded into the
 * trust (as SIGHUP does). */
static void
revoke_cert(struct fixture *fx, X509 *cert)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	time_t now = (time_t)(fx->pki.now_ms / 1000);
	ASN1_TIME *last = ASN1_TIME_set(NULL, now - 86400);
	ASN1_TIME *next = ASN1_TIME_set(NULL, now + 86400);
	ASN1_TIME *rt = ASN1_TIME_set(NULL, now - 3600);
	struct eb_revocations *rl;
	struct eb_error err;
	char path[96];
	FILE *f;

	assert_non_null(crl);
	assert_non_null(r);
	assert_int_equal(X509_CRL_set_version(crl, 1), 1);
	assert_int_equal(X509_CRL_set_issuer_name(crl,
	    X509_get_subject_name(fx->pki.ca.cert)), 1);
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, last), 1);
	assert_int_equal(X509_CRL_set1_nextUpdate(crl, next), 1);
	assert_int_equal(X509_REVOKED_set_serialNumber(r,
	    X509_get_serialNumber(cert)), 1);
	assert_int_equal(X509_REVOKED_set_revocationDate(r, rt), 1);
	assert_int_equal(X509_CRL_add0_revoked(crl, r), 1);
	assert_int_equal(X509_CRL_sort(crl), 1);
	assert_true(X509_CRL_sign(crl, fx->pki.ca.key, EVP_sha256()) > 0);
	snprintf(path, sizeof(path), "%s/ca.crl", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(PEM_write_X509_CRL(f, crl), 1);
	fclose(f);
	eb_error_clear(&err);
	rl = eb_revocations_load(path, eb_trust_store(fx->pki.trust), &err);
	unlink(path);
	assert_non_null(rl);
	eb_trust_set_revocations(fx->pki.trust, rl);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_TIME_free(rt);
	X509_CRL_free(crl);
}

static void
test_revoked_while_shared(void **state)
{
	struct fixture *fx = *state;
	struct tconn a, b, e, r;

	assert_true(handshake(fx, &fx->pki.bidder, 0, &a));
	assert_true(handshake(fx, &fx->pki.bidder, TLS1_2_VERSION, &b));
	assert_ptr_equal(SSL_get0_peer_certificate(a.s),
	    SSL_get0_peer_certificate(b.s));
	expect_shared(fx->sctx, 1, 2);
	revoke_cert(fx, fx->pki.bidder.cert);
	/* a new handshake of the same certificate: refused, both versions,
	 * although live connections hold its shared copy */
	assert_false(handshake(fx, &fx->pki.bidder, 0, &r));
	assert_int_equal(SSL_get_verify_result(r.s), X509_V_ERR_CERT_REVOKED);
	tconn_free(&r);
	assert_false(handshake(fx, &fx->pki.bidder, TLS1_2_VERSION, &r));
	assert_int_equal(SSL_get_verify_result(r.s), X509_V_ERR_CERT_REVOKED);
	tconn_free(&r);
	expect_shared(fx->sctx, 1, 2);
	/* (the connections of before are refused at their next request by
	 * http.c's check of the shared copy: tests/integration) */
	assert_int_not_equal(eb_trust_check_revoked(fx->pki.trust,
	    SSL_get0_peer_certificate(a.s), 0, NULL), EB_OK);
	/* another party is not affected */
	assert_true(handshake(fx, &fx->pki.expert, 0, &e));
	expect_shared(fx->sctx, 2, 3);
	tconn_free(&a);
	tconn_free(&b);
	tconn_free(&e);
	expect_shared(fx->sctx, 0, 0);
	eb_trust_set_revocations(fx->pki.trust, NULL);
}

/* A certificate the CA did not issue, or an expired one: refused, and
 * nothing shared for it. */
static void
test_refused_not_shared(void **state)
{
	struct fixture *fx = *state;
	struct tconn r;

	assert_false(handshake(fx, &fx->pki.foreign, 0, &r));
	tconn_free(&r);
	assert_false(handshake(fx, &fx->pki.expired, 0, &r));
	assert_int_equal(SSL_get_verify_result(r.s),
	    X509_V_ERR_CERT_HAS_EXPIRED);
	tconn_free(&r);
	expect_shared(fx->sctx, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shared_tls13, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shared_tls12, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_revoked_while_shared,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_not_shared,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
