/*
 * engine/server/workers.h
 *    A small pool of worker threads for the CPU-bound steps of a request
 *    (CMS verification, XML parsing and XSD validation: 0.4-1.2 ms per
 *    100 KiB bid, docs/engineering-notes.md), so the event loop never
 *    stalls behind them.
 *
 * A job is two functions: work(arg) runs on a worker thread and may touch
 * only what the job owns plus read-only shared objects (the trust store,
 * the compiled schema); done(arg) runs afterwards on the loop thread and
 * continues the request there.  With 0 threads both run inline at submit
 * (the single-threaded mode).  Completion reaches the loop through one
 * event activated from the worker (libevent with evthread_use_pthreads(),
 * which main() calls before creating the base).
 *
 * Two lanes (issue 20 point 2: a big command must not hold up a small
 * one): a job submitted with a size of at most EB_WORKERS_SMALL bytes is
 * "small".  With 2 or more threads the last thread takes small jobs only,
 * so however many big jobs are running, a small command waits at most for
 * the small jobs ahead of it (each bounded by the XML limits: a few ms).
 * The other threads take small jobs first, then big ones, oldest first,
 * and run at nice +10 (Linux: per thread), so under CPU contention the
 * loop thread and the small lane are served first.
 *
 * Stopping: eb_workers_stop() asks the threads to end and waits at most a
 * given time.  A thread still inside a job then is abandoned (its job was
 * never answered, so nothing was acknowledged): the caller must end the
 * process without freeing what that job may read (see main.c).
 *
 * Owns: struct eb_workers (eb_workers_free()).
 *
 * INTERFACE
 *    eb_workers_new()         - start n threads (0..16)
 *    eb_workers_submit()      - queue a job (the general lane)
 *    eb_workers_submit_sized()- queue a request's job by its size (lanes)
 *    eb_workers_stats()       - threads busy, jobs queued, oldest job's age
 *    eb_workers_stop()        - end the threads, waiting at most N ms
 *    eb_workers_free()        - stop, join and free (after the loop ended)
 */
#ifndef EB_SERVER_WORKERS_H
#define EB_SERVER_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "protocol/err.h"

/* A request body of at most this many bytes is a small job. */
#define EB_WORKERS_SMALL ((size_t)64 << 10)

struct eb_workers;

typedef void (*eb_work_fn)(void *arg);

struct eb_workers_stats {
	int threads;           /* started */
	int busy;              /* threads inside a job now */
	size_t queued;         /* jobs waiting for a thread */
	int64_t oldest_ms;     /* how long the longest-running job has run */
};

struct eb_workers *eb_workers_new(struct event_base *base, int n,
    struct eb_error *err);
/* Returns EB_OK, always (done will run exactly once, on the loop; out of
 * memory aborts, protocol/mem.h). */
int eb_workers_submit(struct eb_workers *w, eb_work_fn work, eb_work_fn done,
    void *arg);
/* The same, in the small lane when 'size' <= EB_WORKERS_SMALL. */
int eb_workers_submit_sized(struct eb_workers *w, eb_work_fn work,
    eb_work_fn done, void *arg, size_t size);
/* A snapshot (any thread). */
void eb_workers_stats(struct eb_workers *w, struct eb_workers_stats *st);
/*
 * Ask every thread to end after its current job and wait up to 'wait_ms'
 * for them.  Returns how many threads are still inside a job (abandoned:
 * do not call eb_workers_free() then, end the process).  Queued jobs are
 * dropped (their done() never runs).
 */
int eb_workers_stop(struct eb_workers *w, int64_t wait_ms);
/* eb_workers_stop() without a bound, then free; NULL-safe. */
void eb_workers_free(struct eb_workers *w);

#endif
