/*
 * tests/unit/test_certcache.c
 *    The cache of verified signers (protocol/certcache.c, used by pki.c
 *    and cms.c): a hit verifies and is counted as a hit, the signature is
 *    still checked on a hit, a certificate revoked by lists loaded after
 *    it was cached is refused, an expired (or not yet valid) certificate
 *    is refused although cached, the cache stays within its bound, and
 *    a hold widens that bound until its release; every byte of a signed
 *    command changed gets the same answer from the cached path as from
 *    the full one (EC and RSA signers), and signed attributes out of DER
 *    order, validly signed as sent, get the full path's answer cached.
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

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "protocol/certcache.h"
#include "protocol/cms.h"
#include "protocol/hash.h"
#include "protocol/revocation.h"
#include "tests/unit/testpki.h"

static const char cmd[] = "<withdraw-bid tender=\"T-1\" bidder=\"bidder1\"/>\n";

static void
sign(const struct eb_tp_party *pt, uint8_t **der, size_t *len)
{
	struct eb_error err;

	assert_int_equal(eb_cms_sign(pt->cert, pt->key, (const uint8_t *)cmd,
	    strlen(cmd), der, len, &err), EB_OK);
}

/* eb_cms_verify at 'at'; the reason on failure ("" on success). */
static int
verify(const struct eb_trust *t, const uint8_t *der, size_t len, int64_t at,
    X509 *expect, char *reason)
{
	struct eb_error err;
	uint8_t *c = NULL;
	size_t clen = 0;
	X509 *s = NULL;
	int rc;

	eb_error_clear(&err);
	rc = eb_cms_verify(t, der, len, at, &c, &clen, &s, &err);
	snprintf(reason, 48, "%s", rc == EB_OK ? "" : err.reason);
	if (rc == EB_OK) {
		assert_int_equal(clen, strlen(cmd));
		assert_memory_equal(c, cmd, clen);
		assert_int_equal(X509_cmp(s, expect), 0);
	} else {
		assert_null(c);
		assert_null(s);
	}
	free(c);
	X509_free(s);
	return rc;
}

static void
stats(const struct eb_trust *t, struct eb_certcache_stats *st)
{
	eb_trust_cache_stats(t, st);
}

static void
test_hit_verifies(void **state)
{
	struct eb_testpki pki;
	struct eb_certcache_stats a, b, c;
	uint8_t *der = NULL;
	size_t len = 0;
	char why[48];

	(void)state;
	assert_int_equal(eb_testpki_init(&pki), 0);
	sign(&pki.bidder, &der, &len);
	stats(pki.trust, &a);
	assert_int_equal(a.entries, 0);
	/* first: the full path, which caches the verified chain */
	assert_int_equal(verify(pki.trust, der, len, 0, pki.bidder.cert, why),
	    EB_OK);
	stats(pki.trust, &b);
	assert_int_equal(b.entries, 1);
	assert_int_equal(b.hits, a.hits);
	/* second: answered from the cache */
	assert_int_equal(verify(pki.trust, der, len, 0, pki.bidder.cert, why),
	    EB_OK);
	stats(pki.trust, &c);
	assert_true(c.hits > b.hits);
	assert_int_equal(c.entries, 1);
	/* the signature is still checked on a hit: a flipped byte of it */
	der[len - 3] ^= 0x01;
	assert_int_equal(verify(pki.trust, der, len, 0, pki.bidder.cert, why),
	    EB_ERR_DENIED);
	assert_string_equal(why, "bad-signature");
	der[len - 3] ^= 0x01;
	/* and the content: a byte of the signed command */
	{
		uint8_t *p = memmem(der, len, "T-1", 3);

		assert_non_null(p);
		p[2] = '2';
		assert_int_not_equal(verify(pki.trust, der, len, 0,
		    pki.bidder.cert, why), EB_OK);
		p[2] = '1';
	}
	assert_int_equal(verify(pki.trust, der, len, 0, pki.bidder.cert, why),
	    EB_OK);
	free(der);
	eb_testpki_free(&pki);
}

