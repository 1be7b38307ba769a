/*
 * protocol/cms.c
 *    Signed commands and sealed bids with OpenSSL 3 CMS (see cms.h and
 *    docs/crypto.md).
 *
 * Owner: cryptography engineer.
 *
 * Invariants:
 *  - CMS_BINARY on every sign/verify/encrypt/decrypt: the signed bytes are
 *    exactly the bytes given, never line-ending-canonicalised.
 *  - SignedData is attached, SHA-256, signer certificate embedded,
 *    CMS_NOSMIMECAP, signed attributes (OpenSSL adds content-type,
 *    message-digest and signing-time).  Verification accepts exactly one
 *    SignerInfo, refuses a digest other than SHA-256/384/512 (also inside
 *    the signature algorithm) and a SignerInfo without those three signed
 *    attributes, then (commands only, eb_cms_verify_command) bounds the
 *    signing time against the receipt time; then checks the signature
 *    with OpenSSL, then the signer's chain and validity
 *    against the trust at the caller's instant (eb_trust_check_chain), so
 *    a bid signed before its signer's certificate expired can be verified
 *    at the receipt time.
 *  - A signer the trust verified before (pki.h, eb_trust_cached) is not
 *    decoded again: verify_cached() parses the message without its
 *    certificates field and checks the signature with the cached
 *    certificate (CMS_verify's checks done piece by piece: for an EC
 *    signer whose signed attributes are DER, their signature over the
 *    bytes received, no second encoding); it answers only when
 *    everything holds, else the full path runs and gives the answer (the
 *    same checks, the same errors).
 *  - Envelopes are AuthEnvelopedData (AES-256-GCM) only; RSA recipients
 *    get RSAES-OAEP with SHA-256, EC recipients ECDH with the SHA-256 KDF.
 *    A recipient certificate with a keyUsage extension must allow
 *    keyEncipherment (RSA) or keyAgreement (EC).
 *    Decryption always names the recipient certificate, so OpenSSL never
 *    tries every RecipientInfo (MMA countermeasure yields garbage).
 *  - The OpenSSL error queue is empty when a function returns: failures
 *    are drained into eb_error.detail.
 *  - Every returned byte buffer is malloc'd (free()); decrypted plaintext
 *    held only internally is cleansed before free.
 *
 * INTERFACE
 *    eb_cms_sign(), eb_cms_verify(), eb_cms_verify_command(),
 *    eb_cms_peek_content()
 *    eb_cms_encrypt(), eb_cms_decrypt()
 *    eb_bid_seal(), eb_bid_open()
 *    eb_base64_encode(), eb_base64_decode()
 */
#include "protocol/cms.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "protocol/hash.h"
#include "protocol/mem.h"

#define FLAGS_SIGN (CMS_BINARY | CMS_NOSMIMECAP)

static int
fail_ssl(struct eb_error *err, int code, const char *reason,
    const char *hint, const char *what)
{
	eb_fail(err, code, reason, hint, "%s", what);
	eb_crypto_drain(err);
	return code;
}

/* Copy a memory BIO's contents into a new malloc'd buffer. */
static int
bio_take(BIO *b, uint8_t **out, size_t *outlen)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);

	if (n < 0)
		return EB_ERR_INTERNAL;
	*out = eb_malloc((size_t)n);
	if (n > 0)
		memcpy(*out, p, (size_t)n);
	*outlen = (size_t)n;
	return EB_OK;
}

/* Wipe a memory BIO holding plaintext before freeing it. */
static void
bio_clear_free(BIO *b)
{
	char *p = NULL;
	long n;

	if (b == NULL)
		return;
	n = BIO_get_mem_data(b, &p);
	if (n > 0 && p != NULL)
		OPENSSL_cleanse(p, (size_t)n);
	BIO_free(b);
}

static int
cms_der(CMS_ContentInfo *cms, uint8_t **out, size_t *outlen,
    struct eb_error *err)
{
	unsigned char *p = NULL;
	int n = i2d_CMS_ContentInfo(cms, &p);

	if (n <= 0)
		return fail_ssl(err, EB_ERR_CRYPTO, "cms-encode", NULL,
		    "cannot encode the CMS structure");
	*out = eb_memdup(p, (size_t)n);
	*outlen = (size_t)n;
	OPENSSL_free(p);
	return EB_OK;
}

/* Parse exactly 'len' bytes of DER as a CMS ContentInfo (no trailing bytes). */
static CMS_ContentInfo *
cms_parse(const uint8_t *der, size_t len, struct eb_error *err)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms;

	if (der == NULL || len == 0 || len > LONG_MAX) {
		eb_fail(err, EB_ERR_FORMAT, "malformed-cms",
		    "Send the DER of a CMS message.", "empty CMS input");
		return NULL;
	}
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (cms == NULL || p != der + len) {
		CMS_ContentInfo_free(cms);
		fail_ssl(err, EB_ERR_FORMAT, "malformed-cms",
		    "Send the DER of a CMS message, nothing more.",
		    cms == NULL ? "the CMS message is not valid DER" :
		    "bytes follow the CMS message");
		return NULL;
	}
	return cms;
}

int
eb_cms_sign(X509 *cert, EVP_PKEY *key, const uint8_t *data, size_t len,
    uint8_t **out, size_t *outlen, struct eb_error *err)
{
	BIO *in = NULL;
	CMS_ContentInfo *cms = NULL;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (len > INT_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "too-large", NULL,
		    "%zu bytes is too much to sign", len);
	if ((in = BIO_new_mem_buf(len > 0 ? data : (const void *)"",
	    (int)len)) == NULL)
		eb_oom("BIO_new_mem_buf", 0);
	if (X509_check_private_key(cert, key) != 1) {
		rc = fail_ssl(err, EB_ERR_USAGE, "key-does-not-match",
		    "Give the private key of the certificate you sign with.",
		    "the private key does not match the certificate");
		goto out;
	}
	cms = CMS_sign(cert, key, NULL, in, FLAGS_SIGN);
	if (cms == NULL) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "sign-failed", NULL,
		    "cannot sign");
		goto out;
	}
	rc = cms_der(cms, out, outlen, err);
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return rc;
}

/* -- the signer policy (docs/crypto.md, issue 20 point 10) ------------------ */

static int
strong_digest(int nid)
{
	return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
}

/*
 * The signing-time attribute of 'si' in ms UTC; EB_OK, or EB_ERR_DENIED
 * "no-signing-time" when there is none (or more than one, or it is not a
 * time).
 */
static int
signing_time(CMS_SignerInfo *si, int64_t *ms, struct eb_error *err)
{
	X509_ATTRIBUTE *a = NULL;
	const ASN1_TYPE *v = NULL;
	const ASN1_TIME *tm = NULL;
	struct tm parts;
	int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);

	if (i >= 0 && CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime,
	    i) < 0)
		a = CMS_signed_get_attr(si, i);
	if (a != NULL && X509_ATTRIBUTE_count(a) == 1)
		v = X509_ATTRIBUTE_get0_type(a, 0);
	if (v != NULL && (v->type == V_ASN1_UTCTIME ||
	    v->type == V_ASN1_GENERALIZEDTIME))
		tm = v->value.utctime;    /* both are ASN1_TIME */
	memset(&parts, 0, sizeof(parts));
	if (tm == NULL || ASN1_TIME_to_tm(tm, &parts) != 1) {
		ERR_clear_error();
		return eb_fail(err, EB_ERR_DENIED, "no-signing-time",
		    "Sign with signed attributes including signingTime (ebid "
		    "send does).",
		    "the signature carries no valid signing-time attribute");
	}
	*ms = (int64_t)timegm(&parts) * 1000;
	return EB_OK;
}

/*
 * The policy every SignedData must meet before its signature is checked:
 * digest SHA-256/384/512, a signature algorithm that does not name a
 * weaker digest (sha1WithRSA, ecdsa-with-SHA1, MD5...), and signed
 * attributes with content-type, message-digest and signing-time (OpenSSL
 * checks the first two against the content in CMS_verify).  EB_ERR_DENIED
 * "weak-digest" or "no-signed-attributes" / "no-signing-time".
 */
