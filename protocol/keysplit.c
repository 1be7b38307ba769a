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
 *  - What is split is the 32-byte P-256 private scalar only.  The group
 *    and public point are taken from the opening certificate when
 *    combining.  (Splitting the SEC1 DER instead is weaker: it carries
 *    the public point and a version, which d2i takes as written, so a
 *    share set corrupting only the scalar still passed
 *    X509_check_private_key; observed in this module's tests.)
 *  - Shamir gives wrong bytes, not an error, for too few or bad shares, so
 *    the combined key is accepted only when scalar * G equals the
 *    certificate's point (EVP_PKEY_pairwise_check, then
 *    X509_check_private_key).
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
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "protocol/cms.h"
#include "protocol/pki.h"
#include "protocol/mem.h"

/* The P-256 private scalar, big-endian, zero-padded: what is split. */
#define EB_SCALAR_LEN 32

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

/* certificatePolicies: the ebid opening policy, nothing else. */
static int
add_policy(X509 *x)
{
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	POLICYINFO *pi = POLICYINFO_new();
	int ok = 0;

	if (pols != NULL && pi != NULL &&
	    (pi->policyid = OBJ_txt2obj(EB_OPENING_POLICY_OID, 1)) != NULL &&
	    sk_POLICYINFO_push(pols, pi) > 0) {
		pi = NULL;
		ok = X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0,
		    X509V3_ADD_DEFAULT) == 1;
	}
	POLICYINFO_free(pi);
	CERTIFICATEPOLICIES_free(pols);
	return ok;
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
	char cn[96], uri[128];
	int ok = 0;

	snprintf(uri, sizeof(uri), "URI:%s%s", EB_OPENING_URI_PREFIX, tender_id);
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
	    !add_ext(x, ca_cert, NID_authority_key_identifier, "keyid:always") ||
	    !add_policy(x) ||
	    !add_ext(x, ca_cert, NID_subject_alt_name, uri))
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
	BIGNUM *priv = NULL;
	STACK_OF(X509) *one = NULL;
	gfshare_ctx *g = NULL;
	unsigned char nrs[EB_SHARES_MAX];
	uint8_t *der = NULL, *share = NULL;
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
	dlen = EB_SCALAR_LEN;
	der = eb_malloc((size_t)dlen);
	share = eb_malloc((size_t)dlen + 1);
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1 ||
	    BN_bn2binpad(priv, der, dlen) != dlen) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "keygen-failed", NULL,
		    "cannot read the opening key's private scalar");
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
	    !sk_X509_push(one, NULL))
		eb_oom("a recipient list", 0);
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
	BN_clear_free(priv);
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

/*
 * The key pair from the recombined private scalar and the public half in
 * 'cert': the group and public point come from the certificate, so the
 * shares hold nothing but the secret.  The pairwise check recomputes
 * scalar * G and compares it with the certificate's point: any wrong,
 * missing or corrupted share fails here.  Returns the key or NULL.
 */
static EVP_PKEY *
key_from_scalar(X509 *cert, const uint8_t *scalar, size_t len)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert), *key = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *priv = NULL;
	unsigned char point[133];
	size_t plen = 0;
	char group[64];

	if (pub == NULL || !EVP_PKEY_is_a(pub, "EC") ||
	    EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL) != 1 ||
	    EVP_PKEY_get_octet_string_param(pub, OSSL_PKEY_PARAM_PUB_KEY,
	    point, sizeof(point), &plen) != 1 ||
	    (size_t)(EVP_PKEY_get_bits(pub) + 7) / 8 != len)
		goto out;
	if ((priv = BN_secure_new()) == NULL ||
	    BN_bin2bn(scalar, (int)len, priv) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, plen) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1)
		goto out;
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
	    EVP_PKEY_pairwise_check(chk) != 1 ||
	    X509_check_private_key(cert, key) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	/* the scalar's copy sits in the secure part of 'params' (the BN is
	 * secure), which OSSL_PARAM_free clears */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(priv);
	return key;
}

