/*
 * tests/unit/test_pki.c
 *    Trust store, chain/validity checks at an instant, identity from the
 *    certificate subject, PEM loaders and DER export (protocol/pki.c).
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

#include <openssl/pem.h>

#include "protocol/pki.h"
#include "tests/unit/testpki.h"

static struct eb_testpki pki;

static int
setup(void **state)
{
	(void)state;
	return eb_testpki_init(&pki);
}

static int
teardown(void **state)
{
	(void)state;
	eb_testpki_free(&pki);
	return 0;
}

static void
test_check_valid_expired_foreign_ca(void **state)
{
	struct eb_error err;

	(void)state;
	assert_int_equal(eb_trust_check(pki.trust, pki.bidder.cert, 0, &err),
	    EB_OK);
	assert_int_equal(eb_trust_check(pki.trust, pki.bidder_rsa.cert,
	    pki.now_ms, &err), EB_OK);
	/* expired: valid [now-30d, now-1d] */
	assert_int_equal(eb_trust_check(pki.trust, pki.expired.cert, 0, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-expired");
	assert_int_equal(eb_trust_check(pki.trust, pki.expired.cert,
	    pki.now_ms - 5 * EB_TP_DAY, &err), EB_OK);
	/* before notBefore (now-10d) */
	assert_int_equal(eb_trust_check(pki.trust, pki.bidder.cert,
	    pki.now_ms - 20 * EB_TP_DAY, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-not-yet-valid");
	/* issued by another CA */
	assert_int_equal(eb_trust_check(pki.trust, pki.foreign.cert, 0, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "unknown-ca");
	/* the CA itself is no party */
	assert_int_equal(eb_trust_check(pki.trust, pki.ca.cert, 0, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-is-ca");
	/* the TSA certificate chains to the CA too (purpose ANY) */
	assert_int_equal(eb_trust_check(pki.trust, pki.tsa.cert, 0, &err),
	    EB_OK);
}

static void
test_actor_from_subject(void **state)
{
	struct eb_actor a;
	struct eb_error err;
	char spec[64];

	(void)state;
	assert_int_equal(eb_actor_from_cert(pki.bidder.cert, &a, &err), EB_OK);
	assert_int_equal(a.role, EB_ROLE_BIDDER);
	assert_string_equal(a.party, "bidder1");
	assert_string_equal(a.person, "P-1001");
	assert_string_equal(a.org, "ACME Construction");
	assert_string_equal(a.name, "Bidder One");
	assert_int_equal(eb_actor_from_cert(pki.custodian[1].cert, &a, &err),
	    EB_OK);
	assert_int_equal(a.role, EB_ROLE_CUSTODIAN);
	assert_string_equal(a.party, "custodian2");
	assert_string_equal(a.person, "P-3002");
	eb_cert_specialty(pki.expert.cert, spec, sizeof(spec));
	assert_string_equal(spec, "civil-works");
	eb_cert_specialty(pki.bidder.cert, spec, sizeof(spec));
	assert_string_equal(spec, "");
	/* the TSA certificate names no role */
	assert_int_equal(eb_actor_from_cert(pki.tsa.cert, &a, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "no-role");
}

static void
test_actor_refuses_incomplete_subjects(void **state)
{
	static const struct {
		const char *subject, *reason;
	} cases[] = {
		{ "/O=X/OU=wizard/UID=w1/serialNumber=P-1/CN=W", "no-role" },
		{ "/O=X/OU=bidder/serialNumber=P-1/CN=B", "no-party-id" },
		{ "/O=X/OU=bidder/UID=b1/CN=B", "no-person-id" },
		{ "/O=X/OU=bidder/UID=b1/UID=b2/serialNumber=P-1/CN=B",
		  "no-party-id" },
	};
	struct eb_actor a;
	struct eb_error err;
	size_t i;
	X509 *x;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		x = eb_testpki_issue(pki.ca.cert, pki.ca.key, pki.bidder.key,
		    cases[i].subject, pki.now_ms - EB_TP_DAY,
		    pki.now_ms + EB_TP_DAY, EB_TP_PARTY);
		assert_non_null(x);
		assert_int_equal(eb_actor_from_cert(x, &a, &err),
		    EB_ERR_DENIED);
		assert_string_equal(err.reason, cases[i].reason);
		X509_free(x);
	}
}

static void
test_pem_files_and_der(void **state)
{
	char path[] = "/tmp/eb_test_pki_XXXXXX", kpath[] = "/tmp/eb_test_key_XXXXXX";
	struct eb_trust *t;
	struct eb_error err;
	X509 *x, *back;
	EVP_PKEY *k;
	uint8_t *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, pki.ca.cert), 1);
	fclose(f);
	fd = mkstemp(kpath);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_int_equal(PEM_write_PrivateKey(f, pki.bidder.key, NULL, NULL, 0,
	    NULL, NULL), 1);
	fclose(f);

	t = eb_trust_load(path, &err);
	assert_non_null(t);
	assert_int_equal(eb_trust_check(t, pki.bidder.cert, 0, &err), EB_OK);
	assert_int_equal(eb_trust_check(t, pki.foreign.cert, 0, &err),
	    EB_ERR_DENIED);
	eb_trust_free(t);
	x = eb_pem_cert_load(path, &err);
	assert_non_null(x);
	assert_int_equal(X509_cmp(x, pki.ca.cert), 0);
	X509_free(x);
	k = eb_pem_key_load(kpath, &err);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, pki.bidder.key), 1);
	EVP_PKEY_free(k);
	/* a key file is no certificate, a certificate no key */
	assert_null(eb_trust_load(kpath, &err));
	assert_string_equal(err.reason, "ca-unreadable");
	assert_null(eb_pem_key_load(path, &err));
	assert_string_equal(err.reason, "bad-private-key");
	assert_null(eb_pem_cert_load("/nonexistent/ca.pem", &err));
	assert_int_equal(err.code, EB_ERR_IO);
	unlink(path);
	unlink(kpath);

	assert_int_equal(eb_cert_der(pki.bidder.cert, &der, &len), EB_OK);
	assert_int_equal(len, (size_t)i2d_X509(pki.bidder.cert, NULL));
	p = der;
	back = d2i_X509(NULL, &p, (long)len);
	assert_non_null(back);
	assert_ptr_equal(p, der + len);
	assert_int_equal(X509_cmp(back, pki.bidder.cert), 0);
	X509_free(back);
	free(der);

	{
		char *pem = NULL;
		BIO *b;

		assert_int_equal(eb_cert_pem(pki.bidder.cert, &pem), EB_OK);
		assert_true(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
		b = BIO_new_mem_buf(pem, -1);
		back = PEM_read_bio_X509(b, NULL, NULL, NULL);
		assert_non_null(back);
		assert_int_equal(X509_cmp(back, pki.bidder.cert), 0);
		X509_free(back);
		BIO_free(b);
		free(pem);
	}
}

static void
test_trust_from_party_cert_refused(void **state)
{
	struct eb_error err;

	(void)state;
	assert_null(eb_trust_from_cert(pki.bidder.cert, &err));
	assert_string_equal(err.reason, "not-a-ca-certificate");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_valid_expired_foreign_ca),
		cmocka_unit_test(test_actor_from_subject),
		cmocka_unit_test(test_actor_refuses_incomplete_subjects),
		cmocka_unit_test(test_pem_files_and_der),
		cmocka_unit_test(test_trust_from_party_cert_refused),
	};

	return cmocka_run_group_tests_name("pki", tests, setup, teardown);
}
