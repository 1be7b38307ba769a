/*
 * tools/audit_checks.h
 *    The per-entry checks of `ebid-audit verify` that do not depend on the
 *    replay -- the entry's hash, the command's signature and signer, its
 *    receipt, the opened bids of an opening, the command's parse and
 *    schema check --
 *    run ahead of the replay on a pool of threads (issue 17 point 3).
 *    The entry's hash is tools/audit_canon.h's: from the bytes stored in
 *    the database once they are shown canonical, without libxml2's C14N.
 *
 * eb_audit_verify() (audit_log.c) still walks the log in order and takes
 * each entry's results in the order of trust (chain, signature, signer,
 * receipt, opening, replay): an entry's checks are computed the same way
 * whatever the thread, each into its own eb_error, so the first failure
 * named, its message and the exit code do not depend on the number of
 * threads.  Workers run at most a window of entries ahead of the replay,
 * so memory stays bounded on long logs; they share the trust and with it
 * its cache of verified signers (protocol/certcache.h).  With one job no
 * thread is started: each entry is checked when the replay asks for it.
 *
 * Owns: struct eb_audit_checks and every result not yet taken.
 *
 * INTERFACE
 *    eb_audit_entry_of()
 *    eb_audit_checks_start(), eb_audit_checks_get(),
 *    eb_audit_checks_release(), eb_audit_checks_stop()
 *    eb_audit_jobs_default()
 */
#ifndef EB_AUDIT_CHECKS_H
#define EB_AUDIT_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"
#include "protocol/hash.h"
#include "protocol/logdoc.h"
#include "protocol/pki.h"
#include "protocol/xml.h"

/* One entry's results.  The fields the caller takes it sets to NULL. */
struct eb_audit_pre {
	uint8_t cmd_sha256[EB_SHA256_LEN];   /* of the command's bytes */
	/* the entry's hash over its recorded previous hash (the replay
	 * checks that this is the hash of the entry before it) */
	int hash_rc;
	uint8_t hash[EB_SHA256_LEN];
	/* 1: the stored events are not the canonical form of their content
	 * (from the database; tools/audit_canon.h) */
	int events_noncanon;
	/* the signature and its signer */
	int sig_rc;
	struct eb_error sig_err;
	uint8_t *content;                   /* the signed command */
	size_t clen;
	struct eb_actor signer;
	X509 *cert;
	/* the receipt (rc EB_OK when the entry has none) */
	int rcpt_rc;
	struct eb_error rcpt_err;
	int64_t stamped;
	/* the opened bids of an <open-bids> (EB_OK for other commands) */
	int open_rc;
	struct eb_error open_err;
	/* the stored events parsed here (streamed load): EB_OK, or the
	 * parser's failure; the tree goes into the entry */
	int events_rc;
	struct eb_error events_err;
	/* 1: the schema was not compiled yet: the opening's and the parse's
	 * checks are left to eb_audit_checks_get() */
	int later;
	/* the command parsed and schema-checked */
	int parse_rc;
	struct eb_error parse_err;
	struct eb_doc *body;
};

struct eb_audit_checks;

/*
 * Start checking the entries of 'l' (borrowed until stop) on 'jobs'
 * threads (<= 1: none, checks run in eb_audit_checks_get).  Never NULL
 * (out of memory aborts, protocol/mem.h).
 */
struct eb_audit_checks *eb_audit_checks_start(const struct eb_audit_log *l,
    const struct eb_trust *t, const struct eb_schema *schema, int jobs);
/*
 * The same for a log still being read: 'feed'(arg, i) is 1 once entry i
 * is there, 0 when no more come (audit_log.h, eb_audit_verify_fed).
 * With 'servers' (borrowed until stop), the signature of each signed
 * chain head of 'l' (l->heads, fixed from now on) is checked too, by the
 * thread that checks the entry it names, against those server
 * certificates at that entry's time: eb_audit_checks_head().
 */
struct eb_audit_checks *eb_audit_checks_start_fed(
    const struct eb_audit_log *l, int (*feed)(void *, size_t), void *arg,
    const struct eb_trust *t, const struct eb_schema *schema,
    X509 *const *servers, size_t nservers, int jobs);
/*
 * Head j's eb_chain_head_verify() as checked with its entry: 1 with *rc
 * and *err when it was (every entry got, the head's hash that of its
 * entry), 0 when not (the caller checks it itself).
 */
int eb_audit_checks_head(struct eb_audit_checks *c, size_t j, int *rc,
    struct eb_error *err);
/* Entry i's results (waits for them); i must grow by one per call. */
struct eb_audit_pre *eb_audit_checks_get(struct eb_audit_checks *c,
    size_t i);
/* Done with entry i (frees what was not taken). */
void eb_audit_checks_release(struct eb_audit_checks *c, size_t i);
/* Stop the threads, free every result; NULL-safe. */
void eb_audit_checks_stop(struct eb_audit_checks *c);

/*
 * The hashed fields of entry 'e' of 'l' into 'ent' (borrowed pointers),
 * with the command's SHA-256 'cmd_sha256': what eb_entry_hash() takes.
 */
struct eb_entry;
void eb_audit_entry_of(const struct eb_audit_log *l,
    const struct eb_audit_entry *e, const uint8_t cmd_sha256[EB_SHA256_LEN],
    struct eb_entry *ent);

/* The number of online cores (at least 1). */
int eb_audit_jobs_default(void);

/*
 * The schema compiled on a thread of its own (issue 17, eighth pass):
 * `ebid-audit verify --db` starts its checks while the schema compiles
 * (60-80 ms).  Until it is ready a worker does every check of an entry
 * but those that need it (the command's parse and schema check, an
 * opening's bids) and leaves those to the replay, which waits for the
 * schema and does them when it takes the entry: the same checks, the
 * same results, in the same order.
 *
 * eb_audit_schema_start(): never NULL; compiles 'xsd_path' at once.
 * eb_audit_schema_ready(): the schema once compiled, else NULL (still
 *     compiling, or failed); never waits.
 * eb_audit_schema_wait(): waits; the schema, or NULL with the compile's
 *     error in 'err' (may be NULL).
 * eb_audit_schema_free(): waits, frees the schema.
 * eb_audit_set_schema_job(): the job eb_audit_checks_start_fed() uses
 *     when it is given no schema (NULL: none).
 */
struct eb_audit_schema_job;
struct eb_audit_schema_job *eb_audit_schema_start(const char *xsd_path);
const struct eb_schema *eb_audit_schema_ready(
    struct eb_audit_schema_job *j);
const struct eb_schema *eb_audit_schema_wait(struct eb_audit_schema_job *j,
    struct eb_error *err);
void eb_audit_schema_free(struct eb_audit_schema_job *j);
void eb_audit_set_schema_job(struct eb_audit_schema_job *j);

#endif
