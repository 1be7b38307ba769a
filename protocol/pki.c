/*
 * protocol/pki.c
 *    The centre's trust anchor (X509_STORE) and the identity a party
 *    certificate carries.
 *
 * Owner: cryptography engineer.  Uses OpenSSL 3 only (no I/O besides the
 * PEM loaders).
 *
 * Invariants:
 *  - struct eb_trust holds two stores over the same CA certificates:
 *    'store' (purpose ANY: CMS signers with EKU clientAuth only still
 *    verify) and 'tsa_store' (purpose timeStampSign: the RFC 3161 signer
 *    must carry the critical timeStamping EKU).  Both are read-only after
 *    creation, so one trust may be shared by threads.
 *  - Verification at an instant never touches the shared stores: the time
 *    is set on the per-call X509_STORE_CTX.
 *  - A CA certificate (basicConstraints CA:TRUE) never acts as a party.
 *  - A certificate whose chain verified is cached (certcache.h) by the
 *    SHA-256 of its DER with its chain's validity window; a later check
 *    inside the window skips X509_verify_cert but never the revocation
 *    check at the caller's instant; new revocation lists flush it.
 *
 * INTERFACE
 *    eb_trust_load(), eb_trust_from_cert(), eb_trust_free()
 *    eb_trust_store(), eb_trust_tsa_store()
 *    eb_trust_check(), eb_trust_check_chain()
 *    eb_trust_cached(), eb_trust_cache_stats()
 *    eb_actor_from_cert(), eb_cert_specialty()
 *    eb_pem_cert_load(), eb_pem_key_load(), eb_cert_der(), eb_cert_pem()
 *    eb_crypto_drain()
 */
#include "protocol/pki.h"
#include "protocol/certcache.h"
#include "protocol/mem.h"
#include "protocol/revocation.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

struct eb_trust {
	X509_STORE *store;       /* purpose ANY */
	X509_STORE *tsa_store;   /* purpose timeStampSign */
	/*
	 * The revocation lists (revocation.h), replaced whole on a reload
	 * (SIGHUP) while worker threads check signatures: 'rev_lock' guards
	 * the pointer and every look-up.
	 */
	pthread_mutex_t rev_lock;
	struct eb_revocations *rev;
	/*
	 * Signers whose chain verified (certcache.h), flushed when the
	 * revocation lists change; thread-safe on its own.
	 */
	struct eb_certcache *cache;
};

void
eb_crypto_drain(struct eb_error *err)
{
	unsigned long e;
	size_t used;
	char line[256];

	while ((e = ERR_get_error()) != 0) {
		if (err == NULL)
			continue;
		ERR_error_string_n(e, line, sizeof(line));
		used = strlen(err->detail);
		if (used + 3 >= sizeof(err->detail))
			continue;
		snprintf(err->detail + used, sizeof(err->detail) - used, "%s%s",
		    used > 0 ? "; " : "", line);
	}
}

static struct eb_trust *
trust_alloc(struct eb_error *err)
{
	struct eb_trust *t = eb_calloc(1, sizeof(*t));

	pthread_mutex_init(&t->rev_lock, NULL);
	t->cache = eb_certcache_new(EB_CERTCACHE_DEFAULT);
	t->store = X509_STORE_new();
	t->tsa_store = X509_STORE_new();
	if (t->store == NULL || t->tsa_store == NULL ||
	    X509_STORE_set_purpose(t->store, X509_PURPOSE_ANY) != 1 ||
	    X509_STORE_set_purpose(t->tsa_store,
	    X509_PURPOSE_TIMESTAMP_SIGN) != 1) {
		eb_fail(err, EB_ERR_CRYPTO, "trust-store", NULL,
		    "cannot set up the certificate store");
		eb_crypto_drain(err);
		eb_trust_free(t);
		return NULL;
	}
	return t;
}

