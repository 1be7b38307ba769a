/*
 * protocol/envstream.h
 *    The streamed sealed envelope of a large bid (issue 18; docs/bigbids.md):
 *    a bid document plus attachments of any size, sealed and opened in
 *    bounded memory (a 64 KiB segment and the inner SignedData), whatever
 *    the size of the attachments.
 *
 * Layers (the three of docs/crypto.md section 3 keep their meaning):
 *    inner    SignedData over bid.xml by the bidder, exactly as eb_bid_seal
 *             makes it, plus (when there are attachments) one signed
 *             attribute EB_ENVS_MANIFEST_OID, a UTF8String with one line
 *             "<sha256 hex> <size> <name>\n" per attachment, in order;
 *             commitment = SHA-256(inner DER), as before
 *    payload  be32(len inner) || inner DER || attachment 1 || attachment 2 ..
 *    envelope "EBIDENV2" || be32(len header) || header || segments
 *             header: a CMS AuthEnvelopedData (eb_cms_encrypt: AES-256-GCM,
 *                     OAEP / ECDH-SHA256 per recipient) to the opening
 *                     certificate AND the bidder's, of the key record
 *                     key(32) || nonce prefix(7) || be32(segment size)
 *             segments: the payload cut into segments of 'segment size'
 *                     bytes (the last one shorter, never empty unless the
 *                     payload is), each AES-256-GCM with
 *                     nonce = prefix || be32(index) || last?1:0 and
 *                     AAD = SHA-256("EBIDENV2" || be32(len) || header),
 *                     followed by its 16-byte tag (the STREAM construction:
 *                     a reordered, dropped, truncated or appended segment
 *                     fails a tag)
 * The envelope's SHA-256 and size are what the signed submit-bid carries
 * (<envelope-ref sha256= size=/>) and what the store files it under.
 *
 * Only the key unwrap needs a private key: eb_envs_open() takes an unwrap
 * callback (eb_envs_unwrap_cms() is the one for a certificate and key in
 * this process; a key-holding process can supply its own).
 *
 * No file or network I/O: the caller passes FILE streams it opened, and
 * reader / writer callbacks.  Byte results are malloc'd (free()).
 */
#ifndef EB_ENVSTREAM_H
#define EB_ENVSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "protocol/err.h"
#include "protocol/hash.h"
#include "protocol/pki.h"

#define EB_ENVS_MAGIC "EBIDENV2"
#define EB_ENVS_MAGIC_LEN 8
#define EB_ENVS_SEGMENT 65536           /* plaintext bytes per segment */
#define EB_ENVS_TAG 16
#define EB_ENVS_HEADER_MAX 65536        /* the CMS key header, at most */
#define EB_ENVS_INNER_MAX (16u << 20)   /* the inner SignedData, at most */
#define EB_ENVS_FILES_MAX 256           /* attachments per bid */
#define EB_ENVS_NAME_MAX 200            /* bytes of an attachment's name */
/* the private arc of EB_TSA_POLICY_OID, .3: the attachment manifest */
#define EB_ENVS_MANIFEST_OID "1.3.6.1.4.1.59999.1.3"

/* Does this envelope start as a streamed one (at least 8 bytes)? */
int eb_envs_is_streamed(const uint8_t *p, size_t n);

/* An attachment to seal: the caller opens 'f' (seekable) and names it. */
struct eb_envs_file {
	const char *name;          /* no '/', no control bytes, <= NAME_MAX */
	FILE *f;
};

/* Write 'n' bytes of the envelope; EB_OK or an error (err filled). */
typedef int (*eb_envs_write_fn)(void *arg, const uint8_t *p, size_t n,
    struct eb_error *err);
/* Progress: 'done' of 'total' bytes of the current phase. */
typedef void (*eb_envs_progress_fn)(void *arg, const char *phase,
    uint64_t done, uint64_t total);

/*
 * Seal: hash every attachment (first pass), sign the bid with the
 * manifest, then stream the encrypted payload to 'write' (second pass).
 * Returns the commitment, the envelope's SHA-256 and its size.
 */
int eb_envs_seal(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *bid_xml, size_t len, const struct eb_envs_file *files,
    size_t nfiles, eb_envs_write_fn write, void *warg,
    eb_envs_progress_fn progress, void *parg, uint8_t commitment[32],
    uint8_t env_sha256[32], uint64_t *env_size, struct eb_error *err)
    EB_MUSTCHECK;