static int
signer_policy(CMS_SignerInfo *si, int64_t *signed_ms, struct eb_error *err)
{
	X509_ALGOR *dig = NULL, *sig = NULL;
	int dnid, snid, md = NID_undef, pk = NID_undef;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	dnid = dig != NULL ? OBJ_obj2nid(dig->algorithm) : NID_undef;
	snid = sig != NULL ? OBJ_obj2nid(sig->algorithm) : NID_undef;
	if (!strong_digest(dnid) || (OBJ_find_sigid_algs(snid, &md, &pk) == 1 &&
	    md != NID_undef && !strong_digest(md)))
		return eb_fail(err, EB_ERR_DENIED, "weak-digest",
		    "Sign with SHA-256 (ebid send does); SHA-1 and MD5 are "
		    "refused.",
		    "the signature uses the digest %s with the algorithm %s; "
		    "only SHA-256, SHA-384 and SHA-512 are accepted",
		    dnid != NID_undef ? OBJ_nid2sn(dnid) : "(unknown)",
		    snid != NID_undef ? OBJ_nid2sn(snid) : "(unknown)");
	if (CMS_signed_get_attr_count(si) <= 0 ||
	    CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) < 0 ||
	    CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1) < 0)
		return eb_fail(err, EB_ERR_DENIED, "no-signed-attributes",
		    "Sign with signed attributes (content-type, message-digest, "
		    "signing-time), as ebid send does; do not use -noattr.",
		    "the signature has no signed attributes (content-type, "
		    "message-digest)");
	return signing_time(si, signed_ms, err);
}

/* 'signed_ms' inside [ref - max_age, ref + max_ahead] for ref = at or alt. */
static int
in_window(int64_t signed_ms, int64_t ref, const struct eb_cms_window *w)
{
	return signed_ms >= ref - w->max_age_ms &&
	    signed_ms <= ref + w->max_ahead_ms;
}

static int
check_window(int64_t signed_ms, const struct eb_cms_window *w,
    struct eb_error *err)
{
	char when[32], ref[32];
	time_t secs;
	struct tm tm;