static int
trust_add(struct eb_trust *t, X509 *ca, struct eb_error *err)
{
	if (X509_check_ca(ca) == 0)
		return eb_fail(err, EB_ERR_CRYPTO, "not-a-ca-certificate",
		    "Give the centre's CA certificate, not a party's.",
		    "the trust anchor is not a CA certificate");
	if (X509_STORE_add_cert(t->store, ca) != 1 ||
	    X509_STORE_add_cert(t->tsa_store, ca) != 1) {
		eb_fail(err, EB_ERR_CRYPTO, "trust-store", NULL,
		    "cannot add the CA certificate to the store");
		eb_crypto_drain(err);
		return EB_ERR_CRYPTO;
	}
	return EB_OK;
}

struct eb_trust *
eb_trust_from_cert(X509 *ca, struct eb_error *err)
{
	struct eb_trust *t = NULL;

	if (ca == NULL) {
		eb_fail(err, EB_ERR_USAGE, "no-ca", NULL, "no CA certificate");
		return NULL;
	}
	if ((t = trust_alloc(err)) == NULL)
		return NULL;
	if (trust_add(t, ca, err) != EB_OK) {
		eb_trust_free(t);
		return NULL;
	}
	return t;
}

struct eb_trust *
eb_trust_load(const char *ca_path, struct eb_error *err)
{
	struct eb_trust *t = NULL;
	BIO *in = NULL;
	X509 *x = NULL;
	int count = 0;

	if ((in = BIO_new_file(ca_path, "r")) == NULL) {
		eb_fail(err, EB_ERR_IO, "ca-unreadable",
		    "Check the path of the CA certificate in the configuration.",
		    "cannot open the CA file %s", ca_path);
		eb_crypto_drain(err);
		goto out;
	}
	if ((t = trust_alloc(err)) == NULL)
		goto out;
	while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
		if (trust_add(t, x, err) != EB_OK) {
			eb_trust_free(t);
			t = NULL;
			goto out;
		}
		X509_free(x);
		x = NULL;
		count++;
	}
	ERR_clear_error();   /* the end of the file is reported as an error */
	if (count == 0) {
		eb_fail(err, EB_ERR_IO, "ca-unreadable",
		    "The file must hold the CA certificate in PEM form.",
		    "no certificate in %s", ca_path);
		eb_trust_free(t);
		t = NULL;
	}
out:
	X509_free(x);
	BIO_free(in);
	return t;
}

void
eb_trust_free(struct eb_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	X509_STORE_free(t->tsa_store);
	eb_revocations_free(t->rev);
	eb_certcache_free(t->cache);
	pthread_mutex_destroy(&t->rev_lock);
	free(t);
}

void
eb_trust_set_revocations(struct eb_trust *t, struct eb_revocations *r)
{
	struct eb_revocations *old;

	pthread_mutex_lock(&t->rev_lock);
	old = t->rev;
	t->rev = r;
	pthread_mutex_unlock(&t->rev_lock);
	eb_revocations_free(old);
	/*
	 * Hits re-check revocation anyway (eb_trust_check_chain); the flush
	 * keeps the rule simple: nothing verified under the old lists is
	 * served after the new ones are in force.
	 */
	eb_certcache_flush(t->cache);
}

int
eb_trust_revoked(const struct eb_trust *t, X509 *cert, int64_t *revoked_ms)
{
	pthread_mutex_t *lock;
	int found;

	if (t == NULL)
		return 0;
	lock = (pthread_mutex_t *)&t->rev_lock;
	pthread_mutex_lock(lock);
	found = eb_revocations_find(t->rev, cert, revoked_ms);
	pthread_mutex_unlock(lock);
	return found;
}

int
eb_trust_check_revoked(const struct eb_trust *t, X509 *cert, int64_t at_ms,
    struct eb_error *err)
{
	int64_t when = 0;
	char serial[80] = "?", iso[32] = "?";
	time_t secs;
	struct tm tm;
	BIGNUM *bn;
	char *hex;

