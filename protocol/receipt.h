/*
 * protocol/receipt.h
 *    Receipts: RFC 3161 timestamp tokens over SHA-256 of exactly the bytes
 *    received (OpenSSL TS API).
 *
 * The TSA side (struct eb_tsa) lives in ebidd, one per thread (a
 * TS_RESP_CTX is not shareable).  The token's genTime is the server's
 * receipt instant; the serial comes from the caller (a database sequence),
 * never OpenSSL's constant default.
 */
#ifndef EB_RECEIPT_H
#define EB_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/err.h"
#include "protocol/pki.h"

/* The centre's TSA policy OID (private arc; docs/crypto.md). */
#define EB_TSA_POLICY_OID "1.3.6.1.4.1.59999.1.1"

struct eb_tsa;

/* A TSA with 'cert' (critical EKU timeStamping) and 'key'; both up-ref'd. */
struct eb_tsa *eb_tsa_new(X509 *cert, EVP_PKEY *key, struct eb_error *err);
void eb_tsa_free(struct eb_tsa *tsa);

/*
 * Issue a token over 'digest' (SHA-256, 32 bytes) at instant 'at_ms' with
 * serial 'serial'.  Returns the DER of the token (a PKCS7 SignedData;
 * free()).
 */
int eb_tsa_stamp(struct eb_tsa *tsa, const uint8_t digest[32],
    int64_t at_ms, uint64_t serial, uint8_t **token, size_t *toklen,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * Verify a token: signature and chain against the trust, the TSA
 * certificate's purpose, SHA-256 as the imprint algorithm, and the imprint
 * equal to 'digest'.  On EB_OK sets *at_ms (genTime) and *serial.
 */
int eb_receipt_verify(const struct eb_trust *t, const uint8_t *token,
    size_t toklen, const uint8_t digest[32], int64_t *at_ms,
    uint64_t *serial, struct eb_error *err) EB_MUSTCHECK;

#endif