	if (in_window(signed_ms, w->at_ms, w) ||
	    (w->alt_ms != 0 && in_window(signed_ms, w->alt_ms, w)))
		return EB_OK;
	secs = (time_t)(signed_ms / 1000);
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld ms", (long long)signed_ms);
	secs = (time_t)(w->at_ms / 1000);
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(ref, sizeof(ref), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(ref, sizeof(ref), "%lld ms", (long long)w->at_ms);
	if (signed_ms > w->at_ms)
		eb_fail(err, EB_ERR_TIME, "signing-time-in-future",
		    "Check the clock of the machine that signs, then sign the "
		    "command again.",
		    "the command was signed at %s, more than %lld s after the "
		    "server's time %s", when,
		    (long long)(w->max_ahead_ms / 1000), ref);
	else
		eb_fail(err, EB_ERR_TIME, "signing-time-too-old",
		    "Sign the command again just before sending it.",
		    "the command was signed at %s, more than %lld s before the "
		    "server's time %s", when,
		    (long long)(w->max_age_ms / 1000), ref);
	return EB_ERR_TIME;
}

static int verify_impl(const struct eb_trust *t, const uint8_t *der,
    size_t len, int64_t at_ms, const struct eb_cms_window *w,
    uint8_t **content, size_t *clen, X509 **signer, int64_t *signed_ms,
    struct eb_error *err);
static int verify_full(const struct eb_trust *t, const uint8_t *der,
    size_t len, int64_t at_ms, const struct eb_cms_window *w,
    uint8_t **content, size_t *clen, X509 **signer, int64_t *signed_ms,
    struct eb_error *err);

int
eb_cms_verify(const struct eb_trust *t, const uint8_t *der, size_t len,
    int64_t at_ms, uint8_t **content, size_t *clen, X509 **signer,
    struct eb_error *err)
{
	return verify_impl(t, der, len, at_ms, NULL, content, clen, signer,
	    NULL, err);
}

int
eb_cms_verify_command(const struct eb_trust *t, const uint8_t *der,
    size_t len, const struct eb_cms_window *w, uint8_t **content,
    size_t *clen, X509 **signer, int64_t *signed_ms, struct eb_error *err)
{
	return verify_impl(t, der, len, w->at_ms, w, content, clen, signer,
	    signed_ms, err);
}

/* -- the cached-signer path (issue 17 point 2) ----------------------------
 *
 * OpenSSL 3.0 spends about a quarter of a command's verification decoding
 * the embedded signer certificate (its public key through the provider
 * decoders) and a fifth checking its chain, for the same few party
 * certificates every time.  When the one certificate a SignedData embeds
 * is a signer the trust verified before (eb_trust_cached: same DER
 * SHA-256, chain valid at this instant), the message is parsed without
 * its certificates field (a copy whose enclosing DER lengths are
 * re-encoded; the signed attributes and the signature are untouched, the
 * field is not covered by the signature) and verified with the cached
 * certificate as the signer's.  Every other check runs as on the full
 * path: the policy, the window, the signature and content digest, the
 * revocation at this instant.  Anything unusual, and every failure, goes
 * to the full path, so that the answer and its error are exactly those of
 * the full path.
 */

/* One DER TLV header at p (definite lengths only). */
struct tlv {
	unsigned char tag;
	size_t hdr, len;     /* header bytes, content bytes */
};

static int
tlv_read(const uint8_t *p, size_t avail, struct tlv *t)
{
	size_t n, k;

	if (avail < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	t->tag = p[0];
	if (p[1] < 0x80) {
		t->hdr = 2;
		t->len = p[1];
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 4 || avail < 2 + n)
			return -1;    /* indefinite, or absurdly long */
		t->len = 0;
		for (k = 0; k < n; k++)
			t->len = t->len << 8 | p[2 + k];
		t->hdr = 2 + n;
	}
	return t->len <= avail - t->hdr ? 0 : -1;
}

/* A DER header for 'tag' and 'len' into out (at most 6 bytes). */
static size_t
tlv_put(uint8_t *out, unsigned char tag, size_t len)
{
	size_t n = 0, k;

	out[0] = tag;
	if (len < 0x80) {
		out[1] = (uint8_t)len;
		return 2;
	}
	for (k = len; k > 0; k >>= 8)
		n++;
	out[1] = (uint8_t)(0x80 | n);
	for (k = 0; k < n; k++)
		out[2 + k] = (uint8_t)(len >> (8 * (n - 1 - k)));
	return 2 + n;
}

/*
 * Find the certificates field of a ContentInfo/SignedData in 'der': on
 * success its offset and size (header included), the one certificate's
 * bytes inside it, and the content bytes of the OID of the one
 * AlgorithmIdentifier in digestAlgorithms; and the SignerInfo's
 * signedAttrs field (header included) when the SignerInfo has the
 * layout ebid signs (else *attrs is NULL).  -1 for anything else (no
 * field, more than one certificate or digest algorithm, another
 * layout): the full path decides.
 */
static int
find_certs(const uint8_t *der, size_t len, size_t *field, size_t *fieldlen,
    const uint8_t **cert, size_t *certlen, const uint8_t **doid,
    size_t *doidlen, const uint8_t **attrs, size_t *attrslen)
{
	struct tlv ci, oid, expl, sd, t, a, o;
	const uint8_t *p;
	size_t left;
	int k;

	if (tlv_read(der, len, &ci) != 0 || ci.tag != 0x30 ||
	    ci.hdr + ci.len != len)
		return -1;
	p = der + ci.hdr;
	left = ci.len;
	if (tlv_read(p, left, &oid) != 0 || oid.tag != 0x06)
		return -1;
	p += oid.hdr + oid.len;
	left -= oid.hdr + oid.len;
	if (tlv_read(p, left, &expl) != 0 || expl.tag != 0xa0 ||
	    expl.hdr + expl.len != left)
		return -1;
	p += expl.hdr;
	left = expl.len;
	if (tlv_read(p, left, &sd) != 0 || sd.tag != 0x30 ||
	    sd.hdr + sd.len != left)
		return -1;
	p += sd.hdr;
	left = sd.len;
	/* version, digestAlgorithms, encapContentInfo */
	for (k = 0; k < 3; k++) {
		if (tlv_read(p, left, &t) != 0)
			return -1;
		if (k == 1) {
			/* SET { SEQUENCE { OID, ... } }: exactly one */
			if (t.tag != 0x31 || tlv_read(p + t.hdr, t.len,
			    &a) != 0 || a.tag != 0x30 ||
			    a.hdr + a.len != t.len ||
			    tlv_read(p + t.hdr + a.hdr, a.len, &o) != 0 ||
			    o.tag != 0x06)
				return -1;
			*doid = p + t.hdr + a.hdr + o.hdr;
			*doidlen = o.len;
		}
		p += t.hdr + t.len;
		left -= t.hdr + t.len;
	}
	if (tlv_read(p, left, &t) != 0 || t.tag != 0xa0)
		return -1;
	*field = (size_t)(p - der);
	*fieldlen = t.hdr + t.len;
	{
		struct tlv c;

		if (tlv_read(p + t.hdr, t.len, &c) != 0 || c.tag != 0x30 ||
		    c.hdr + c.len != t.len)
			return -1;    /* not exactly one X.509 certificate */
		*cert = p + t.hdr;
		*certlen = c.hdr + c.len;
	}
	*attrs = NULL;
	*attrslen = 0;
	p += t.hdr + t.len;
	left -= t.hdr + t.len;
	/*
	 * signerInfos: SET { SignerInfo }, nothing after it (no crls); in
	 * the SignerInfo version, sid, digestAlgorithm, [0] signedAttrs,
	 * signatureAlgorithm, signature and nothing more (no unsigned
	 * attributes).  Another layout leaves *attrs NULL: OpenSSL checks
	 * the signature (CMS_SignerInfo_verify).
	 */
	{
		struct tlv set, si, f[6];
		const uint8_t *q;
		size_t room;

		if (tlv_read(p, left, &set) != 0 || set.tag != 0x31 ||
		    set.hdr + set.len != left ||
		    tlv_read(p + set.hdr, set.len, &si) != 0 ||
		    si.tag != 0x30 || si.hdr + si.len != set.len)
			return 0;
		q = p + set.hdr + si.hdr;
		room = si.len;
		for (k = 0; k < 6; k++) {
			if (tlv_read(q, room, &f[k]) != 0)
				return 0;
			if (k == 3)
				*attrs = q;
			q += f[k].hdr + f[k].len;
			room -= f[k].hdr + f[k].len;
		}
		if (room != 0 || f[0].tag != 0x02 || f[2].tag != 0x30 ||
		    f[3].tag != 0xa0 || f[4].tag != 0x30 || f[5].tag != 0x04) {
			*attrs = NULL;
			return 0;
		}
		*attrslen = f[3].hdr + f[3].len;
	}
	return 0;
}

/*
 * 'der' without the certificates field [field, field + fieldlen): the
 * three enclosing headers re-encoded.  NULL only when the layout does
 * not read (find_certs() checked it before).
 */
static uint8_t *
strip_certs(const uint8_t *der, size_t len, size_t field, size_t fieldlen,
    size_t *outlen)
{
	struct tlv ci, oid, expl, sd;
	uint8_t hci[6], hexpl[6], hsd[6], *out, *o;
	size_t lci, lexpl, lsd, nci, nexpl, nsd, oidsz, head;

	if (tlv_read(der, len, &ci) != 0 ||
	    tlv_read(der + ci.hdr, ci.len, &oid) != 0)
		return NULL;
	oidsz = oid.hdr + oid.len;
	if (tlv_read(der + ci.hdr + oidsz, ci.len - oidsz, &expl) != 0 ||
	    tlv_read(der + ci.hdr + oidsz + expl.hdr, expl.len, &sd) != 0)
		return NULL;
	head = ci.hdr + oidsz + expl.hdr + sd.hdr;
	lsd = sd.len - fieldlen;
	nsd = tlv_put(hsd, 0x30, lsd);
	lexpl = nsd + lsd;
	nexpl = tlv_put(hexpl, 0xa0, lexpl);
	lci = oidsz + nexpl + lexpl;
	nci = tlv_put(hci, 0x30, lci);
	*outlen = nci + lci;
	o = out = eb_malloc(*outlen);
	memcpy(o, hci, nci);
	o += nci;
	memcpy(o, der + ci.hdr, oidsz);
	o += oidsz;
	memcpy(o, hexpl, nexpl);
	o += nexpl;
	memcpy(o, hsd, nsd);
	o += nsd;
	memcpy(o, der + head, field - head);
	o += field - head;
	memcpy(o, der + field + fieldlen, len - field - fieldlen);
	return out;
}

/*
 * The digests the policy accepts (strong_digest), fetched once: given
 * EVP_sha256(), EVP_Digest() fetches the implementation again on every
 * call in OpenSSL 3.
 */
static const EVP_MD *policy_mds[3];
static pthread_once_t policy_mds_once = PTHREAD_ONCE_INIT;

static void
policy_mds_fetch(void)
{
	policy_mds[0] = eb_sha256_md();           /* hash.h, shared */
	policy_mds[1] = EVP_MD_fetch(NULL, "SHA384", NULL);
	policy_mds[2] = EVP_MD_fetch(NULL, "SHA512", NULL);
	ERR_clear_error();
}

static const EVP_MD *
policy_md(int nid)
{
	pthread_once(&policy_mds_once, policy_mds_fetch);
	switch (nid) {
	case NID_sha256:
		return policy_mds[0];
	case NID_sha384:
		return policy_mds[1];
	case NID_sha512:
		return policy_mds[2];
	default:
		return NULL;
	}
}

/*
 * The content digest as CMS_SignerInfo_verify_content() checks it when
 * there are signed attributes: the one messageDigest value equals the
 * digest (the SignerInfo's algorithm, the one of digestAlgorithms) of
 * the content.  1 when it holds.
 */
static int
content_digest_holds(CMS_SignerInfo *si, int dnid, const uint8_t *data,
    size_t n)
{
	const EVP_MD *md = policy_md(dnid);
	const ASN1_OCTET_STRING *want;
	unsigned char got[EVP_MAX_MD_SIZE];
	unsigned int glen = 0;

	want = CMS_signed_get0_data_by_OBJ(si,
	    OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
	if (md == NULL || want == NULL ||
	    EVP_Digest(data, n, got, &glen, md, NULL) != 1)
		return 0;
	return (unsigned int)ASN1_STRING_length(want) == glen &&
	    CRYPTO_memcmp(ASN1_STRING_get0_data(want), got, glen) == 0;
}

/* A header in its shortest form (DER): the long form only from 128 on. */
static int
tlv_minimal(const uint8_t *p, const struct tlv *t)
{
	return t->hdr == 2 || (t->len >= 0x80 && p[2] != 0);
}

/* OpenSSL's order of a DER SET OF (der_cmp in asn1/tasn_enc.c). */
static int
der_order(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/*
 * Are the signedAttrs bytes 'a' (the [0] field, header included)
 * exactly what OpenSSL signs and verifies: the DER it re-encodes from
 * the parsed attributes (CMS_Attributes_Verify, tag SET)?  So only when
 * every header is in its shortest form, the attributes are in OpenSSL's
 * SET OF order, and each is one of content-type, signing-time and
 * message-digest, at most once, with one primitive value (an OID, a
 * time, an OCTET STRING: kept as read and written back the same).
 * Those are also the occurrence rules CMS_SignerInfo_verify checks
 * (ossl_cms_si_check_attributes) for these three.  0 for anything
 * else: OpenSSL checks that signature.
 */
/* The values of the three signed attributes (attrs_are_der). */
struct attr_values {
	const uint8_t *v[3];    /* content: contentType, messageDigest, time */
	size_t len[3];
	unsigned char tag[3];
};

static int
attrs_are_der(const uint8_t *a, size_t n, struct attr_values *out)
{
	static const uint8_t pkcs9[8] = {
		0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09
	};
	struct tlv outer, at, oid, set, v;
	const uint8_t *p, *prev = NULL;
	size_t left, prevlen = 0;
	unsigned seen = 0, bit;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (tlv_read(a, n, &outer) != 0 || outer.tag != 0xa0 ||
	    !tlv_minimal(a, &outer) || outer.hdr + outer.len != n)
		return 0;
	p = a + outer.hdr;
	left = outer.len;
	while (left > 0) {
		if (tlv_read(p, left, &at) != 0 || at.tag != 0x30 ||
		    !tlv_minimal(p, &at) ||
		    tlv_read(p + at.hdr, at.len, &oid) != 0 ||
		    oid.tag != 0x06 || !tlv_minimal(p + at.hdr, &oid) ||
		    oid.len != 9 || memcmp(p + at.hdr + oid.hdr, pkcs9, 8) != 0)
			return 0;
		switch (p[at.hdr + oid.hdr + 8]) {
		case 3:         /* contentType */
			bit = 1;
			break;
		case 4:         /* messageDigest */
			bit = 2;
			break;
		case 5:         /* signingTime */
			bit = 4;
			break;
		default:
			return 0;
		}
		if (seen & bit)
			return 0;
		seen |= bit;
		{
			const uint8_t *sp = p + at.hdr + oid.hdr + oid.len;
			size_t sroom = at.len - oid.hdr - oid.len;

			if (tlv_read(sp, sroom, &set) != 0 || set.tag != 0x31 ||
			    !tlv_minimal(sp, &set) ||
			    set.hdr + set.len != sroom ||
			    tlv_read(sp + set.hdr, set.len, &v) != 0 ||
			    !tlv_minimal(sp + set.hdr, &v) ||
			    v.hdr + v.len != set.len ||
			    (v.tag != 0x04 && v.tag != 0x06 && v.tag != 0x17 &&
			    v.tag != 0x18))
				return 0;
			if (out != NULL) {
				int k = bit == 1 ? 0 : bit == 2 ? 1 : 2;

				out->v[k] = sp + set.hdr + v.hdr;
				out->len[k] = v.len;
				out->tag[k] = v.tag;
			}
		}
		if (prev != NULL && der_order(prev, prevlen, p,
		    at.hdr + at.len) > 0)
			return 0;
		prev = p;
		prevlen = at.hdr + at.len;
		p += at.hdr + at.len;
		left -= at.hdr + at.len;
	}
	return 1;
}

/*
 * The EC verify contexts of the last few keys, per thread (issue 17,
 * eighth pass): EVP_PKEY_CTX_new_from_pkey() and EVP_PKEY_verify_init()
 * cost about 17 k instructions per verify, a fetch of the provider's
 * ECDSA each time.  A context is not shared between threads; one set up
 * for verifying is used again for the next EVP_PKEY_verify() of the
 * same key (the provider's one-shot ECDSA verify keeps no state between
 * calls).  Each context holds a reference to its key, so the key it was
 * made for cannot be freed and its address reused while it is kept: the
 * same pointer is the same key.  PCTX_KEEP per thread, the oldest
 * replaced; freed when the thread ends (the key's destructor) and, for
 * the thread that runs exit(), by an atexit handler registered after
 * OpenSSL's own (so it runs before OpenSSL's cleanup).
 */
#define PCTX_KEEP 16

struct pctx_keep {
	EVP_PKEY_CTX *ctx[PCTX_KEEP];
	unsigned next;
};

static pthread_key_t pctx_key;
static pthread_once_t pctx_once = PTHREAD_ONCE_INIT;
static int pctx_key_ok;
static _Thread_local struct pctx_keep *pctx_mine;

static void
pctx_keep_free(void *arg)
{
	struct pctx_keep *k = arg;

	if (k == NULL)
		return;
	for (unsigned i = 0; i < PCTX_KEEP; i++)
		EVP_PKEY_CTX_free(k->ctx[i]);
	free(k);
}

static void
pctx_at_exit(void)
{
	struct pctx_keep *k = pctx_mine;

	pctx_mine = NULL;
	if (k != NULL) {
		(void)pthread_setspecific(pctx_key, NULL);
		pctx_keep_free(k);
	}
}

static void
pctx_init(void)
{
	pctx_key_ok = pthread_key_create(&pctx_key, pctx_keep_free) == 0 &&
	    atexit(pctx_at_exit) == 0;
}

/* A context of this thread set up to verify with 'pk' (borrowed), or NULL. */
static EVP_PKEY_CTX *
pctx_for(EVP_PKEY *pk)
{
	struct pctx_keep *k;
	EVP_PKEY_CTX *ctx;

	pthread_once(&pctx_once, pctx_init);
	if ((k = pctx_mine) != NULL)
		for (unsigned i = 0; i < PCTX_KEEP; i++)
			if (k->ctx[i] != NULL &&
			    EVP_PKEY_CTX_get0_pkey(k->ctx[i]) == pk)
				return k->ctx[i];
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	if (!pctx_key_ok)
		return ctx;           /* the caller's to free (not kept) */
	if (k == NULL) {
		if ((k = calloc(1, sizeof(*k))) == NULL ||
		    pthread_setspecific(pctx_key, k) != 0) {
			free(k);
			return ctx;
		}
		pctx_mine = k;
	}
	EVP_PKEY_CTX_free(k->ctx[k->next]);
	k->ctx[k->next] = ctx;
	k->next = (k->next + 1) % PCTX_KEEP;
	return ctx;
}

/* Whether 'ctx' (from pctx_for) is kept by this thread. */
static int
pctx_kept(const EVP_PKEY_CTX *ctx)
{
	const struct pctx_keep *k = pctx_mine;

	if (k != NULL)
		for (unsigned i = 0; i < PCTX_KEEP; i++)
			if (k->ctx[i] == ctx)
				return 1;
	return 0;
}

/*
 * The signature of the signed attributes 'a' (attrs_are_der) by the EC
 * key of 'cert' with the digest 'md': what CMS_SignerInfo_verify does
 * for an EC signer (EVP_DigestVerify of the attributes' DER under the
 * SET tag; for ECDSA a digest, then ECDSA_verify of it), without
 * encoding the attributes again.  1 verified, 0 not, -1 not an EC key
 * (the caller lets OpenSSL check).
 */
static int
ec_attrs_verify(X509 *cert, const EVP_MD *md, const uint8_t *a, size_t n,
    const uint8_t *sig, size_t siglen)
{
	static const uint8_t set_tag = 0x31;
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	int r = 0;

	if (pk == NULL || md == NULL || sig == NULL || n < 2 ||
	    EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
		return -1;
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(mctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(mctx, &set_tag, 1) != 1 ||
	    EVP_DigestUpdate(mctx, a + 1, n - 1) != 1 ||
	    EVP_DigestFinal_ex(mctx, dg, &dlen) != 1)
		goto out;
	if ((pctx = pctx_for(pk)) == NULL)
		goto out;
	r = EVP_PKEY_verify(pctx, sig, siglen, dg, dlen) == 1;
out:
	if (pctx != NULL && !pctx_kept(pctx))
		EVP_PKEY_CTX_free(pctx);
	EVP_MD_CTX_free(mctx);
	return r;
}

/* -- the exact layout, read without OpenSSL's decoder ----------------------
 *
 * On the cached path, d2i_CMS_ContentInfo() of the stripped message and
 * its free are most of what is left beside the ECDSA verify and the
 * content digest.  A SignedData laid out exactly as ebid (OpenSSL's
 * CMS_sign with CMS_BINARY | CMS_NOSMIMECAP) signs it with an EC key is
 * read here field by field: every header in its shortest form, version
 * 1, one digest algorithm (SHA-256/384/512, the SignerInfo's, the same
 * bytes), id-data content in one OCTET STRING, the one certificate (the
 * cached one, by hash), one SignerInfo naming it by issuer and serial
 * (the certificate's own bytes), DER signed attributes (attrs_are_der),
 * ecdsa-with-SHA256/384/512 without parameters, the signature, nothing
 * more.  Those bytes are a subset of what OpenSSL decodes, and the
 * checks are the cached path's: the policy and the window, the content
 * digest, the signature, the revocation.  Anything else, and every
 * failure, goes on to OpenSSL's decoder (verify_cached), then the full
 * path.
 */
struct cur {
	const uint8_t *p;
	size_t left;
};

/* One TLV of 'tag' with a shortest-form header: its content in *in. */
static int
take(struct cur *c, unsigned char tag, struct cur *in)
{
	struct tlv t;

	if (tlv_read(c->p, c->left, &t) != 0 || t.tag != tag ||
	    !tlv_minimal(c->p, &t))
		return -1;
	if (in != NULL) {
		in->p = c->p + t.hdr;
		in->left = t.len;
	}
	c->p += t.hdr + t.len;
	c->left -= t.hdr + t.len;
	return 0;
}

/* Exactly the bytes b[0..n). */
static int
take_bytes(struct cur *c, const uint8_t *b, size_t n)
{
	if (c->left < n || memcmp(c->p, b, n) != 0)
		return -1;
	c->p += n;
	c->left -= n;
	return 0;
}

/* A digest AlgorithmIdentifier's content: SHA-256/384/512, parameters
 * absent or NULL.  The digest's NID, or NID_undef. */
static int
exact_digest(struct cur a)
{
	static const uint8_t sha2[] = {
		0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02
	};
	static const uint8_t null[] = { 0x05, 0x00 };
	int nid;

	if (take_bytes(&a, sha2, sizeof(sha2)) != 0 || a.left < 1)
		return NID_undef;
	nid = a.p[0] == 1 ? NID_sha256 : a.p[0] == 2 ? NID_sha384 :
	    a.p[0] == 3 ? NID_sha512 : NID_undef;
	a.p++;
	a.left--;
	if (a.left != 0 && take_bytes(&a, null, sizeof(null)) != 0)
		return NID_undef;
	return a.left == 0 ? nid : NID_undef;
}

static int
verify_exact(const struct eb_trust *t, X509 *cached, const uint8_t *der,
    size_t len, int64_t at_ms, const struct eb_cms_window *w,
    uint8_t **content, size_t *clen, int64_t *signed_ms)
{
	static const uint8_t signed_oid[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02
	};
	static const uint8_t data_oid[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01
	};
	static const uint8_t v1[] = { 0x02, 0x01, 0x01 };
	static const uint8_t ecdsa_sha2[] = {
		0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03
	};
	struct cur top = { der, len }, ci, x, sd, das, da, enc, ec, body;
	struct cur sis, si, sid, salg, sig;
	struct attr_values av;
	const uint8_t *dastart, *attrs, *name = NULL;
	size_t dalen, attrslen, namelen = 0;
	unsigned char serial[64], *sp = serial;
	int dnid, sl;
	ASN1_TIME tm;
	struct tm parts;
	int64_t when;
	const EVP_MD *md;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	struct eb_error quiet;

	if (take(&top, 0x30, &ci) != 0 || top.left != 0 ||
	    take_bytes(&ci, signed_oid, sizeof(signed_oid)) != 0 ||
	    take(&ci, 0xa0, &x) != 0 || ci.left != 0 ||
	    take(&x, 0x30, &sd) != 0 || x.left != 0 ||
	    take_bytes(&sd, v1, sizeof(v1)) != 0 ||
	    take(&sd, 0x31, &das) != 0)
		return -1;
	dastart = das.p;
	if (take(&das, 0x30, &da) != 0 || das.left != 0 ||
	    (dnid = exact_digest(da)) == NID_undef)
		return -1;
	dalen = (size_t)(das.p - dastart);
	if (take(&sd, 0x30, &enc) != 0 ||
	    take_bytes(&enc, data_oid, sizeof(data_oid)) != 0 ||
	    take(&enc, 0xa0, &ec) != 0 || enc.left != 0 ||
	    take(&ec, 0x04, &body) != 0 || ec.left != 0 ||
	    take(&sd, 0xa0, NULL) != 0 ||          /* the one certificate */
	    take(&sd, 0x31, &sis) != 0 || sd.left != 0 ||
	    take(&sis, 0x30, &si) != 0 || sis.left != 0 ||
	    take_bytes(&si, v1, sizeof(v1)) != 0 ||
	    take(&si, 0x30, &sid) != 0)
		return -1;
	/* issuerAndSerialNumber: the cached certificate's own bytes */
	if (X509_NAME_get0_der(X509_get_issuer_name(cached), &name,
	    &namelen) != 1 || take_bytes(&sid, name, namelen) != 0 ||
	    (sl = i2d_ASN1_INTEGER(X509_get0_serialNumber(cached), NULL)) <= 0 ||
	    (size_t)sl > sizeof(serial) ||
	    i2d_ASN1_INTEGER(X509_get0_serialNumber(cached), &sp) != sl ||
	    take_bytes(&sid, serial, (size_t)sl) != 0 || sid.left != 0)
		goto no;
	/* digestAlgorithm: the bytes of the digestAlgorithms entry */
	if (take_bytes(&si, dastart, dalen) != 0)
		goto no;
	attrs = si.p;
	if (take(&si, 0xa0, NULL) != 0)
		goto no;
	attrslen = (size_t)(si.p - attrs);
	if (take(&si, 0x30, &salg) != 0 ||
	    take_bytes(&salg, ecdsa_sha2, sizeof(ecdsa_sha2)) != 0 ||
	    salg.left != 1 || salg.p[0] < 2 || salg.p[0] > 4 ||
	    take(&si, 0x04, &sig) != 0 || si.left != 0)
		goto no;
	/* the signer policy: content-type (id-data), message-digest (an
	 * OCTET STRING) and a signing time that reads */
	if (!attrs_are_der(attrs, attrslen, &av) || av.v[0] == NULL ||
	    av.v[1] == NULL || av.v[2] == NULL || av.tag[0] != 0x06 ||
	    av.len[0] != sizeof(data_oid) - 2 ||
	    memcmp(av.v[0], data_oid + 2, av.len[0]) != 0 ||
	    av.tag[1] != 0x04 || av.len[2] > INT_MAX)
		goto no;
	tm.length = (int)av.len[2];
	tm.type = av.tag[2] == 0x17 ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME;
	tm.data = (unsigned char *)av.v[2];
	tm.flags = 0;
	memset(&parts, 0, sizeof(parts));
	if (ASN1_TIME_to_tm(&tm, &parts) != 1)
		goto no;
	when = (int64_t)timegm(&parts) * 1000;
	eb_error_clear(&quiet);
	if (w != NULL && check_window(when, w, &quiet) != EB_OK)
		goto no;
	/* the content digest, the signature, the revocation */
	if ((md = policy_md(dnid)) == NULL ||
	    EVP_Digest(body.p, body.left, dg, &dlen, md, NULL) != 1 ||
	    dlen != av.len[1] || CRYPTO_memcmp(dg, av.v[1], dlen) != 0 ||
	    ec_attrs_verify(cached, md, attrs, attrslen, sig.p,
	    sig.left) != 1 ||
	    eb_trust_check_revoked(t, cached, at_ms, &quiet) != EB_OK)
		goto no;
	*content = eb_malloc(body.left);
	if (body.left > 0)
		memcpy(*content, body.p, body.left);
	*clen = body.left;
	if (signed_ms != NULL)
		*signed_ms = when;
	return EB_OK;
no:
	ERR_clear_error();
	return -1;
}

/*
 * The signed content, unchecked (cms.h): the walk of verify_exact over
 * the same layout, down to the eContent, and the rest of the SignedData
 * read only as far as its shape (a certificates field, one SignerInfo,
 * nothing more).
 */
int
eb_cms_peek_content(const uint8_t *der, size_t len, const uint8_t **content,
    size_t *clen)
{
	static const uint8_t signed_oid[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02
	};
	static const uint8_t data_oid[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01
	};
	static const uint8_t v1[] = { 0x02, 0x01, 0x01 };
	struct cur top = { der, len }, ci, x, sd, das, enc, ec, body, sis;

	*content = NULL;
	*clen = 0;
	if (der == NULL ||
	    take(&top, 0x30, &ci) != 0 || top.left != 0 ||
	    take_bytes(&ci, signed_oid, sizeof(signed_oid)) != 0 ||
	    take(&ci, 0xa0, &x) != 0 || ci.left != 0 ||
	    take(&x, 0x30, &sd) != 0 || x.left != 0 ||
	    take_bytes(&sd, v1, sizeof(v1)) != 0 ||
	    take(&sd, 0x31, &das) != 0 ||
	    take(&das, 0x30, NULL) != 0 || das.left != 0 ||
	    take(&sd, 0x30, &enc) != 0 ||
	    take_bytes(&enc, data_oid, sizeof(data_oid)) != 0 ||
	    take(&enc, 0xa0, &ec) != 0 || enc.left != 0 ||
	    take(&ec, 0x04, &body) != 0 || ec.left != 0 ||
	    take(&sd, 0xa0, NULL) != 0 ||          /* the certificates */
	    take(&sd, 0x31, &sis) != 0 || sd.left != 0 ||
	    take(&sis, 0x30, NULL) != 0 || sis.left != 0)
		return EB_ERR_FORMAT;
	*content = body.p;
	*clen = body.left;
	return EB_OK;
}

/*
 * The cached-signer path: EB_OK with the results as verify_full gives
 * them, or -1 (nothing returned, the error queue clear) to take the full
 * path.  What CMS_verify(CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) checks
 * of an attached SignedData with one SignerInfo, with OpenSSL's own
 * pieces and without its BIO chain: the signer identifier names the
 * cached certificate (CMS_SignerInfo_cert_cmp, as CMS_set1_signers_certs
 * matches), the signature over the signed attributes with their
 * occurrence rules (CMS_SignerInfo_verify), and the messageDigest value
 * against the content's digest (as CMS_SignerInfo_verify_content); the
 * one digest algorithm of digestAlgorithms is the SignerInfo's (the BIO
 * chain digests with those).
 */
static int
verify_cached(const struct eb_trust *t, const uint8_t *der, size_t len,
    int64_t at_ms, const struct eb_cms_window *w, uint8_t **content,
    size_t *clen, X509 **signer, int64_t *signed_ms)
{
	const uint8_t *certp, *doid = NULL, *attrs = NULL;
	uint8_t key[EB_SHA256_LEN], *bare = NULL;
	size_t field, fieldlen, certlen, doidlen = 0, attrslen = 0;
	size_t barelen = 0;
	int sig;
	const unsigned char *p;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	X509_ALGOR *dig = NULL;
	ASN1_OCTET_STRING **pos;
	const uint8_t *data;
	size_t n;
	X509 *cached = NULL;
	int64_t when = 0;
	struct eb_error quiet;
	int rc = -1;

	if (t == NULL || len > LONG_MAX || find_certs(der, len, &field,
	    &fieldlen, &certp, &certlen, &doid, &doidlen, &attrs,
	    &attrslen) != 0)
		return -1;
	/* the cache's key: SHA-256 of the certificate's DER */
	eb_sha256(certp, certlen, key);
	if ((cached = eb_trust_cached(t, key, at_ms)) == NULL)
		return -1;
	if (verify_exact(t, cached, der, len, at_ms, w, content, clen,
	    signed_ms) == EB_OK) {
		*signer = cached;
		return EB_OK;
	}
	eb_error_clear(&quiet);
	if ((bare = strip_certs(der, len, field, fieldlen, &barelen)) == NULL)
		goto out;
	p = bare;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)barelen)) == NULL ||
	    p != bare + barelen ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL ||
	    sk_CMS_SignerInfo_num(sis) != 1 ||
	    signer_policy(si = sk_CMS_SignerInfo_value(sis, 0), &when,
	    &quiet) != EB_OK ||
	    (w != NULL && check_window(when, w, &quiet) != EB_OK))
		goto out;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	if (dig == NULL || OBJ_length(dig->algorithm) != doidlen ||
	    memcmp(OBJ_get0_data(dig->algorithm), doid, doidlen) != 0 ||
	    (pos = CMS_get0_content(cms)) == NULL || *pos == NULL ||
	    CMS_SignerInfo_cert_cmp(si, cached) != 0)
		goto out;
	data = ASN1_STRING_get0_data(*pos);
	n = (size_t)ASN1_STRING_length(*pos);
	if (!content_digest_holds(si, OBJ_obj2nid(dig->algorithm), data, n))
		goto out;
	sig = attrs != NULL && attrs_are_der(attrs, attrslen, NULL) ?
	    ec_attrs_verify(cached, policy_md(OBJ_obj2nid(dig->algorithm)),
	    attrs, attrslen, ASN1_STRING_get0_data(
	    CMS_SignerInfo_get0_signature(si)), (size_t)ASN1_STRING_length(
	    CMS_SignerInfo_get0_signature(si))) : -1;
	if (sig < 0) {
		CMS_SignerInfo_set1_signer_cert(si, cached);
		sig = CMS_SignerInfo_verify(si) == 1;
	}
	if (sig != 1 ||
	    eb_trust_check_revoked(t, cached, at_ms, &quiet) != EB_OK)
		goto out;
	*content = eb_malloc(n);
	if (n > 0)
		memcpy(*content, data, n);
	*clen = n;
	*signer = cached;
	cached = NULL;
	if (signed_ms != NULL)
		*signed_ms = when;
	rc = EB_OK;
out:
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	free(bare);
	X509_free(cached);
	return rc;
}

