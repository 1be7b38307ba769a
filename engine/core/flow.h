/*
 * engine/core/flow.h
 *    The one interface every aggregate of the core offers (a tender, a
 *    sale): decide on a command, fold events into state, show state.
 *
 * decide() is pure and leaves the state untouched: it returns the events
 * the command produces (an <events> tree, owned by the caller) or an
 * error that names the state, the command and what is allowed now.
 * apply() folds events into the state; it is the only writer of the
 * state.  ebidd runs decide -> persist -> apply; ebid-audit replays the
 * same calls from the exported log and compares the events byte for byte
 * (protocol/doc.h canonical form).
 */
#ifndef EB_FLOW_H
#define EB_FLOW_H

#include "cmd.h"

struct eb_flow_ops {
	const char *kind;                         /* "tender", "sale" */
	/* Does this aggregate kind handle the command named 'name'? */
	int (*handles)(const char *name);
	/* A fresh, empty aggregate with id 'id'; NULL on out-of-memory. */
	void *(*create)(const char *id);
	void (*destroy)(void *st);                /* NULL-safe */
	int (*decide)(const void *st, const struct eb_cmd *cmd,
	    struct eb_doc **events, struct eb_error *err);
	int (*apply)(void *st, const struct eb_doc *events,
	    struct eb_error *err);
	/* The state as 'viewer' may see it (new tree, caller frees). */
	struct eb_doc *(*view)(const void *st, const struct eb_actor *viewer);
	/* Current state name, e.g. "bidding". */
	const char *(*state_name)(const void *st);
	/*
	 * The next timed command this aggregate waits for: returns 1 and sets
	 * *at and *name (a static string, e.g. "deadline-reached") when one
	 * is due at some instant, 0 when none.  ebidd arms a timer for it and
	 * submits the command, signed by itself, when the clock reaches *at.
	 */
	int (*next_timer)(const void *st, int64_t *at, const char **name);
};

#endif
