/*
 * engine/core/pool.h
 *    The expert pool (专家库) as an aggregate: who may be drawn.
 *
 * One pool aggregate (kind "pool"; commands carry pool="ID" on their
 * root) holds every registered expert: party (certificate UID), person
 * (natural person id), name, employer org, specialty, status, and the
 * instants of past appointments, so the draw (draw.h) can avoid
 * conflicts and experts drawn too often recently.
 *
 * Commands (decide) and the events they produce (all inside <events>):
 *    <register-expert pool= party= person= name= org= specialty=/>
 *        registrar only; party must be new.
 *        -> <expert-registered party person name org specialty at/>
 *    <suspend-expert pool= party= reason=/>    registrar; active expert
 *        -> <expert-suspended party reason at/>
 *    <reinstate-expert pool= party=/>          registrar; suspended expert
 *        -> <expert-reinstated party at/>
 *    <record-appointment pool= tender=> <expert party=/>... </record-appointment>
 *        system (ebidd, when a tender's draw appoints experts); every
 *        party must be registered.
 *        -> <expert-appointed party tender at/> per expert
 *    <configure-assessment pool=> <criterion name= max=/>{1,16}
 *        <draw-rule period-days= min-percent=? max-unexplained=?/>?
 *        registrar: the centre's criteria (each an integer 0..max) and the
 *        draw's rule on ratings; replaces the earlier ones.
 *        -> <assessment-configured at> (same children)
 *    <rate-expert pool= job=TENDER expert=PARTY unexplained=N?>
 *        <score criterion= value=/>... <text>?
 *        supervisor, once per (tender, expert, officer); cmd->facts is the
 *        tender's view as the system sees it at its head (ebidd attaches
 *        it, like a subject's: subject.h), with head-seq and head-hash.
 *        The tender's evaluation is closed (evaluated ... closed), the
 *        expert sat on its committee (member status accepted), every
 *        criterion rated once on its scale, 'unexplained' (default 0) at
 *        most the deviation alerts on the expert in the tender's result
 *        (explain-deviation, evaluation.h).
 *        -> <expert-rated party tender rater score deviations unexplained
 *           tender-seq tender-hash at> <score criterion value/>... <text>?
 *           (score: sum of values * 10000 / sum of maxes, rounded down)
 *    <rate-agency pool= job=TENDER> <score criterion= value=/>... <text>?
 *        the tender's tenderer (not one of its agency's representatives:
 *        those the registration recorded, nor, from rules 4, one the
 *        agency's subject facts in cmd->agency_facts list as authorised
 *        at the command's instant) or a supervisor, once per (tender,
 *        rater), on the
 *        <agency-criterion name= max=/> of configure-assessment; the
 *        tender (facts, as for rate-expert) has ended (closed, failed,
 *        cancelled) and its registration named an agency (<agency>,
 *        subject.h eb_subject_agency).
 *        -> <agency-rated agency name tender rater rater-role score
 *           tender-seq tender-hash agency-seq agency-hash at> <score/>...
 *           <text>? (agency-seq/-hash: the subject entry of the facts,
 *           when they came)
 *           <representative party/>... (the agency's, from the tender)
 *    'at' is the command's server instant (ISO text, protocol/isotime.h).
 *    Refusals: EB_ERR_DENIED "role-not-allowed", EB_ERR_FORMAT
 *    "bad-command", EB_ERR_CONFLICT "expert-exists", EB_ERR_NOTFOUND
 *    "no-such-expert", EB_ERR_STATE "expert-not-active" /
 *    "expert-not-suspended"; assessment: EB_ERR_FORMAT
 *    "bad-assessment-rules", EB_ERR_STATE "no-assessment-rules" /
 *    "evaluation-not-closed", EB_ERR_NOTFOUND "no-such-tender",
 *    EB_ERR_RULE "expert-not-seated" / "bad-rating" /
 *    "unexplained-exceeds-deviations", EB_ERR_CONFLICT "already-rated";
 *    rate-agency also EB_ERR_STATE "tender-not-closed", EB_ERR_RULE
 *    "no-agency-named".
 *
 * View (<pool id= experts="n">): registrar, supervisor, verifier, auditor
 * and system see every expert:
 *    <expert party person name org specialty status="active|suspended">
 *      <appointment tender at/>...</expert>
 * (experts in registration order, appointments in time order), then
 * each <rating> (the expert-rated event without party, tender-seq,
 * tender-hash) and a <period year ratings score unexplained/> per
 * calendar year of the ratings (score: their mean, rounded down), then
 * every <agency subject name> with its <rating>s and <period year
 * ratings score/>s.  Every viewer sees the <assessment at> rules first.
 * A party that is the agency's representative, authorised at the
 * instant of the read (eb_pool_view_at with the agency subjects' views:
 * authorisation judged at the time of the action, not at the tender's
 * registration), sees that agency's record (and no expert's); the plain
 * view (no facts) shows no agency to anyone but the officers.  An expert sees its own
 * <expert> record only; other roles see only the count: committee names
 * are sealed (实施条例 Art. 41).
 *
 * State name: "open" (the pool has no lifecycle).  No timers.
 *
 * Pure: libc and protocol plain types.
 *
 * INTERFACE
 *    eb_pool_flow      - the struct eb_flow_ops of the pool aggregate
 *    eb_pool_view_at() - the view with the agencies' facts at an instant
 *    eb_pool_agencies()- the agency subjects the pool holds ratings of
 */
#ifndef EB_POOL_H
#define EB_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/flow.h"

extern const struct eb_flow_ops eb_pool_flow;

/*
 * The pool's view for 'viewer' (as eb_pool_flow.view) where the
 * representative's right to its agency's ratings is judged at 'now'
 * (ms UTC, the server's clock at the read): 'subjects' is a <subjects>
 * holding the views of the agency subjects (eb_pool_agencies) as the
 * system sees them; an agency whose subject lists viewer->party as a
 * representative authorised at 'now' (subject.h
 * eb_subject_represents) is shown.  NULL subjects: none.  A new tree.
 */
struct eb_doc *eb_pool_view_at(const void *st, const struct eb_actor *viewer,
    const struct eb_doc *subjects, int64_t now);

/* The subject ids of the agencies the pool holds ratings of, the first
 * 'max' into ids (borrowed from the state; ids may be NULL when max is
 * 0); returns how many there are. */
size_t eb_pool_agencies(const void *st, const char **ids, size_t max);

#endif