static int
verify_impl(const struct eb_trust *t, const uint8_t *der, size_t len,
    int64_t at_ms, const struct eb_cms_window *w, uint8_t **content,
    size_t *clen, X509 **signer, int64_t *signed_ms, struct eb_error *err)
{
	*content = NULL;
	*clen = 0;
	*signer = NULL;
	if (verify_cached(t, der, len, at_ms, w, content, clen, signer,
	    signed_ms) == EB_OK)
		return EB_OK;
	return verify_full(t, der, len, at_ms, w, content, clen, signer,
	    signed_ms, err);
}

static int
verify_full(const struct eb_trust *t, const uint8_t *der, size_t len,
    int64_t at_ms, const struct eb_cms_window *w, uint8_t **content,
    size_t *clen, X509 **signer, int64_t *signed_ms, struct eb_error *err)
{
	int64_t when = 0;
	CMS_ContentInfo *cms = NULL;
	BIO *out = NULL;
	STACK_OF(X509) *signers = NULL, *certs = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	X509 *s;
	int rc = EB_ERR_CRYPTO;

	*content = NULL;
	*clen = 0;
	*signer = NULL;
	if ((cms = cms_parse(der, len, err)) == NULL) {
		rc = EB_ERR_FORMAT;
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		rc = eb_fail(err, EB_ERR_FORMAT, "not-signed-data",
		    "Send a CMS SignedData.",
		    "the CMS message is not a SignedData");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		rc = eb_fail(err, EB_ERR_DENIED, "not-one-signer",
		    "Sign the command with exactly one certificate.",
		    "the message has %d signers, exactly one is required",
		    sis == NULL ? 0 : sk_CMS_SignerInfo_num(sis));
		goto out;
	}
	/* The policy first: cheap, and nothing weak is worth verifying. */
	if ((rc = signer_policy(sk_CMS_SignerInfo_value(sis, 0), &when,
	    err)) != EB_OK || (w != NULL &&
	    (rc = check_window(when, w, err)) != EB_OK))
		goto out;
	if ((out = BIO_new(BIO_s_mem())) == NULL)
		eb_oom("BIO_new", 0);
	/*
	 * Signature and content digest here; the chain below, at the
	 * caller's instant, with the message's certificates as untrusted
	 * intermediates.
	 */
	if (CMS_verify(cms, NULL, NULL, NULL, out,
	    CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		unsigned long e = ERR_peek_last_error();

		if (ERR_GET_LIB(e) == ERR_LIB_CMS &&
		    (ERR_GET_REASON(e) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND ||
		    ERR_GET_REASON(e) == CMS_R_NO_CONTENT))
			rc = fail_ssl(err, EB_ERR_FORMAT, "malformed-cms",
			    "Sign attached, with the signer certificate embedded.",
			    "the SignedData lacks its content or signer "
			    "certificate");
		else
			rc = fail_ssl(err, EB_ERR_DENIED, "bad-signature",
			    "The message was altered or signed with another "
			    "key; sign it again.",
			    "the signature does not verify");
		goto out;
	}
	if ((signers = CMS_get0_signers(cms)) == NULL ||
	    sk_X509_num(signers) != 1) {
		rc = fail_ssl(err, EB_ERR_DENIED, "not-one-signer", NULL,
		    "cannot identify the single signer");
		goto out;
	}
	s = sk_X509_value(signers, 0);
	certs = CMS_get1_certs(cms);
	rc = eb_trust_check_chain(t, s, certs, at_ms, err);
	if (rc != EB_OK) {
		if (err != NULL && strcmp(err->reason, "unknown-ca") == 0)
			snprintf(err->reason, sizeof(err->reason),
			    "unknown-signer-ca");
		goto out;
	}
	if ((rc = bio_take(out, content, clen)) != EB_OK) {
		eb_fail(err, rc, "internal", NULL,
		    "cannot read the content");
		goto out;
	}
	if (X509_up_ref(s) != 1) {
		free(*content);
		*content = NULL;
		*clen = 0;
		rc = fail_ssl(err, EB_ERR_INTERNAL, "internal", NULL,
		    "cannot reference the signer");
		goto out;
	}
	*signer = s;
	if (signed_ms != NULL)
		*signed_ms = when;
	rc = EB_OK;
out:
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	sk_X509_free(signers);
	BIO_free(out);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* Set OAEP-SHA256 (RSA) or the SHA-256 KDF (EC) on a new RecipientInfo. */
static int
recipient_params(CMS_RecipientInfo *ri, X509 *cert)
{
	EVP_PKEY_CTX *pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
	EVP_PKEY *pub = X509_get0_pubkey(cert);

	uint32_t ku = X509_get_key_usage(cert);   /* UINT32_MAX: no extension */

	if (pctx == NULL || pub == NULL)
		return 0;
	if (EVP_PKEY_is_a(pub, "RSA") && !(ku & KU_KEY_ENCIPHERMENT))
		return 0;
	if (EVP_PKEY_is_a(pub, "EC") && !(ku & KU_KEY_AGREEMENT))
		return 0;
	if (EVP_PKEY_is_a(pub, "RSA"))
		return EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_OAEP_PADDING) > 0 &&
		    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) > 0 &&
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
	if (EVP_PKEY_is_a(pub, "EC"))
		return EVP_PKEY_CTX_set_ecdh_kdf_md(pctx, EVP_sha256()) > 0;
	return 0;   /* no policy for other key types: refuse */
}

