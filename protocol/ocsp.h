/*
 * protocol/ocsp.h
 *    OCSP (RFC 6960) for client certificates and command signers, the
 *    parts that need no network and no clock of their own: the request
 *    for one certificate, and the check of a responder's answer, which is
 *    untrusted input (fuzzed by tests/fuzz/ocsp_fuzzer.c).  OpenSSL does
 *    the work: OCSP_request_*, d2i_OCSP_RESPONSE, OCSP_basic_verify,
 *    OCSP_resp_find_status.
 *
 *    An answer counts only when the response is "successful", is signed by
 *    the certificate's issuer or by a responder the issuer delegated
 *    (id-kp-OCSPSigning), chains to the trust store, names this
 *    certificate, and is current at 'now' (thisUpdate not ahead by more
 *    than EB_OCSP_SKEW_MS, nextUpdate, when given, not behind by more).
 *    Anything else is EB_OCSP_INVALID with the cause in 'why': the caller
 *    treats it as an unreachable responder (its soft-fail policy).
 *
 *    ebidd's asynchronous client, its cache until nextUpdate and the
 *    `ocsp` / `ocsp_responder` / `ocsp_soft_fail` settings are
 *    engine/server/ocspclient.h's.
 *
 * Ownership: every argument stays the caller's; *der of
 * eb_ocsp_request() is the caller's (OPENSSL_free()).
 *
 * INTERFACE
 *    eb_ocsp_request() - the DER OCSPRequest for cert (SHA-1 CertID, as
 *                        RFC 6960's responders expect), optional nonce
 *    eb_ocsp_check()   - the status of cert in a DER OCSPResponse
 */
#ifndef EB_PROTOCOL_OCSP_H
#define EB_PROTOCOL_OCSP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define EB_OCSP_MAX ((size_t)64 << 10)        /* a response's bytes */
#define EB_OCSP_SKEW_MS ((int64_t)300 * 1000) /* clocks apart */

enum eb_ocsp_status {
	EB_OCSP_GOOD = 0,
	EB_OCSP_REVOKED,
	EB_OCSP_UNKNOWN,      /* the responder does not know it */
	EB_OCSP_INVALID       /* no answer that counts: see 'why' */
};

struct eb_ocsp_answer {
	enum eb_ocsp_status status;
	int64_t revoked_ms;   /* EB_OCSP_REVOKED: when */
	int64_t this_ms;      /* thisUpdate */
	int64_t next_ms;      /* nextUpdate; 0: none (do not cache) */
	char why[160];        /* EB_OCSP_INVALID: the cause */
};

/* 0 on success; -1 (nothing allocated) when OpenSSL fails. */
int eb_ocsp_request(X509 *cert, X509 *issuer, int nonce, unsigned char **der,
    size_t *len);

/*
 * The status of 'cert' (issued by 'issuer') in the response 'der'; the
 * responder's chain is checked against 'store'.  Always fills *out.
 */
enum eb_ocsp_status eb_ocsp_check(const uint8_t *der, size_t len, X509 *cert,
    X509 *issuer, X509_STORE *store, int64_t now_ms,
    struct eb_ocsp_answer *out);

#endif