	if (!eb_trust_revoked(t, cert, &when))
		return EB_OK;
	if (at_ms == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	if (at_ms < when)
		return EB_OK;   /* signed before the revocation: it stands */
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL)) !=
	    NULL && (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(serial, sizeof(serial), "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	secs = (time_t)(when / 1000);
	if (gmtime_r(&secs, &tm) != NULL)
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return eb_fail(err, EB_ERR_DENIED, "certificate-revoked",
	    "The centre's CA revoked this certificate: ask the registration "
	    "office for a new one.",
	    "certificate %s was revoked at %s", serial, iso);
}

X509_STORE *
eb_trust_store(const struct eb_trust *t)
{
	return t->store;
}

X509_STORE *
eb_trust_tsa_store(const struct eb_trust *t)
{
	return t->tsa_store;
}

static int
deny_verify(struct eb_error *err, int verr)
{
	const char *reason, *hint;

	switch (verr) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		reason = "certificate-expired";
		hint = "Renew the certificate with the centre's registration office.";
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		reason = "certificate-not-yet-valid";
		hint = "Use the certificate once its validity period has begun.";
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		reason = "unknown-ca";
		hint = "Only certificates issued by the centre's CA are accepted.";
		break;
	default:
		reason = "certificate-invalid";
		hint = "Ask the centre's registration office for a valid certificate.";
		break;
	}
	eb_fail(err, EB_ERR_DENIED, reason, hint, "certificate refused: %s",
	    X509_verify_cert_error_string(verr));
	return EB_ERR_DENIED;
}

/* An instant in ms (0 = now) as OpenSSL's seconds, floor division. */
static time_t
at_seconds(int64_t at_ms)
{
	struct timespec ts;

	if (at_ms == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		return ts.tv_sec;
	}
	/* floor division: an instant before 1970 stays before */
	return (time_t)(at_ms >= 0 ? at_ms / 1000 : -((-at_ms + 999) / 1000));
}

static int
asn1_seconds(const ASN1_TIME *a, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/*
 * After X509_verify_cert() succeeded: cache 'cert' under its DER's
 * SHA-256 with the window in which every certificate of the chain is
 * valid, unless the chain needed an untrusted intermediate (the message
 * carried it: another message might not).
 */
static void
cache_verified(const struct eb_trust *t, X509_STORE_CTX *ctx, X509 *cert,
    const uint8_t key[32])
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
	time_t nb = 0, na = 0, v;

	if (chain == NULL || X509_STORE_CTX_get_num_untrusted(ctx) > 1)
		return;
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);

		if (asn1_seconds(X509_get0_notBefore(x), &v) != 0)
			return;
		if (i == 0 || v > nb)
			nb = v;
		if (asn1_seconds(X509_get0_notAfter(x), &v) != 0)
			return;
		if (i == 0 || v < na)
			na = v;
	}
	eb_certcache_put(t->cache, key, cert, nb, na);
}

