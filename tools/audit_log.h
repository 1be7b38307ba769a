/*
 * tools/audit_log.h
 *    An aggregate's log as ebid-audit holds it, loaded from an exported
 *    file (protocol/xsd/audit.xsd) or straight from PostgreSQL, and the
 *    checks that make the auditors' promise: every link, every signature,
 *    every receipt, every signed chain head, and a replay through
 *    engine/core that must give exactly the recorded events.
 *
 * The log value and its export format are protocol/logdoc.h.
 *
 * INTERFACE
 *    eb_audit_verify()        - run every check; names the first failing entry
 *    eb_audit_add_heads()     - heads kept outside the log (receipts, board)
 *    eb_audit_add_heads_file() - the same, from a file (tools/audit_heads.c)
 *    eb_audit_timeline()      - a readable timeline for a person
 *    eb_audit_set_subjects()  - where the replay finds trading subjects'
 *                               logs (docs/registries.md)
 *    eb_audit_set_jobs()      - threads for the per-entry checks
 *                               (tools/audit_timeline.c)
 */
#ifndef EB_AUDIT_LOG_H
#define EB_AUDIT_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "protocol/actor.h"
#include "protocol/logdoc.h"
#include "protocol/doc.h"
#include "protocol/err.h"
#include "protocol/hash.h"
#include "protocol/pki.h"
#include "protocol/xml.h"

struct eb_audit_result {
	int64_t entries_checked;
	int64_t signatures_checked;
	int64_t receipts_checked;
	int64_t heads_checked;
	int64_t failed_seq;             /* 0 when everything holds */
	char final_state[64];
};

/*
 * Verify everything (see above).  Returns EB_OK when every check holds;
 * otherwise EB_ERR_DENIED / EB_ERR_CRYPTO / EB_ERR_FORMAT with 'err' naming
 * the first entry that does not hold and why, and res->failed_seq set.
 * 'schema' validates each command's content as ebidd did.
 */
int eb_audit_verify(const struct eb_audit_log *l, const struct eb_trust *t,
    const struct eb_schema *schema, struct eb_audit_result *res,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * eb_audit_verify() of a log still being read (tools/audit_db.h, the
 * streamed load): 'feed'(arg, i) returns 1 once entry i of 'l' is there,
 * 0 when no more come (then l->n is final).  Entries whose stored events
 * are not parsed yet (events NULL, events_bytes set) are parsed by the
 * checks and kept in the entry; one that does not parse fails
 * "bad-stored-events" at its entry.
 */
typedef int (*eb_audit_feed_fn)(void *arg, size_t i);
int eb_audit_verify_fed(const struct eb_audit_log *l, eb_audit_feed_fn feed,
    void *arg, const struct eb_trust *t, const struct eb_schema *schema,
    struct eb_audit_result *res, struct eb_error *err) EB_MUSTCHECK;

/*
 * Add the signed chain heads held by 'd' -- a bidder's receipt proof
 * (<accepted>, protocol/inclusion.h), the public board's <chain-heads>
 * (GET /v1/heads/ID) or another export -- to 'l', so eb_audit_verify()
 * checks them like its own: a head naming an entry the log lacks (a cut
 * tail) or another hash (a rewrite) fails.
 */
int eb_audit_add_heads(struct eb_audit_log *l, const struct eb_doc *d,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * Read the file 'path' and add the signed chain heads it holds
 * (tools/audit_heads.c): a receipt's .proof, GET /v1/heads/ID, an export,
 * or the public board's page GET /heads/ID saved as served (HTML).
 */
int eb_audit_add_heads_file(struct eb_audit_log *l, const char *path,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * Print a readable timeline of what the log records (tools/audit_timeline.c):
 * per entry time, actor, role, command and outcome, then the details a
 * person needs (amounts in yuan, bidding numbers, bids as opened, the
 * clearing verdicts and why a bid is invalid, ranks, reasons given).
 * Call it on a log eb_audit_verify() passed; with EB_TIMELINE_UNVERIFIED
 * every line starts with "UNVERIFIED " (ebid-audit replay --unverified).
 */
#define EB_TIMELINE_UNVERIFIED 1u
int eb_audit_timeline(const struct eb_audit_log *l, const struct eb_trust *t,
    const struct eb_schema *schema, unsigned flags, FILE *out,
    struct eb_error *err) EB_MUSTCHECK;

/*
 * A tender's or sale's entry decided on a trading subject's facts
 * (engine/core/subject.h) names the subject's entry (subject-seq,
 * subject-hash in its events): the replay folds that subject's log to
 * that entry and hands its view to the core, exactly as ebidd did.
 * 'fn' returns the subject's log, already verified (NULL and 'err' set
 * when it has none).  Without a source such an entry fails with
 * "subject-log-missing".  One source per process (ebid-audit's).
 */
typedef const struct eb_audit_log *(*eb_audit_subject_fn)(void *arg,
    const char *id, struct eb_error *err);
void eb_audit_set_subjects(eb_audit_subject_fn fn, void *arg);

/*
 * Threads for the per-entry checks of eb_audit_verify() (signatures,
 * receipts, opened bids, parse: tools/audit_checks.h); 0 (the default)
 * is one per online core, 1 none.  The results, messages and codes are
 * the same whatever the number.  One setting per process.
 */
void eb_audit_set_jobs(int jobs);

#endif
