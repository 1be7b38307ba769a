/*
 * tests/unit/test_keysplit.c
 *    The split opening key: 2-of-3 over custodians with EC and RSA
 *    certificates; every pair recombines to a key that opens a sealed bid;
 *    too few, foreign, corrupted and duplicate shares are refused
 *    (protocol/keysplit.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "protocol/cms.h"
#include "protocol/keysplit.h"
#include "tests/unit/testpki.h"

static struct eb_testpki pki;
static struct eb_opening_key ok1, ok2;
static uint8_t *share1[3], *share2[3];
static size_t len1[3], len2[3];

static void
make(struct eb_opening_key *ok, const char *tender, uint8_t **sh,
    size_t *len)
{
	STACK_OF(X509) *c = sk_X509_new_null();
	struct eb_error err;
	int i;

	for (i = 0; i < 3; i++)
		sk_X509_push(c, pki.custodian[i].cert);
	assert_int_equal(eb_opening_key_create(pki.ca.cert, pki.ca.key, tender,
	    pki.now_ms - EB_TP_DAY, pki.now_ms + 30 * EB_TP_DAY, c, 2, ok,
	    &err), EB_OK);
	sk_X509_free(c);
	for (i = 0; i < 3; i++)
		assert_int_equal(eb_share_unseal(pki.custodian[i].cert,
		    pki.custodian[i].key, ok->sealed[i], ok->sealed_len[i],
		    &sh[i], &len[i], &err), EB_OK);
}

static int
setup(void **state)
{
	(void)state;
	if (eb_testpki_init(&pki) != 0)
		return -1;
	make(&ok1, "T-2026-001", share1, len1);
	make(&ok2, "T-2026-002", share2, len2);
	return 0;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		free(share1[i]);
		free(share2[i]);
	}
	eb_opening_key_clear(&ok1);
	eb_opening_key_clear(&ok2);
	eb_testpki_free(&pki);
	return 0;
}

static void
test_opening_certificate_and_shares(void **state)
{
	struct eb_error err;
	char cn[64];
	int i;

	(void)state;
	assert_int_equal(ok1.n, 3);
	assert_int_equal(ok1.k, 2);
	X509_NAME_get_text_by_NID(X509_get_subject_name(ok1.cert),
	    NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "opening key T-2026-001");
	assert_true(X509_get_key_usage(ok1.cert) == KU_KEY_AGREEMENT);
	assert_int_equal(X509_check_ca(ok1.cert), 0);
	assert_int_equal(eb_trust_check(pki.trust, ok1.cert, 0, &err), EB_OK);
	assert_int_equal(eb_trust_check(pki.trust, ok1.cert,
	    pki.now_ms + 31 * EB_TP_DAY, &err), EB_ERR_DENIED);
	/* share i is x = i+1 followed by a y as long as the key's DER */
	for (i = 0; i < 3; i++) {
		assert_int_equal(share1[i][0], i + 1);
		assert_int_equal(len1[i], len1[0]);
	}
	assert_int_equal(len1[0], 1 + 32);   /* x, then y of the P-256 scalar */
	/* the y parts differ (random coefficients) */
	assert_memory_not_equal(share1[0] + 1, share1[1] + 1, len1[0] - 1);
	assert_memory_not_equal(share1[0] + 1, share2[0] + 1, len1[0] - 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(ok1.sealed[i] != NULL, 1);
	for (i = 3; i < EB_SHARES_MAX; i++)
		assert_null(ok1.sealed[i]);
}

