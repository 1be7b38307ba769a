/*
 * tools/audit_log.h
 *    An aggregate's log as ebid-audit holds it, loaded from an exported
 *    file (protocol/xsd/audit.xsd) or straight from PostgreSQL, and the
 *    checks that make the auditors' promise: every link, every signature,
 *    every receipt, every signed chain head, and a replay through
 *    engine/core that must give exactly the recorded events.
 *
 * Owns: struct eb_audit_log (eb_audit_log_free()).
 *
 * INTERFACE
 *    eb_audit_log_from_doc()  - load an export (<log> tree)
 *    eb_audit_log_to_doc()    - write an export
 *    eb_audit_verify()        - run every check; names the first failing entry
 *    eb_audit_timeline()      - a readable timeline for a person
 */
#ifndef EB_AUDIT_LOG_H
#define EB_AUDIT_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"
#include "protocol/hash.h"
#include "protocol/pki.h"
#include "protocol/xml.h"

struct eb_audit_entry {
	int64_t seq;
	int64_t time;
	struct eb_actor actor;          /* as recorded */
	char clock[16];
	uint8_t *command;               /* signed command DER */
	size_t command_len;
	uint8_t *receipt;               /* RFC 3161 token DER, or NULL */
	size_t receipt_len;
	struct eb_doc *events;          /* the recorded <events> */
	uint8_t prev[EB_SHA256_LEN];
	uint8_t hash[EB_SHA256_LEN];
};

struct eb_audit_head {
	int64_t seq;
	uint8_t hash[EB_SHA256_LEN];
	uint8_t *signature;             /* CMS SignedData by the server */
	size_t signature_len;
};

struct eb_audit_log {
	char aggregate[EB_ID_MAX];
	char kind[16];
	struct eb_audit_entry *entries;
	size_t n, cap;
	struct eb_audit_head *heads;
	size_t nheads, capheads;
};

struct eb_audit_log *eb_audit_log_new(const char *aggregate,
    const char *kind);
void eb_audit_log_free(struct eb_audit_log *l);
/* Append an entry (takes ownership of command, receipt and events). */
int eb_audit_log_add(struct eb_audit_log *l, struct eb_audit_entry *e)
    EB_MUSTCHECK;
int eb_audit_log_add_head(struct eb_audit_log *l, struct eb_audit_head *h)
    EB_MUSTCHECK;

/* Load from a <log> tree (see audit.xsd). */
int eb_audit_log_from_doc(const struct eb_doc *d, struct eb_audit_log **out,
    struct eb_error *err) EB_MUSTCHECK;
/* The <log> tree of 'l' (new, caller frees). */
struct eb_doc *eb_audit_log_to_doc(const struct eb_audit_log *l,
    const char *exported_at);

struct eb_audit_result {
	int64_t entries_checked;
	int64_t signatures_checked;
	int64_t receipts_checked;
	int64_t heads_checked;
	int64_t failed_seq;             /* 0 when everything holds */
	char final_state[64];
	struct eb_doc *final_view;      /* the replayed state (caller frees) */
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

/* Print a readable timeline (time, actor, role, action, outcome). */
int eb_audit_timeline(const struct eb_audit_log *l, const struct eb_trust *t,
    const struct eb_schema *schema, FILE *out, struct eb_error *err)
    EB_MUSTCHECK;

#endif
