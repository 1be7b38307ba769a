/*
 * protocol/keysplit.c
 *    The tender's opening key: EC P-256 key pair + certificate, private
 *    half split k-of-n with libgfshare, each share CMS-sealed to its
 *    custodian (see keysplit.h, docs/crypto.md).
 *
 * Owner: cryptography engineer.
 *
 * Invariants:
 *  - gfshare_fill_rand is set to a RAND_bytes wrapper before every
 *    gfshare call (libgfshare also calls it from gfshare_ctx_free), and
 *    gfshare_ctx_free is never called with NULL.
 *  - 1 <= k <= n <= EB_SHARES_MAX; share numbers are 1..n when splitting,
 *    and must be distinct and non-zero when combining (libgfshare does
 *    not check either).
 *  - Shamir gives wrong bytes, not an error, for too few or bad shares, so
 *    the combined key is accepted only when it parses and matches the
 *    opening certificate (X509_check_private_key).
 *  - Every buffer that held key material or a share is OPENSSL_cleanse'd
 *    before it is freed.
 *
 * INTERFACE
 *    eb_opening_key_create(), eb_opening_key_clear()
 *    eb_share_unseal(), eb_shares_combine()
 */
#include "protocol/keysplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libgfshare.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "protocol/cms.h"
#include "protocol/pki.h"

/*
 * libgfshare's randomness: the polynomial coefficients.  It cannot report
 * a failure, and a share set made with predictable coefficients would
 * leak the key, so a failing CSPRNG aborts the process.
 */
static void
gfshare_rand(unsigned char *buf, unsigned int n)
{
	if (RAND_bytes(buf, (int)n) != 1)
		abort();
}

static void
gfshare_ready(void)
{
	gfshare_fill_rand = gfshare_rand;
}

static void
wipe_free(uint8_t *p, size_t n)
{
	if (p != NULL) {
		OPENSSL_cleanse(p, n);
		free(p);
	}
}

static int
fail_ssl(struct eb_error *err, int code, const char *reason,
    const char *hint, const char *what)
{
	eb_fail(err, code, reason, hint, "%s", what);
	eb_crypto_drain(err);
	return code;
}

static int
add_ext(X509 *x, X509 *ca, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int
set_time(ASN1_TIME *t, int64_t ms)
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));

	return ASN1_TIME_set(t, s) != NULL;
}

/* The opening certificate for 'key', issued by (ca_cert, ca_key). */
static X509 *
make_cert(X509 *ca_cert, EVP_PKEY *ca_key, EVP_PKEY *key,
    const char *tender_id, int64_t nb_ms, int64_t na_ms)
{
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = NULL;
	unsigned char rnd[16];
	char cn[96];
	int ok = 0;

	if (x == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] &= 0x7f;   /* positive, at most 127 bits */
	rnd[0] |= 0x40;
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		goto out;
	snprintf(cn, sizeof(cn), "opening key %s", tender_id);
	if ((name = X509_NAME_new()) == NULL ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0))
		goto out;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_serialNumber(x, sn) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca_cert)) ||
	    !X509_set_subject_name(x, name) ||
	    !set_time(X509_getm_notBefore(x), nb_ms) ||
	    !set_time(X509_getm_notAfter(x), na_ms) ||
	    !X509_set_pubkey(x, key) ||
	    !add_ext(x, ca_cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, ca_cert, NID_key_usage, "critical,keyAgreement") ||
	    !add_ext(x, ca_cert, NID_ext_key_usage, "emailProtection") ||
	    !add_ext(x, ca_cert, NID_subject_key_identifier, "hash") ||
	    !add_ext(x, ca_cert, NID_authority_key_identifier, "keyid:always"))
		goto out;
	if (X509_sign(x, ca_key, EVP_PKEY_is_a(ca_key, "ED25519") ||
	    EVP_PKEY_is_a(ca_key, "ED448") ? NULL : EVP_sha256()) <= 0)
		goto out;
	ok = 1;
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	BN_free(bn);
	ASN1_INTEGER_free(sn);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

