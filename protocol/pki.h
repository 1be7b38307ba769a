/*
 * protocol/pki.h
 *    The centre's trust anchor and what a certificate says about its holder.
 *
 * How a certificate carries identity and role (certs/README.md):
 *    subject O   organisation          subject CN   display name
 *    subject OU  role (eb_role_name)   subject UID  party id ("bidder1")
 *    subject serialNumber  the natural person's id (separation of duties)
 *    subject title (experts only)  specialty, e.g. "civil-works"
 * Party certificates carry keyUsage digitalSignature,nonRepudiation,
 * keyEncipherment (RSA) or keyAgreement (EC), and extendedKeyUsage
 * clientAuth,emailProtection, so one key serves mutual TLS, CMS signing and
 * receiving sealed envelopes.
 *
 * Owns: struct eb_trust (eb_trust_free()).
 */
#ifndef EB_PKI_H
#define EB_PKI_H

#include <stdint.h>

#include <openssl/x509.h>

#include "protocol/actor.h"
#include "protocol/err.h"

struct eb_trust;

/*
 * Load the CA certificate(s) from the PEM file 'ca_path'.  Returns a new
 * trust (caller frees with eb_trust_free()) or NULL with 'err' filled.
 */
struct eb_trust *eb_trust_load(const char *ca_path, struct eb_error *err);
void eb_trust_free(struct eb_trust *t);
/*
 * A trust from one CA certificate already in memory ('ca' is up-ref'd, the
 * caller keeps its reference).  Used by tests and by tools that hold the
 * CA in memory.  NULL with 'err' on failure.
 */
struct eb_trust *eb_trust_from_cert(X509 *ca, struct eb_error *err);
/* The X509_STORE inside (borrowed; purpose ANY, used for CMS and TS). */
X509_STORE *eb_trust_store(const struct eb_trust *t);
/*
 * The same CA in a store whose purpose is timeStamping (borrowed): the one
 * protocol/receipt.c verifies tokens with, so a TSA certificate without
 * the critical timeStamping EKU is refused.
 */
X509_STORE *eb_trust_tsa_store(const struct eb_trust *t);

/*
 * Verify 'cert' against the CA at instant 'at_ms' (0 = now): chain,
 * validity, not a CA.  Returns EB_OK or EB_ERR_DENIED with 'err' naming
 * the reason ("certificate has expired", "unknown CA").
 */
int eb_trust_check(const struct eb_trust *t, X509 *cert, int64_t at_ms,
    struct eb_error *err);
/*
 * eb_trust_check() with extra untrusted intermediates (may be NULL), e.g.
 * the certificates a CMS message carries.  Reasons: "certificate-expired",
 * "certificate-not-yet-valid", "unknown-ca", "certificate-is-ca",
 * "certificate-invalid", "certificate-revoked" (revoked at or before
 * 'at_ms').
 */
int eb_trust_check_chain(const struct eb_trust *t, X509 *cert,
    STACK_OF(X509) *untrusted, int64_t at_ms, struct eb_error *err);

/*
 * The trust's cache of verified signers (protocol/certcache.h): a chain
 * that verified with no untrusted intermediate is kept, by the SHA-256
 * of the certificate's DER, with the window in which its whole chain is
 * valid; eb_trust_check_chain() inside that window skips the chain
 * verification but still checks revocation at 'at_ms'.
 * eb_trust_cached(): the cached certificate whose DER hashes to 'sha256'
 * when 'at_ms' (0 = now) lies in its window, as a new reference
 * (X509_free()), else NULL; its revocation is the caller's to check
 * (eb_trust_check_revoked).  eb_trust_set_revocations() flushes it.
 */
struct eb_certcache_stats;
X509 *eb_trust_cached(const struct eb_trust *t, const uint8_t sha256[32],
    int64_t at_ms);
void eb_trust_cache_stats(const struct eb_trust *t,
    struct eb_certcache_stats *out);
/* Room for 'n' more cached signers during a bulk check, until the
 * matching release (certcache.h, eb_certcache_hold). */
void eb_trust_cache_hold(const struct eb_trust *t, size_t n);
void eb_trust_cache_release(const struct eb_trust *t, size_t n);

/*
 * Revocation (protocol/revocation.h).  eb_trust_set_revocations() installs
 * the lists (taking ownership; NULL = none), replacing and freeing the
 * previous ones; safe while other threads check.  eb_trust_revoked(): 1
 * with the revocation instant when 'cert' is listed (0 for a NULL trust).
 * eb_trust_check_revoked(): EB_ERR_DENIED "certificate-revoked" when
 * 'cert' was revoked at or before 'at_ms' (0 = now), else EB_OK; an
 * instant before the revocation stands.  eb_trust_check_chain() calls it
 * for the leaf after the chain verifies.
 */
struct eb_revocations;
void eb_trust_set_revocations(struct eb_trust *t, struct eb_revocations *r);
int eb_trust_revoked(const struct eb_trust *t, X509 *cert,
    int64_t *revoked_ms);
int eb_trust_check_revoked(const struct eb_trust *t, X509 *cert,
    int64_t at_ms, struct eb_error *err);

/*
 * Append OpenSSL's error queue to err->detail (after what is there) and
 * clear the queue.  NULL-safe 'err' (the queue is cleared anyway).
 */
void eb_crypto_drain(struct eb_error *err);

/*
 * Read the holder's identity from 'cert' (see above).  Returns EB_OK, or
 * EB_ERR_DENIED when the subject lacks a role, a party id or a person id,
 * or names an unknown role.
 */
int eb_actor_from_cert(X509 *cert, struct eb_actor *actor,
    struct eb_error *err);

/* The expert specialty (subject title) into 'out', "" when absent. */
void eb_cert_specialty(X509 *cert, char *out, size_t cap);

/* Load a PEM certificate / private key file; NULL with 'err' on failure. */
X509 *eb_pem_cert_load(const char *path, struct eb_error *err);
EVP_PKEY *eb_pem_key_load(const char *path, struct eb_error *err);
/* DER and PEM of a certificate into newly allocated bytes (free()). */
int eb_cert_der(X509 *cert, uint8_t **der, size_t *len);
/* PEM text of a certificate, NUL-terminated (free()).  EB_OK or error. */
int eb_cert_pem(X509 *cert, char **pem);

#endif
