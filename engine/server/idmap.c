/*
 * engine/server/idmap.c
 *    The table by aggregate id: see idmap.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server/idmap.h"
#include "protocol/mem.h"

unsigned
eb_idmap_hash(const char *s)
{
	unsigned h = 2166136261u;    /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static size_t
bucket_of(const struct eb_idmap *m, const char *id)
{
	return eb_idmap_hash(id) % m->nbuckets;
}

int
eb_idmap_init(struct eb_idmap *m, size_t nbuckets)
{
	memset(m, 0, sizeof(*m));
	if (nbuckets == 0)
		return EB_ERR_USAGE;
	m->buckets = eb_calloc(nbuckets, sizeof(*m->buckets));
	m->nbuckets = nbuckets;
	for (size_t b = 0; b < nbuckets; b++)
		LIST_INIT(&m->buckets[b]);
	return EB_OK;
}

void
eb_idmap_fini(struct eb_idmap *m)
{
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}

struct eb_idmap_node *
eb_idmap_find(const struct eb_idmap *m, const char *id)
{
	struct eb_idmap_node *n;

	LIST_FOREACH(n, &m->buckets[bucket_of(m, id)], link)
		if (strcmp(n->id, id) == 0)
			return n;
	return NULL;
}

void
eb_idmap_insert(struct eb_idmap *m, struct eb_idmap_node *n, const char *id)
{
	snprintf(n->id, sizeof(n->id), "%s", id);
	LIST_INSERT_HEAD(&m->buckets[bucket_of(m, n->id)], n, link);
	m->n++;
}

void
eb_idmap_remove(struct eb_idmap *m, struct eb_idmap_node *n)
{
	LIST_REMOVE(n, link);
	m->n--;
}

void
eb_idmap_foreach(struct eb_idmap *m,
    void (*fn)(struct eb_idmap_node *n, void *arg), void *arg)
{
	for (size_t b = 0; b < m->nbuckets; b++) {
		struct eb_idmap_node *n = LIST_FIRST(&m->buckets[b]), *next;

		for (; n != NULL; n = next) {
			next = LIST_NEXT(n, link);
			fn(n, arg);
		}
	}
}