void
eb_opening_key_clear(struct eb_opening_key *ok)
{
	size_t i;

	if (ok == NULL)
		return;
	X509_free(ok->cert);
	for (i = 0; i < EB_SHARES_MAX; i++)
		free(ok->sealed[i]);
	memset(ok, 0, sizeof(*ok));
}

int
eb_opening_key_create(X509 *ca_cert, EVP_PKEY *ca_key,
    const char *tender_id, int64_t not_before_ms, int64_t not_after_ms,
    STACK_OF(X509) *custodians, unsigned k, struct eb_opening_key *out,
    struct eb_error *err)
{
	EVP_PKEY *key = NULL;
	STACK_OF(X509) *one = NULL;
	gfshare_ctx *g = NULL;
	unsigned char nrs[EB_SHARES_MAX];
	uint8_t *der = NULL, *share = NULL;
	unsigned char *p;
	size_t n, i;
	int dlen = 0, rc = EB_ERR_CRYPTO;

	memset(out, 0, sizeof(*out));
	n = custodians == NULL ? 0 : (size_t)sk_X509_num(custodians);
	if (ca_cert == NULL || ca_key == NULL || tender_id == NULL)
		return eb_fail(err, EB_ERR_USAGE, "no-ca", NULL,
		    "the opening key needs the CA certificate and key");
	if (n < 1 || n > EB_SHARES_MAX || k < 1 || k > n)
		return eb_fail(err, EB_ERR_USAGE, "bad-threshold",
		    "Choose 1 <= k <= n <= 16 custodians.",
		    "cannot split %u-of-%zu", k, n);
	if (not_after_ms <= not_before_ms)
		return eb_fail(err, EB_ERR_USAGE, "bad-validity", NULL,
		    "the opening key's validity period is empty");
	if ((key = EVP_EC_gen("P-256")) == NULL) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "keygen-failed", NULL,
		    "cannot generate the opening key");
		goto out;
	}
	if ((out->cert = make_cert(ca_cert, ca_key, key, tender_id,
	    not_before_ms, not_after_ms)) == NULL) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "cert-failed", NULL,
		    "cannot issue the opening certificate");
		goto out;
	}
	if ((dlen = i2d_PrivateKey(key, NULL)) <= 0 ||
	    (der = malloc((size_t)dlen)) == NULL ||
	    (share = malloc((size_t)dlen + 1)) == NULL) {
		rc = fail_ssl(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "cannot encode the opening key");
		goto out;
	}
	p = der;
	if (i2d_PrivateKey(key, &p) != dlen) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "keygen-failed", NULL,
		    "cannot encode the opening key");
		goto out;
	}
	for (i = 0; i < n; i++)
		nrs[i] = (unsigned char)(i + 1);
	gfshare_ready();
	if ((g = gfshare_ctx_init_enc(nrs, (unsigned)n, (unsigned char)k,
	    (unsigned)dlen)) == NULL) {
		rc = eb_fail(err, EB_ERR_CRYPTO, "split-failed", NULL,
		    "cannot split the opening key");
		goto out;
	}
	gfshare_ctx_enc_setsecret(g, der);
	if ((one = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(one, NULL)) {
		rc = eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "cannot list a recipient");
		goto out;
	}
	for (i = 0; i < n; i++) {
		share[0] = nrs[i];
		gfshare_ctx_enc_getshare(g, (unsigned char)i, share + 1);
		(void)sk_X509_set(one, 0, sk_X509_value(custodians, (int)i));
		rc = eb_cms_encrypt(one, share, (size_t)dlen + 1, 0,
		    &out->sealed[i], &out->sealed_len[i], err);
		if (rc != EB_OK) {
			if (err != NULL)
				snprintf(err->primary, sizeof(err->primary),
				    "cannot seal share %zu to its custodian",
				    i + 1);
			goto out;
		}
	}
	out->n = n;
	out->k = k;
	rc = EB_OK;
