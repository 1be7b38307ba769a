/*
 * tests/unit/test_cms.c
 *    Signed commands, envelopes, the three-layer sealed bid and strict
 *    base64 (protocol/cms.c).  Every tamper must be refused with its
 *    stable reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/evp.h>

#include "protocol/cms.h"
#include "protocol/hash.h"
#include "tests/unit/testpki.h"

static struct eb_testpki pki;
static struct eb_tp_party opening;   /* the tender's opening key (EC) */

static const char cmd[] =
    "<withdraw-bid tender=\"T-2026-001\" bidder=\"bidder1\"/>\n";

static int
setup(void **state)
{
	(void)state;
	if (eb_testpki_init(&pki) != 0)
		return -1;
	opening.key = eb_testpki_ec_key();
	opening.cert = eb_testpki_issue(pki.ca.cert, pki.ca.key, opening.key,
	    "/CN=opening key T-2026-001", pki.now_ms - EB_TP_DAY,
	    pki.now_ms + 30 * EB_TP_DAY, EB_TP_PARTY);
	return opening.cert == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	X509_free(opening.cert);
	EVP_PKEY_free(opening.key);
	eb_testpki_free(&pki);
	return 0;
}

static uint8_t *
find(uint8_t *hay, size_t n, const void *needle, size_t m)
{
	return memmem(hay, n, needle, m);
}

static void
sign_cmd(struct eb_tp_party *pt, uint8_t **der, size_t *len)
{
	struct eb_error err;

	assert_int_equal(eb_cms_sign(pt->cert, pt->key, (const uint8_t *)cmd,
	    strlen(cmd), der, len, &err), EB_OK);
}

static int
verify(const uint8_t *der, size_t len, int64_t at, struct eb_error *err)
{
	uint8_t *c = NULL;
	size_t clen = 0;
	X509 *s = NULL;
	int rc = eb_cms_verify(pki.trust, der, len, at, &c, &clen, &s, err);

	if (rc == EB_OK) {
		assert_non_null(c);
		assert_non_null(s);
	} else {
		assert_null(c);
		assert_null(s);
	}
	free(c);
	X509_free(s);
	return rc;
}

static void
test_sign_verify_round_trip(void **state)
{
	struct eb_tp_party *who[] = { &pki.bidder, &pki.bidder_rsa };
	uint8_t *der, *c;
	size_t len, clen;
	X509 *s;
	struct eb_error err;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sign_cmd(who[i], &der, &len);
		assert_int_equal(eb_cms_verify(pki.trust, der, len, 0, &c, &clen,
		    &s, &err), EB_OK);
		assert_int_equal(clen, strlen(cmd));
		assert_memory_equal(c, cmd, clen);
		assert_int_equal(X509_cmp(s, who[i]->cert), 0);
		free(c);
		X509_free(s);
		free(der);
	}
}

static void
test_binary_content_kept_exactly(void **state)
{
	static const uint8_t data[] = { 'a', '\n', 'b', '\n', 0, 0xff, '\r' };
	uint8_t *der, *c;
	size_t len, clen;
	X509 *s;
	struct eb_error err;
	CMS_ContentInfo *cms;
	const unsigned char *p;

	(void)state;
	assert_int_equal(eb_cms_sign(pki.bidder.cert, pki.bidder.key, data,
	    sizeof(data), &der, &len, &err), EB_OK);
	assert_int_equal(eb_cms_verify(pki.trust, der, len, 0, &c, &clen, &s,
	    &err), EB_OK);
	assert_int_equal(clen, sizeof(data));
	assert_memory_equal(c, data, sizeof(data));
	/* no SMIMECapabilities attribute, SHA-256 digest */
	p = der;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	assert_non_null(cms);
	{
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(
		    CMS_get0_SignerInfos(cms), 0);
		X509_ALGOR *dig = NULL;

		assert_int_equal(CMS_signed_get_attr_by_NID(si,
		    NID_SMIMECapabilities, -1), -1);
		assert_true(CMS_signed_get_attr_by_NID(si,
		    NID_pkcs9_messageDigest, -1) >= 0);
		CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
		assert_int_equal(OBJ_obj2nid(dig->algorithm), NID_sha256);
	}
	CMS_ContentInfo_free(cms);
	free(c);
	X509_free(s);
	free(der);
}