/*
 * Prefix digests while sealing (eb_envs_seal_marked): each time the
 * envelope written so far reaches a multiple of 'every' bytes, 'fn' gets
 * that length and the SHA-256 of the envelope's bytes [0, at), taken from
 * the same running hash that gives the envelope's SHA-256 (no second
 * pass).  `ebid bid submit` sends them as each chunk's prefix-sha256
 * without hashing the envelope again (tools/bigbid.c).
 */
typedef void (*eb_envs_mark_fn)(void *arg, uint64_t at,
    const uint8_t digest[EB_SHA256_LEN]);
struct eb_envs_marks {
	uint64_t every;            /* > 0 */
	eb_envs_mark_fn fn;
	void *arg;
};

/* eb_envs_seal() that also reports the prefix digests to 'marks'. */
int eb_envs_seal_marked(X509 *cert, EVP_PKEY *key, X509 *opening_cert,
    const uint8_t *bid_xml, size_t len, const struct eb_envs_file *files,
    size_t nfiles, eb_envs_write_fn write, void *warg,
    eb_envs_progress_fn progress, void *parg,
    const struct eb_envs_marks *marks, uint8_t commitment[32],
    uint8_t env_sha256[32], uint64_t *env_size, struct eb_error *err)
    EB_MUSTCHECK;

/*
 * Read exactly 'n' bytes (fewer only at the end of the envelope: *got).
 */
typedef int (*eb_envs_read_fn)(void *arg, uint8_t *p, size_t n, size_t *got,
    struct eb_error *err);
/*
 * Unwrap the key header (a CMS AuthEnvelopedData) into the key record
 * (at most 64 bytes into 'rec', its length in *reclen).  The only step
 * that needs a private key.
 */
typedef int (*eb_envs_unwrap_fn)(void *arg, const uint8_t *hdr,
    size_t hdrlen, uint8_t rec[64], size_t *reclen, struct eb_error *err);
/* Attachment bytes as they are decrypted (and not yet checked). */
typedef int (*eb_envs_sink_fn)(void *arg, size_t index, const char *name,
    const uint8_t *p, size_t n, struct eb_error *err);

/* The unwrap of a certificate and its key in this process. */
struct eb_envs_cms_key {
	X509 *cert;
	EVP_PKEY *key;
};
int eb_envs_unwrap_cms(void *arg, const uint8_t *hdr, size_t hdrlen,
    uint8_t rec[64], size_t *reclen, struct eb_error *err) EB_MUSTCHECK;

/* One attachment as the inner manifest names it. */
struct eb_envs_entry {
	char name[EB_ENVS_NAME_MAX + 1];
	uint64_t size;
	uint8_t sha256[EB_SHA256_LEN];
};

/*
 * Open a streamed envelope of 'env_size' bytes read from 'read': unwrap,
 * decrypt segment by segment, check SHA-256(inner) == 'commitment', verify
 * the inner signature at 'at_ms', then stream every attachment (to 'sink'
 * when given) checking its size and SHA-256 against the signed manifest.
 * Reasons: those of eb_bid_open, plus "malformed-envelope",
 * "envelope-truncated", "segment-auth-failed" (a tag: EB_ERR_CRYPTO),
 * "attachment-mismatch", "bad-manifest" (EB_ERR_DENIED / FORMAT).
 * On EB_OK: *bid_xml, *inner (may be NULL if not wanted), *signer,
 * and (if 'entries' is not NULL) the manifest in *entries / *nentries.
 */
int eb_envs_open(const struct eb_trust *t, eb_envs_unwrap_fn unwrap,
    void *uarg, eb_envs_read_fn read, void *rarg, uint64_t env_size,
    const uint8_t commitment[32], int64_t at_ms, eb_envs_sink_fn sink,
    void *sarg, uint8_t **bid_xml, size_t *bidlen, uint8_t **inner,
    size_t *innerlen, X509 **signer, struct eb_envs_entry **entries,
    size_t *nentries, struct eb_error *err) EB_MUSTCHECK;

/*
 * The attachment manifest signed in an inner SignedData (already
 * verified), or *n = 0 when it has none.  EB_ERR_FORMAT "bad-manifest".
 */
int eb_envs_manifest(const uint8_t *inner, size_t innerlen,
    struct eb_envs_entry **out, size_t *n, struct eb_error *err)
    EB_MUSTCHECK;

/* Readers and writers over a stdio stream (arg = the FILE *). */
int eb_envs_read_file(void *arg, uint8_t *p, size_t n, size_t *got,
    struct eb_error *err);
int eb_envs_write_file(void *arg, const uint8_t *p, size_t n,
    struct eb_error *err);

#endif