static int
cert_key(X509 *cert, uint8_t key[32])
{
	unsigned int n = 0;

	if (X509_digest(cert, EVP_sha256(), key, &n) != 1 || n != 32) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

X509 *
eb_trust_cached(const struct eb_trust *t, const uint8_t sha256[32],
    int64_t at_ms)
{
	return t != NULL ? eb_certcache_get(t->cache, sha256,
	    at_seconds(at_ms)) : NULL;
}

void
eb_trust_cache_stats(const struct eb_trust *t,
    struct eb_certcache_stats *out)
{
	eb_certcache_stats(t != NULL ? t->cache : NULL, out);
}

void
eb_trust_cache_hold(const struct eb_trust *t, size_t n)
{
	if (t != NULL)
		eb_certcache_hold(t->cache, n);
}

void
eb_trust_cache_release(const struct eb_trust *t, size_t n)
{
	if (t != NULL)
		eb_certcache_release(t->cache, n);
}

int
eb_trust_check_chain(const struct eb_trust *t, X509 *cert,
    STACK_OF(X509) *untrusted, int64_t at_ms, struct eb_error *err)
{
	X509_STORE_CTX *ctx = NULL;
	X509 *hit;
	uint8_t key[32];
	int rc = EB_ERR_CRYPTO, ok, keyed;
	time_t when = at_seconds(at_ms);

	if (t == NULL || cert == NULL)
		return eb_fail(err, EB_ERR_USAGE, "no-certificate", NULL,
		    "no certificate or trust to check");
	if (X509_check_ca(cert) != 0) {
		rc = eb_fail(err, EB_ERR_DENIED, "certificate-is-ca",
		    "Sign with a party certificate, never with a CA's.",
		    "a CA certificate cannot act as a party");
		goto out;
	}
	/* verified before, and its chain valid at this instant: revocation */
	keyed = cert_key(cert, key) == 0;
	if (keyed && (hit = eb_certcache_get(t->cache, key, when)) != NULL) {
		X509_free(hit);
		return eb_trust_check_revoked(t, cert, at_ms, err);
	}
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, t->store, cert, untrusted) != 1) {
		rc = eb_fail(err, EB_ERR_CRYPTO, "trust-store", NULL,
		    "cannot set up certificate verification");
		eb_crypto_drain(err);
		goto out;
	}
	if (at_ms != 0)
		X509_STORE_CTX_set_time(ctx, 0, when);
	ok = X509_verify_cert(ctx);
	if (ok != 1) {
		rc = deny_verify(err, X509_STORE_CTX_get_error(ctx));
		eb_crypto_drain(err);
		goto out;
	}
	if (keyed)
		cache_verified(t, ctx, cert, key);
	rc = eb_trust_check_revoked(t, cert, at_ms, err);
out:
	X509_STORE_CTX_free(ctx);
	return rc;
}

int
eb_trust_check(const struct eb_trust *t, X509 *cert, int64_t at_ms,
    struct eb_error *err)
{
	return eb_trust_check_chain(t, cert, NULL, at_ms, err);
}

/*
 * The UTF-8 text of the single 'nid' entry of 'name' into 'out'.  Returns
 * 1 when found, 0 when absent, -1 when repeated, not UTF-8 or too long.
 */
static int
name_entry(const X509_NAME *name, int nid, char *out, size_t cap)
{
	int i, n;
	unsigned char *utf = NULL;
	const X509_NAME_ENTRY *e;

	out[0] = '\0';
	i = X509_NAME_get_index_by_NID(name, nid, -1);
	if (i < 0)
		return 0;
	if (X509_NAME_get_index_by_NID(name, nid, i) >= 0)
		return -1;
	e = X509_NAME_get_entry(name, i);
	n = ASN1_STRING_to_UTF8(&utf, X509_NAME_ENTRY_get_data(e));
	if (n < 0)
		return -1;
	if ((size_t)n >= cap || memchr(utf, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf);
		return -1;
	}
	memcpy(out, utf, (size_t)n);
	out[n] = '\0';
	OPENSSL_free(utf);
	return 1;
}

int
eb_actor_from_cert(X509 *cert, struct eb_actor *actor,
    struct eb_error *err)
{
	const X509_NAME *name;
	char role[EB_ID_MAX];
	const char *hint = "The certificate must name the role (OU), the "
	    "party (UID) and the person (serialNumber); ask the centre's "
	    "registration office for a new one.";

