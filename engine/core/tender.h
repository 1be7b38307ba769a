/*
 * engine/core/tender.h
 *    The procurement tender (招标项目) as an explicit, table-driven state
 *    machine: registration (受理) -> organization (组织) -> confirmation
 *    (确认), with the exits failed (流标), cancelled and suspended.
 *
 * Owner: the tender-flow engineer (engine/core/tender.c holds the table).
 *
 * The flow is one table: each row is a command with the roles allowed to
 * issue it, the states it is allowed in, the "who on this tender" check,
 * the guard that builds its events, the state it leads to, and the duty
 * it represents.  Everything else is generated from that table: the
 * refusal messages ("allowed now: ..."), the rights-and-duties notice
 * (eb_tender_duties), the state diagram and the role matrix printed by
 * tools/ebid-flowdoc, and the table test (tests/unit/test_tender_table.c).
 *
 * Invariants:
 *  - decide() never mutates; apply() is the only writer of the state, and
 *    the state field is assigned in one function only (tender_set_state,
 *    which refuses a transition the table does not contain).
 *  - No state is reached without the records of every step before it
 *    (eb_tender_check_records() checks this for the current state).
 *  - The core reads no clock: cmd->time is the instant; timers are
 *    announced by next_timer() and come back as system commands.
 *  - Replay: the same events applied to a fresh tender in order give the
 *    same state and the same canonical view.
 *
 * Pure: libc, protocol/doc.h, protocol/hash.h, protocol/isotime.h.
 *
 * INTERFACE
 *    eb_tender_flow            - the eb_flow_ops of the tender aggregate
 *    eb_tender_duties()        - rights and duties (权利义务告知) of a viewer
 *    eb_tender_state()         - the current state (enum eb_tender_state)
 *    eb_tender_check_records() - the records the current state requires
 *    eb_tender_state_count/name/stage() - the states
 *    eb_tender_row_*()         - the transition table, row by row
 */
#ifndef EB_TENDER_H
#define EB_TENDER_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/flow.h"

enum eb_tender_state {
	EB_TS_NEW = 0,            /* created, nothing registered yet */
	EB_TS_SUBMITTED,          /* registration awaits the registrar */
	EB_TS_RETURNED,           /* returned with reasons to the tenderer */
	EB_TS_ACCEPTED,           /* registration accepted */
	EB_TS_ANNOUNCED,          /* announcement out; sign-ups open */
	EB_TS_BIDDING,            /* opening key set; bids accepted */
	EB_TS_AWAITING_OPENING,   /* deadline reached; custodians' shares */
	EB_TS_OPENED,             /* bids opened; awaiting the clearing report */
	EB_TS_CLEARED,            /* clearing report recorded */
	EB_TS_DRAW_REQUESTED,     /* supervisor committed to the draw */
	EB_TS_EVALUATION,         /* committee drawn; experts scoring */
	EB_TS_EVALUATED,          /* evaluation closed with candidates */
	EB_TS_PUBLICITY,          /* candidates publicised (公示) */
	EB_TS_OBJECTION,          /* an objection stops the flow */
	EB_TS_PUBLICITY_OVER,     /* publicity ended, awaiting verification */
	EB_TS_VERIFIED,           /* verification record issued */
	EB_TS_AWARDED,            /* award notice issued */
	EB_TS_CLOSED,             /* terminal */
	EB_TS_FAILED,             /* terminal: 流标 */
	EB_TS_CANCELLATION_REQUESTED, /* awaits the verifier's countersignature */
	EB_TS_CANCELLED,          /* terminal */
	EB_TS_SUSPENDED,          /* stopped by the supervisor */
	EB_TS_COUNT
};

#define EB_TS_BIT(s) (1u << (s))

/* Row target pseudo-states (eb_tender_row_to / _alt). */
#define EB_TS_KEEP (-1)    /* the command leaves the state as it is */
#define EB_TS_BACK (-2)    /* returns to the state it was suspended from */
#define EB_TS_NONE (-3)    /* no alternative outcome */

extern const struct eb_flow_ops eb_tender_flow;

/*
 * Rights and duties of 'viewer' on the tender now: a new tree
 *   <duties role= state= tender=>
 *     <may command= until=?/> ...   what the viewer may do now
 *     <must command= by=?/> ...     what the viewer must do, and by when
 *   </duties>
 * generated from the transition table (a row counts for the viewer when
 * its role, the state and the viewer's own standing on this tender allow
 * it).  Caller frees with eb_doc_free().
 */
struct eb_doc *eb_tender_duties(const void *st, const struct eb_actor *viewer);

/*
 * Is 'member' (a <member> of the view's <committee>) seated: did the
 * expert accept the appointment?  (ebidd records the seated in the pool,
 * EB_ACT_RECORD_APPOINTMENTS.)
 */
int eb_tender_member_seated(const struct eb_doc *member);

/* The current state of tender 'st'. */
enum eb_tender_state eb_tender_state(const void *st);

/*
 * Check that 'st' holds the records of every step its state requires
 * (registration, acceptance, announcement, key, deadline, opening record,
 * clearing, draw, committee, scores, result, publicity, verification,
 * award...).  Returns EB_OK, or EB_ERR_INTERNAL with reason
 * "missing-record" and the missing record named in err.
 */
int eb_tender_check_records(const void *st, struct eb_error *err);

/* -- states ------------------------------------------------------------ */
size_t eb_tender_state_count(void);
/* "bidding", ...; "?" when out of range.  Static strings. */
const char *eb_tender_state_name(size_t s);
/* "registration", "organization", "confirmation" or "exit". */
const char *eb_tender_state_stage(size_t s);

/* -- the transition table ---------------------------------------------- */
size_t eb_tender_row_count(void);
const char *eb_tender_row_command(size_t i);
uint32_t eb_tender_row_roles(size_t i);      /* EB_ROLE_BIT() mask */
uint32_t eb_tender_row_states(size_t i);     /* EB_TS_BIT() mask */
uint32_t eb_tender_row_duty_roles(size_t i); /* roles for which it is a duty */
int eb_tender_row_to(size_t i);              /* state, EB_TS_KEEP or _BACK */
int eb_tender_row_alt(size_t i);             /* other outcome or EB_TS_NONE */
const char *eb_tender_row_events(size_t i);  /* event names, space-separated */
const char *eb_tender_row_summary(size_t i); /* one line for the docs */

#endif
