/*
 * protocol/keysplit.h
 *    The tender's opening key: created when bidding opens, its private half
 *    split k-of-n (Shamir over GF(2^8), libgfshare) among the opening
 *    custodians, each share sealed (CMS envelope) to its custodian's
 *    certificate; the private key itself is never stored.
 *
 * A share, once decrypted by its custodian, is the bytes
 *    x (1 byte, the share number) || y (32 bytes: the share of the
 *    P-256 private scalar; the public half comes from the certificate)
 * and is submitted back signed like any command.  Combining checks the
 * result against the opening certificate (X509_check_private_key), so a
 * wrong or forged share is detected, not silently used.  Secrets are wiped
 * with OPENSSL_cleanse before free.
 */
#ifndef EB_KEYSPLIT_H
#define EB_KEYSPLIT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/err.h"

#define EB_SHARES_MAX 16

/*
 * The ebid opening policy (a UUID OID, X.667): carried by the opening
 * authority's certificate and by every opening certificate it issues, so
 * a certificate of the centre's CA made for any other purpose cannot
 * pass for an opening certificate (docs/crypto.md section 5).
 */
#define EB_OPENING_POLICY_OID "2.25.187203276201082789878228018104147223299"
/* The opening certificate names its tender: URI "urn:ebid:opening:ID". */
#define EB_OPENING_URI_PREFIX "urn:ebid:opening:"

/*
 * Check, before sealing to it, that 'cert' is the opening certificate of
 * 'tender_id' now ('at_ms', 0 = now): a path from the trust's CA through
 * 'authority' (the opening authority: a CA with pathlen 0 and the opening
 * policy) to 'cert', valid at that instant, carrying the opening policy
 * and the URI naming the tender.  Returns EB_OK, or EB_ERR_DENIED with
 * "opening-cert-untrusted" (no valid path, or not within its validity:
 * the detail says which), "opening-cert-not-opening" (policy missing, or
 * the issuer is no opening authority), "opening-cert-wrong-tender".
 */
struct eb_trust;
int eb_opening_cert_check(const struct eb_trust *t, X509 *cert,
    X509 *authority, const char *tender_id, int64_t at_ms,
    struct eb_error *err) EB_MUSTCHECK;

struct eb_opening_key {
	X509 *cert;                          /* the opening certificate */
	size_t n;                            /* number of shares */
	unsigned k;                          /* threshold */
	uint8_t *sealed[EB_SHARES_MAX];      /* share i sealed to custodian i */
	size_t sealed_len[EB_SHARES_MAX];
};

/*
 * Make an EC P-256 opening key pair, a certificate for it issued by
 * (ca_cert, ca_key) with subject CN "opening key <tender_id>" and keyUsage
 * keyAgreement, split the private key k-of-n and seal share i to
 * custodians[i].  The private key is wiped before return.
 */
int eb_opening_key_create(X509 *ca_cert, EVP_PKEY *ca_key,
    const char *tender_id, int64_t not_before_ms, int64_t not_after_ms,
    STACK_OF(X509) *custodians, unsigned k, struct eb_opening_key *out,
    struct eb_error *err) EB_MUSTCHECK;
void eb_opening_key_clear(struct eb_opening_key *ok);

/* A custodian opens its sealed share: returns x||y bytes (free()). */
int eb_share_unseal(X509 *cert, EVP_PKEY *key, const uint8_t *sealed,
    size_t len, uint8_t **share, size_t *sharelen,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * Combine 'count' shares (each x||y) into the private key; checks that k
 * distinct share numbers are given and that the key matches 'cert'.
 * Returns the key (EVP_PKEY_free()) or NULL with 'err': EB_ERR_CRYPTO
 * "shares-do-not-match" (a wrong, forged, corrupted or missing share) or
 * "too-few-shares" (count < k); EB_ERR_FORMAT "duplicate-share" or
 * "malformed-share".
 */
EVP_PKEY *eb_shares_combine(X509 *cert, const uint8_t *const *shares,
    const size_t *lens, size_t count, unsigned k, struct eb_error *err);

#endif
