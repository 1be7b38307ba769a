/*
 * engine/server/timers.c
 *    ebidd's steps after each commit, and its timers: see timers.h.
 *
 * One slot per aggregate (system.h) holds the next due command the core
 * announced (next_timer).  Each accepted command re-arms its aggregate's
 * slot.  A slot fires by building <NAME kind="ID"/> (or the opening),
 * signing it with the server's key and submitting it (system.h); when the
 * command is accepted the slot is re-armed from the new state, when it is
 * refused the refusal is logged and the slot stays disarmed until the next
 * command on that aggregate (so a refused timer never spins).
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "engine/server/appointments.h"
#include "engine/server/opening.h"
#include "engine/server/opening_key.h"
#include "engine/server/reads.h"
#include "engine/server/server.h"
#include "engine/server/states.h"
#include "engine/server/system.h"
#include "engine/server/timers.h"

static void fire(struct eb_slot *slot);

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fire(arg);
}

static void
fire(struct eb_slot *slot)
{
	struct eb_doc *cmd;

	if (!slot->armed || slot->inflight)
		return;
	slot->armed = 0;
	if (strcmp(slot->name, "open-bids") == 0) {
		/* the opening needs the state: load it, then come back */
		slot->armed = 1;
		eb_reads_poke(slot->srv, slot->id, slot->flow);
		return;
	}
	cmd = eb_doc_new(slot->name);
	eb_doc_set_attr(cmd, slot->flow->attr, slot->id);
	eb_system_submit(slot, cmd);
}

static void
arm(struct eb_slot *slot)
{
	struct eb_server *srv = slot->srv;
	int64_t now = eb_clock_now(&srv->clock), delay = slot->at - now;
	struct timeval tv;

	if (slot->ev == NULL &&
	    (slot->ev = evtimer_new(srv->base, timer_cb, slot)) == NULL)
		return;
	evtimer_del(slot->ev);
	slot->armed = 1;
	if (srv->clock.mode == EB_CLOCK_DRIVEN)
		delay = delay <= 0 ? 0 : -1;   /* fires on clock moves only */
	else if (srv->clock.mode == EB_CLOCK_ACCELERATED &&
	    srv->clock.factor > 0)
		delay = delay <= 0 ? 0 : (delay + srv->clock.factor - 1) /
		    srv->clock.factor;
	if (delay < 0)
		return;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(slot->ev, &tv);
}

static int
has_action(const enum eb_action *acts, size_t n, enum eb_action a)
{
	for (size_t i = 0; i < n; i++)
		if (acts[i] == a)
			return 1;
	return 0;
}

/*
 * After each durable command (and a poke): take the steps the core
 * declares for the state now (next_actions), then arm the next timer
 * (next_timer).  ebidd knows no state name: only the typed actions.
 */
void
eb_timers_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state)
{
	const struct eb_flow_ops *ops = flow->ops;
	enum eb_action acts[EB_ACTIONS_MAX];
	struct eb_slot *slot;
	const char *name = NULL;
	int64_t at = 0;
	size_t nact = 0;

	if ((slot = eb_system_slot(srv, id, flow)) == NULL)
		return;
	slot->finished = 0;             /* known again below */
	if (ops->next_actions != NULL)
		nact = ops->next_actions(state, acts, EB_ACTIONS_MAX);
	if (!has_action(acts, nact, EB_ACT_MAKE_OPENING_KEY))
		slot->key_failed = slot->key_requested = 0; /* try again
		                         * when it is due again */
	else if (!slot->key_requested && !slot->key_failed &&
	    !slot->inflight) {
		eb_opening_key_make(slot, state);
		return;
	}
	if (slot->ev != NULL)
		evtimer_del(slot->ev);
	slot->armed = 0;
	/* until the pool says they are recorded (after a restart: asked
	 * again, recorded once) */
	if (has_action(acts, nact, EB_ACT_RECORD_APPOINTMENTS) &&
	    slot->appointed == 0)
		eb_appointments_record(slot, state);
	if (has_action(acts, nact, EB_ACT_CLEAR_BIDS) && !slot->inflight) {
		struct eb_doc *cmd = eb_doc_new("clear-bids");

		eb_doc_set_attr(cmd, flow->attr, id);
		eb_system_submit(slot, cmd);
		return;
	}
	if (ops->next_timer == NULL || !ops->next_timer(state, &at, &name)) {
		/* nothing will ever be due: the slot goes once idle */
		if (eb_state_in(flow->kind, EB_STATES_FINAL,
		    ops->state_name(state)))
			eb_system_finished(slot);
		return;
	}
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	slot->at = at;
	if (strcmp(name, "open-bids") == 0) {
		/* the opening reads the log; do it when due */
		if (at <= eb_clock_now(&srv->clock) && !slot->inflight)
			eb_opening_start(slot, state);
		else
			arm(slot);
		return;
	}
	arm(slot);
}

static void
fire_due(struct eb_slot *s, void *arg)
{
	const int64_t *now = arg;

	if (s->armed && !s->inflight && s->at <= *now)
		fire(s);
}

/* Driven clock: fire every slot that is now due. */
void
eb_timers_clock_moved(struct eb_server *srv)
{
	int64_t now = eb_clock_now(&srv->clock);

	eb_system_foreach_slot(srv, fire_due, &now);
}

