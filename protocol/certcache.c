/*
 * protocol/certcache.c
 *    Verified signer certificates by the SHA-256 of their DER: see
 *    certcache.h.
 *
 * Layout: 'cap' slots and a power-of-two array of bucket heads (slot
 * indexes chained through slot.next, -1 ends a chain).  A slot is free
 * when its cert is NULL.  Recency is a tick per use; a full cache evicts
 * the slot with the smallest tick (a scan of 'cap' slots, on insertion
 * only: insertions follow a full chain check, which costs far more).
 *
 * INTERFACE: see certcache.h.
 */
#include "protocol/certcache.h"
#include "protocol/mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	uint8_t key[32];
	X509 *cert;          /* NULL: free */
	time_t nb, na;       /* valid when nb <= t < na */
	uint64_t tick;
	long next;           /* next slot in the bucket, -1 at the end */
};

struct eb_certcache {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t cap, used;
	size_t base, held;   /* cap = base + held (eb_certcache_hold) */
	long *buckets;
	size_t nbuckets;     /* a power of two */
	uint64_t tick;
	struct eb_certcache_stats st;
};

static size_t
bucket_of(const struct eb_certcache *c, const uint8_t key[32])
{
	size_t h;

	memcpy(&h, key, sizeof(h));   /* the key is a hash already */
	return h & (c->nbuckets - 1);
}

struct eb_certcache *
eb_certcache_new(size_t cap)
{
	struct eb_certcache *c = eb_calloc(1, sizeof(*c));

	if (cap == 0)
		cap = 1;
	c->cap = c->base = cap;
	for (c->nbuckets = 16; c->nbuckets < cap * 2; c->nbuckets *= 2)
		;
	c->slots = eb_calloc(cap, sizeof(*c->slots));
	c->buckets = eb_calloc(c->nbuckets, sizeof(*c->buckets));
	for (size_t i = 0; i < c->nbuckets; i++)
		c->buckets[i] = -1;
	pthread_mutex_init(&c->lock, NULL);
	c->st.cap = cap;
	return c;
}

/* Empty every slot; the caller holds the lock. */
static void
clear_locked(struct eb_certcache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		X509_free(c->slots[i].cert);
		c->slots[i].cert = NULL;
	}
	for (size_t i = 0; i < c->nbuckets; i++)
		c->buckets[i] = -1;
	c->used = 0;
}

void
eb_certcache_free(struct eb_certcache *c)
{
	if (c == NULL)
		return;
	clear_locked(c);
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c->buckets);
	free(c);
}

void
eb_certcache_flush(struct eb_certcache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	clear_locked(c);
	c->st.flushes++;
	pthread_mutex_unlock(&c->lock);
}

/* The slot holding 'key', or -1; the caller holds the lock. */
static long
find_locked(const struct eb_certcache *c, const uint8_t key[32])
{
	long i = c->buckets[bucket_of(c, key)];

	while (i >= 0 && memcmp(c->slots[i].key, key, 32) != 0)
		i = c->slots[i].next;
	return i;
}

/* Unchain and empty slot 'i'; the caller holds the lock. */
static void
drop_locked(struct eb_certcache *c, long i)
{
	long *p = &c->buckets[bucket_of(c, c->slots[i].key)];

	while (*p >= 0 && *p != i)
		p = &c->slots[*p].next;
	if (*p == i)
		*p = c->slots[i].next;
	X509_free(c->slots[i].cert);
	c->slots[i].cert = NULL;
	c->used--;
}

X509 *
eb_certcache_get(struct eb_certcache *c, const uint8_t key[32], time_t at)
{
	X509 *x = NULL;
	long i;

	if (c == NULL)
		return NULL;
	pthread_mutex_lock(&c->lock);
	i = find_locked(c, key);
	if (i >= 0 && c->slots[i].nb <= at && at < c->slots[i].na &&
	    X509_up_ref(c->slots[i].cert) == 1) {
		x = c->slots[i].cert;
		c->slots[i].tick = ++c->tick;
		c->st.hits++;
	} else {
		c->st.misses++;
	}
	pthread_mutex_unlock(&c->lock);
	return x;
}

void
eb_certcache_put(struct eb_certcache *c, const uint8_t key[32], X509 *cert,
    time_t not_before, time_t not_after)
{
	long i;
	size_t b;

	if (c == NULL || cert == NULL || X509_up_ref(cert) != 1)
		return;
	pthread_mutex_lock(&c->lock);
	if ((i = find_locked(c, key)) >= 0)
		drop_locked(c, i);
	if (c->used == c->cap) {
		long old = -1;

		for (size_t k = 0; k < c->cap; k++)
			if (c->slots[k].cert != NULL && (old < 0 ||
			    c->slots[k].tick < c->slots[old].tick))
				old = (long)k;
		drop_locked(c, old);
	}
	for (i = 0; c->slots[i].cert != NULL; i++)
		;
	memcpy(c->slots[i].key, key, 32);
	c->slots[i].cert = cert;
	c->slots[i].nb = not_before;
	c->slots[i].na = not_after;
	c->slots[i].tick = ++c->tick;
	b = bucket_of(c, key);
	c->slots[i].next = c->buckets[b];
	c->buckets[b] = i;
	c->used++;
	pthread_mutex_unlock(&c->lock);
}

void
eb_certcache_stats(struct eb_certcache *c, struct eb_certcache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	out->entries = c->used;
	pthread_mutex_unlock(&c->lock);
}

/*
 * Give the cache 'cap' slots; the caller holds the lock.  Growing keeps
 * every entry (re-chained into the larger bucket array); shrinking
 * forgets them all (a flush: they are checked again when next used).
 */
static void
resize_locked(struct eb_certcache *c, size_t cap)
{
	size_t nb, i;

	if (cap == c->cap)
		return;
	if (cap < c->cap) {
		clear_locked(c);
		c->st.flushes++;
	}
	c->slots = eb_realloc(c->slots, cap * sizeof(*c->slots));
	if (cap > c->cap)
		memset(c->slots + c->cap, 0, (cap - c->cap) *
		    sizeof(*c->slots));
	c->cap = cap;
	for (nb = 16; nb < cap * 2; nb *= 2)
		;
	if (nb != c->nbuckets) {
		free(c->buckets);
		c->buckets = eb_calloc(nb, sizeof(*c->buckets));
		c->nbuckets = nb;
	}
	for (i = 0; i < c->nbuckets; i++)
		c->buckets[i] = -1;
	for (i = 0; i < c->cap; i++)
		if (c->slots[i].cert != NULL) {
			size_t b = bucket_of(c, c->slots[i].key);

			c->slots[i].next = c->buckets[b];
			c->buckets[b] = (long)i;
		}
	c->st.cap = cap;
}

void
eb_certcache_hold(struct eb_certcache *c, size_t extra)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	if (extra > EB_CERTCACHE_HOLD_MAX - c->held)
		extra = EB_CERTCACHE_HOLD_MAX - c->held;
	c->held += extra;
	resize_locked(c, c->base + c->held);
	pthread_mutex_unlock(&c->lock);
}

void
eb_certcache_release(struct eb_certcache *c, size_t extra)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->held -= extra < c->held ? extra : c->held;
	resize_locked(c, c->base + c->held);
	pthread_mutex_unlock(&c->lock);
}
