/*
 * engine/server/idmap.h
 *    The one table by aggregate id that ebidd keeps in memory (the
 *    aggregate cache, aggs.c; ebidd's slots, system.c): an intrusive hash
 *    table whose buckets are sys/queue.h lists.  The caller embeds a
 *    struct eb_idmap_node in its record and owns the record; the table
 *    only links it.  FNV-1a of the id; a new record goes to the head of
 *    its bucket.
 *
 * Owns: the bucket array (eb_idmap_fini()), never the records.  Not
 * thread-safe (loop thread).
 *
 * INTERFACE
 *    eb_idmap_init(), eb_idmap_fini()
 *    eb_idmap_find(), eb_idmap_insert(), eb_idmap_remove()
 *    eb_idmap_foreach()  - every record; the callback may remove its own
 *    EB_IDMAP_RECORD()   - the record a node is embedded in
 *    eb_idmap_hash()     - FNV-1a of a string: this table's, and that of
 *                          ebidd's other small tables keyed by a string
 *                          (floor hints, timers, addresses, rates)
 */
#ifndef EB_SERVER_IDMAP_H
#define EB_SERVER_IDMAP_H

#include <stddef.h>
#include <sys/queue.h>

#include "protocol/actor.h"
#include "protocol/err.h"

struct eb_idmap_node {
	LIST_ENTRY(eb_idmap_node) link;
	char id[EB_ID_MAX];
};

LIST_HEAD(eb_idmap_bucket, eb_idmap_node);

struct eb_idmap {
	struct eb_idmap_bucket *buckets;
	size_t nbuckets;
	size_t n;                        /* records linked */
};

#define EB_IDMAP_RECORD(node, type, member) \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

/* The 32-bit FNV-1a hash of the NUL-terminated string 's'. */
unsigned eb_idmap_hash(const char *s);

int eb_idmap_init(struct eb_idmap *m, size_t nbuckets) EB_MUSTCHECK;
void eb_idmap_fini(struct eb_idmap *m);
struct eb_idmap_node *eb_idmap_find(const struct eb_idmap *m,
    const char *id);
/* Link 'n' under 'id' (copied into n->id; at most EB_ID_MAX - 1 bytes). */
void eb_idmap_insert(struct eb_idmap *m, struct eb_idmap_node *n,
    const char *id);
void eb_idmap_remove(struct eb_idmap *m, struct eb_idmap_node *n);
void eb_idmap_foreach(struct eb_idmap *m,
    void (*fn)(struct eb_idmap_node *n, void *arg), void *arg);

#endif
