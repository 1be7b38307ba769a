/*
 * engine/server/groupcommit.h
 *    Group commit: entries decided on any aggregate wait here and are
 *    appended together, one statement and one COMMIT for many entries
 *    (engine/store eb_store_append_batch(), schema/0011), so that a hot
 *    aggregate and many quiet ones share each WAL flush
 *    (docs/performance.md, group commit).
 *
 * An item is a struct eb_gc_item embedded in the caller's record (a
 * command's job, commands.c), its entry filled and its pointers valid
 * until its done() runs.  Rules:
 *    - at most one batch in flight per aggregate (a->committing): the
 *      entries of one aggregate commit in the order they were submitted,
 *      each chained on the one before;
 *    - at most 'max_inflight' batches in flight at once; a batch leaves
 *      as soon as a slot is free, so an idle server adds no delay, and
 *      under load every batch takes what was decided while the previous
 *      one was committing (at most EB_GC_BATCH_MAX entries, EB_GC_BYTES
 *      bytes: at least one entry);
 *    - a batch is sorted by aggregate id, then seq (head rows are locked
 *      in id order: no deadlock between two ebidd processes on them);
 *    - a batch the database undid whole for a concurrent transaction
 *      (deadlock_detected, serialization_failure: reason database-retry,
 *      e.g. two ebidd registering subjects whose credit codes cross in
 *      subject_codes) runs again as it is, EB_GC_RETRIES times at most.
 * When a batch returns, done() runs for each of its items in the batch's
 * order (status EB_APPENDED, EB_APPEND_DUP, EB_APPEND_MOVED,
 * EB_APPEND_SKIPPED, or EB_GC_FAILED with the error when the statement
 * failed as a whole), then agg_done() once per aggregate of the batch:
 * nothing is acknowledged before its COMMIT returned.
 *
 * Owns: struct eb_gc (eb_gc_free()); never the items.  Loop thread.
 *
 * INTERFACE
 *    eb_gc_new(), eb_gc_free()
 *    eb_gc_submit()  - queue an item (it leaves in the next batch it may)
 *    eb_gc_cancel()  - take a queued item back (not one in flight)
 */
#ifndef EB_SERVER_GROUPCOMMIT_H
#define EB_SERVER_GROUPCOMMIT_H

#include <stdint.h>
#include <sys/queue.h>

#include "engine/store/store.h"
#include "protocol/err.h"

/* Entries and bytes of one batch at most (a batch holds one at least). */
#define EB_GC_BATCH_MAX 1024
#define EB_GC_BYTES ((size_t)16 << 20)
/* Runs of a batch the database undid for a concurrent one, after the first. */
#define EB_GC_RETRIES 4
/* Status of every item of a batch whose statement failed as a whole. */
#define EB_GC_FAILED 'e'

struct eb_server;
struct eb_agg;
struct eb_gc;
struct eb_gc_item;

/* status: EB_APPENDED ... or EB_GC_FAILED (then 'e' says why). */
typedef void (*eb_gc_done_fn)(struct eb_gc_item *it, char status,
    const struct eb_error *e);
/* Every item of 'a' in the batch has had its done(). */
typedef void (*eb_gc_agg_done_fn)(struct eb_server *srv, struct eb_agg *a);

struct eb_gc_item {
	TAILQ_ENTRY(eb_gc_item) link;        /* the ready queue */
	struct eb_agg *agg;
	struct eb_store_entry entry;         /* borrowed pointers */
	eb_gc_done_fn done;
	int queued;                          /* in the ready queue */
	int64_t t0_us;                       /* submitted (metrics) */
};

/* 'max_inflight' >= 1 batches in flight at once. */
struct eb_gc *eb_gc_new(struct eb_server *srv, int max_inflight,
    eb_gc_agg_done_fn agg_done);
void eb_gc_free(struct eb_gc *g);
/* Queue 'it' (its agg, entry and done set).  EB_OK, always. */
void eb_gc_submit(struct eb_gc *g, struct eb_gc_item *it);
/* Take a queued item back (no-op when it is not queued). */
void eb_gc_cancel(struct eb_gc *g, struct eb_gc_item *it);

#endif