static void
test_every_pair_opens_a_bid(void **state)
{
	static const int pairs[6][2] = { { 0, 1 }, { 1, 0 }, { 0, 2 },
	    { 2, 0 }, { 1, 2 }, { 2, 1 } };
	const uint8_t bid[] = "<bid tender=\"T-2026-001\"><price>99</price></bid>";
	const uint8_t *sh[3];
	size_t ln[3], envlen, xmllen, p;
	uint8_t *env, *xml, c[32];
	struct eb_error err;
	EVP_PKEY *key;
	X509 *s;

	(void)state;
	assert_int_equal(eb_bid_seal(pki.bidder.cert, pki.bidder.key, ok1.cert,
	    bid, sizeof(bid), &env, &envlen, c, &err), EB_OK);
	for (p = 0; p < 6; p++) {
		sh[0] = share1[pairs[p][0]];
		sh[1] = share1[pairs[p][1]];
		ln[0] = len1[pairs[p][0]];
		ln[1] = len1[pairs[p][1]];
		key = eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err);
		assert_non_null(key);
		assert_int_equal(eb_bid_open(pki.trust, ok1.cert, key, env,
		    envlen, c, 0, &xml, &xmllen, NULL, NULL, &s, &err), EB_OK);
		assert_int_equal(xmllen, sizeof(bid));
		assert_memory_equal(xml, bid, sizeof(bid));
		free(xml);
		X509_free(s);
		EVP_PKEY_free(key);
	}
	/* all three work too */
	key = eb_shares_combine(ok1.cert, (const uint8_t *const *)share1, len1,
	    3, 2, &err);
	assert_non_null(key);
	EVP_PKEY_free(key);
	free(env);
}

static void
test_too_few_foreign_corrupt_duplicate(void **state)
{
	const uint8_t *sh[3];
	size_t ln[3];
	uint8_t *bad;
	struct eb_error err;

	(void)state;
	/* k-1 shares */
	sh[0] = share1[0];
	ln[0] = len1[0];
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 1, 2, &err));
	assert_int_equal(err.code, EB_ERR_CRYPTO);
	assert_string_equal(err.reason, "too-few-shares");
	/* k-1 shares presented as if the threshold were 1 */
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 1, 1, &err));
	assert_int_equal(err.code, EB_ERR_CRYPTO);
	assert_string_equal(err.reason, "shares-do-not-match");
	/* a share of another tender's key */
	sh[1] = share2[1];
	ln[1] = len2[1];
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err));
	assert_int_equal(err.code, EB_ERR_CRYPTO);
	assert_string_equal(err.reason, "shares-do-not-match");
	/* a corrupted share */
	bad = malloc(len1[1]);
	memcpy(bad, share1[1], len1[1]);
	bad[10] ^= 0x01;
	sh[1] = bad;
	ln[1] = len1[1];
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err));
	assert_string_equal(err.reason, "shares-do-not-match");
	/* every single-byte corruption of y, at any position */
	{
		size_t pos, passed = 0;
		EVP_PKEY *k;

		for (pos = 1; pos < len1[1]; pos++) {
			memcpy(bad, share1[1], len1[1]);
			bad[pos] ^= 0x20;
			k = eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err);
			if (k != NULL) {
				fprintf(stderr, "corruption at %zu passed\n", pos);
				passed++;
			}
			EVP_PKEY_free(k);
		}
		assert_int_equal(passed, 0);
	}
	/* its x changed to another custodian's number */
	memcpy(bad, share1[1], len1[1]);
	bad[0] = 3;
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err));
	assert_string_equal(err.reason, "shares-do-not-match");
	/* duplicate share numbers */
	bad[0] = 1;
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err));
	assert_int_equal(err.code, EB_ERR_FORMAT);
	assert_string_equal(err.reason, "duplicate-share");
	sh[1] = share1[0];
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err));
	assert_string_equal(err.reason, "duplicate-share");
	/* x = 0 */
	bad[0] = 0;
	sh[1] = bad;
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err));
	assert_string_equal(err.reason, "duplicate-share");
	/* lengths differ */
	sh[1] = share1[1];
	ln[1] = len1[1] - 1;
	assert_null(eb_shares_combine(ok1.cert, sh, ln, 2, 2, &err));
	assert_string_equal(err.reason, "malformed-share");
	free(bad);
	/* the right shares against the wrong certificate */
	sh[1] = share1[1];
	ln[1] = len1[1];
	assert_null(eb_shares_combine(ok2.cert, sh, ln, 2, 2, &err));
	assert_string_equal(err.reason, "shares-do-not-match");
}