static void
test_tamper_signature_content_cert(void **state)
{
	uint8_t *der, *hit, cert[4096], *cp = cert;
	size_t len;
	int certlen;
	struct eb_error err;

	(void)state;
	sign_cmd(&pki.bidder, &der, &len);
	assert_int_equal(verify(der, len, 0, &err), EB_OK);

	/* the signature value is the last field of the DER */
	der[len - 3] ^= 0x01;
	assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "bad-signature");
	assert_true(strlen(err.detail) > 0);   /* OpenSSL's queue drained */
	der[len - 3] ^= 0x01;

	/* the content: messageDigest no longer matches */
	hit = find(der, len, "T-2026-001", 10);
	assert_non_null(hit);
	hit[7] = '2';
	assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "bad-signature");
	hit[7] = '0';

	/* the embedded signer certificate: the CA's signature breaks */
	certlen = i2d_X509(pki.bidder.cert, &cp);
	assert_true(certlen > 0);
	hit = find(der, len, cert, (size_t)certlen);
	assert_non_null(hit);
	hit = find(hit, (size_t)certlen, "Bidder One", 10);
	assert_non_null(hit);
	hit[0] = 'X';
	assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "unknown-signer-ca");
	hit[0] = 'B';
	assert_int_equal(verify(der, len, 0, &err), EB_OK);
	free(der);
}

static void
test_wrong_ca_expired_ca_signer(void **state)
{
	uint8_t *der;
	size_t len;
	struct eb_error err;

	(void)state;
	sign_cmd(&pki.foreign, &der, &len);
	assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "unknown-signer-ca");
	free(der);

	sign_cmd(&pki.expired, &der, &len);
	assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-expired");
	/* valid [now-30d, now-1d]: fine when judged at now-5d */
	assert_int_equal(verify(der, len, pki.now_ms - 5 * EB_TP_DAY, &err),
	    EB_OK);
	assert_int_equal(verify(der, len, pki.now_ms - 31 * EB_TP_DAY, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-not-yet-valid");
	free(der);

	sign_cmd(&pki.ca, &der, &len);
	assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "certificate-is-ca");
	free(der);
}

