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

/*
 * The steps ebidd takes by itself as soon as an aggregate is in a state
 * (next_actions).  Each is idempotent through the log: doing it twice
 * appends nothing twice (the core refuses the second, or the pool
 * answers appointments-already-recorded).
 */
enum eb_action {
	EB_ACT_MAKE_OPENING_KEY = 1, /* split an opening key among the
	                              * custodians: set-opening-key */
	EB_ACT_CLEAR_BIDS,           /* clear-bids: drop the envelopes */
	EB_ACT_RECORD_APPOINTMENTS,  /* record-appointment of the accepted
	                              * committee in the pool it came from */
};
#define EB_ACTIONS_MAX 8

struct eb_flow_ops {
	const char *kind;                         /* "tender", "sale" */
	/* Does this aggregate kind handle the command named 'name'? */
	int (*handles)(const char *name);
	/* A fresh, empty aggregate with id 'id' (never NULL: out of memory
	 * aborts, protocol/mem.h). */
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
	/*
	 * The steps due now, in the state as it is: writes at most 'max'
	 * actions to 'out' and returns how many.  NULL: none ever.
	 */
	size_t (*next_actions)(const void *st, enum eb_action *out,
	    size_t max);
	/*
	 * State names (NULL-terminated lists, static) for what ebidd does by
	 * state without deciding it: 'final' nothing follows (not reloaded
	 * at start-up, a watch ends); 'unlisted' not yet on the public
	 * board's index; 'public_heads' the board shows the chain heads.
	 * NULL: the kind is never reloaded, listed or shown.
	 */
	const char *const *final_states;
	const char *const *unlisted_states;
	const char *const *public_head_states;
};

#endif