EVP_PKEY *
eb_shares_combine(X509 *cert, const uint8_t *const *shares,
    const size_t *lens, size_t count, unsigned k, struct eb_error *err)
{
	unsigned char nrs[EB_SHARES_MAX];
	unsigned seen[256] = { 0 };
	gfshare_ctx *g = NULL;
	uint8_t *secret = NULL;
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
		eb_fail(err, EB_ERR_LIMIT, "too-many-shares", NULL,
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
	secret = eb_malloc(ylen);
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
	if ((key = key_from_scalar(cert, secret, ylen)) == NULL) {
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

/* 1 when 'x' carries the ebid opening policy. */
static int
has_opening_policy(X509 *x)
{
	CERTIFICATEPOLICIES *pol = X509_get_ext_d2i(x,
	    NID_certificate_policies, NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(EB_OPENING_POLICY_OID, 1);
	int found = 0;

	for (int i = 0; pol != NULL && want != NULL &&
	    i < sk_POLICYINFO_num(pol); i++)
		if (OBJ_cmp(sk_POLICYINFO_value(pol, i)->policyid, want) == 0)
			found = 1;
	ASN1_OBJECT_free(want);
	CERTIFICATEPOLICIES_free(pol);
	return found;
}

/* 1 when 'x' has the URI naming 'tender_id'. */
static int
names_tender(X509 *x, const char *tender_id)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL);
	char want[128];
	int found = 0;

	snprintf(want, sizeof(want), "%s%s", EB_OPENING_URI_PREFIX, tender_id);
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_URI &&
		    (size_t)ASN1_STRING_length(g->d.uniformResourceIdentifier) ==
		    strlen(want) && memcmp(ASN1_STRING_get0_data(
		    g->d.uniformResourceIdentifier), want, strlen(want)) == 0)
			found = 1;
	}
	GENERAL_NAMES_free(gens);
	return found;
}

int
eb_opening_cert_check(const struct eb_trust *t, X509 *cert, X509 *authority,
    const char *tender_id, int64_t at_ms, struct eb_error *err)
{
	STACK_OF(X509) *chain = NULL;
	struct eb_error e;
	int rc;

	if (cert == NULL || authority == NULL)
		return eb_fail(err, EB_ERR_DENIED, "opening-cert-untrusted",
		    "Fetch the tender again; the centre publishes its opening "
		    "authority beside its CA.",
		    "no opening certificate or no opening authority to check");
	if (X509_check_ca(authority) == 0 ||
	    X509_get_pathlen(authority) != 0 || !has_opening_policy(authority))
		return eb_fail(err, EB_ERR_DENIED, "opening-cert-not-opening",
		    "Seal only to an opening certificate of the centre's "
		    "opening authority.",
		    "the issuer given is not the centre's opening authority "
		    "(a CA with pathlen 0 and the ebid opening policy)");
	if (X509_check_issued(authority, cert) != X509_V_OK)
		return eb_fail(err, EB_ERR_DENIED, "opening-cert-untrusted",
		    "Seal only to an opening certificate of the centre's "
		    "opening authority.",
		    "the opening certificate was not issued by the opening "
		    "authority");
	if ((chain = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(chain, authority))
		eb_oom("a certificate chain", 0);
	eb_error_clear(&e);
	rc = eb_trust_check_chain(t, cert, chain, at_ms, &e);
	sk_X509_free(chain);
	if (rc != EB_OK)
		return eb_fail(err, EB_ERR_DENIED, "opening-cert-untrusted",
		    "Do not seal: ask the centre; the tender's opening "
		    "certificate must chain to its CA and be valid now.",
		    "the opening certificate does not hold: %s (%s)",
		    e.primary, e.reason);
	if (!has_opening_policy(cert))
		return eb_fail(err, EB_ERR_DENIED, "opening-cert-not-opening",
		    "Seal only to an opening certificate of the centre's "
		    "opening authority.",
		    "the certificate lacks the ebid opening policy");
	if (!names_tender(cert, tender_id))
		return eb_fail(err, EB_ERR_DENIED, "opening-cert-wrong-tender",
		    "Seal to the opening certificate of the tender you bid on "
		    "(ebid bid seal --tender ID fetches it).",
		    "the opening certificate does not name tender %s",
		    tender_id);
	return EB_OK;
}
