/*
 * protocol/logdoc.h
 *    An aggregate's log as a value, and its exported form (the <log>
 *    document of protocol/xsd/audit.xsd): what ebidd writes for
 *    GET /v1/log/ID and what ebid-audit reads back.
 *
 * Owns: struct eb_audit_log (eb_audit_log_free()).
 *
 * INTERFACE
 *    eb_audit_log_new(), eb_audit_log_free(), eb_audit_log_add(),
 *    eb_audit_log_add_head(), eb_audit_log_add_server(),
 *    eb_audit_log_clear_servers()
 *    eb_audit_log_from_doc()  - load an export (<log> tree)
 *    eb_audit_log_to_doc()    - write an export
 */
#ifndef EB_LOGDOC_H
#define EB_LOGDOC_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"
#include "protocol/hash.h"

/*
 * The export format (<log format>).  1 (no attribute): entries hashed in
 * ebid's own canonical form, which escaped '>' in attribute values;
 * 2: entries hashed in W3C Canonical XML 1.0 (protocol/canon.h).  A
 * reader refuses any other (docs/audit.md "Log format versions").
 */
#define EB_LOG_FORMAT 2

/* The largest rules version a log entry may name (<entry rules>): the
 * reader keeps any version up to it, the replay knows which it has
 * (engine/core/cmd.h EB_RULES_CURRENT). */
#define EB_LOG_RULES_MAX 32767

struct eb_audit_entry {
	int64_t seq;
	int64_t time;
	struct eb_actor actor;          /* as recorded */
	char clock[16];
	int rules;                      /* rules version that decided it;
	                                 * 0: not recorded (version 1) */
	uint8_t *command;               /* signed command DER */
	size_t command_len;
	uint8_t *receipt;               /* RFC 3161 token DER, or NULL */
	size_t receipt_len;
	struct eb_doc *events;          /* the recorded <events> */
	/* the bytes log.events holds, when read from the database (NULL
	 * from an export): ebid-audit checks that they are the canonical
	 * form of 'events' and hashes them (tools/audit_canon.h) */
	uint8_t *events_bytes;
	size_t events_len;
	uint8_t prev[EB_SHA256_LEN];
	uint8_t hash[EB_SHA256_LEN];
};

struct eb_audit_head {
	int64_t seq;
	uint8_t hash[EB_SHA256_LEN];
	uint8_t *signature;             /* CMS SignedData by the server */
	size_t signature_len;
};

#define EB_AUDIT_SERVERS_MAX 16

struct eb_audit_log {
	char aggregate[EB_ID_MAX];
	char kind[16];
	struct eb_audit_entry *entries;
	size_t n, cap;
	struct eb_audit_head *heads;
	size_t nheads, capheads;
	/* the server certificates (DER) that may sign system commands and
	 * chain heads, as recorded by ebidd (table servers) or pinned by the
	 * auditor (ebid-audit --server-cert) */
	uint8_t *servers[EB_AUDIT_SERVERS_MAX];
	size_t server_len[EB_AUDIT_SERVERS_MAX];
	size_t nservers;
	int servers_pinned;
	/* the export's own count of its entries (<log entries>); -1 when the
	 * log was not read from an export (ebid-audit verify --db) */
	int64_t declared_entries;
};

/* Never NULL: out of memory aborts (protocol/mem.h), as below. */
struct eb_audit_log *eb_audit_log_new(const char *aggregate,
    const char *kind);
void eb_audit_log_free(struct eb_audit_log *l);
/* Append an entry (takes ownership of command, receipt and events). */
void eb_audit_log_add(struct eb_audit_log *l, struct eb_audit_entry *e);
/* Append a signed head (takes ownership of its signature). */
void eb_audit_log_add_head(struct eb_audit_log *l, struct eb_audit_head *h);
/* Add a server certificate (DER, copied); a duplicate is ignored;
 * EB_ERR_LIMIT past EB_AUDIT_SERVERS_MAX. */
int eb_audit_log_add_server(struct eb_audit_log *l, const uint8_t *der,
    size_t len) EB_MUSTCHECK;
/* Forget every server certificate (before pinning others). */
void eb_audit_log_clear_servers(struct eb_audit_log *l);

/* Load from a <log> tree (see audit.xsd). */
int eb_audit_log_from_doc(const struct eb_doc *d, struct eb_audit_log **out,
    struct eb_error *err) EB_MUSTCHECK;
/* The <log> tree of 'l' (new, caller frees). */
struct eb_doc *eb_audit_log_to_doc(const struct eb_audit_log *l,
    const char *exported_at);

#endif
