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

/*
 * Receipt serials, unique without a round trip to the database: 41 bits
 * of milliseconds, 10 bits of the process's random boot id, 12 bits of a
 * counter.  The millisecond part never goes back and moves on by one when
 * the 4,096 serials of a millisecond are used up (a driven test clock
 * stands still; a burst can outrun the clock), so one generator never
 * repeats a serial.  Zero-initialise the struct; one per process.
 */
struct eb_serial_gen {
	uint64_t ms;          /* the millisecond in use (never goes back) */
	uint32_t used;        /* serials given out in it */
};
uint64_t eb_serial_next(struct eb_serial_gen *g, int64_t time_ms,
    uint32_t boot_id);

#endif