int
eb_cms_encrypt(STACK_OF(X509) *recips, const uint8_t *data, size_t len,
    int inner_is_signed, uint8_t **out, size_t *outlen,
    struct eb_error *err)
{
	CMS_ContentInfo *cms = NULL;
	CMS_RecipientInfo *ri;
	BIO *in = NULL;
	int i, rc = EB_ERR_CRYPTO;

	*out = NULL;
	*outlen = 0;
	if (recips == NULL || sk_X509_num(recips) == 0)
		return eb_fail(err, EB_ERR_USAGE, "no-recipient", NULL,
		    "an envelope needs at least one recipient");
	if (len > INT_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "too-large", NULL,
		    "%zu bytes is too much to encrypt", len);
	cms = CMS_encrypt(NULL, NULL, EVP_aes_256_gcm(),
	    CMS_BINARY | CMS_PARTIAL);
	if (cms == NULL) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "encrypt-failed", NULL,
		    "cannot create the envelope");
		goto out;
	}
	for (i = 0; i < sk_X509_num(recips); i++) {
		X509 *r = sk_X509_value(recips, i);

		ri = CMS_add1_recipient_cert(cms, r, CMS_KEY_PARAM);
		if (ri == NULL || !recipient_params(ri, r)) {
			rc = fail_ssl(err, EB_ERR_USAGE, "bad-recipient",
			    "Recipients need an RSA certificate allowing "
			    "keyEncipherment or an EC one allowing keyAgreement.",
			    "cannot add a recipient to the envelope");
			goto out;
		}
	}
	if (inner_is_signed &&
	    CMS_set1_eContentType(cms, OBJ_nid2obj(NID_pkcs7_signed)) != 1) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "encrypt-failed", NULL,
		    "cannot set the content type");
		goto out;
	}
	if ((in = BIO_new_mem_buf(len > 0 ? data : (const void *)"",
	    (int)len)) == NULL ||
	    CMS_final(cms, in, NULL, CMS_BINARY) != 1) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "encrypt-failed", NULL,
		    "cannot encrypt");
		goto out;
	}
	rc = cms_der(cms, out, outlen, err);
