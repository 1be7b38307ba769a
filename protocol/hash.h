/*
 * protocol/hash.h
 *    SHA-256 and the hash chain link, the only hashing ebid uses.
 *
 * Pure computations (OpenSSL's one-shot SHA256 and EVP digest, no I/O),
 * so engine/core may use them.
 *
 * The chain link: hash_n = SHA-256(hash_{n-1} || be64(seq_n) || entry_n),
 * hash_0 = 32 zero bytes.  'entry' is the canonical entry bytes defined in
 * engine/store/README.md.  The same function runs in ebidd, in
 * ebid-audit, and (as SQL) in schema/.
 */
#ifndef EB_HASH_H
#define EB_HASH_H

#include <stddef.h>
#include <stdint.h>

#define EB_SHA256_LEN 32
#define EB_SHA256_HEX 65   /* 64 hex digits and the NUL */

void eb_sha256(const void *p, size_t n, uint8_t out[EB_SHA256_LEN]);
/* OpenSSL's SHA-256, fetched once for the process (EVP_MD, not freed):
 * for EVP_Digest* calls that would fetch it on every call. */
struct evp_md_st;
const struct evp_md_st *eb_sha256_md(void);
/* Lower-case hex of SHA-256(p, n) into 'hex' (EB_SHA256_HEX bytes). */
void eb_sha256_hex(const void *p, size_t n, char hex[EB_SHA256_HEX]);
/* Lower-case hex of 32 raw bytes. */
void eb_hex32(const uint8_t in[EB_SHA256_LEN], char hex[EB_SHA256_HEX]);
/* Parse 64 hex digits; returns 0 or -1 when malformed. */
int eb_unhex32(const char *hex, uint8_t out[EB_SHA256_LEN]);
/* The chain link (see above). */
void eb_chain_link(const uint8_t prev[EB_SHA256_LEN], int64_t seq,
    const void *entry, size_t n, uint8_t out[EB_SHA256_LEN]);

/*
 * Base64 (RFC 4648, no line breaks): the length of the text of n bytes
 * (0 when it would overflow, for n > 0), and that text written to 's'
 * (eb_base64_len(n) + 1 bytes: the NUL too).  cms.h's eb_base64_encode()
 * allocates and calls these; the document tree (doc.h) writes with them
 * the text of an element held as bytes.
 */
size_t eb_base64_len(size_t n);
void eb_base64_put(const uint8_t *p, size_t n, char *s);

#endif
