/*
 * tests/unit/test_ocsp.c
 *    OCSP requests and responses (protocol/ocsp.c) with the in-memory test
 *    PKI, responses made by OpenSSL's responder API as `openssl ocsp`
 *    makes them: good, revoked (with its time), unknown; refused (no
 *    answer that counts): a response signed by another CA, one signed by
 *    a mere party certificate of the trusted CA (not delegated), one about
 *    another certificate, a stale one, one dated ahead, an unsuccessful
 *    status, garbage, a truncated one, trailing bytes; the request names
 *    the certificate and carries a nonce when asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "protocol/ocsp.h"
#include "tests/unit/testpki.h"

static struct eb_testpki P;
static X509_STORE *store;

static int
setup(void **state)
{
	(void)state;
	if (eb_testpki_init(&P) != 0 || (store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, P.ca.cert) != 1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	X509_STORE_free(store);
	eb_testpki_free(&P);
	return 0;
}

/*
 * A DER response about 'cert' (issued by 'issuer') with 'status', signed
 * by (signer, skey); this/next update relative to now in seconds (next 0:
 * none).
 */
static unsigned char *
response(X509 *cert, X509 *issuer, int status, X509 *signer, EVP_PKEY *skey,
    long this_s, long next_s, size_t *len)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
	ASN1_TIME *thisupd = X509_gmtime_adj(NULL, this_s);
	ASN1_TIME *nextupd = next_s != 0 ? X509_gmtime_adj(NULL, next_s) :
	    NULL;
	ASN1_TIME *rev = X509_gmtime_adj(NULL, -3600);
	OCSP_RESPONSE *resp;
	unsigned char *der = NULL;
	int n;

	assert_non_null(bs);
	assert_non_null(id);
	assert_non_null(OCSP_basic_add1_status(bs, id, status,
	    status == V_OCSP_CERTSTATUS_REVOKED ? OCSP_REVOKED_STATUS_KEYCOMPROMISE
	    : 0, status == V_OCSP_CERTSTATUS_REVOKED ? rev : NULL, thisupd,
	    nextupd));
	assert_int_equal(OCSP_basic_sign(bs, signer, skey, EVP_sha256(), NULL,
	    0), 1);
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	assert_non_null(resp);
	n = i2d_OCSP_RESPONSE(resp, &der);
	assert_true(n > 0);
	*len = (size_t)n;
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	ASN1_TIME_free(rev);
	return der;
}

static enum eb_ocsp_status
check(unsigned char *der, size_t len, struct eb_ocsp_answer *a)
{
	enum eb_ocsp_status s = eb_ocsp_check(der, len, P.bidder.cert,
	    P.ca.cert, store, P.now_ms, a);

	OPENSSL_free(der);
	return s;
}

static void
test_good(void **state)
{
	struct eb_ocsp_answer a;
	size_t len;
	unsigned char *der = response(P.bidder.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_GOOD, P.ca.cert, P.ca.key, -60, 3600, &len);

	(void)state;
	assert_int_equal(check(der, len, &a), EB_OCSP_GOOD);
	assert_int_equal(a.status, EB_OCSP_GOOD);
	/* cached until nextUpdate: about an hour ahead */
	assert_true(a.next_ms > P.now_ms + 3500 * 1000);
	assert_true(a.next_ms < P.now_ms + 3700 * 1000);
	assert_true(a.this_ms <= P.now_ms);
}

static void
test_revoked(void **state)
{
	struct eb_ocsp_answer a;
	size_t len;
	unsigned char *der = response(P.bidder.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_REVOKED, P.ca.cert, P.ca.key, -60, 3600, &len);

	(void)state;
	assert_int_equal(check(der, len, &a), EB_OCSP_REVOKED);
	assert_true(a.revoked_ms > P.now_ms - 3700 * 1000);
	assert_true(a.revoked_ms < P.now_ms - 3500 * 1000);
}

static void
test_unknown_and_no_next_update(void **state)
{
	struct eb_ocsp_answer a;
	size_t len;
	unsigned char *der = response(P.bidder.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_UNKNOWN, P.ca.cert, P.ca.key, -60, 0, &len);

	(void)state;
	assert_int_equal(check(der, len, &a), EB_OCSP_UNKNOWN);
	assert_int_equal(a.next_ms, 0);    /* nothing to cache until */
}

static void
test_foreign_signer_refused(void **state)
{
	struct eb_ocsp_answer a;
	size_t len;
	unsigned char *der = response(P.bidder.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_GOOD, P.other_ca.cert, P.other_ca.key, -60,
	    3600, &len);

	(void)state;
	assert_int_equal(check(der, len, &a), EB_OCSP_INVALID);
	assert_non_null(strstr(a.why, "signature or signer"));
}

static void
test_undelegated_party_refused(void **state)
{
	struct eb_ocsp_answer a;
	size_t len;
	/* a bidder of the trusted CA vouches for itself: not the issuer, no
	 * id-kp-OCSPSigning */
	unsigned char *der = response(P.bidder.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_GOOD, P.bidder.cert, P.bidder.key, -60, 3600,
	    &len);

	(void)state;
	assert_int_equal(check(der, len, &a), EB_OCSP_INVALID);
}

