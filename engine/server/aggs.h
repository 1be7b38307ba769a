/*
 * engine/server/aggs.h
 *    The aggregate cache and the per-aggregate queue: every command, read
 *    and poke on an aggregate waits its turn here (one at a time per
 *    aggregate in this process; different aggregates proceed in
 *    parallel), and the aggregate's state is folded from the log
 *    (engine/store) through the core's apply when it is needed.
 *
 * A task is a struct eb_agg_task embedded in the caller's record (a
 * command's job, commands.c; a read or a poke, reads.c): eb_aggs_enqueue()
 * queues it, its run() is called on its turn, and the caller ends its
 * turn with eb_aggs_done().
 *
 * Group commit (commands.c, groupcommit.h): a command's turn ends once
 * it is decided and its events applied to the cached state, before its
 * COMMIT; the next command is decided on that state, chained from the
 * pending head.  Such a task stays on the aggregate's 'uncommitted' list
 * (commands.c keeps it) until its batch commits: while the list is not
 * empty only 'batchable' tasks (commands) run, and none while 'hold' is
 * set; reads and pokes wait, so nothing outside the aggregate ever sees
 * an event that is not durable.  Whoever finds that applied events did
 * not become durable drops the state (eb_agg_drop_state()) and requeues
 * the uncommitted tasks in order (eb_aggs_requeue()).
 *
 * The cache is bounded by memory: each aggregate's bytes are estimated
 * (EB_AGG_BASE_BYTES, plus EB_AGG_EVENT_FACTOR times the bytes of every
 * event folded or applied into its state: the core keeps about that much
 * per event), and the idle aggregates (nothing queued, running or
 * uncommitted) are kept in least-recently-used order; while the cache
 * holds more than the configured `cache_bytes` (or more than
 * EB_AGGS_CACHE_MAX aggregates) the least recently used idle one is
 * evicted.  A new aggregate that failed, or one with no state, is evicted
 * as soon as it is idle.  An evicted aggregate is folded from the log
 * again by the next command that needs it.
 *
 * Owns: struct eb_aggs (srv->aggs; eb_aggs_free()), every struct eb_agg
 * and its state; never the tasks.  Loop thread.
 *
 * INTERFACE
 *    eb_aggs_new(), eb_aggs_free()
 *    eb_aggs_get()       - the aggregate 'id' (made if new)
 *    eb_aggs_find()      - the aggregate 'id' if it is in the cache
 *    eb_aggs_enqueue()   - queue a task on an aggregate
 *    eb_aggs_done()      - the task's turn ended: the next one runs
 *    eb_aggs_load()      - fold the log's new entries into the state
 *    eb_agg_drop_state() - forget the cached state
 *    eb_aggs_requeue()   - a task back at the head of the queue
 *    eb_aggs_settle()    - run what may run now, or evict
 *    eb_agg_grew()       - events applied: the memory estimate grows
 *    eb_aggs_stats()     - aggregates, bytes, evictions (metrics)
 *    eb_agg_hint_publish() - a sale's floor hint, from its cached state
 *    eb_aggs_hint_get()  - the floor hint of a sale (any thread)
 *
 * Floor hints (issue 17, ninth pass; engine/core/sale.h eb_sale_hint):
 * after every fold and every applied entry of a sale the loop thread
 * publishes what the raise rule compares prices with into a small table
 * that the verify workers read (under its own mutex; direct-mapped, so a
 * sale may push another out: then there is no hint).  Dropping a state
 * drops its hint.  A worker that has checked a raise's signature marks
 * it pending in its sale's hint until the loop decides it (the raises
 * peeked meanwhile are guessed against it too: in a race most of a
 * round's stale bids are in flight while its winner is being checked).
 * A hint may be stale (another ebidd appended, the
 * state was dropped a moment after the read): it is a guess that
 * commands.c only uses to skip the signature check of a command it then
 * decides as usual, checking the signature after all unless the
 * decision is the refusal the guess predicted.
 */
#ifndef EB_SERVER_AGGS_H
#define EB_SERVER_AGGS_H

#include <stdint.h>
#include <sys/queue.h>

#include "engine/core/flows.h"
#include "engine/core/sale.h"
#include "engine/server/idmap.h"
#include "protocol/err.h"
#include "protocol/hash.h"

/* The aggregates kept in memory at most (more are evicted, LRU). */
#define EB_AGGS_CACHE_MAX 10000
/* The estimate of an aggregate's memory (see above). */
#define EB_AGG_BASE_BYTES 2048
#define EB_AGG_EVENT_FACTOR 2

struct eb_server;
struct eb_aggs;
struct eb_agg;

struct eb_agg_task;

/* 'folded' is 1 when the log was read (not a new aggregate). */
typedef void (*eb_agg_loaded_fn)(struct eb_agg_task *t, int rc,
    const struct eb_error *e, int folded);

struct eb_agg_task {
	STAILQ_ENTRY(eb_agg_task) link;
	void (*run)(struct eb_agg_task *t);  /* its turn came */
	struct eb_agg *agg;                  /* set by eb_aggs_enqueue() */
	eb_agg_loaded_fn loaded;             /* eb_aggs_load()'s */
	int batchable;                       /* may run while entries of the
	                                      * aggregate are not committed */
	TAILQ_ENTRY(eb_agg_task) ulink;      /* the uncommitted list */
};