	memset(actor, 0, sizeof(*actor));
	if (cert == NULL || (name = X509_get_subject_name(cert)) == NULL)
		return eb_fail(err, EB_ERR_DENIED, "no-identity", hint,
		    "no certificate subject");
	if (name_entry(name, NID_organizationalUnitName, role,
	    sizeof(role)) != 1 || eb_role_parse(role, &actor->role) != EB_OK)
		return eb_fail(err, EB_ERR_DENIED, "no-role", hint,
		    "the certificate names no known role (OU \"%s\")", role);
	if (name_entry(name, NID_userId, actor->party,
	    sizeof(actor->party)) != 1 || actor->party[0] == '\0')
		return eb_fail(err, EB_ERR_DENIED, "no-party-id", hint,
		    "the certificate names no party id (UID)");
	if (name_entry(name, NID_serialNumber, actor->person,
	    sizeof(actor->person)) != 1 || actor->person[0] == '\0')
		return eb_fail(err, EB_ERR_DENIED, "no-person-id", hint,
		    "the certificate names no person id (serialNumber)");
	if (name_entry(name, NID_organizationName, actor->org,
	    sizeof(actor->org)) < 0 ||
	    name_entry(name, NID_commonName, actor->name,
	    sizeof(actor->name)) < 0)
		return eb_fail(err, EB_ERR_DENIED, "bad-subject", hint,
		    "the certificate's O or CN is repeated or too long");
	return EB_OK;
}

void
eb_cert_specialty(X509 *cert, char *out, size_t cap)
{
	if (cap == 0)
		return;
	out[0] = '\0';
	if (cert == NULL ||
	    name_entry(X509_get_subject_name(cert), NID_title, out, cap) != 1)
		out[0] = '\0';
}

X509 *
eb_pem_cert_load(const char *path, struct eb_error *err)
{
	BIO *in = BIO_new_file(path, "r");
	X509 *x = NULL;

	if (in == NULL) {
		eb_fail(err, EB_ERR_IO, "file-unreadable", NULL,
		    "cannot open the certificate file %s", path);
		eb_crypto_drain(err);
		return NULL;
	}
	x = PEM_read_bio_X509(in, NULL, NULL, NULL);
	if (x == NULL) {
		eb_fail(err, EB_ERR_FORMAT, "bad-certificate",
		    "The file must hold one certificate in PEM form.",
		    "no PEM certificate in %s", path);
		eb_crypto_drain(err);
	}
	BIO_free(in);
	return x;
}

EVP_PKEY *
eb_pem_key_load(const char *path, struct eb_error *err)
{
	BIO *in = BIO_new_file(path, "r");
	EVP_PKEY *k = NULL;

	if (in == NULL) {
		eb_fail(err, EB_ERR_IO, "file-unreadable", NULL,
		    "cannot open the key file %s", path);
		eb_crypto_drain(err);
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
	if (k == NULL) {
		eb_fail(err, EB_ERR_FORMAT, "bad-private-key",
		    "The file must hold an unencrypted PEM private key.",
		    "no PEM private key in %s", path);
		eb_crypto_drain(err);
	}
	BIO_free(in);
	return k;
}

int
eb_cert_der(X509 *cert, uint8_t **der, size_t *len)
{
	unsigned char *p;
	int n;

	*der = NULL;
	*len = 0;
	if (cert == NULL || (n = i2d_X509(cert, NULL)) <= 0) {
		ERR_clear_error();
		return EB_ERR_CRYPTO;
	}
	p = *der = eb_malloc((size_t)n);
	if (i2d_X509(cert, &p) != n) {
		free(*der);
		*der = NULL;
		ERR_clear_error();
		return EB_ERR_CRYPTO;
	}
	*len = (size_t)n;
	return EB_OK;
}

int
eb_cert_pem(X509 *cert, char **pem)
{
	BIO *b = NULL;
	char *p = NULL;
	long n;
	int rc = EB_ERR_CRYPTO;

	*pem = NULL;
	if (cert == NULL || (b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509(b, cert) != 1 ||
	    (n = BIO_get_mem_data(b, &p)) <= 0)
		goto out;
	*pem = eb_strndup(p, (size_t)n);
	rc = EB_OK;
out:
	ERR_clear_error();
	BIO_free(b);
	return rc;
}