static void
test_share_sealed_to_its_custodian_only(void **state)
{
	uint8_t *sh = NULL;
	size_t len = 0;
	struct eb_error err;

	(void)state;
	assert_int_equal(eb_share_unseal(pki.custodian[1].cert,
	    pki.custodian[1].key, ok1.sealed[0], ok1.sealed_len[0], &sh, &len,
	    &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-a-recipient");
	assert_null(sh);
	assert_int_equal(eb_share_unseal(pki.bidder.cert, pki.bidder.key,
	    ok1.sealed[2], ok1.sealed_len[2], &sh, &len, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-a-recipient");
}

static void
test_bad_thresholds_refused(void **state)
{
	STACK_OF(X509) *c = sk_X509_new_null();
	struct eb_opening_key ok;
	struct eb_error err;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		sk_X509_push(c, pki.custodian[i].cert);
	assert_int_equal(eb_opening_key_create(pki.ca.cert, pki.ca.key, "T",
	    pki.now_ms, pki.now_ms + EB_TP_DAY, c, 4, &ok, &err),
	    EB_ERR_USAGE);
	assert_string_equal(err.reason, "bad-threshold");
	assert_null(ok.cert);
	assert_int_equal(eb_opening_key_create(pki.ca.cert, pki.ca.key, "T",
	    pki.now_ms, pki.now_ms + EB_TP_DAY, c, 0, &ok, &err),
	    EB_ERR_USAGE);
	for (i = 3; i <= EB_SHARES_MAX; i++)
		sk_X509_push(c, pki.custodian[i % 3].cert);
	assert_int_equal(sk_X509_num(c), EB_SHARES_MAX + 1);
	assert_int_equal(eb_opening_key_create(pki.ca.cert, pki.ca.key, "T",
	    pki.now_ms, pki.now_ms + EB_TP_DAY, c, 2, &ok, &err),
	    EB_ERR_USAGE);
	assert_string_equal(err.reason, "bad-threshold");
	/* 3-of-3 works and needs all three */
	sk_X509_free(c);
	c = sk_X509_new_null();
	for (i = 0; i < 3; i++)
		sk_X509_push(c, pki.custodian[i].cert);
	assert_int_equal(eb_opening_key_create(pki.ca.cert, pki.ca.key, "T3",
	    pki.now_ms, pki.now_ms + EB_TP_DAY, c, 3, &ok, &err), EB_OK);
	{
		uint8_t *s[3];
		size_t l[3];
		EVP_PKEY *key;

		for (i = 0; i < 3; i++)
			assert_int_equal(eb_share_unseal(pki.custodian[i].cert,
			    pki.custodian[i].key, ok.sealed[i],
			    ok.sealed_len[i], &s[i], &l[i], &err), EB_OK);
		key = eb_shares_combine(ok.cert, (const uint8_t *const *)s, l,
		    3, 3, &err);
		assert_non_null(key);
		EVP_PKEY_free(key);
		assert_null(eb_shares_combine(ok.cert,
		    (const uint8_t *const *)s, l, 2, 2, &err));
		assert_string_equal(err.reason, "shares-do-not-match");
		for (i = 0; i < 3; i++)
			free(s[i]);
	}
	eb_opening_key_clear(&ok);
	sk_X509_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opening_certificate_and_shares),
		cmocka_unit_test(test_every_pair_opens_a_bid),
		cmocka_unit_test(test_too_few_foreign_corrupt_duplicate),
		cmocka_unit_test(test_share_sealed_to_its_custodian_only),
		cmocka_unit_test(test_bad_thresholds_refused),
	};

	return cmocka_run_group_tests_name("keysplit", tests, setup, teardown);
}