struct eb_agg {
	struct eb_idmap_node node;
	const char *id;                      /* node.id */
	const struct eb_flow_entry *flow;
	void *state;                         /* NULL: reload from seq 0 */
	int64_t seq;
	uint8_t hash[EB_SHA256_LEN];
	int fresh;                           /* new id, not yet in the
	                                      * database */
	struct eb_agg_task *running;
	STAILQ_HEAD(eb_agg_queue, eb_agg_task) queue;
	/* decided on the cached state, waiting for their COMMIT */
	TAILQ_HEAD(eb_agg_uncommitted, eb_agg_task) uncommitted;
	int hold;                            /* decide nothing new for now */
	int committing;                      /* a batch of it is in flight */
	void *gc_batch;                      /* that batch (groupcommit.c) */
	int in_run;                          /* eb_aggs_settle() is running */
	unsigned refs;                       /* tasks that will come back to
	                                      * it (never evicted before) */
	struct eb_aggs *as;
	size_t bytes;                        /* its estimated memory */
	/* the first 8 bytes of the command SHA-256 of every entry folded
	 * into 'state' (open addressing, 0 = empty): complete whenever
	 * 'state' is, so a miss proves the bytes are not in its log
	 * (eb_agg_cmd_absent) */
	uint64_t *cmds;
	size_t ncmds, capcmds;
	int idle;                            /* on the LRU list */
	TAILQ_ENTRY(eb_agg) lru;
};

/* What the cache holds now (metrics). */
struct eb_aggs_stats {
	size_t aggregates, idle, bytes, limit;
	uint64_t evicted;
};

/*
 * Entry 'sha' (its command's SHA-256) is folded into the cached state:
 * remember its bytes (eb_agg_cmd_absent).
 */
void eb_agg_cmd_add(struct eb_agg *a, const uint8_t sha[EB_SHA256_LEN]);
/*
 * 1 when the cached state is there and no entry folded into it has a
 * command whose SHA-256 starts as 'sha' does: the signed bytes are not in
 * the aggregate's log up to the cached seq, and the duplicate look-up in
 * the database can be skipped.  0: maybe (look it up).
 */
int eb_agg_cmd_absent(const struct eb_agg *a,
    const uint8_t sha[EB_SHA256_LEN]);

struct eb_aggs *eb_aggs_new(struct eb_server *srv);
void eb_aggs_free(struct eb_aggs *as);
/* The aggregate 'id' when the cache has a record of it, else NULL. */
struct eb_agg *eb_aggs_find(struct eb_aggs *as, const char *id);
/* Never NULL (out of memory aborts, protocol/mem.h). */
struct eb_agg *eb_aggs_get(struct eb_aggs *as, const char *id,
    const struct eb_flow_entry *flow);
/*
 * Queue 't' on aggregate 'id' of 'flow'; its run() may be called before
 * this returns.  EB_OK, or the error (wrong-kind) in 'e'
 * with 't' not queued.
 */
int eb_aggs_enqueue(struct eb_aggs *as, const char *id,
    const struct eb_flow_entry *flow, struct eb_agg_task *t,
    struct eb_error *e) EB_MUSTCHECK;
/* 't' (queued or not: then a no-op) ends its turn. */
void eb_aggs_done(struct eb_aggs *as, struct eb_agg_task *t);
/*
 * Bring the running task's aggregate up to date: a new one gets an empty
 * state; otherwise the entries after the cached seq are folded (from 0
 * when nothing is cached).  'cb' gets the outcome (on any error the
 * state is dropped when it may be half folded).
 */
void eb_aggs_load(struct eb_aggs *as, struct eb_agg_task *t,
    eb_agg_loaded_fn cb);
void eb_agg_drop_state(struct eb_agg *a);
/* 'bytes' of events were applied to the state of 'a' (the estimate). */
void eb_agg_grew(struct eb_agg *a, size_t bytes);
void eb_aggs_stats(const struct eb_aggs *as, struct eb_aggs_stats *st);
/* The hint of sale 'a' from its cached state (none without a state; a
 * no-op for another kind).  Loop thread. */
void eb_agg_hint_publish(struct eb_agg *a);
/* 1 and *h when sale 'id' has a hint; 0 when not.  Any thread. */
int eb_aggs_hint_get(struct eb_aggs *as, const char *id,
    struct eb_sale_hint *h);
/*
 * A raise of 'amount' on sale 'id' passed its signature check and is on
 * its way to be decided: the hint's 'pending' becomes it when it is
 * higher (1: set, the caller unpends it once decided or ended; 0: not).
 * eb_aggs_hint_unpend() clears it when it is still 'amount'.  A new
 * floor published keeps a pending raise that may still win.  Any thread.
 */
int eb_aggs_hint_pend(struct eb_aggs *as, const char *id, int64_t amount);
void eb_aggs_hint_unpend(struct eb_aggs *as, const char *id,
    int64_t amount);
/* Put 't' back at the head of its aggregate's queue (not run yet). */
void eb_aggs_requeue(struct eb_aggs *as, struct eb_agg_task *t);
/*
 * The aggregate's hold or uncommitted list changed: run the tasks that
 * may run now, or evict it when nothing refers to it any more.  Safe to
 * call from a task's run() (the outer call goes on).
 */
void eb_aggs_settle(struct eb_aggs *as, struct eb_agg *a);

#endif