/* A CRL of the test CA revoking 'cert' at 'when_ms', into a file. */
static void
write_crl(const struct eb_testpki *pki, X509 *cert, int64_t when_ms,
    char *path)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)(pki->now_ms / 1000 -
	    86400));
	ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)(pki->now_ms / 1000 +
	    86400));
	ASN1_TIME *rt = ASN1_TIME_set(NULL, (time_t)(when_ms / 1000));
	FILE *f;
	int fd;

	assert_non_null(crl);
	assert_non_null(r);
	assert_int_equal(X509_CRL_set_version(crl, 1), 1);
	assert_int_equal(X509_CRL_set_issuer_name(crl,
	    X509_get_subject_name(pki->ca.cert)), 1);
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, last), 1);
	assert_int_equal(X509_CRL_set1_nextUpdate(crl, next), 1);
	assert_int_equal(X509_REVOKED_set_serialNumber(r,
	    X509_get_serialNumber(cert)), 1);
	assert_int_equal(X509_REVOKED_set_revocationDate(r, rt), 1);
	assert_int_equal(X509_CRL_add0_revoked(crl, r), 1);
	assert_int_equal(X509_CRL_sort(crl), 1);
	assert_true(X509_CRL_sign(crl, pki->ca.key, EVP_sha256()) > 0);
	snprintf(path, 64, "/tmp/ebid-certcache-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(PEM_write_X509_CRL(f, crl), 1);
	fclose(f);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_TIME_free(rt);
	X509_CRL_free(crl);
}

