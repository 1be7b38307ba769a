/*
 * protocol/cms.h
 *    Signed commands and sealed bids (CMS, OpenSSL 3).
 *
 * Every state-changing request body is a DER CMS SignedData (attached,
 * CMS_BINARY, SHA-256, signer certificate embedded) over the XML command.
 * A sealed bid is three layers (docs/crypto.md section 3):
 *    inner    SignedData over the bid XML, by the bidder
 *    envelope AuthEnvelopedData (AES-256-GCM) to the tender's opening
 *             certificate AND the bidder's own certificate; eContentType
 *             pkcs7-signedData; RSA recipients use OAEP-SHA256, EC ones
 *             the SHA-256 KDF
 *    outer    the <sealed-bid> command carrying the envelope (base64) and
 *             the commitment = SHA-256 of the inner DER, signed as every
 *             other command is.
 *
 * All byte results are newly allocated (free() them); all X509/EVP_PKEY
 * arguments are borrowed.
 */
#ifndef EB_CMS_H
#define EB_CMS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/err.h"
#include "protocol/pki.h"

/* Sign 'data' (attached SignedData).  Returns EB_OK and *out and *outlen. */
int eb_cms_sign(X509 *cert, EVP_PKEY *key, const uint8_t *data, size_t len,
    uint8_t **out, size_t *outlen, struct eb_error *err) EB_MUSTCHECK;

/*
 * Verify a SignedData against the trust at instant 'at_ms' (0 = now).
 * On EB_OK: *content and *clen is the signed content (free()), and *signer
 * the signer certificate (a new reference: X509_free()).  Any failure
 * is EB_ERR_FORMAT (bad DER, trailing bytes, not SignedData, detached:
 * "malformed-cms", "not-signed-data") or EB_ERR_DENIED ("bad-signature",
 * "not-one-signer", "unknown-signer-ca", "certificate-expired",
 * "certificate-not-yet-valid", "certificate-is-ca") with 'err' filled and
 * OpenSSL's errors in err->detail; nothing is returned.  The signer
 * policy (docs/crypto.md) is EB_ERR_DENIED: "weak-digest" (a digest other
 * than SHA-256/384/512, e.g. SHA-1), "no-signed-attributes" (no
 * content-type and message-digest attributes), "no-signing-time".
 */
int eb_cms_verify(const struct eb_trust *t, const uint8_t *der, size_t len,
    int64_t at_ms, uint8_t **content, size_t *clen, X509 **signer,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * The signing-time window of a command (docs/crypto.md): the signing-time
 * attribute must lie in [ref - max_age_ms, ref + max_ahead_ms] for ref =
 * at_ms (the receipt time on the server's clock) or, when nonzero, alt_ms
 * (ebidd passes the real time under a test clock, whose instant is moved
 * far from the time the clients sign at).
 */
struct eb_cms_window {
	int64_t at_ms;
	int64_t alt_ms;
	int64_t max_age_ms;
	int64_t max_ahead_ms;
};

/*
 * eb_cms_verify() at w->at_ms, plus the signing-time window: EB_ERR_TIME
 * "signing-time-in-future" or "signing-time-too-old".  On EB_OK also
 * *signed_ms (may be NULL), the signing time in ms UTC.
 */
int eb_cms_verify_command(const struct eb_trust *t, const uint8_t *der,
    size_t len, const struct eb_cms_window *w, uint8_t **content,
    size_t *clen, X509 **signer, int64_t *signed_ms, struct eb_error *err)
    EB_MUSTCHECK;

/*
 * The signed content of a SignedData laid out as ebid signs it, WITHOUT
 * checking anything of the signature: a ContentInfo of id-signedData,
 * version 1, one digest algorithm, an encapsulated id-data content in
 * one primitive OCTET STRING, one certificate field, one SignerInfo,
 * nothing after; every header in its shortest form.  EB_OK with
 * *content pointing INTO 'der' (not a copy: valid while 'der' is) and
 * *clen; EB_ERR_FORMAT for any other layout (nothing returned).  When
 * eb_cms_verify() accepts 'der', its content is these bytes.  For a
 * guess only (ebidd's early refusal of a stale price, docs/protocol.md):
 * nothing read this way may be trusted.
 */
int eb_cms_peek_content(const uint8_t *der, size_t len,
    const uint8_t **content, size_t *clen) EB_MUSTCHECK;

/*
 * Encrypt 'data' to every certificate in 'recips' (AES-256-GCM
 * AuthEnvelopedData, eContentType as 'inner_is_signed' says).
 */
int eb_cms_encrypt(STACK_OF(X509) *recips, const uint8_t *data, size_t len,
    int inner_is_signed, uint8_t **out, size_t *outlen,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * Decrypt an AuthEnvelopedData with 'key' of recipient 'cert' (always
 * that RecipientInfo).  Reasons: "malformed-cms", "not-auth-enveloped"
 * (EB_ERR_FORMAT), "not-a-recipient" (EB_ERR_DENIED), "decrypt-failed"
 * (EB_ERR_CRYPTO: tag mismatch), "key-does-not-match" (EB_ERR_USAGE).
 */
int eb_cms_decrypt(X509 *cert, EVP_PKEY *key, const uint8_t *der,
    size_t len, uint8_t **out, size_t *outlen,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * Seal a bid on the bidder's machine: inner = sign(bid_xml), envelope =
 * encrypt(inner) to 'opening_cert' and 'cert'.  Returns the envelope DER
 * and the commitment (SHA-256 of the inner DER).
 */
int eb_bid_seal(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *bid_xml, size_t len, uint8_t **envelope, size_t *envlen,
    uint8_t commitment[32], struct eb_error *err) EB_MUSTCHECK;

/*
 * Open a bid: decrypt 'envelope' with (cert, key) (the opening key or the
 * bidder's own), check SHA-256(inner) == 'commitment', verify the inner
 * signature against the trust at 'at_ms'.  Reasons as eb_cms_decrypt,
 * then "commitment-mismatch", "bad-inner-signature" and the certificate
 * reasons of eb_cms_verify.  On EB_OK: *bid_xml (free()),
 * *inner (the inner DER, free(); may be NULL if not wanted) and *signer.
 */
int eb_bid_open(const struct eb_trust *t, X509 *cert, EVP_PKEY *key,
    const uint8_t *envelope, size_t envlen, const uint8_t commitment[32],
    int64_t at_ms, uint8_t **bid_xml, size_t *bidlen, uint8_t **inner,
    size_t *innerlen, X509 **signer, struct eb_error *err) EB_MUSTCHECK;

/*
 * The second half of eb_bid_open(), for a bid decrypted elsewhere (ebidd's
 * key process): SHA-256('inner') == 'commitment', then the inner
 * signature against the trust at 'at_ms'.  Same reasons and results.
 */
int eb_bid_check_inner(const struct eb_trust *t, const uint8_t *inner,
    size_t innerlen, const uint8_t commitment[32], int64_t at_ms,
    uint8_t **bid_xml, size_t *bidlen, X509 **signer, struct eb_error *err)
    EB_MUSTCHECK;

/*
 * Base64 (RFC 4648, no line breaks) of bytes, NUL-terminated (free()),
 * and back: strict (length a multiple of 4, '=' only at the end, zero
 * unused bits, no whitespace), else EB_ERR_FORMAT.
 */
int eb_base64_encode(const uint8_t *p, size_t n, char **out) EB_MUSTCHECK;
int eb_base64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
    EB_MUSTCHECK;

#endif
