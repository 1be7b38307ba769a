/*
 * engine/core/tender_int.h
 *    What the files of the tender state machine share, and nothing else:
 *    the tender's state (struct tender), its limits, the shape of the
 *    transition table (struct row), the small helpers, and the functions
 *    one file defines and another calls.  Private to engine/core: not
 *    installed, not included outside engine/core/tender*.c; the interface
 *    is engine/core/tender.h.
 *
 * Owner: the tender-flow engineer.
 *
 * The files, one concept each (see engine/core/README.md):
 *    tender.c             states, helpers, the table, decide, timers,
 *                         rights and duties, eb_tender_flow
 *    tender_who.c         who checks and separation of duties
 *    tender_register.c    registration (受理)
 *    tender_bidding.c     announcement to deadline
 *    tender_opening.c     shares, opening, clearing (清标)
 *    tender_draw.c        expert draw and appointments
 *    tender_evaluation.c  scores, deviations, close-evaluation
 *    tender_confirm.c     report, publicity, objections, verification, award
 *    tender_exits.c       cancellation, suspension, incidents
 *    tender_apply.c       apply: folding events
 *    tender_records.c     the records invariant
 *    tender_view.c        view: who sees what
 *
 * Pure: no I/O, no clock, no floating point.
 */
#ifndef EB_TENDER_INT_H
#define EB_TENDER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/tender.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"

/* Shared by the tender's files only: never exported from a binary. */
#pragma GCC visibility push(hidden)

#define S(x) EB_TS_BIT(x)
#define R(x) EB_ROLE_BIT(EB_ROLE_##x)

#define MAX_CUSTODIANS 16
#define MAX_COMMITTEE 49
#define MAX_SIGNUPS 4096
#define MAX_OBJECTIONS 256
#define MAX_NOTICES 1000          /* clarifications + amendments */
#define MAX_RETURNS 100           /* return/resubmit rounds */
#define MAX_CANDIDATES 3
#define MIN_VALID_BIDS 3          /* 实施条例 Art. 44 */
#define OBJECTION_ANSWER_DAYS 3   /* 实施条例 Art. 54 */
#define DEFAULT_NOTICE_DAYS 15
#define DEFAULT_PUBLICITY_DAYS 3
#define MIN_PUBLICITY_DAYS 3

#define OFFICERS (R(REGISTRAR) | R(SUPERVISOR) | R(VERIFIER))
#define OFFICIALS (OFFICERS | R(AUDITOR) | R(SYSTEM))

#define LIVE (~(S(EB_TS_NEW) | S(EB_TS_CLOSED) | S(EB_TS_FAILED) | \
    S(EB_TS_CANCELLED)) & ((1u << EB_TS_COUNT) - 1))
#define CANCELLABLE (LIVE & ~S(EB_TS_CANCELLATION_REQUESTED))
#define SUSPENDABLE (LIVE & ~(S(EB_TS_CANCELLATION_REQUESTED) | \
    S(EB_TS_SUSPENDED)))

struct tender {
	char id[EB_ID_MAX];
	enum eb_tender_state state;
	enum eb_tender_state resume_state;  /* SUSPENDED returns here */
	enum eb_tender_state cancel_return; /* refused cancellation returns */
	int64_t seq;                        /* events applied */

	/* registration (受理) */
	char tenderer[EB_ID_MAX];
	char tenderer_org[EB_NAME_MAX];
	struct eb_doc *reg;                 /* normalized <registration> */
	int64_t deadline, opening, ceiling, notice_ms, publicity_ms;
	int64_t committee_size, threshold;
	struct eb_doc *returns;             /* <returns><return ..><reason/> */
	struct eb_doc *acceptance;          /* <acceptance at by/> or NULL */

	/* organization (组织) */
	struct eb_doc *announcement;
	struct eb_doc *key;                 /* <opening-key> with sealed shares */
	struct eb_doc *shares;              /* <shares><share custodian= .../> */
	struct eb_doc *signups;             /* <sign-ups><sign-up bidder status> */
	struct eb_doc *notices;             /* clarifications and amendments */
	struct eb_doc *bids;                /* <bids><bid bidder commitment ..> */
	struct eb_doc *deadline_rec;        /* <deadline-reached at bids=> */
	struct eb_doc *opening_rec;         /* <opening-record> */
	int64_t nopened;
	struct eb_doc *clearing;            /* <clearing-report> */
	struct eb_doc *draw;                /* <draw commitment at by> */
	struct eb_doc *committee;           /* <committee><member status ..> */
	struct eb_doc *drawn;               /* the draw module's <committee> */
	struct eb_doc *scores;              /* <scores><score-sheet expert=> */
	struct eb_doc *result;              /* <result><candidate rank bidder> */
	struct eb_doc *report;              /* <report><signature expert sha256> */
	struct eb_doc *coefficient;         /* <coefficient-drawn value index> */