static void
test_revoked_after_reload(void **state)
{
	struct eb_testpki pki;
	struct eb_certcache_stats a, b;
	struct eb_revocations *rl;
	struct eb_error err;
	uint8_t *der = NULL, *der2 = NULL;
	size_t len = 0, len2 = 0;
	char why[48], path[64];
	int64_t revoked = 0;

	(void)state;
	assert_int_equal(eb_testpki_init(&pki), 0);
	revoked = pki.now_ms - 3600 * 1000;   /* an hour ago */
	sign(&pki.bidder, &der, &len);
	sign(&pki.expert, &der2, &len2);
	/* both signers verified and cached, twice (the second is a hit) */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(verify(pki.trust, der, len, 0,
		    pki.bidder.cert, why), EB_OK);
		assert_int_equal(verify(pki.trust, der2, len2, 0,
		    pki.expert.cert, why), EB_OK);
	}
	stats(pki.trust, &a);
	assert_int_equal(a.entries, 2);
	/* the CA revokes the bidder; the operator reloads the lists */
	write_crl(&pki, pki.bidder.cert, revoked, path);
	eb_error_clear(&err);
	rl = eb_revocations_load(path, eb_trust_store(pki.trust), &err);
	unlink(path);
	assert_non_null(rl);
	assert_int_equal(eb_revocations_count(rl), 1);
	eb_trust_set_revocations(pki.trust, rl);
	stats(pki.trust, &b);
	assert_int_equal(b.flushes, a.flushes + 1);
	assert_int_equal(b.entries, 0);
	/* now: refused, every time (cached again or not) */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(verify(pki.trust, der, len, 0,
		    pki.bidder.cert, why), EB_ERR_DENIED);
		assert_string_equal(why, "certificate-revoked");
	}
	/* a signature dated before the revocation stands */
	assert_int_equal(verify(pki.trust, der, len, revoked - 60000,
	    pki.bidder.cert, why), EB_OK);
	assert_int_equal(verify(pki.trust, der, len, revoked - 60000,
	    pki.bidder.cert, why), EB_OK);
	/* ...and after it, even now that the chain is cached again */
	assert_int_equal(verify(pki.trust, der, len, revoked + 60000,
	    pki.bidder.cert, why), EB_ERR_DENIED);
	assert_string_equal(why, "certificate-revoked");
	assert_int_equal(eb_trust_check(pki.trust, pki.bidder.cert, 0, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-revoked");
	/* the other signer is untouched */
	assert_int_equal(verify(pki.trust, der2, len2, 0, pki.expert.cert,
	    why), EB_OK);
	free(der);
	free(der2);
	eb_testpki_free(&pki);
}

static void
test_expired_refused_even_cached(void **state)
{
	struct eb_testpki pki;
	struct eb_certcache_stats a, b;
	struct eb_tp_party shortlived;
	struct eb_error err;
	uint8_t *der = NULL;
	size_t len = 0;
	char why[48];
	int64_t nb, na;

	(void)state;
	assert_int_equal(eb_testpki_init(&pki), 0);
	nb = pki.now_ms - 2 * EB_TP_DAY;
	na = pki.now_ms + EB_TP_DAY;
	shortlived.key = eb_testpki_ec_key();
	shortlived.cert = eb_testpki_issue(pki.ca.cert, pki.ca.key,
	    shortlived.key, "/O=ACME/OU=bidder/UID=bidder5/serialNumber=P-5/"
	    "CN=Short Lived", nb, na, EB_TP_PARTY);
	assert_non_null(shortlived.cert);
	sign(&shortlived, &der, &len);
	assert_int_equal(verify(pki.trust, der, len, 0, shortlived.cert, why),
	    EB_OK);
	assert_int_equal(verify(pki.trust, der, len, 0, shortlived.cert, why),
	    EB_OK);
	stats(pki.trust, &a);
	assert_int_equal(a.entries, 1);
	/* two days later the cached certificate has expired */
	assert_int_equal(verify(pki.trust, der, len, pki.now_ms +
	    2 * EB_TP_DAY, shortlived.cert, why), EB_ERR_DENIED);
	assert_string_equal(why, "certificate-expired");
	assert_int_equal(eb_trust_check(pki.trust, shortlived.cert,
	    pki.now_ms + 2 * EB_TP_DAY, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-expired");
	/* before its notBefore it is not valid yet */
	assert_int_equal(verify(pki.trust, der, len, nb - EB_TP_DAY,
	    shortlived.cert, why), EB_ERR_DENIED);
	assert_string_equal(why, "certificate-not-yet-valid");
	/* within its validity it still verifies, from the cache */
	assert_int_equal(verify(pki.trust, der, len, na - 60000,
	    shortlived.cert, why), EB_OK);
	stats(pki.trust, &b);
	assert_true(b.hits > a.hits);
	free(der);
	X509_free(shortlived.cert);
	EVP_PKEY_free(shortlived.key);
	eb_testpki_free(&pki);
}

static void
test_bounded_lru(void **state)
{
	struct eb_testpki pki;
	struct eb_certcache *c = eb_certcache_new(2);
	struct eb_certcache_stats st;
	uint8_t k1[32], k2[32], k3[32];
	X509 *x;

	(void)state;
	assert_non_null(c);
	assert_int_equal(eb_testpki_init(&pki), 0);
	memset(k1, 1, sizeof(k1));
	memset(k2, 2, sizeof(k2));
	memset(k3, 3, sizeof(k3));
	eb_certcache_put(c, k1, pki.bidder.cert, 100, 200);
	eb_certcache_put(c, k2, pki.expert.cert, 100, 200);
	/* k1 used: k2 is now the least recently used */
	assert_non_null(x = eb_certcache_get(c, k1, 150));
	X509_free(x);
	eb_certcache_put(c, k3, pki.bidder_rsa.cert, 100, 200);
	eb_certcache_stats(c, &st);
	assert_int_equal(st.entries, 2);
	assert_null(eb_certcache_get(c, k2, 150));
	assert_non_null(x = eb_certcache_get(c, k3, 150));
	X509_free(x);
	/* the window: [100, 200) */
	assert_null(eb_certcache_get(c, k1, 99));
	assert_null(eb_certcache_get(c, k1, 200));
	assert_non_null(x = eb_certcache_get(c, k1, 100));
	X509_free(x);
	eb_certcache_flush(c);
	eb_certcache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_null(eb_certcache_get(c, k1, 150));
	eb_certcache_free(c);
	eb_testpki_free(&pki);
}

/*
 * A hold gives room for more entries and keeps those there; holds add
 * up; the release back to the base forgets them all (a flush), and the
 * bound applies again (the opening's bulk check, docs/performance.md
 * "Issue 17, fourth pass").
 */
static void
test_hold_release(void **state)
{
	struct eb_testpki pki;
	struct eb_certcache *c = eb_certcache_new(2);
	struct eb_certcache_stats st;
	uint8_t k[41][32];
	X509 *x;
	int i;

	(void)state;
	assert_int_equal(eb_testpki_init(&pki), 0);
	for (i = 0; i < 41; i++)
		memset(k[i], i + 1, sizeof(k[i]));
	eb_certcache_put(c, k[0], pki.bidder.cert, 100, 200);
	eb_certcache_put(c, k[1], pki.expert.cert, 100, 200);
	eb_certcache_hold(c, 20);
	eb_certcache_hold(c, 18);
	eb_certcache_stats(c, &st);
	assert_int_equal(st.cap, 40);
	assert_int_equal(st.entries, 2);
	/* the entries from before the hold are still found */
	assert_non_null(x = eb_certcache_get(c, k[0], 150));
	X509_free(x);
	for (i = 2; i < 40; i++)
		eb_certcache_put(c, k[i], i % 2 ? pki.bidder.cert :
		    pki.expert.cert, 100, 200);
	eb_certcache_stats(c, &st);
	assert_int_equal(st.entries, 40);
	for (i = 0; i < 40; i++) {
		assert_non_null(x = eb_certcache_get(c, k[i], 150));
		X509_free(x);
	}
	/* one more: the least recently used (k[0]) goes, the bound holds */
	eb_certcache_put(c, k[40], pki.bidder.cert, 100, 200);
	eb_certcache_stats(c, &st);
	assert_int_equal(st.entries, 40);
	assert_null(eb_certcache_get(c, k[0], 150));
	assert_non_null(x = eb_certcache_get(c, k[40], 150));
	X509_free(x);
	/* a release that shrinks the cache forgets every entry */
	eb_certcache_release(c, 20);
	eb_certcache_stats(c, &st);
	assert_int_equal(st.cap, 20);
	assert_int_equal(st.entries, 0);
	eb_certcache_release(c, 18);
	eb_certcache_release(c, 5);      /* more than held: the base stays */
	eb_certcache_stats(c, &st);
	assert_int_equal(st.cap, 2);
	assert_int_equal(st.entries, 0);
	assert_null(eb_certcache_get(c, k[5], 150));
	eb_certcache_put(c, k[0], pki.bidder.cert, 100, 200);
	eb_certcache_put(c, k[1], pki.bidder.cert, 100, 200);
	eb_certcache_put(c, k[2], pki.bidder.cert, 100, 200);
	eb_certcache_stats(c, &st);
	assert_int_equal(st.entries, 2);
	assert_null(eb_certcache_get(c, k[0], 150));
	eb_certcache_free(c);
	eb_testpki_free(&pki);
}

/* eb_cms_verify's answer: rc and reason, the cache as it is. */
static int
answer(const struct eb_trust *t, const uint8_t *der, size_t len,
    char *reason)
{
	struct eb_error err;
	uint8_t *c = NULL;
	size_t clen = 0;
	X509 *s = NULL;
	int rc;

	eb_error_clear(&err);
	rc = eb_cms_verify(t, der, len, 0, &c, &clen, &s, &err);
	snprintf(reason, 48, "%s", rc == EB_OK ? "" : err.reason);
	if (rc != EB_OK) {
		assert_null(c);
		assert_null(s);
	}
	free(c);
	X509_free(s);
	return rc;
}

/*
 * Every byte of a signed command changed (xor 0x01, then 0x80): the
 * answer with the signer cached (verify_cached: for an EC signer the
 * signed attributes' signature checked on their own DER, the content
 * digest on its own) is the answer with the cache flushed (the full
 * path, CMS_verify).  An RSA signer takes OpenSSL's
 * CMS_SignerInfo_verify on the cached path; the same is asked of it.
 */
static void
flips_answer_as_full_path(const struct eb_testpki *pki,
    const struct eb_tp_party *pt)
{
	uint8_t *der = NULL;
	size_t len = 0, i, cstart, cend;
	char warm[48], cold[48];
	struct eb_certcache_stats a, b;
	int rw, rc, k, accepted = 0;
	static const uint8_t masks[2] = { 0x01, 0x80 };

	sign(pt, &der, &len);
	/* the embedded certificate's bytes: a change there is a cache
	 * miss, the full path both times; skipped but for its first byte */
	{
		unsigned char *cp = NULL;
		int cl = i2d_X509(pt->cert, &cp);
		uint8_t *at;

		assert_true(cl > 0);
		at = memmem(der, len, cp, (size_t)cl);
		assert_non_null(at);
		cstart = (size_t)(at - der);
		cend = cstart + (size_t)cl;
		OPENSSL_free(cp);
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < len; i++) {
			if (i > cstart && i < cend)
				continue;
			/* warm: the signer cached by a good verify */
			assert_int_equal(answer(pki->trust, der, len, warm),
			    EB_OK);
			der[i] ^= masks[k];
			stats(pki->trust, &a);
			rw = answer(pki->trust, der, len, warm);
			stats(pki->trust, &b);
			eb_trust_set_revocations(pki->trust, NULL); /* flush */
			rc = answer(pki->trust, der, len, cold);
			der[i] ^= masks[k];
			if (rw != rc || strcmp(warm, cold) != 0)
				fail_msg("byte %zu ^ 0x%02x: cached %d %s, full "
				    "%d %s", i, masks[k], rw, warm, rc, cold);
			if (rw == EB_OK)
				accepted++;
		}
	}
	/* a flip that still verifies is one the full path accepts too
	 * (compared above); nearly all are refused */
	assert_true(accepted < (int)(len - (cend - cstart)) / 8);
	/* the good message from the cache: a hit */
	assert_int_equal(answer(pki->trust, der, len, warm), EB_OK);
	stats(pki->trust, &a);
	assert_int_equal(answer(pki->trust, der, len, warm), EB_OK);
	stats(pki->trust, &b);
	assert_true(b.hits > a.hits);
	free(der);
}

static void
test_fast_path_answers_as_full_path(void **state)
{
	struct eb_testpki pki;

	(void)state;
	assert_int_equal(eb_testpki_init(&pki), 0);
	flips_answer_as_full_path(&pki, &pki.bidder);
	flips_answer_as_full_path(&pki, &pki.bidder_rsa);
	eb_testpki_free(&pki);
}

/*
 * The signed attributes of 'der' (found by their content-type
 * attribute) with their first two attributes swapped: no longer in DER
 * order, and signed again over those very bytes (under the SET tag) by
 * 'pt', the new signature of the old one's length.  Not the DER OpenSSL
 * would write; OpenSSL 3.0 verifies it all the same (signed as sent).
 */
static void
unsorted_attrs(const struct eb_tp_party *pt, uint8_t *der, size_t len)
{
	static const uint8_t ct_attr[] = {
		0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
		0x01, 0x09, 0x03
	};
	uint8_t *a1 = memmem(der, len, ct_attr, sizeof(ct_attr));
	uint8_t *attrs, *a2, *sig, tmp[256], *buf, *s2 = NULL;
	size_t l1, l2, alen, siglen, s2len = 0;
	int tries;

	assert_non_null(a1);
	attrs = a1 - 2;                     /* [0] with a short length */
	assert_int_equal(attrs[0], 0xa0);
	alen = 2 + attrs[1];
	l1 = 2 + a1[1];
	a2 = a1 + l1;
	assert_int_equal(a2[0], 0x30);
	l2 = 2 + a2[1];
	assert_true(l1 + l2 <= sizeof(tmp));
	memcpy(tmp, a2, l2);
	memcpy(tmp + l2, a1, l1);
	memcpy(a1, tmp, l1 + l2);
	/* the signature: after signatureAlgorithm, the last field */
	sig = attrs + alen;
	assert_int_equal(sig[0], 0x30);
	sig += 2 + sig[1];
	assert_int_equal(sig[0], 0x04);
	siglen = sig[1];
	assert_true(sig + 2 + siglen == der + len);
	buf = malloc(alen);
	memcpy(buf, attrs, alen);
	buf[0] = 0x31;
	for (tries = 0; tries < 64; tries++) {
		EVP_MD_CTX *m = EVP_MD_CTX_new();

		OPENSSL_free(s2);
		s2 = NULL;
		assert_int_equal(EVP_DigestSignInit(m, NULL, EVP_sha256(),
		    NULL, pt->key), 1);
		assert_int_equal(EVP_DigestSign(m, NULL, &s2len, buf, alen),
		    1);
		s2 = OPENSSL_malloc(s2len);
		assert_int_equal(EVP_DigestSign(m, s2, &s2len, buf, alen), 1);
		EVP_MD_CTX_free(m);
		if (s2len == siglen)
			break;
	}
	assert_int_equal(s2len, siglen);
	memcpy(sig + 2, s2, siglen);
	OPENSSL_free(s2);
	free(buf);
}

static void
test_unsorted_attrs_as_full_path(void **state)
{
	struct eb_testpki pki;
	uint8_t *der = NULL, *c = NULL;
	size_t len = 0, clen = 0;
	char warm[48], cold[48];
	struct eb_certcache_stats a, b;
	struct eb_error err;
	X509 *s = NULL;

	(void)state;
	assert_int_equal(eb_testpki_init(&pki), 0);
	sign(&pki.bidder, &der, &len);
	assert_int_equal(answer(pki.trust, der, len, warm), EB_OK); /* cache */
	unsorted_attrs(&pki.bidder, der, len);
	/* OpenSSL 3.0 (the full path) accepts it: signed as sent */
	eb_trust_set_revocations(pki.trust, NULL);
	assert_int_equal(answer(pki.trust, der, len, cold), EB_OK);
	/* cached: the same answer, the same content (OpenSSL checks
	 * these attributes, not attrs_are_der's shortcut) */
	stats(pki.trust, &a);
	assert_int_equal(eb_cms_verify(pki.trust, der, len, 0, &c, &clen, &s,
	    &err), EB_OK);
	stats(pki.trust, &b);
	assert_true(b.hits > a.hits);
	assert_int_equal(clen, strlen(cmd));
	assert_memory_equal(c, cmd, clen);
	assert_int_equal(X509_cmp(s, pki.bidder.cert), 0);
	free(c);
	X509_free(s);
	/* and a byte of that signature changed: refused by both */
	der[len - 3] ^= 0x01;
	assert_int_equal(answer(pki.trust, der, len, warm), EB_ERR_DENIED);
	eb_trust_set_revocations(pki.trust, NULL);
	assert_int_equal(answer(pki.trust, der, len, cold), EB_ERR_DENIED);
	assert_string_equal(warm, cold);
	free(der);
	eb_testpki_free(&pki);
}

/* eb_cms_verify_command in window 'w': rc, reason, signing time. */
static int
answer_window(const struct eb_trust *t, const uint8_t *der, size_t len,
    const struct eb_cms_window *w, char *reason, int64_t *signed_ms)
{
	struct eb_error err;
	uint8_t *c = NULL;
	size_t clen = 0;
	X509 *s = NULL;
	int rc;

	eb_error_clear(&err);
	rc = eb_cms_verify_command(t, der, len, w, &c, &clen, &s, signed_ms,
	    &err);
	snprintf(reason, 48, "%s", rc == EB_OK ? "" : err.reason);
	free(c);
	X509_free(s);
	return rc;
}

/*
 * The signing-time window on the cached path: a command ebid signs
 * (eb_cms_sign, read without OpenSSL's decoder when cached) too old or
 * too far ahead for the receipt time is refused as on the full path,
 * with the same reason; inside the window its signing time is the
 * full path's.
 */
static void
test_window_on_cached_path(void **state)
{
	struct eb_testpki pki;
	struct eb_certcache_stats a, b;
	struct eb_cms_window w;
	uint8_t *der = NULL;
	size_t len = 0;
	char warm[48], cold[48];
	int64_t ms_warm = 0, ms_cold = 0;
	int i, rw, rc;
	static const int64_t shift[4] = {
		0, 10 * 60 * 1000, -10 * 60 * 1000, 30 * 1000
	};

	(void)state;
	assert_int_equal(eb_testpki_init(&pki), 0);
	sign(&pki.bidder, &der, &len);
	for (i = 0; i < 4; i++) {
		memset(&w, 0, sizeof(w));
		w.at_ms = (int64_t)time(NULL) * 1000 + shift[i];
		w.max_age_ms = 5 * 60 * 1000;
		w.max_ahead_ms = 60 * 1000;
		/* cold: the full path (and the cache filled by a success) */
		eb_trust_set_revocations(pki.trust, NULL);
		rc = answer_window(pki.trust, der, len, &w, cold, &ms_cold);
		/* warm: the signer cached by a good verify */
		assert_int_equal(answer(pki.trust, der, len, warm), EB_OK);
		stats(pki.trust, &a);
		rw = answer_window(pki.trust, der, len, &w, warm, &ms_warm);
		stats(pki.trust, &b);
		assert_true(b.hits > a.hits);
		assert_int_equal(rw, rc);
		assert_string_equal(warm, cold);
		if (rc == EB_OK)
			assert_true(ms_warm == ms_cold && ms_warm != 0);
		switch (i) {
		case 0:
		case 3:
			assert_int_equal(rw, EB_OK);
			break;
		case 1:
			assert_int_equal(rw, EB_ERR_TIME);
			assert_string_equal(warm, "signing-time-too-old");
			break;
		default:
			assert_int_equal(rw, EB_ERR_TIME);
			assert_string_equal(warm, "signing-time-in-future");
		}
	}
	free(der);
	eb_testpki_free(&pki);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_verifies),
		cmocka_unit_test(test_revoked_after_reload),
		cmocka_unit_test(test_expired_refused_even_cached),
		cmocka_unit_test(test_bounded_lru),
		cmocka_unit_test(test_hold_release),
		cmocka_unit_test(test_fast_path_answers_as_full_path),
		cmocka_unit_test(test_unsorted_attrs_as_full_path),
		cmocka_unit_test(test_window_on_cached_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
