/*
 * engine/server/system.h
 *    ebidd acting as the system role: one slot per aggregate it acts on
 *    (its timer, the steps in flight, what it reported), and its own
 *    commands, signed with the server's key, checked against the schema
 *    every auditor applies and submitted through the same pipeline as
 *    every party's command (commands.h), so they are decided by the same
 *    rules and chained in the same log.  When one of its steps on a tender
 *    is refused, it appends a report-incident to that tender, once per
 *    step until another step succeeds.
 *
 * Who uses it: timers.c (the timers and the core's next_actions),
 * opening_key.c, opening.c, appointments.c.
 *
 * Owns: struct eb_system (srv->sys: the slot table; eb_system_free())
 * and every struct eb_slot in it.  Loop thread.
 *
 * INTERFACE
 *    eb_system_init(), eb_system_free()
 *    eb_system_slot()            - the slot of an aggregate (made if new)
 *    eb_system_foreach_slot()
 *    eb_system_hold(), eb_system_release() - a job refers to a slot
 *    eb_system_finished()        - the aggregate is final: free its slot
 *                                  when no job refers to it
 *    eb_system_submit()          - sign and submit one of ebidd's commands
 *    eb_system_submit_for()      - ... reporting a refusal to a tender
 *    eb_system_submit_opened()   - ... open-bids, its bids not parsed again
 *    eb_system_report_incident() - a failed step into the tender's log
 */
#ifndef EB_SERVER_SYSTEM_H
#define EB_SERVER_SYSTEM_H

#include <stdint.h>

#include "engine/core/flows.h"
#include "engine/server/idmap.h"
#include "protocol/doc.h"
#include "protocol/err.h"

/* At most this many bytes in one of ebidd's own commands. */
#define EB_SYSTEM_CMD_MAX ((size_t)256 << 20)

struct eb_server;
struct event;

/* What ebidd does on one aggregate.  Fields by owner. */
struct eb_slot {
	struct eb_idmap_node node;    /* system.c: the table */
	struct eb_server *srv;
	const char *id;               /* node.id */
	const struct eb_flow_entry *flow;
	int refs;                     /* jobs and openings that point here */
	int finished;                 /* final state: freed when refs is 0 */
	/* timers.c */
	char name[48];                /* the command due at 'at' */
	int64_t at;
	int armed;                    /* waiting for 'at' */
	struct event *ev;             /* freed with the slot */
	/* system.c: its command is being decided */
	int inflight;
	/* opening_key.c (tender) */
	int key_requested;            /* set-opening-key submitted */
	int key_failed;               /* the opening key could not be made
	                               * (reported); retried when the action
	                               * stops being due and comes back
	                               * (suspend, resume) */
	/* system.c: the step last reported as an incident */
	char incident[48];
	/*
	 * appointments.c (tender): the committee's appointments in the pool:
	 * 0 not known to be recorded, 1 being recorded, 2 recorded (the pool
	 * said so: accepted, or appointments-already-recorded).  Only a
	 * cache: the pool's log is the truth and record-appointment is
	 * idempotent per (tender, expert), so a restart or a second ebidd
	 * asks again and records nothing twice.
	 */
	int appointed;
};

/* Checks the server certificate carries the system role; sets srv->actor. */
int eb_system_init(struct eb_server *srv, struct eb_error *err)
    EB_MUSTCHECK;
void eb_system_free(struct eb_server *srv);

/* The slot of aggregate 'id' (made on first use); NULL without srv->sys. */
struct eb_slot *eb_system_slot(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow);
void eb_system_foreach_slot(struct eb_server *srv,
    void (*fn)(struct eb_slot *, void *), void *arg);

void eb_system_hold(struct eb_slot *slot);
void eb_system_release(struct eb_slot *slot);
/* A slot is never freed before its aggregate reaches a final state (the
 * core's list, states.h): it keeps what ebidd did there.  'slot' may be
 * gone when this returns. */
void eb_system_finished(struct eb_slot *slot);

/* Sign 'doc' (takes ownership) and submit it for 'slot'; a refusal on a
 * tender is reported to that tender. */
void eb_system_submit(struct eb_slot *slot, struct eb_doc *doc);
/* ... reporting a refusal to tender 'report_to' (may be NULL). */
void eb_system_submit_for(struct eb_slot *slot, struct eb_doc *doc,
    struct eb_slot *report_to);
/*
 * eb_system_submit() of an open-bids record whose every <bid> passed the
 * schema as it was opened (protocol/opening.c): the schema check of what
 * ebidd signs then covers the record without the bids and their inner
 * documents (both optional in the schema), so no bid is parsed twice.
 */
void eb_system_submit_opened(struct eb_slot *slot, struct eb_doc *doc);
void eb_system_report_incident(struct eb_slot *slot, const char *step,
    const struct eb_error *e);

#endif