	/* confirmation (确认) */
	struct eb_doc *publicity;           /* <publicity start end> */
	int64_t publicity_end;
	int64_t objection_since;
	int64_t open_objections;
	struct eb_doc *objections;
	struct eb_doc *publicity_over;
	struct eb_doc *verification;        /* <verification-record> */
	struct eb_doc *award;
	struct eb_doc *closed;

	/* exits */
	struct eb_doc *failure;
	struct eb_doc *cancellation;
	struct eb_doc *suspension;
	int64_t suspended_at;

	struct eb_doc *actors;              /* <actors><actor person role/> */
	struct eb_doc *history;             /* <history><step ...> */
	struct eb_doc *incidents;           /* <incidents><incident step code> */
};

/* ------------------------------------------------------------------ */
/* the transition table: declarations                                   */
/* ------------------------------------------------------------------ */

enum clock { CK_NONE, CK_DEADLINE, CK_OPENING, CK_PUBLICITY_END,
	CK_OBJECTION_ANSWER };

typedef int who_fn(const struct tender *, const struct eb_actor *,
    struct eb_error *);
typedef int guard_fn(const struct tender *, const struct eb_cmd *,
    struct eb_doc *events, struct eb_error *);

struct row {
	const char *command;
	uint32_t roles;
	uint32_t states;
	who_fn *who;           /* this caller on this tender; NULL: anyone */
	guard_fn *guard;       /* body, rule, events */
	int to, alt;           /* target state(s) */
	uint32_t duty;         /* roles for which it is a "must" */
	enum clock until;      /* "may ... until" / "must ... by" */
	const char *events;
	const char *summary;
};

/* tender.c: small helpers */
void iso(int64_t ms, char out[EB_ISOTIME_LEN]);
void set_time(struct eb_doc *d, const char *name, int64_t ms);
int attr_time(const struct eb_doc *d, const char *name, int64_t *ms);
int is_sha256(const char *s);
int is_base64(const char *s);
int nonblank(const char *s);
const char *person_of(const struct eb_actor *a);
struct eb_doc *find_by(const struct eb_doc *list, const char *name,
    const char *attr, const char *v);
int attr_is(const struct eb_doc *d, const char *name, const char *v);
size_t count_attr(const struct eb_doc *list, const char *name,
    const char *attr, const char *v);
int missing(struct eb_error *err, const char *cmd, const char *field);
struct eb_doc *ev_add(struct eb_doc *events, const char *name,
    const struct eb_cmd *c);
int copy_reasons(const struct eb_doc *body, struct eb_doc *to);
int reasons_required(struct eb_error *err, const char *cmd);
int require_text(const struct eb_doc *body, const char *name,
    const char *cmd, const char **out, struct eb_error *err);

/* tender.c: the only writer of t->state */
int tender_set_state(struct tender *t, enum eb_tender_state to,
    struct eb_error *err);

/* tender_who.c */
who_fn who_tenderer, who_signed_up_bidder, who_new_sign_up, who_bid_holder,
    who_custodian, who_pending_expert, who_accepted_expert,
    who_bidder_who_bid;
struct eb_doc *member_of(const struct tender *t, const char *party);
int separation(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err);

/* tender_register.c */
guard_fn g_register, g_resubmit, g_return, g_accept;
int g_simple(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, const char *event);
int load_registration(struct tender *t, const struct eb_doc *r,
    struct eb_error *err);

/* tender_bidding.c */
guard_fn g_announce, g_set_key, g_sign_up, g_confirm_sign_up,
    g_reject_sign_up, g_clarify, g_amend, g_submit_bid, g_withdraw_bid,
    g_deadline;
void fail_event(struct eb_doc *events, const struct eb_cmd *c,
    const char *cause, int64_t valid);

/* tender_opening.c */
guard_fn g_submit_share, g_open, g_clear;
int opened_valid(const struct tender *t, const char *bidder);
struct eb_doc **opened_bids(const struct tender *t, int valid_only,
    size_t *n);
void free_bids(struct eb_doc **bids, size_t n);
void history_digest(const struct tender *t, uint8_t out[EB_SHA256_LEN]);

/* tender_draw.c */
guard_fn g_request_draw, g_draw, g_accept_appt, g_decline_appt;

/* tender_evaluation.c */
guard_fn g_scores, g_explain, g_close_eval;
const struct eb_doc *eval_rules(const struct tender *t);
struct eb_doc *eval_rules_drawn(const struct tender *t);
int scored_bidders(const struct tender *t, const struct eb_doc *rules,
    struct eb_doc ***bids, size_t *nb, const char ***names, size_t *n,
    const char ***reasons, struct eb_error *err);

/* tender_confirm.c */
guard_fn g_sign_report, g_publish, g_object, g_answer, g_publicity_ended,
    g_verify, g_award, g_close;

/* tender_exits.c */
guard_fn g_request_cancel, g_countersign, g_refuse_cancel, g_suspend,
    g_resume, g_incident;

/* tender_apply.c, tender_view.c: the flow's apply and view */
int tender_apply(void *st, const struct eb_doc *events, struct eb_error *err);
struct eb_doc *tender_view(const void *st, const struct eb_actor *v);

#pragma GCC visibility pop

#endif
