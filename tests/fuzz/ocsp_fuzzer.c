/*
 * tests/fuzz/ocsp_fuzzer.c
 *    Fuzz the check of an OCSP responder's answer (eb_ocsp_check,
 *    protocol/ocsp.h): the bytes ebidd will get back from a responder over
 *    plain HTTP, against a fixed in-memory CA and one certificate it
 *    issued.
 *
 *    The first input byte picks the mode:
 *      bit 0 clear  the rest is the response as is; no crash, a result
 *                   in the enum, a cause named when it is INVALID;
 *      bit 0 set    a basic response is built from the rest: byte 1 the
 *                   status (mod 3), bytes 2..3 thisUpdate and 4..5
 *                   nextUpdate offsets in minutes (signed; 0x8000: none),
 *                   the remaining bytes appended as a second entry's
 *                   serial (another certificate); signed by the CA, its
 *                   status must come back exactly when the times are
 *                   current, and INVALID otherwise.
 *
 * The CA is Ed25519 from a fixed seed (deterministic signatures); its
 * certificate and the leaf's are made once.
 *
 * Corpus: tests/fuzz/ocsp_corpus/ (tests/fuzz/ocsp_seeds.py wrote it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "protocol/ocsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *ca_key;
static X509 *ca, *leaf;
static X509_STORE *store;

static X509 *
make(const char *cn, long serial, EVP_PKEY *key, X509 *issuer)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();

	if (c == NULL || n == NULL ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_version(c, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(c), serial) != 1 ||
	    X509_set_subject_name(c, n) != 1 ||
	    X509_set_issuer_name(c, issuer != NULL ?
	    X509_get_subject_name(issuer) : n) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(c), 1735689600) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(c), 4102444800) == NULL ||
	    X509_set_pubkey(c, key) != 1 || X509_sign(c, ca_key, NULL) <= 0)
		abort();
	X509_NAME_free(n);
	return c;
}

static void
init(void)
{
	static const unsigned char seed[32] = "ebid OCSP fuzz CA, fixed seed.";
	static const unsigned char lseed[32] = "ebid OCSP fuzz leaf, fixed.";
	EVP_PKEY *lk;

	if (ca != NULL)
		return;
	ca_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof(seed));
	lk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, lseed,
	    sizeof(lseed));
	if (ca_key == NULL || lk == NULL)
		abort();
	ca = make("ebid OCSP Fuzz CA", 1, ca_key, NULL);
	leaf = make("ebid OCSP Fuzz Leaf", 2, lk, ca);
	EVP_PKEY_free(lk);
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, ca) != 1)
		abort();
}

static int64_t
now_ms(void)
{
	return (int64_t)time(NULL) * 1000;
}

static void
raw(const uint8_t *data, size_t size)
{
	struct eb_ocsp_answer a;
	enum eb_ocsp_status s = eb_ocsp_check(data, size, leaf, ca, store,
	    now_ms(), &a);

	if (s > EB_OCSP_INVALID || s != a.status ||
	    (s == EB_OCSP_INVALID && a.why[0] == '\0'))
		abort();
}

static int
offset(const uint8_t *p, long *min)
{
	int v = (int)(((unsigned)p[0] << 8) | p[1]);

	if (v == 0x8000)
		return 0;
	*min = (long)(int16_t)v;
	return 1;
}

static void
built(const uint8_t *data, size_t size)
{
	static const int st[3] = { V_OCSP_CERTSTATUS_GOOD,
	    V_OCSP_CERTSTATUS_REVOKED, V_OCSP_CERTSTATUS_UNKNOWN };
	static const enum eb_ocsp_status want[3] = { EB_OCSP_GOOD,
	    EB_OCSP_REVOKED, EB_OCSP_UNKNOWN };
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, leaf, ca), *other = NULL;
	ASN1_TIME *tu = NULL, *nu = NULL, *rev = NULL;
	OCSP_RESPONSE *resp = NULL;
	unsigned char *der = NULL;
	struct eb_ocsp_answer a;
	long tmin = 0, nmin = 0;
	int k, has_next, n;
	int64_t now = now_ms();
	enum eb_ocsp_status s;

	if (size < 5 || bs == NULL || id == NULL)
		goto out;
	k = data[0] % 3;
	(void)offset(data + 1, &tmin);
	has_next = offset(data + 3, &nmin);
	tu = X509_gmtime_adj(NULL, tmin * 60);
	nu = has_next ? X509_gmtime_adj(NULL, nmin * 60) : NULL;
	rev = X509_gmtime_adj(NULL, -86400);
	if (tu == NULL || (has_next && nu == NULL) || rev == NULL ||
	    OCSP_basic_add1_status(bs, id, st[k], k == 1 ? 0 : -1,
	    k == 1 ? rev : NULL, tu, nu) == NULL)
		goto out;
	if (size > 5) {
		/* a second entry: another serial of the same issuer */
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		BIGNUM *bn = BN_bin2bn(data + 5, (int)(size - 5 > 20 ? 20 :
		    size - 5), NULL);

		if (sn != NULL && bn != NULL && BN_to_ASN1_INTEGER(bn, sn) !=
		    NULL)
			other = OCSP_cert_id_new(EVP_sha1(),
			    X509_get_subject_name(ca), X509_get0_pubkey_bitstr(ca),
			    sn);
		ASN1_INTEGER_free(sn);
		BN_free(bn);
		if (other != NULL)
			(void)OCSP_basic_add1_status(bs, other,
			    V_OCSP_CERTSTATUS_REVOKED, 0, rev, tu, nu);
	}
	if (OCSP_basic_sign(bs, ca, ca_key, NULL, NULL, 0) != 1 ||
	    (resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL,
	    bs)) == NULL || (n = i2d_OCSP_RESPONSE(resp, &der)) <= 0)
		goto out;
	s = eb_ocsp_check(der, (size_t)n, leaf, ca, store, now, &a);
	{
		/* a 60 s margin around the skew: the clock moved meanwhile */
		int64_t t = (int64_t)tmin * 60000, nx = (int64_t)nmin * 60000;
		int cur = t <= EB_OCSP_SKEW_MS - 60000 &&
		    (!has_next || (nx >= -EB_OCSP_SKEW_MS + 60000 && nx >= t));
		int bad = t > EB_OCSP_SKEW_MS + 60000 ||
		    (has_next && (nx < -EB_OCSP_SKEW_MS - 60000 || nx < t));

		/* the leaf's serial (2) listed again as "other" decides
		 * first in OpenSSL's search: leave that case to raw checks */
		if (other != NULL && OCSP_id_cmp(other, id) == 0)
			goto out;
		if (cur && s != want[k])
			abort();
		if (bad && s != EB_OCSP_INVALID)
			abort();
	}
out:
	OPENSSL_free(der);
	OCSP_RESPONSE_free(resp);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	ASN1_TIME_free(rev);
	OCSP_CERTID_free(other);
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	if (size < 1 || size > EB_OCSP_MAX + 1)
		return 0;
	if (data[0] & 1)
		built(data + 1, size - 1);
	else
		raw(data + 1, size - 1);
	ERR_clear_error();
	return 0;
}