static void
test_malformed_two_signers_detached(void **state)
{
	uint8_t *der, *two = NULL;
	size_t len;
	struct eb_error err;
	BIO *in;
	CMS_ContentInfo *cms;
	int n;

	(void)state;
	sign_cmd(&pki.bidder, &der, &len);
	assert_int_equal(verify(der, len - 1, 0, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "malformed-cms");
	{
		uint8_t *longer = realloc(der, len + 1);

		assert_non_null(longer);
		der = longer;
	}
	der[len] = 0;
	assert_int_equal(verify(der, len + 1, 0, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "malformed-cms");
	assert_int_equal(verify((const uint8_t *)"hello", 5, 0, &err),
	    EB_ERR_FORMAT);
	assert_int_equal(verify(der, 0, 0, &err), EB_ERR_FORMAT);
	free(der);

	/* two signers */
	in = BIO_new_mem_buf(cmd, (int)strlen(cmd));
	cms = CMS_sign(NULL, NULL, NULL, in, CMS_BINARY | CMS_PARTIAL);
	assert_non_null(cms);
	assert_non_null(CMS_add1_signer(cms, pki.bidder.cert, pki.bidder.key,
	    NULL, 0));
	assert_non_null(CMS_add1_signer(cms, pki.bidder_rsa.cert,
	    pki.bidder_rsa.key, NULL, 0));
	assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
	n = i2d_CMS_ContentInfo(cms, &two);
	assert_true(n > 0);
	assert_int_equal(verify(two, (size_t)n, 0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-one-signer");
	OPENSSL_free(two);
	CMS_ContentInfo_free(cms);
	BIO_free(in);

	/* detached: no content inside */
	in = BIO_new_mem_buf(cmd, (int)strlen(cmd));
	cms = CMS_sign(pki.bidder.cert, pki.bidder.key, NULL, in,
	    CMS_BINARY | CMS_DETACHED);
	assert_non_null(cms);
	two = NULL;
	n = i2d_CMS_ContentInfo(cms, &two);
	assert_int_equal(verify(two, (size_t)n, 0, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "malformed-cms");
	OPENSSL_free(two);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
}

/*
 * Sign 'cmd' as an attacker's tool may: digest 'md', without signed
 * attributes ('noattr'), or with the signing time 'at' (seconds UTC; 0:
 * OpenSSL's own, now).
 */
static void
sign_custom(struct eb_tp_party *pt, const EVP_MD *md, int noattr, time_t at,
    uint8_t **der, size_t *len)
{
	BIO *in = BIO_new_mem_buf(cmd, (int)strlen(cmd));
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	unsigned char *p = NULL;
	int n, flags = CMS_BINARY | (noattr ? CMS_NOATTR : 0);

	cms = CMS_sign(NULL, NULL, NULL, in, CMS_BINARY | CMS_PARTIAL);
	assert_non_null(cms);
	si = CMS_add1_signer(cms, pt->cert, pt->key, md, flags);
	assert_non_null(si);
	if (at != 0) {
		ASN1_TIME *t = ASN1_TIME_set(NULL, at);

		assert_non_null(t);
		assert_int_equal(CMS_signed_add1_attr_by_NID(si,
		    NID_pkcs9_signingTime, t->type, t, -1), 1);
		ASN1_TIME_free(t);
	}
	assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
	n = i2d_CMS_ContentInfo(cms, &p);
	assert_true(n > 0);
	*der = malloc((size_t)n);
	memcpy(*der, p, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(p);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
}

static int
verify_window(const uint8_t *der, size_t len, const struct eb_cms_window *w,
    int64_t *signed_ms, struct eb_error *err)
{
	uint8_t *c = NULL;
	size_t clen = 0;
	X509 *s = NULL;
	int rc = eb_cms_verify_command(pki.trust, der, len, w, &c, &clen, &s,
	    signed_ms, err);

	free(c);
	X509_free(s);
	return rc;
}

/* Issue 20 point 10: weak signed commands. */
/*
 * eb_cms_peek_content(): the content of ebid's layout, unchecked, is the
 * content verify returns; a broken signature does not stop it (that is
 * its point), any other layout does.
 */
static void
test_peek_content(void **state)
{
	struct eb_tp_party *who[] = { &pki.bidder, &pki.bidder_rsa };
	const uint8_t *pc;
	uint8_t *der, *c, *two = NULL;
	size_t len, clen, plen;
	X509 *s;
	struct eb_error err;
	BIO *in;
	CMS_ContentInfo *cms;
	int n;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sign_cmd(who[i], &der, &len);
		assert_int_equal(eb_cms_peek_content(der, len, &pc, &plen),
		    EB_OK);
		assert_true(pc > der && pc + plen <= der + len);
		assert_int_equal(eb_cms_verify(pki.trust, der, len, 0, &c,
		    &clen, &s, &err), EB_OK);
		assert_int_equal(plen, clen);
		assert_memory_equal(pc, c, clen);
		free(c);
		X509_free(s);
		/* the signature broken: peeked all the same, never verified */
		der[len - 3] ^= 0x01;
		assert_int_equal(eb_cms_peek_content(der, len, &pc, &plen),
		    EB_OK);
		assert_memory_equal(pc, cmd, strlen(cmd));
		assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
		der[len - 3] ^= 0x01;
		/* one byte short, one more, a header changed: no content */
		assert_int_equal(eb_cms_peek_content(der, len - 1, &pc, &plen),
		    EB_ERR_FORMAT);
		assert_null(pc);
		assert_int_equal(plen, 0);
		{
			uint8_t *longer = realloc(der, len + 1);

			assert_non_null(longer);
			der = longer;
			der[len] = 0;
		}
		assert_int_equal(eb_cms_peek_content(der, len + 1, &pc, &plen),
		    EB_ERR_FORMAT);
		der[0] = 0x31;
		assert_int_equal(eb_cms_peek_content(der, len, &pc, &plen),
		    EB_ERR_FORMAT);
		free(der);
	}
	assert_int_equal(eb_cms_peek_content(NULL, 0, &pc, &plen),
	    EB_ERR_FORMAT);
	assert_int_equal(eb_cms_peek_content((const uint8_t *)"hello", 5, &pc,
	    &plen), EB_ERR_FORMAT);
	/* two signers: not ebid's layout */
	in = BIO_new_mem_buf(cmd, (int)strlen(cmd));
	cms = CMS_sign(NULL, NULL, NULL, in, CMS_BINARY | CMS_PARTIAL);
	assert_non_null(cms);
	assert_non_null(CMS_add1_signer(cms, pki.bidder.cert, pki.bidder.key,
	    NULL, 0));
	assert_non_null(CMS_add1_signer(cms, pki.bidder_rsa.cert,
	    pki.bidder_rsa.key, NULL, 0));
	assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
	n = i2d_CMS_ContentInfo(cms, &two);
	assert_true(n > 0);
	assert_int_equal(eb_cms_peek_content(two, (size_t)n, &pc, &plen),
	    EB_ERR_FORMAT);
	OPENSSL_free(two);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	/* detached: no content to peek */
	in = BIO_new_mem_buf(cmd, (int)strlen(cmd));
	cms = CMS_sign(pki.bidder.cert, pki.bidder.key, NULL, in,
	    CMS_BINARY | CMS_DETACHED);
	assert_non_null(cms);
	two = NULL;
	n = i2d_CMS_ContentInfo(cms, &two);
	assert_int_equal(eb_cms_peek_content(two, (size_t)n, &pc, &plen),
	    EB_ERR_FORMAT);
	OPENSSL_free(two);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
}

static void
test_signer_policy(void **state)
{
	struct eb_tp_party *who[] = { &pki.bidder, &pki.bidder_rsa };
	uint8_t *der;
	size_t len, i;
	struct eb_error err;

	(void)state;
	for (i = 0; i < 2; i++) {
		/* SHA-1 (ecdsa-with-SHA1 / rsaEncryption + sha1 digest) */
		sign_custom(who[i], EVP_sha1(), 0, 0, &der, &len);
		assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
		assert_string_equal(err.reason, "weak-digest");
		assert_non_null(strstr(err.primary, "SHA1"));
		free(der);
		/* no signed attributes at all */
		sign_custom(who[i], EVP_sha256(), 1, 0, &der, &len);
		assert_int_equal(verify(der, len, 0, &err), EB_ERR_DENIED);
		assert_string_equal(err.reason, "no-signed-attributes");
		free(der);
		/* SHA-384 and SHA-512 with attributes are fine */
		sign_custom(who[i], EVP_sha384(), 0, 0, &der, &len);
		assert_int_equal(verify(der, len, 0, &err), EB_OK);
		free(der);
		sign_custom(who[i], EVP_sha512(), 0, 0, &der, &len);
		assert_int_equal(verify(der, len, 0, &err), EB_OK);
		free(der);
	}
}

static void
test_signing_time_window(void **state)
{
	struct eb_cms_window w = { 0, 0, 24 * 3600 * 1000LL, 300 * 1000LL };
	int64_t now = pki.now_ms, got = 0;
	time_t secs = (time_t)(now / 1000);
	uint8_t *der;
	size_t len;
	struct eb_error err;

	(void)state;
	w.at_ms = now;
	/* what eb_cms_sign makes: signing time = now, inside */
	sign_cmd(&pki.bidder, &der, &len);
	assert_int_equal(verify_window(der, len, &w, &got, &err), EB_OK);
	assert_true(got >= now - 60000 && got <= now + 60000);
	free(der);
	/* 1970 and 2099 */
	sign_custom(&pki.bidder, EVP_sha256(), 0, 1, &der, &len);
	assert_int_equal(verify_window(der, len, &w, NULL, &err), EB_ERR_TIME);
	assert_string_equal(err.reason, "signing-time-too-old");
	assert_non_null(strstr(err.primary, "1970-01-01T00:00:01Z"));
	/* eb_cms_verify alone (an opening, an audit) has no window */
	assert_int_equal(verify(der, len, 0, &err), EB_OK);
	free(der);
	sign_custom(&pki.bidder, EVP_sha256(), 0, (time_t)4087000000, &der,
	    &len);
	assert_int_equal(verify_window(der, len, &w, NULL, &err), EB_ERR_TIME);
	assert_string_equal(err.reason, "signing-time-in-future");
	assert_non_null(strstr(err.primary, "2099-"));
	free(der);
	/* the edges: 24 h old and 5 min ahead pass, one second more not */
	w.at_ms = (int64_t)secs * 1000;
	sign_custom(&pki.bidder, EVP_sha256(), 0, secs - 24 * 3600, &der, &len);
	assert_int_equal(verify_window(der, len, &w, &got, &err), EB_OK);
	assert_int_equal(got, (int64_t)(secs - 24 * 3600) * 1000);
	w.at_ms = (int64_t)secs * 1000 + 1000;
	assert_int_equal(verify_window(der, len, &w, NULL, &err), EB_ERR_TIME);
	/* ... unless the second reference (real time under a test clock)
	 * puts it inside */
	w.alt_ms = (int64_t)secs * 1000;
	assert_int_equal(verify_window(der, len, &w, NULL, &err), EB_OK);
	w.alt_ms = 0;
	free(der);
	w.at_ms = (int64_t)secs * 1000;
	sign_custom(&pki.bidder, EVP_sha256(), 0, secs + 300, &der, &len);
	assert_int_equal(verify_window(der, len, &w, NULL, &err), EB_OK);
	w.at_ms -= 1000;
	assert_int_equal(verify_window(der, len, &w, NULL, &err), EB_ERR_TIME);
	assert_string_equal(err.reason, "signing-time-in-future");
	free(der);
}

static void
test_encrypt_oaep_and_sha256_kdf(void **state)
{
	STACK_OF(X509) *r = sk_X509_new_null();
	uint8_t *env, *out;
	size_t envlen, outlen;
	struct eb_error err;
	CMS_ContentInfo *cms;
	STACK_OF(CMS_RecipientInfo) *ris;
	const unsigned char *p;
	int i, ktri = 0, kari = 0;

	(void)state;
	sk_X509_push(r, pki.custodian[0].cert);   /* EC */
	sk_X509_push(r, pki.custodian[1].cert);   /* RSA */
	assert_int_equal(eb_cms_encrypt(r, (const uint8_t *)cmd, strlen(cmd),
	    0, &env, &envlen, &err), EB_OK);
	p = env;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)envlen);
	assert_non_null(cms);
	assert_int_equal(OBJ_obj2nid(CMS_get0_type(cms)),
	    NID_id_smime_ct_authEnvelopedData);
	ris = CMS_get0_RecipientInfos(cms);
	for (i = 0; i < sk_CMS_RecipientInfo_num(ris); i++) {
		CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(ris, i);
		X509_ALGOR *alg = NULL;

		if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
			CMS_RecipientInfo_ktri_get0_algs(ri, NULL, NULL, &alg);
			assert_int_equal(OBJ_obj2nid(alg->algorithm),
			    NID_rsaesOaep);
			ktri++;
		} else {
			assert_int_equal(CMS_RecipientInfo_type(ri),
			    CMS_RECIPINFO_AGREE);
			CMS_RecipientInfo_kari_get0_alg(ri, &alg, NULL);
			assert_int_equal(OBJ_obj2nid(alg->algorithm),
			    NID_dhSinglePass_stdDH_sha256kdf_scheme);
			kari++;
		}
	}
	assert_int_equal(ktri, 1);
	assert_int_equal(kari, 1);
	CMS_ContentInfo_free(cms);
	for (i = 0; i < 2; i++) {
		assert_int_equal(eb_cms_decrypt(pki.custodian[i].cert,
		    pki.custodian[i].key, env, envlen, &out, &outlen, &err),
		    EB_OK);
		assert_int_equal(outlen, strlen(cmd));
		assert_memory_equal(out, cmd, outlen);
		free(out);
	}
	assert_int_equal(eb_cms_decrypt(pki.custodian[2].cert,
	    pki.custodian[2].key, env, envlen, &out, &outlen, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-a-recipient");
	/* a key that is not the certificate's */
	assert_int_equal(eb_cms_decrypt(pki.custodian[0].cert,
	    pki.custodian[2].key, env, envlen, &out, &outlen, &err),
	    EB_ERR_USAGE);
	assert_string_equal(err.reason, "key-does-not-match");
	free(env);
	/* a signing-only certificate (the TSA's) cannot receive */
	sk_X509_push(r, pki.tsa.cert);
	assert_int_equal(eb_cms_encrypt(r, (const uint8_t *)cmd, strlen(cmd),
	    0, &env, &envlen, &err), EB_ERR_USAGE);
	assert_string_equal(err.reason, "bad-recipient");
	assert_null(env);
	sk_X509_free(r);
}

static uint8_t *
make_bid(size_t n)
{
	uint8_t *b = malloc(n);
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)("<bid>0123456789</bid>\n"[i % 22]);
	return b;
}

static void
test_seal_open_by_opening_key_and_bidder(void **state)
{
	struct eb_tp_party *who[] = { &pki.bidder, &pki.bidder_rsa };
	struct eb_tp_party *opener;
	uint8_t *bid = make_bid(4096), *env, *xml, *inner, c[32], h[32];
	size_t envlen, xmllen, innerlen, i, j;
	X509 *s;
	struct eb_error err;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(eb_bid_seal(who[i]->cert, who[i]->key,
		    opening.cert, bid, 4096, &env, &envlen, c, &err), EB_OK);
		for (j = 0; j < 2; j++) {
			opener = j == 0 ? &opening : who[i];
			assert_int_equal(eb_bid_open(pki.trust, opener->cert,
			    opener->key, env, envlen, c, 0, &xml, &xmllen,
			    &inner, &innerlen, &s, &err), EB_OK);
			assert_int_equal(xmllen, 4096);
			assert_memory_equal(xml, bid, 4096);
			eb_sha256(inner, innerlen, h);
			assert_memory_equal(h, c, 32);
			assert_int_equal(X509_cmp(s, who[i]->cert), 0);
			free(xml);
			free(inner);
			X509_free(s);
		}
		/* inner may be left out */
		assert_int_equal(eb_bid_open(pki.trust, opening.cert,
		    opening.key, env, envlen, c, 0, &xml, &xmllen, NULL, NULL,
		    &s, &err), EB_OK);
		free(xml);
		X509_free(s);
		/* a non-recipient cannot open it */
		assert_int_equal(eb_bid_open(pki.trust, pki.custodian[0].cert,
		    pki.custodian[0].key, env, envlen, c, 0, &xml, &xmllen,
		    NULL, NULL, &s, &err), EB_ERR_DENIED);
		assert_string_equal(err.reason, "not-a-recipient");
		assert_null(xml);
		free(env);
	}
	free(bid);
}

static void
test_seal_tamper_envelope_inner_commitment(void **state)
{
	uint8_t *bid = make_bid(4096), *env, *xml, *inner, *env2, c[32];
	size_t envlen, xmllen, innerlen, env2len;
	STACK_OF(X509) *r = sk_X509_new_null();
	X509 *s;
	struct eb_error err;
	uint8_t *hit;

	(void)state;
	assert_int_equal(eb_bid_seal(pki.bidder.cert, pki.bidder.key,
	    opening.cert, bid, 4096, &env, &envlen, c, &err), EB_OK);
	/* the middle of a 4 KiB bid's envelope is GCM ciphertext */
	env[envlen / 2] ^= 0x80;
	assert_int_equal(eb_bid_open(pki.trust, opening.cert, opening.key, env,
	    envlen, c, 0, &xml, &xmllen, NULL, NULL, &s, &err), EB_ERR_CRYPTO);
	assert_string_equal(err.reason, "decrypt-failed");
	env[envlen / 2] ^= 0x80;
	/* the commitment */
	c[31] ^= 1;
	assert_int_equal(eb_bid_open(pki.trust, opening.cert, opening.key, env,
	    envlen, c, 0, &xml, &xmllen, NULL, NULL, &s, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "commitment-mismatch");
	c[31] ^= 1;
	assert_int_equal(eb_bid_open(pki.trust, opening.cert, opening.key, env,
	    envlen, c, 0, &xml, &xmllen, &inner, &innerlen, &s, &err), EB_OK);
	free(xml);
	X509_free(s);
	free(env);

	/* the inner bid altered, then re-sealed with a matching commitment:
	 * the bidder's signature catches it */
	hit = memmem(inner, innerlen, "0123456789", 10);
	assert_non_null(hit);
	hit[0] = '9';
	eb_sha256(inner, innerlen, c);
	sk_X509_push(r, opening.cert);
	assert_int_equal(eb_cms_encrypt(r, inner, innerlen, 1, &env2, &env2len,
	    &err), EB_OK);
	assert_int_equal(eb_bid_open(pki.trust, opening.cert, opening.key,
	    env2, env2len, c, 0, &xml, &xmllen, NULL, NULL, &s, &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "bad-inner-signature");
	free(env2);
	free(inner);
	sk_X509_free(r);
	free(bid);
}

static void
test_base64_vectors_and_strictness(void **state)
{
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *const bad[] = { "abc", "Zm9", "Zg=", "Zh==",
	    "Zm9=", "Zm 9v", "Zm9v\n", "=Zm9", "Zg==Zm9v", "Z===", "Zm9v====",
	    "Zm-v", "Zm_v", "Zm9v Zm9v" };
	const char plain[] = "foobar";
	uint8_t *out, rnd[1000];
	size_t outlen, i;
	char *s;
	unsigned char ref[1400];

	(void)state;
	for (i = 0; i < 7; i++) {
		assert_int_equal(eb_base64_encode((const uint8_t *)plain, i, &s),
		    EB_OK);
		assert_string_equal(s, enc[i]);
		free(s);
		assert_int_equal(eb_base64_decode(enc[i], strlen(enc[i]), &out,
		    &outlen), EB_OK);
		assert_int_equal(outlen, i);
		assert_memory_equal(out, plain, i);
		free(out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(eb_base64_decode(bad[i], strlen(bad[i]), &out,
		    &outlen), EB_ERR_FORMAT);
		assert_null(out);
	}
	assert_int_equal(eb_base64_decode("Zm\0v", 4, &out, &outlen),
	    EB_ERR_FORMAT);
	/* every byte value, in a full quad and in the last quad */
	for (i = 0; i < 256; i++) {
		const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/";
		const char *at = i != 0 ? strchr(alpha, (int)i) : NULL;
		char q[9] = "AAAAAAAA";
		int rc;

		q[0] = (char)i;
		q[4] = (char)i;
		rc = eb_base64_decode(q, 8, &out, &outlen);
		if (at == NULL) {
			assert_int_equal(rc, EB_ERR_FORMAT);
			continue;
		}
		assert_int_equal(rc, EB_OK);
		assert_int_equal(outlen, 6);
		assert_int_equal(out[0] >> 2, at - alpha);
		assert_int_equal(out[3] >> 2, at - alpha);
		free(out);
	}
	/* agrees with OpenSSL's encoder on 1000 arbitrary bytes */
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(i * 131 + 7);
	assert_int_equal(EVP_EncodeBlock(ref, rnd, sizeof(rnd)), 1336);
	assert_int_equal(eb_base64_encode(rnd, sizeof(rnd), &s), EB_OK);
	assert_string_equal(s, (char *)ref);
	assert_int_equal(eb_base64_decode(s, strlen(s), &out, &outlen), EB_OK);
	assert_int_equal(outlen, sizeof(rnd));
	assert_memory_equal(out, rnd, sizeof(rnd));
	free(out);
	free(s);
}

/*
 * The encoder's two 12-bit look-ups per 3 bytes (protocol/cms.c) give
 * OpenSSL's characters: every length from 0 to 400 (each tail) over
 * bytes that take every value, and every 12-bit value at both halves.
 */
static void
test_base64_encode_every_length_and_value(void **state)
{
	static uint8_t rnd[3 * 4096 + 400];
	static unsigned char ref[(sizeof(rnd) + 2) / 3 * 4 + 1];
	size_t n, i;
	char *s;

	(void)state;
	/* 0x000..0xfff as the first and as the second half of 3 bytes */
	for (i = 0; i < 4096; i++) {
		rnd[3 * i] = (uint8_t)(i >> 4);
		rnd[3 * i + 1] = (uint8_t)((i & 15) << 4 | (4095 - i) >> 8);
		rnd[3 * i + 2] = (uint8_t)(4095 - i);
	}
	assert_int_equal(EVP_EncodeBlock(ref, rnd, 3 * 4096), 4 * 4096);
	assert_int_equal(eb_base64_encode(rnd, 3 * 4096, &s), EB_OK);
	assert_string_equal(s, (char *)ref);
	free(s);
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(i * 167 + (i >> 8) * 13 + 5);
	for (n = 0; n <= 400; n++) {
		assert_int_equal(EVP_EncodeBlock(ref, rnd + n, (int)n),
		    (int)((n + 2) / 3 * 4));
		assert_int_equal(eb_base64_encode(rnd + n, n, &s), EB_OK);
		assert_string_equal(s, (char *)ref);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify_round_trip),
		cmocka_unit_test(test_binary_content_kept_exactly),
		cmocka_unit_test(test_tamper_signature_content_cert),
		cmocka_unit_test(test_wrong_ca_expired_ca_signer),
		cmocka_unit_test(test_malformed_two_signers_detached),
		cmocka_unit_test(test_peek_content),
		cmocka_unit_test(test_signer_policy),
		cmocka_unit_test(test_signing_time_window),
		cmocka_unit_test(test_encrypt_oaep_and_sha256_kdf),
		cmocka_unit_test(test_seal_open_by_opening_key_and_bidder),
		cmocka_unit_test(test_seal_tamper_envelope_inner_commitment),
		cmocka_unit_test(test_base64_vectors_and_strictness),
		cmocka_unit_test(test_base64_encode_every_length_and_value),
	};

	return cmocka_run_group_tests_name("cms", tests, setup, teardown);
}
