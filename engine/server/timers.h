/*
 * engine/server/timers.h
 *    What ebidd does by itself after each commit (the observer of
 *    "committed", notify.h): the steps the core declares due now
 *    (next_actions: the opening key, clear-bids, the appointments) and
 *    then the next timed command (next_timer), armed on the aggregate's
 *    slot (system.h) and submitted, signed by ebidd, when the clock
 *    reaches it (the opening: opening.h).  With the driven test clock,
 *    timers fire when a test moves the clock (eb_timers_clock_moved).
 *    ebidd knows no state name: only the core's typed actions.
 *
 * Owns nothing (the slots are system.c's).  Loop thread.
 *
 * INTERFACE
 *    eb_timers_committed()    - observer of each commit: act, re-arm
 *    eb_timers_clock_moved()  - driven clock: fire what is now due
 */
#ifndef EB_SERVER_TIMERS_H
#define EB_SERVER_TIMERS_H

#include "engine/core/flows.h"

struct eb_server;

void eb_timers_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state);
void eb_timers_clock_moved(struct eb_server *srv);

#endif