static void
test_other_certificate_refused(void **state)
{
	struct eb_ocsp_answer a;
	size_t len;
	unsigned char *der = response(P.expert.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_GOOD, P.ca.cert, P.ca.key, -60, 3600, &len);

	(void)state;
	assert_int_equal(check(der, len, &a), EB_OCSP_INVALID);
	assert_non_null(strstr(a.why, "does not name"));
}

static void
test_stale_and_future_refused(void **state)
{
	struct eb_ocsp_answer a;
	size_t len;
	unsigned char *der = response(P.bidder.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_GOOD, P.ca.cert, P.ca.key, -7200, -3600, &len);

	(void)state;
	assert_int_equal(check(der, len, &a), EB_OCSP_INVALID);
	assert_non_null(strstr(a.why, "stale"));
	der = response(P.bidder.cert, P.ca.cert, V_OCSP_CERTSTATUS_GOOD,
	    P.ca.cert, P.ca.key, 3600, 7200, &len);
	assert_int_equal(check(der, len, &a), EB_OCSP_INVALID);
	assert_non_null(strstr(a.why, "future"));
}

static void
test_unsuccessful_refused(void **state)
{
	struct eb_ocsp_answer a;
	OCSP_RESPONSE *resp = OCSP_response_create(
	    OCSP_RESPONSE_STATUS_TRYLATER, NULL);
	unsigned char *der = NULL;
	int n = i2d_OCSP_RESPONSE(resp, &der);

	(void)state;
	assert_true(n > 0);
	OCSP_RESPONSE_free(resp);
	assert_int_equal(check(der, (size_t)n, &a), EB_OCSP_INVALID);
	assert_non_null(strstr(a.why, "trylater"));
}

static void
test_malformed_refused(void **state)
{
	struct eb_ocsp_answer a;
	static const uint8_t junk[] = { 0x30, 0x82, 0xff, 0xff, 0x0a, 0x01 };
	size_t len;
	unsigned char *der = response(P.bidder.cert, P.ca.cert,
	    V_OCSP_CERTSTATUS_GOOD, P.ca.cert, P.ca.key, -60, 3600, &len);
	unsigned char *longer = malloc(len + 1);

	(void)state;
	assert_int_equal(eb_ocsp_check(junk, sizeof(junk), P.bidder.cert,
	    P.ca.cert, store, P.now_ms, &a), EB_OCSP_INVALID);
	assert_int_equal(eb_ocsp_check(der, len - 1, P.bidder.cert, P.ca.cert,
	    store, P.now_ms, &a), EB_OCSP_INVALID);
	assert_int_equal(eb_ocsp_check(NULL, 0, P.bidder.cert, P.ca.cert,
	    store, P.now_ms, &a), EB_OCSP_INVALID);
	assert_non_null(longer);
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_int_equal(eb_ocsp_check(longer, len + 1, P.bidder.cert,
	    P.ca.cert, store, P.now_ms, &a), EB_OCSP_INVALID);
	/* the same bytes, whole: good (the refusals above were the edits) */
	assert_int_equal(eb_ocsp_check(der, len, P.bidder.cert, P.ca.cert,
	    store, P.now_ms, &a), EB_OCSP_GOOD);
	free(longer);
	OPENSSL_free(der);
}

static void
test_request(void **state)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	OCSP_REQUEST *req;
	OCSP_CERTID *want = OCSP_cert_to_id(NULL, P.bidder.cert, P.ca.cert);
	OCSP_ONEREQ *one;

	(void)state;
	assert_int_equal(eb_ocsp_request(P.bidder.cert, P.ca.cert, 1, &der,
	    &len), 0);
	p = der;
	req = d2i_OCSP_REQUEST(NULL, &p, (long)len);
	assert_non_null(req);
	assert_int_equal(OCSP_request_onereq_count(req), 1);
	one = OCSP_request_onereq_get0(req, 0);
	assert_int_equal(OCSP_id_cmp(OCSP_onereq_get0_id(one), want), 0);
	assert_true(OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce,
	    -1) >= 0);
	OCSP_REQUEST_free(req);
	OPENSSL_free(der);
	assert_int_equal(eb_ocsp_request(P.bidder.cert, P.ca.cert, 0, &der,
	    &len), 0);
	p = der;
	req = d2i_OCSP_REQUEST(NULL, &p, (long)len);
	assert_non_null(req);
	assert_true(OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce,
	    -1) < 0);
	OCSP_REQUEST_free(req);
	OPENSSL_free(der);
	OCSP_CERTID_free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_unknown_and_no_next_update),
		cmocka_unit_test(test_foreign_signer_refused),
		cmocka_unit_test(test_undelegated_party_refused),
		cmocka_unit_test(test_other_certificate_refused),
		cmocka_unit_test(test_stale_and_future_refused),
		cmocka_unit_test(test_unsuccessful_refused),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
