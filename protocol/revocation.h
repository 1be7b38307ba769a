/*
 * protocol/revocation.h
 *    The centre's certificate revocation lists: which certificate was
 *    revoked, by which CA, and when.
 *
 * A revocation is a fact with a date.  A signature made before its
 * signer's certificate was revoked stays valid (the log keeps commands
 * that were right when made); one dated at or after the revocation is
 * refused, and so is a TLS client from the moment of the revocation.  So
 * ebid does not let OpenSSL's CRL check decide (it refuses a revoked
 * certificate at any date); it reads the CRLs itself, keeps (issuer,
 * serial, revocation instant), and pki.c asks at the instant that matters
 * (eb_trust_check_chain).
 *
 * Every CRL loaded must be signed by a CA of the trust, else the whole
 * load is refused: a forged list could otherwise "unrevoke" nothing but
 * revoke anyone (a denial of service).
 *
 * Owns: struct eb_revocations (eb_revocations_free()); immutable once
 * loaded, so several threads may read it.
 */
#ifndef EB_REVOCATION_H
#define EB_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "protocol/err.h"

struct eb_revocations;

/*
 * Load every CRL of 'path': a file (PEM, several CRLs allowed, or one DER
 * CRL) or a folder (its files ending .crl or .pem, in name order).  Each
 * CRL's signature is checked against the CA certificates of 'cas'.
 * Returns a new list or NULL with 'err': "crl-unreadable",
 * "crl-malformed", "crl-unknown-issuer", "crl-bad-signature".
 */
struct eb_revocations *eb_revocations_load(const char *path, X509_STORE *cas,
    struct eb_error *err);
void eb_revocations_free(struct eb_revocations *r);

/* Certificates revoked, and CRLs read. */
size_t eb_revocations_count(const struct eb_revocations *r);
size_t eb_revocations_crls(const struct eb_revocations *r);
/*
 * The earliest nextUpdate of the CRLs read, ms UTC (0 when none says):
 * after it the operator should have loaded newer lists.
 */
int64_t eb_revocations_next_update(const struct eb_revocations *r);

/*
 * 1 when 'cert' (issuer and serial) is on a list, with the revocation
 * instant in *revoked_ms; 0 when not.  NULL-safe 'r' (0).
 */
int eb_revocations_find(const struct eb_revocations *r, X509 *cert,
    int64_t *revoked_ms);

/*
 * The i-th revocation (0 <= i < count), for reports: serial as hex into
 * 'serial' (at least 80 bytes), the issuer's one-line name into 'issuer'
 * (at least 256 bytes), the instant.
 */
void eb_revocations_get(const struct eb_revocations *r, size_t i,
    char *serial, size_t serial_len, char *issuer, size_t issuer_len,
    int64_t *revoked_ms);

#endif
