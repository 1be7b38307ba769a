/*
 * engine/server/metrics.h
 *    ebidd's Prometheus metrics: GET /metrics in the text exposition
 *    format 0.0.4 on the listener of `metrics_listen` (a port alone:
 *    127.0.0.1; plain HTTP, no certificate, GET and HEAD only).  Every
 *    series is documented in docs/operations-server.md.
 *
 * Counted as they happen (one-line hooks, each NULL-safe): requests by
 * endpoint and status with latency histograms (http.c), commands refused
 * by reason (commands.c's refusal), appends with their latency and
 * outcome (groupcommit.c: each entry, and each batch by its size), and the timers each
 * aggregate waits for (an observer of notify.h, from the core's own
 * next_timer).  Read at each scrape: open connections (conns.c),
 * database connections (store.h), the worker queue (workers.h), process
 * memory, CPU and descriptors (/proc/self).
 *
 * Owns: struct eb_metrics (srv->metrics; eb_metrics_free()).  Loop thread
 * only.  Label values are bounded: at most 48 endpoints and 64 reasons,
 * then "other", so no client can grow the series.
 *
 * INTERFACE
 *    eb_metrics_start()   - create, and listen when metrics_listen is set
 *    eb_metrics_free()
 *    eb_metrics_request() - a reply sent (path, status, microseconds)
 *    eb_metrics_refused() - a command refused, by reason
 *    eb_metrics_append_start(), eb_metrics_append_end() - one append
 *    eb_metrics_appended() - one entry of a group commit, with its time
 *    eb_metrics_batch()   - one group commit, by its entries
 *    eb_metrics_committed() - the notify.h observer (timers pending)
 *    eb_metrics_render()  - the exposition text (tests, the handler)
 */
#ifndef EB_SERVER_METRICS_H
#define EB_SERVER_METRICS_H

#include <stdint.h>

#include "engine/core/flows.h"
#include "protocol/buf.h"
#include "protocol/err.h"

struct eb_server;
struct eb_metrics;

/* srv->metrics always (counting works without a listener); listens on
 * cfg->metrics_listen when set.  EB_ERR_IO / EB_ERR_USAGE with 'err'. */
int eb_metrics_start(struct eb_server *srv, struct eb_error *err)
    EB_MUSTCHECK;
void eb_metrics_free(struct eb_server *srv);

void eb_metrics_request(struct eb_metrics *m, const char *path, int status,
    int64_t us);
void eb_metrics_refused(struct eb_metrics *m, const char *code);
/* 'key' names the append (the job) between start and end. */
void eb_metrics_append_start(struct eb_metrics *m, const void *key);
void eb_metrics_append_end(struct eb_metrics *m, const void *key, int rc);
/* An entry's outcome (EB_OK, EB_ERR_CONFLICT, other) and its time from
 * submission to COMMIT; a batch of 'entries' (groupcommit.c). */
void eb_metrics_appended(struct eb_metrics *m, int rc, int64_t us);
void eb_metrics_batch(struct eb_metrics *m, size_t entries);
/* A look-up of a command's signed bytes: in the database (1) or ruled
 * out by the cached aggregate (0). */
void eb_metrics_lookup(struct eb_metrics *m, int in_database);
/* A command decided before its signature was checked (commands.c, the
 * early refusal): answered so (1), or sent back to be checked (0). */
void eb_metrics_early(struct eb_metrics *m, int refused);
void eb_metrics_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state);

int eb_metrics_render(struct eb_server *srv, struct eb_buf *out)
    EB_MUSTCHECK;

#endif
