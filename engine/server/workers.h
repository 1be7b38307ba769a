/*
 * engine/server/workers.h
 *    A small pool of worker threads for the CPU-bound steps of a request
 *    (CMS verification, XML parsing and XSD validation: 0.4-1.2 ms per
 *    100 KiB bid, TECH-NOTES.md section 8), so the event loop never
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
 * Owns: struct eb_workers (eb_workers_free()).
 *
 * INTERFACE
 *    eb_workers_new()    - start n threads (0..16)
 *    eb_workers_submit() - queue a job
 *    eb_workers_free()   - stop and join (after the loop has ended)
 */
#ifndef EB_SERVER_WORKERS_H
#define EB_SERVER_WORKERS_H

#include <event2/event.h>

#include "protocol/err.h"

struct eb_workers;

typedef void (*eb_work_fn)(void *arg);

struct eb_workers *eb_workers_new(struct event_base *base, int n,
    struct eb_error *err);
/* Returns EB_OK (done will run exactly once, on the loop) or EB_ERR_NOMEM. */
int eb_workers_submit(struct eb_workers *w, eb_work_fn work, eb_work_fn done,
    void *arg) EB_MUSTCHECK;
/* Jobs still queued are dropped; call when none can be pending. */
void eb_workers_free(struct eb_workers *w);

#endif