out:
	if (g != NULL)
		gfshare_ctx_free(g);
	sk_X509_free(one);
	wipe_free(der, dlen > 0 ? (size_t)dlen : 0);
	wipe_free(share, dlen > 0 ? (size_t)dlen + 1 : 0);
	EVP_PKEY_free(key);
	if (rc != EB_OK)
		eb_opening_key_clear(out);
	ERR_clear_error();
	return rc;
}

int
eb_share_unseal(X509 *cert, EVP_PKEY *key, const uint8_t *sealed,
    size_t len, uint8_t **share, size_t *sharelen, struct eb_error *err)
{
	int rc = eb_cms_decrypt(cert, key, sealed, len, share, sharelen, err);

	if (rc != EB_OK)
		return rc;
	if (*sharelen < 2 || (*share)[0] == 0) {
		wipe_free(*share, *sharelen);
		*share = NULL;
		*sharelen = 0;
		return eb_fail(err, EB_ERR_FORMAT, "malformed-share", NULL,
		    "the sealed share is not x||y");
	}
	return EB_OK;
}

EVP_PKEY *
eb_shares_combine(X509 *cert, const uint8_t *const *shares,
    const size_t *lens, size_t count, unsigned k, struct eb_error *err)
{
	unsigned char nrs[EB_SHARES_MAX];
	unsigned seen[256] = { 0 };
	gfshare_ctx *g = NULL;
	uint8_t *secret = NULL;
	const unsigned char *p;
	EVP_PKEY *key = NULL;
	size_t i, ylen;
	const char *hint = "Collect the shares again from the custodians of "
	    "this tender and check each came from its own sealed share.";

	if (cert == NULL || shares == NULL || lens == NULL || k < 1) {
		eb_fail(err, EB_ERR_USAGE, "bad-arguments", NULL,
		    "combining needs the opening certificate and shares");
		return NULL;
	}
	if (count < k) {
		eb_fail(err, EB_ERR_CRYPTO, "too-few-shares", hint,
		    "%zu share(s) given, %u needed", count, k);
		return NULL;
	}
	if (count > EB_SHARES_MAX) {
		eb_fail(err, EB_ERR_FORMAT, "too-many-shares", NULL,
		    "%zu shares given, at most %d exist", count,
		    EB_SHARES_MAX);
		return NULL;
	}
	ylen = lens[0] > 0 ? lens[0] - 1 : 0;
	for (i = 0; i < count; i++) {
		if (shares[i] == NULL || lens[i] < 2 || lens[i] - 1 != ylen ||
		    ylen > 4096) {
			eb_fail(err, EB_ERR_FORMAT, "malformed-share", hint,
			    "share %zu is not x||y of the common length", i + 1);
			return NULL;
		}
		if (shares[i][0] == 0 || seen[shares[i][0]]++ != 0) {
			eb_fail(err, EB_ERR_FORMAT, "duplicate-share", hint,
			    "share number %u is zero or given twice",
			    shares[i][0]);
			return NULL;
		}
		nrs[i] = shares[i][0];
	}
	if ((secret = malloc(ylen)) == NULL) {
		eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "cannot allocate the key buffer");
		return NULL;
	}
	gfshare_ready();
	if ((g = gfshare_ctx_init_dec(nrs, (unsigned)count,
	    (unsigned)ylen)) == NULL) {
		eb_fail(err, EB_ERR_CRYPTO, "combine-failed", NULL,
		    "cannot set up share combination");
		goto out;
	}
	for (i = 0; i < count; i++)
		gfshare_ctx_dec_giveshare(g, (unsigned char)i,
		    (unsigned char *)shares[i] + 1);
	gfshare_ctx_dec_extract(g, secret);
	p = secret;
	key = d2i_AutoPrivateKey(NULL, &p, (long)ylen);
	if (key == NULL || p != secret + ylen ||
	    X509_check_private_key(cert, key) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
		eb_fail(err, EB_ERR_CRYPTO, "shares-do-not-match", hint,
		    "the shares do not give the opening key");
		goto out;
	}
out:
	if (g != NULL)
		gfshare_ctx_free(g);
	wipe_free(secret, ylen);
	ERR_clear_error();
	return key;
}
