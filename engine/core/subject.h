/*
 * engine/core/subject.h
 *    A trading subject (交易主体) as an aggregate: an organisation the
 *    centre registered once, its qualifications, its authorised trade
 *    representatives and its integrity record (findings, sanctions,
 *    objections); and the admission check a tender or a sale runs on it.
 *
 * Owner: the registries engineer (docs/registries.md).
 *
 * One subject aggregate (kind "subject", id "O-2026-0001"; commands carry
 * subject="ID" on their root, register-subject none: it creates one).
 *
 * Commands (decide) and the events they produce (inside <events>, each
 * with at = the command's server instant):
 *    <register-subject code= name= kind=> <qualification/>* <representative/>*
 *        registrar; a new subject only; code: unified social credit code
 *        (18 characters, check digit of GB 32100-2015); kind: bidder,
 *        tenderer, agency, auction-firm, transferor.
 *        -> <subject-registered code name kind> <qualification/>*
 *           <representative/>* </subject-registered>
 *    <amend-qualifications subject=> <qualification kind= grade= from= to=/>*
 *        registrar: the whole list again -> <qualifications-amended>...
 *    <authorise-representative subject= person= party= scope= from= to=/>
 *        registrar; party not already authorised -> <representative-authorised>
 *    <revoke-representative subject= party= [reason=]/>  registrar
 *        -> <representative-revoked party reason?>
 *    <suspend-subject subject= reason=/>, <reinstate-subject subject=/>
 *        registrar -> <subject-suspended reason>, <subject-reinstated>
 *    <record-finding subject= kind= sanction="warning|exclusion" from= to=>
 *        <evidence aggregate= seq= hash=/>+ <text>?</record-finding>
 *        supervisor -> <finding-recorded no= ...> (same children)
 *    <object-to-finding subject= finding=N> <text/> </object-to-finding>
 *        a representative of the subject, once per finding
 *        -> <objection-filed finding party> <text/>
 *    <answer-finding-objection subject= finding=N decision="maintained|lifted">
 *        <text/> </answer-finding-objection>   supervisor, an objection filed
 *        -> <objection-answered finding decision> <text/>  (lifted: the
 *        sanction is no longer in force)
 *  qualification: kind (token), grade (1 = the highest grade, 9 the
 *  lowest), from/to (instants, inclusive); representative: person (the
 *  certificate's serialNumber), party (the certificate's UID), scope
 *  ("tender", "sale" or "all"), from/to.
 *
 * View: the record <subject id= code= name= kind= status="registered|
 * suspended" seq=> with <qualification/>, <representative status=
 * "authorised|revoked"/>, <finding no= status="in-force|lifted"/>.  Every
 * certificate holder may read it; person ids of representatives only the
 * officers, auditors and the system.
 *
 * State name: "new", "registered" or "suspended".  No timers, no actions.
 *
 * THE ADMISSION CHECK (docs/registries.md).  The core of a tender cannot
 * read another aggregate: the facts reach it with the command.  A tender
 * or sale command naming subject="ID" is given by ebidd, in cmd->facts,
 * the subject's view as the system sees it at its head, with head-seq and
 * head-hash attributes; eb_subject_admit() decides on those facts alone
 * and writes subject=, subject-seq= and subject-hash= into the event, so
 * ebid-audit folds the subject's own log to that entry and replays the
 * same decision.
 *
 * Pure: libc, protocol/doc.h, protocol/isotime.h.
 *
 * INTERFACE
 *    eb_subject_flow        - the struct eb_flow_ops of the subject aggregate
 *    eb_subject_admit()     - may this command's actor act for its subject?
 *    eb_subject_agency()    - the agency a tender names, in good standing?
 *    eb_subject_code_valid()- GB 32100-2015 unified social credit code check
 */
#ifndef EB_SUBJECT_H
#define EB_SUBJECT_H

#include <stdint.h>

#include "engine/core/flow.h"

extern const struct eb_flow_ops eb_subject_flow;

/*
 * Admission of cmd's actor on a tender or a sale whose registration is
 * 'reg' (its rules/required-qualifications, if any: <qualification kind=
 * min-grade=/>...), for 'scope' ("tender" or "sale"), with the
 * qualifications valid on 'deadline'.
 *  - no required-qualifications and no subject= on the command: EB_OK,
 *    'event' untouched (the flow works exactly as without registries);
 *  - otherwise the command must name a subject, cmd->facts must be its
 *    view, the subject registered (not suspended), no exclusion in force
 *    at cmd->time, the actor a representative authorised for 'scope' at
 *    cmd->time, and each required qualification held at the minimum
 *    grade and valid on 'deadline'.
 * On success the reference (subject, subject-seq, subject-hash) is set on
 * 'event'.  'bound': the subject the actor signed up for (a tender's
 * submit-bid), or NULL: a command naming another subject, or none, is
 * refused "subject-mismatch" (EB_ERR_RULE).  Refusals: EB_ERR_DENIED "subject-required",
 * "not-authorised-representative", "subject-suspended", "subject-excluded";
 * EB_ERR_NOTFOUND "no-such-subject"; EB_ERR_RULE "qualification-missing",
 * "qualification-expired".
 */
int eb_subject_admit(const struct eb_doc *reg, int64_t deadline,
    const char *scope, const char *bound, const struct eb_cmd *cmd,
    struct eb_doc *event, struct eb_error *err);

/*
 * The agency a tender's registration names (register-tender agency=
 * 'sid'): cmd->facts must be that subject's view at its head (ebidd
 * attaches it as for eb_subject_admit), registered as kind "agency", in
 * good standing at cmd->time (not suspended, no exclusion in force).
 * *out: a new <agency subject= name= subject-seq= subject-hash=> with a
 * <representative party=/> per representative authorised at cmd->time
 * (they see the agency's ratings, pool.h).  Refusals: EB_ERR_NOTFOUND
 * "no-such-subject", EB_ERR_RULE "not-an-agency", EB_ERR_DENIED
 * "subject-suspended" / "subject-excluded".
 */
/*
 * 1 when 'facts' (a subject's view as the system sees it) lists 'party'
 * as a representative authorised at instant 't' (status "authorised",
 * from <= t <= to), of any scope; else 0.  Authorisation is judged at
 * the instant of the action (a read of the pool's agency ratings,
 * pool.h), never at an earlier registration.
 */
int eb_subject_represents(const struct eb_doc *facts, const char *party,
    int64_t t);

int eb_subject_agency(const struct eb_cmd *cmd, const char *sid,
    struct eb_doc **out, struct eb_error *err);

/* 1 when 's' is an 18-character unified social credit code whose last
 * character is its GB 32100-2015 check digit, else 0. */
int eb_subject_code_valid(const char *s);

#endif
