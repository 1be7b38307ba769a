/*
 * engine/server/rebuild.h
 *    `ebidd --rebuild-read-models`: derive every read model again from the
 *    log alone (engine/store/README.md, "Rebuilding read models").
 */
#ifndef EB_SERVER_REBUILD_H
#define EB_SERVER_REBUILD_H

#include "protocol/err.h"

/*
 * For every aggregate: fold its log through the core (the very code that
 * decided it) and write aggregate_state (state, seq, time) in one
 * transaction, then check that every read model's seq equals its head's.
 * Blocking; run with no ebidd writing.  Sets *n to the aggregates rebuilt.
 */
int eb_rebuild_read_models(const char *conninfo, int *n,
    struct eb_error *err) EB_MUSTCHECK;

#endif