out:
	ERR_clear_error();
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* Is 'cert' named by one of the envelope's RecipientInfos? */
static int
is_recipient(CMS_ContentInfo *cms, X509 *cert)
{
	STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
	STACK_OF(CMS_RecipientEncryptedKey) *reks;
	CMS_RecipientInfo *ri;
	int i, j;

	for (i = 0; ris != NULL && i < sk_CMS_RecipientInfo_num(ris); i++) {
		ri = sk_CMS_RecipientInfo_value(ris, i);
		switch (CMS_RecipientInfo_type(ri)) {
		case CMS_RECIPINFO_TRANS:
			if (CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0)
				return 1;
			break;
		case CMS_RECIPINFO_AGREE:
			reks = CMS_RecipientInfo_kari_get0_reks(ri);
			for (j = 0; j < sk_CMS_RecipientEncryptedKey_num(reks);
			    j++)
				if (CMS_RecipientEncryptedKey_cert_cmp(
				    sk_CMS_RecipientEncryptedKey_value(reks, j),
				    cert) == 0)
					return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

int
eb_cms_decrypt(X509 *cert, EVP_PKEY *key, const uint8_t *der,
    size_t len, uint8_t **out, size_t *outlen, struct eb_error *err)
{
	CMS_ContentInfo *cms = NULL;
	BIO *plain = NULL;
	int rc = EB_ERR_CRYPTO;

	*out = NULL;
	*outlen = 0;
	if (cert == NULL || key == NULL)
		return eb_fail(err, EB_ERR_USAGE, "no-key", NULL,
		    "decryption needs the recipient certificate and its key");
	if ((cms = cms_parse(der, len, err)) == NULL) {
		rc = EB_ERR_FORMAT;
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) !=
	    NID_id_smime_ct_authEnvelopedData) {
		rc = eb_fail(err, EB_ERR_FORMAT, "not-auth-enveloped",
		    "Seal with AES-256-GCM (AuthEnvelopedData).",
		    "the envelope is not an AuthEnvelopedData");
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		rc = fail_ssl(err, EB_ERR_USAGE, "key-does-not-match",
		    "Give the private key of the recipient certificate.",
		    "the private key does not match the certificate");
		goto out;
	}
	if (!is_recipient(cms, cert)) {
		rc = eb_fail(err, EB_ERR_DENIED, "not-a-recipient",
		    "Only the opening key and the bidder's own certificate "
		    "can open a sealed bid.",
		    "the certificate is not a recipient of the envelope");
		goto out;
	}
	if ((plain = BIO_new(BIO_s_mem())) == NULL)
		eb_oom("BIO_new", 0);
	if (CMS_decrypt(cms, key, cert, NULL, plain, CMS_BINARY) != 1) {
		rc = fail_ssl(err, EB_ERR_CRYPTO, "decrypt-failed",
		    "The envelope was altered or damaged in transit; ask for "
		    "the original bytes.",
		    "the envelope does not decrypt (authentication failed)");
		goto out;
	}
	if ((rc = bio_take(plain, out, outlen)) != EB_OK)
		eb_fail(err, rc, "internal", NULL,
		    "cannot read the plaintext");
out:
	ERR_clear_error();
	bio_clear_free(plain);
	CMS_ContentInfo_free(cms);
	return rc;
}

int
eb_bid_seal(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *bid_xml, size_t len, uint8_t **envelope, size_t *envlen,
    uint8_t commitment[32], struct eb_error *err)
{
	uint8_t *inner = NULL;
	size_t innerlen = 0;
	STACK_OF(X509) *recips = NULL;
	int rc;

	*envelope = NULL;
	*envlen = 0;
	if ((rc = eb_cms_sign(cert, key, bid_xml, len, &inner, &innerlen,
	    err)) != EB_OK)
		goto out;
	eb_sha256(inner, innerlen, commitment);
	if ((recips = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(recips, opening_cert) ||
	    !sk_X509_push(recips, cert))
		eb_oom("the recipients", 0);
	rc = eb_cms_encrypt(recips, inner, innerlen, 1, envelope, envlen,
	    err);
out:
	if (inner != NULL) {
		OPENSSL_cleanse(inner, innerlen);
		free(inner);
	}
	sk_X509_free(recips);   /* the certificates are borrowed */
	return rc;
}

int
eb_bid_check_inner(const struct eb_trust *t, const uint8_t *in, size_t inlen,
    const uint8_t commitment[32], int64_t at_ms, uint8_t **bid_xml,
    size_t *bidlen, X509 **signer, struct eb_error *err)
{
	uint8_t digest[EB_SHA256_LEN];
	int rc;

	*bid_xml = NULL;
	*bidlen = 0;
	*signer = NULL;
	eb_sha256(in, inlen, digest);
	if (CRYPTO_memcmp(digest, commitment, EB_SHA256_LEN) != 0)
		return eb_fail(err, EB_ERR_DENIED, "commitment-mismatch",
		    "The envelope is not the one the bidder committed to at "
		    "submission.",
		    "SHA-256 of the decrypted bid differs from the commitment");
	if ((rc = eb_cms_verify(t, in, inlen, at_ms, bid_xml, bidlen, signer,
	    err)) != EB_OK) {
		if (err != NULL && strcmp(err->reason, "bad-signature") == 0)
			snprintf(err->reason, sizeof(err->reason),
			    "bad-inner-signature");
	}
	return rc;
}

int
eb_bid_open(const struct eb_trust *t, X509 *cert, EVP_PKEY *key,
    const uint8_t *envelope, size_t envlen, const uint8_t commitment[32],
    int64_t at_ms, uint8_t **bid_xml, size_t *bidlen, uint8_t **inner,
    size_t *innerlen, X509 **signer, struct eb_error *err)
{
	uint8_t *in = NULL;
	size_t inlen = 0;
	int rc;

	*bid_xml = NULL;
	*bidlen = 0;
	*signer = NULL;
	if (inner != NULL) {
		*inner = NULL;
		*innerlen = 0;
	}
	if ((rc = eb_cms_decrypt(cert, key, envelope, envlen, &in, &inlen,
	    err)) != EB_OK)
		goto out;
	if ((rc = eb_bid_check_inner(t, in, inlen, commitment, at_ms, bid_xml,
	    bidlen, signer, err)) != EB_OK)
		goto out;
	if (inner != NULL) {
		*inner = in;
		*innerlen = inlen;
		in = NULL;
	}
out:
	if (in != NULL) {
		OPENSSL_cleanse(in, inlen);
		free(in);
	}
	return rc;
}

/* ---------------------------------------------------------------- base64 */

int
eb_base64_encode(const uint8_t *p, size_t n, char **out)
{
	size_t len;

	*out = NULL;
	if ((len = eb_base64_len(n)) == 0 && n != 0)
		return EB_ERR_LIMIT;
	*out = eb_malloc(len + 1);
	eb_base64_put(p, n, *out);
	return EB_OK;
}

/* Symbol values; -1 for every byte outside the alphabet (and '='). */
static const signed char b64_table[256] = {
#define X8 -1, -1, -1, -1, -1, -1, -1, -1
	X8, X8, X8, X8, X8,
	-1, -1, -1, 62, -1, -1, -1, 63,              /* 40..47: '+' '/' */
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61,      /* '0'..'9' */
	-1, -1, -1, -1, -1, -1, -1,                  /* 58..64 */
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
	19, 20, 21, 22, 23, 24, 25,                  /* 'A'..'Z' */
	-1, -1, -1, -1, -1, -1,                      /* 91..96 */
	26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
	43, 44, 45, 46, 47, 48, 49, 50, 51,          /* 'a'..'z' */
	-1, -1, -1, -1, -1,                          /* 123..127 */
	X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8, X8,
#undef X8
};

static int
b64_value(unsigned char c)
{
	return b64_table[c];
}

/*
 * Strict RFC 4648 base64: length a multiple of 4, only the alphabet, '='
 * only as the last one or two characters, and the unused bits of the last
 * symbol zero (so each byte string has exactly one accepted text).
 * Whitespace anywhere is refused.  EB_ERR_FORMAT otherwise.
 */
int
eb_base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	size_t i, o = 0, pad = 0;
	uint8_t *b;
	int v[4], k;
	uint32_t w;

	*out = NULL;
	*outlen = 0;
	if (n % 4 != 0)
		return EB_ERR_FORMAT;
	if (n >= 4 && s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	b = eb_malloc(n / 4 * 3 + 1);
	/* every quad but the last: four alphabet symbols, three bytes */
	for (i = 0; i + 4 < n; i += 4) {
		int a = b64_table[(unsigned char)s[i]];
		int b2 = b64_table[(unsigned char)s[i + 1]];
		int c = b64_table[(unsigned char)s[i + 2]];
		int d = b64_table[(unsigned char)s[i + 3]];

		if ((a | b2 | c | d) < 0)
			goto bad;
		w = (uint32_t)a << 18 | (uint32_t)b2 << 12 | (uint32_t)c << 6 |
		    (uint32_t)d;
		b[o++] = (uint8_t)(w >> 16);
		b[o++] = (uint8_t)(w >> 8);
		b[o++] = (uint8_t)w;
	}
	for (; i < n; i += 4) {
		int last = 1;

		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)s[i + k];

			if (c == '=' && last && (size_t)k >= 4 - pad)
				v[k] = 0;
			else if ((v[k] = b64_value(c)) < 0)
				goto bad;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		b[o++] = (uint8_t)(w >> 16);
		if (last && pad == 2) {
			if ((w & 0xffff) != 0)
				goto bad;
			break;
		}
		b[o++] = (uint8_t)(w >> 8);
		if (last && pad == 1) {
			if ((w & 0xff) != 0)
				goto bad;
			break;
		}
		b[o++] = (uint8_t)w;
	}
	*out = b;
	*outlen = o;
	return EB_OK;
bad:
	free(b);
	return EB_ERR_FORMAT;
}
