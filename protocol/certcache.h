/*
 * protocol/certcache.h
 *    Verified signer certificates, so that the same few party
 *    certificates are not decoded and chain-checked again for every
 *    signed command (docs/performance.md, issue 17 point 2).
 *
 * An entry is a certificate whose chain to the trust's CA verified (with
 * no untrusted intermediate), keyed by the SHA-256 of its DER, with the
 * window in which the whole chain is valid: [not_before, not_after)
 * (OpenSSL's rule: notBefore <= t < notAfter, the most restrictive of
 * the chain).  A look-up answers only for an instant inside the window,
 * so an expired (or not yet valid) certificate is never served from the
 * cache: the caller then runs the full check, which names the reason.
 * Revocation is not the cache's business: the trust re-checks it at the
 * caller's instant on every hit, and flushes the cache when new lists
 * are installed (pki.c, eb_trust_set_revocations).  Only successes are
 * cached.  The signature of each message is checked every time.
 *
 * Bounded: at most 'cap' entries; a full cache drops its least recently
 * used entry.  Thread-safe (one mutex; the critical sections are a hash
 * look-up).
 *
 * Owns: struct eb_certcache and one X509 reference per entry.
 *
 * INTERFACE
 *    eb_certcache_new(), eb_certcache_free(), eb_certcache_flush()
 *    eb_certcache_get(), eb_certcache_put(), eb_certcache_stats()
 *    eb_certcache_hold(), eb_certcache_release()
 */
#ifndef EB_CERTCACHE_H
#define EB_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#define EB_CERTCACHE_DEFAULT 1024

struct eb_certcache;

struct eb_certcache_stats {
	uint64_t hits;       /* look-ups answered */
	uint64_t misses;     /* absent, or outside the window */
	uint64_t flushes;
	size_t entries;
	size_t cap;
};

/* A cache of at most 'cap' (>= 1) entries; never NULL (protocol/mem.h). */
struct eb_certcache *eb_certcache_new(size_t cap);
void eb_certcache_free(struct eb_certcache *c);
/* Forget every entry (new revocation lists). */
void eb_certcache_flush(struct eb_certcache *c);

/*
 * The certificate cached under 'key' (SHA-256 of its DER) when 'at' (s
 * UTC) lies in its window: a new reference (X509_free()), else NULL.
 */
X509 *eb_certcache_get(struct eb_certcache *c, const uint8_t key[32],
    time_t at);
/*
 * Remember 'cert' (up-ref'd) under 'key' with its chain's window.  An
 * entry already there is replaced.  Silently does nothing when out of
 * memory.
 */
void eb_certcache_put(struct eb_certcache *c, const uint8_t key[32],
    X509 *cert, time_t not_before, time_t not_after);
void eb_certcache_stats(struct eb_certcache *c,
    struct eb_certcache_stats *out);

/*
 * Room for 'extra' more entries while a bulk check needs them (the
 * opening re-checks every bidder's certificate twice, once per
 * signature: engine/server/opening.c), until the matching release.
 * Holds add up (at most EB_CERTCACHE_HOLD_MAX in all); growing keeps the
 * entries, the release that shrinks the cache forgets them all.
 */
#define EB_CERTCACHE_HOLD_MAX ((size_t)1 << 20)
void eb_certcache_hold(struct eb_certcache *c, size_t extra);
void eb_certcache_release(struct eb_certcache *c, size_t extra);

#endif
