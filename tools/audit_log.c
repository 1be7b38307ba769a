/*
 * tools/audit_log.c
 *    Load, write and verify an aggregate's log: see audit_log.h.
 *
 * The verification order is the order of trust: first the chain (so a
 * changed byte anywhere is named at its entry), then each command's
 * signature and signer (who asked), then its receipt (when), then the
 * replay through engine/core (that the result follows from the inputs),
 * then the signed chain heads (that the server vouched for the chain).
 */
#include "audit_log.h"
#include "audit_canon.h"
#include "audit_checks.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "engine/core/cmd.h"
#include "engine/core/flows.h"
#include "protocol/cms.h"
#include "protocol/entry.h"
#include "protocol/inclusion.h"
#include "protocol/isotime.h"
#include "protocol/opening.h"
#include "protocol/receipt.h"

/* The log's server certificates as X509 (n of them; caller frees). */
static size_t
load_servers(const struct eb_audit_log *l, X509 **out)
{
	size_t n = 0;

	for (size_t i = 0; i < l->nservers; i++) {
		const uint8_t *p = l->servers[i];
		X509 *x = d2i_X509(NULL, &p, (long)l->server_len[i]);

		if (x != NULL)
			out[n++] = x;
	}
	return n;
}

static int
is_server(X509 *cert, X509 *const *servers, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (X509_cmp(cert, servers[i]) == 0)
			return 1;
	return 0;
}

static int
same_actor(const struct eb_actor *a, const struct eb_actor *b)
{
	return a->role == b->role && strcmp(a->party, b->party) == 0 &&
	    strcmp(a->person, b->person) == 0;
}

/*
 * An inner check (signature, receipt, parser, rules) failed with 'err'
 * filled: name the entry in the primary message and keep the inner
 * message as the detail.
 */
static int
wrap_at(struct eb_audit_result *res, struct eb_error *err,
    const struct eb_audit_entry *e, int rc, const char *what)
{
	char inner[sizeof(err->primary) + sizeof(err->detail) + 4];

	res->failed_seq = e->seq;
	if (err->detail[0] != '\0')
		snprintf(inner, sizeof(inner), "%s (%s)", err->primary,
		    err->detail);
	else
		snprintf(inner, sizeof(inner), "%s", err->primary);
	if (err->code == EB_OK)
		err->code = rc;
	snprintf(err->detail, sizeof(err->detail), "%.*s",
	    (int)sizeof(err->detail) - 1, inner);
	snprintf(err->primary, sizeof(err->primary),
	    "entry %lld does not hold: %s", (long long)e->seq, what);
	return rc;
}

/* A check of ours failed: name the entry and why. */
static int
fail_at(struct eb_audit_result *res, struct eb_error *err,
    const struct eb_audit_entry *e, int rc, const char *reason,
    const char *hint, const char *what)
{
	res->failed_seq = e->seq;
	return eb_fail(err, rc, reason, hint, "entry %lld does not hold: %s",
	    (long long)e->seq, what);
}

/* -- trading subjects' facts (engine/core/subject.h) -------------------- */

static eb_audit_subject_fn subject_fn;
static void *subject_arg;
static int audit_jobs;      /* 0: one per core */

void
eb_audit_set_jobs(int jobs)
{
	audit_jobs = jobs;
}

void
eb_audit_set_subjects(eb_audit_subject_fn fn, void *arg)
{
	subject_fn = fn;
	subject_arg = arg;
}

/*
 * The view (as the system sees it) of aggregate 'id' of kind 'fkind',
 * folded from its log to entry 'seq', with head-seq and head-hash; the
 * entry must be that aggregate's state at 'at' (subject-facts-stale).
 */
static int
rebuild_facts(const char *fkind, const char *what, const char *id,
    int64_t seq, int64_t at, struct eb_doc **out, struct eb_error *err)
{
	const struct eb_flow_entry *sf = eb_flow_for_kind(fkind);
	const struct eb_audit_log *sl;
	struct eb_actor sys;
	char hex[EB_SHA256_HEX];
	void *st;
	int rc;

	*out = NULL;
	if (sf == NULL)
		return EB_OK;
	if (subject_fn == NULL || (sl = subject_fn(subject_arg, id, err)) ==
	    NULL) {
		if (err->code != 0)
			return err->code;
		return eb_fail(err, EB_ERR_NOTFOUND, "subject-log-missing",
		    "Give the exported log it rests on with --subject-log "
		    "FILE, or verify with --db.",
		    "the entry was decided on %s %s, entry %lld, "
		    "whose log is not given", what, id, (long long)seq);
	}
	if (seq < 1 || (size_t)seq > sl->n || strcmp(sl->kind, fkind) != 0)
		return eb_fail(err, EB_ERR_NOTFOUND, "subject-log-missing",
		    "Give the whole log, as exported now.",
		    "the log of %s has no entry %lld", id, (long long)seq);
	if ((size_t)seq < sl->n && sl->entries[seq].time < at)
		return eb_fail(err, EB_ERR_DENIED, "subject-facts-stale",
		    "The decision rested on an outdated state of the "
		    "aggregate it names.",
		    "the entry was decided on %s %s entry %lld, but its "
		    "entry %lld is older than the command", what, id,
		    (long long)seq, (long long)seq + 1);
	st = sf->ops->create(id);
	for (int64_t i = 0; i < seq; i++)
		if ((rc = sf->ops->apply(st, sl->entries[i].events, err)) !=
		    EB_OK) {
			sf->ops->destroy(st);
			return rc;
		}
	memset(&sys, 0, sizeof(sys));
	sys.role = EB_ROLE_SYSTEM;
	*out = sf->ops->view(st, &sys);
	sf->ops->destroy(st);
	if (*out == NULL)
		return eb_fail(err, EB_ERR_INTERNAL, "internal", NULL,
		    "%s %s has no view", what, id);
	eb_hex32(sl->entries[seq - 1].hash, hex);
	eb_doc_set_attr_i64(*out, "head-seq", seq);
	eb_doc_set_attr(*out, "head-hash", hex);
	return EB_OK;
}

/*
 * The facts ebidd attached to 'body' when it decided the entry whose
 * recorded events are 'recorded': the view (as the system sees it) of
 * the aggregate the command names, folded from its log to the entry
 * named, with head-seq and head-hash.  Two kinds of facts: a tender's or
 * a sale's command naming subject=ID rests on that trading subject
 * (events carry subject-seq), and so does a register-tender naming its
 * agency=ID (registration/agency carries subject-seq); a pool's
 * rate-expert or rate-agency naming job=TENDER rests on that tender
 * (events carry tender-seq).  *out NULL when the
 * command names none or the entry names no entry of it.  The entry named
 * must be that aggregate's state at the command's instant 'at': a later
 * entry stamped before 'at' (a revocation the decision did not see)
 * fails "subject-facts-stale".
 */
static int
subject_facts(const char *kind, const struct eb_doc *body,
    const struct eb_doc *recorded, int64_t at, struct eb_doc **out,
    struct eb_error *err)
{
	const char *fkind = "subject", *seqattr = "subject-seq", *what =
	    "trading subject";
	const char *id = eb_doc_attr(body, "subject");
	const struct eb_flow_entry *sf;
	const struct eb_doc *ev;
	int64_t seq = 0;

	*out = NULL;
	if (strcmp(kind, "pool") == 0 || strcmp(body->name,
	    "check-tender") == 0) {
		id = eb_doc_attr(body, "job");
		fkind = "tender";
		seqattr = "tender-seq";
		what = "tender";
	}
	/* a registration naming its agency (registration/agency) */
	if (strcmp(body->name, "register-tender") == 0) {
		id = eb_doc_attr(body, "agency");
		what = "agency";
	}
	sf = eb_flow_for_kind(fkind);
	if (id == NULL || strcmp(kind, "subject") == 0 || sf == NULL)
		return EB_OK;
	for (ev = recorded != NULL ? recorded->first : NULL; ev != NULL;
	    ev = ev->next)
		if (eb_doc_attr_i64(ev, seqattr, &seq) == EB_OK ||
		    eb_doc_attr_i64(eb_doc_path(ev, "registration/agency"),
		    seqattr, &seq) == EB_OK)
			break;
	if (ev == NULL)
		return EB_OK;
	return rebuild_facts(fkind, what, id, seq, at, out, err);
}

/*
 * A rate-agency decided by rules 4 also rested on the agency's own
 * subject: its agency-rated event names that entry (agency-seq).  *out
 * NULL when the event names none (an older rating, or an agency ebidd
 * did not find).
 */
static int
agency_facts(const struct eb_doc *body, const struct eb_doc *recorded,
    int64_t at, struct eb_doc **out, struct eb_error *err)
{
	const struct eb_doc *ev;
	int64_t seq;

	*out = NULL;
	if (strcmp(body->name, "rate-agency") != 0 || recorded == NULL ||
	    (ev = eb_doc_child(recorded, "agency-rated")) == NULL ||
	    eb_doc_attr_i64(ev, "agency-seq", &seq) != EB_OK ||
	    eb_doc_attr(ev, "agency") == NULL)
		return EB_OK;
	return rebuild_facts("subject", "agency", eb_doc_attr(ev, "agency"),
	    seq, at, out, err);
}

/*
 * A subject's finding names its evidence by entry (aggregate, seq,
 * hash): each must be that entry of that log (docs/registries.md).  The
 * log comes from the same source as the subjects' (--subject-log, --db);
 * evidence in a log not given is not resolved here.
 */
static int
check_evidence(const char *kind, const struct eb_doc *events,
    struct eb_error *err)
{
	const struct eb_doc *ev, *x;
	const struct eb_audit_log *el;
	uint8_t h[EB_SHA256_LEN];
	int64_t seq;

	if (strcmp(kind, "subject") != 0 || subject_fn == NULL)
		return EB_OK;
	eb_doc_foreach(ev, events, "finding-recorded")
		eb_doc_foreach(x, ev, "evidence") {
			const char *id = eb_doc_attr(x, "aggregate");

			if (id == NULL)
				continue;
			eb_error_clear(err);
			if ((el = subject_fn(subject_arg, id, err)) == NULL) {
				if (err->code != 0)
					return err->code;
				continue;
			}
			if (eb_doc_attr_i64(x, "seq", &seq) != EB_OK ||
			    seq < 1 || (size_t)seq > el->n ||
			    eb_unhex32(eb_doc_attr(x, "hash") ?
			    eb_doc_attr(x, "hash") : "", h) != 0 ||
			    memcmp(h, el->entries[seq - 1].hash,
			    EB_SHA256_LEN) != 0)
				return eb_fail(err, EB_ERR_NOTFOUND,
				    "evidence-unresolved",
				    "A finding's evidence must name an entry of "
				    "the log by its hash.",
				    "the evidence names no entry %s of %s with "
				    "that hash", eb_doc_attr(x, "seq") ?
				    eb_doc_attr(x, "seq") : "?", id);
		}
	return EB_OK;
}

int
eb_audit_verify(const struct eb_audit_log *l, const struct eb_trust *t,
    const struct eb_schema *schema, struct eb_audit_result *res,
    struct eb_error *err)
{
	return eb_audit_verify_fed(l, NULL, NULL, t, schema, res, err);
}

int
eb_audit_verify_fed(const struct eb_audit_log *l, eb_audit_feed_fn feed,
    void *arg, const struct eb_trust *t, const struct eb_schema *schema,
    struct eb_audit_result *res, struct eb_error *err)
{
	const struct eb_flow_entry *fe = eb_flow_for_kind(l->kind);
	const struct eb_flow_ops *ops = fe != NULL ? fe->ops : NULL;
	uint8_t prev[EB_SHA256_LEN] = { 0 }, h[EB_SHA256_LEN];
	struct eb_doc *body = NULL, *events = NULL, *facts = NULL,
	    *afacts = NULL;
	uint8_t *content = NULL;
	size_t i, j;
	struct eb_actor signer;
	struct eb_cmd cmd;
	X509 *servers[EB_AUDIT_SERVERS_MAX], *cert = NULL;
	size_t nservers = 0;
	void *st = NULL;
	struct eb_audit_checks *chk = NULL;
	struct eb_audit_pre *pre;
	int rc = EB_OK;

	memset(res, 0, sizeof(*res));
	eb_error_clear(err);
	if (ops == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "unknown-kind", NULL,
		    "the log is of an unknown kind '%s'", l->kind);
	st = ops->create(l->aggregate);
	nservers = load_servers(l, servers);
	/* the chain heads' signatures are checked with their entries */
	chk = eb_audit_checks_start_fed(l, feed, arg, t, schema, servers,
	    nservers, audit_jobs > 0 ? audit_jobs : eb_audit_jobs_default());

	/* (a streamed load: entry i once read; then l->n is final) */
	for (i = 0; feed != NULL ? feed(arg, i) : i < l->n; i++) {
		const struct eb_audit_entry *e = &l->entries[i];
		int64_t stamped;

		/* 1. the chain: order, no gap, each link */
		if (e->seq != (int64_t)i + 1) {
			rc = fail_at(res, err, e, EB_ERR_FORMAT, "chain-gap",
			    "Entries were deleted, added or reordered.",
			    e->seq > (int64_t)i + 1 ?
			    "an entry before it is missing (gap)" :
			    "it is out of order");
			goto out;
		}
		if (memcmp(e->prev, prev, EB_SHA256_LEN) != 0) {
			rc = fail_at(res, err, e, EB_ERR_FORMAT, "chain-broken",
			    "Entries were deleted, added or reordered.",
			    "its previous hash is not the hash of the entry before it");
			goto out;
		}
		/*
		 * its hash, computed by the checks over its recorded previous
		 * hash, which is 'prev' (just checked); the hashed fields:
		 * eb_audit_entry_of()
		 */
		pre = eb_audit_checks_get(chk, i);
		if ((rc = pre->events_rc) != EB_OK) {
			*err = pre->events_err;
			rc = wrap_at(res, err, e, rc,
			    "its stored events cannot be read");
			goto out;
		}
		if ((rc = pre->hash_rc) != EB_OK) {
			rc = fail_at(res, err, e, rc, "hash-mismatch",
			    "The entry was changed after it was written.",
			    "its content cannot be put in canonical form");
			goto out;
		}
		if (pre->events_noncanon) {
			rc = fail_at(res, err, e, EB_ERR_FORMAT, "hash-mismatch",
			    "The entry was changed after it was written.",
			    "its stored events are not the canonical form of "
			    "their content");
			goto out;
		}
		memcpy(h, pre->hash, EB_SHA256_LEN);
		if (memcmp(h, e->hash, EB_SHA256_LEN) != 0) {
			rc = fail_at(res, err, e, EB_ERR_FORMAT, "hash-mismatch",
			    "The entry was changed after it was written.",
			    "its content does not give its recorded hash");
			goto out;
		}
		memcpy(prev, h, EB_SHA256_LEN);

		/* 2. the signature and the signer */
		if ((rc = pre->sig_rc) != EB_OK) {
			*err = pre->sig_err;
			rc = wrap_at(res, err, e, rc,
			    "its command's signature does not verify");
			goto out;
		}
		content = pre->content;
		signer = pre->signer;
		cert = pre->cert;
		pre->content = NULL;
		pre->cert = NULL;
		res->signatures_checked++;
		/*
		 * 2b. the system role is the server's key, not a role string:
		 * only the server certificates (recorded, or pinned with
		 * --server-cert) may sign a system entry
		 */
		if ((signer.role == EB_ROLE_SYSTEM ||
		    e->actor.role == EB_ROLE_SYSTEM) &&
		    !is_server(cert, servers, nservers)) {
			rc = fail_at(res, err, e, EB_ERR_DENIED,
			    "system-not-server",
			    nservers == 0 ? "Give the centre's server "
			    "certificate with --server-cert (the log names "
			    "none)." : "Only ebidd's own key may sign system "
			    "commands; this entry was forged.",
			    "its system command is not signed by a server "
			    "certificate");
			eb_error_detail(err, "signed by %s, which claims the "
			    "system role; %zu server certificate(s) %s",
			    signer.party, nservers, l->servers_pinned ?
			    "pinned" : "recorded");
			goto out;
		}
		X509_free(cert);
		cert = NULL;
		if (!same_actor(&signer, &e->actor)) {
			rc = fail_at(res, err, e, EB_ERR_DENIED,
			    "signer-not-actor",
			    "The entry was re-signed or its actor changed.",
			    "the signer is not the recorded actor");
			eb_error_detail(err, "signed by %s (%s) but recorded as %s (%s)",
			    signer.party, eb_role_name(signer.role),
			    e->actor.party, eb_role_name(e->actor.role));
			goto out;
		}

		/* 3. the receipt: over exactly the bytes received, at that time */
		if (e->receipt != NULL) {
			if ((rc = pre->rcpt_rc) != EB_OK) {
				*err = pre->rcpt_err;
				rc = wrap_at(res, err, e, rc,
				    "its receipt does not verify");
				goto out;
			}
			stamped = pre->stamped;
			if (stamped != e->time) {
				rc = fail_at(res, err, e, EB_ERR_DENIED,
				    "receipt-time", NULL,
				    "its receipt's time is not the entry's time");
				goto out;
			}
			res->receipts_checked++;
		}

		/*
		 * 3b. the opening: each opened bid is the document its bidder
		 * signed and committed to before the deadline (no key needed)
		 */
		if ((rc = pre->open_rc) != EB_OK) {
			*err = pre->open_err;
			rc = wrap_at(res, err, e, rc,
			    "an opened bid is not the one its bidder committed to");
			goto out;
		}

		/*
		 * 4. replay: the same command must give the same events, by
		 * the rules version that decided it (an entry without one was
		 * decided by version 1); a version this engine does not keep
		 * is a later ebid's: say so rather than "replay-differs"
		 */
		if (e->rules > EB_RULES_CURRENT) {
			rc = fail_at(res, err, e, EB_ERR_FORMAT, "rules-unknown",
			    "Replay this log with a later ebid-audit, one that "
			    "knows this rules version.",
			    "it was decided by rules this ebid-audit does not "
			    "keep");
			eb_error_detail(err, "rules version %d; this ebid-audit "
			    "keeps versions %d to %d", e->rules, EB_RULES_FIRST,
			    EB_RULES_CURRENT);
			goto out;
		}
		if ((rc = pre->parse_rc) != EB_OK) {
			*err = pre->parse_err;
			rc = wrap_at(res, err, e, rc,
			    "its command is not a valid document");
			goto out;
		}
		body = pre->body;
		pre->body = NULL;
		memset(&cmd, 0, sizeof(cmd));
		cmd.body = body;
		cmd.actor = signer;
		snprintf(cmd.target, sizeof(cmd.target), "%s", l->aggregate);
		cmd.time = e->time;
		cmd.rules = e->rules > 0 ? e->rules : EB_RULES_FIRST;
		eb_doc_free(facts);
		if ((rc = subject_facts(l->kind, body, e->events, e->time, &facts,
		    err)) != EB_OK) {
			res->failed_seq = e->seq;
			goto out;
		}
		cmd.facts = facts;
		eb_doc_free(afacts);
		if ((rc = agency_facts(body, e->events, e->time, &afacts,
		    err)) != EB_OK) {
			res->failed_seq = e->seq;
			goto out;
		}
		cmd.agency_facts = afacts;
		if ((rc = ops->decide(st, &cmd, &events, err)) != EB_OK) {
			rc = wrap_at(res, err, e, rc,
			    "replaying its command is refused by the rules");
			goto out;
		}
		if (!eb_audit_doc_same(events, e->events)) {
			rc = fail_at(res, err, e, EB_ERR_DENIED, "replay-differs",
			    "The recorded result does not follow from the command.",
			    "replaying its command gives other events than recorded");
			goto out;
		}
		if ((rc = check_evidence(l->kind, events, err)) != EB_OK) {
			rc = wrap_at(res, err, e, rc,
			    "its finding's evidence is not in the log it names");
			goto out;
		}
		if ((rc = ops->apply(st, events, err)) != EB_OK) {
			rc = wrap_at(res, err, e, rc, "its events do not apply");
			goto out;
		}
		eb_doc_free(events);
		events = NULL;
		eb_doc_free(body);
		body = NULL;
		free(content);
		content = NULL;
		eb_audit_checks_release(chk, i);
		res->entries_checked++;
	}

	/* 5. the signed chain heads */
	for (j = 0; j < l->nheads; j++) {
		const struct eb_audit_head *hd = &l->heads[j];

		if (hd->seq < 1 || hd->seq > (int64_t)l->n ||
		    memcmp(hd->hash, l->entries[hd->seq - 1].hash,
		    EB_SHA256_LEN) != 0) {
			res->failed_seq = hd->seq;
			rc = eb_fail(err, EB_ERR_DENIED, "chain-head-mismatch",
			    "The chain was rewritten after the server signed its head.",
			    "the signed chain head at entry %lld does not match the chain",
			    (long long)hd->seq);
			goto out;
		}
		/* signed by one of the server certificates (when the log
		 * names none, by a system certificate of the CA); checked
		 * with its entry, on the checks' threads, or now */
		if (!eb_audit_checks_head(chk, j, &rc, err))
			rc = eb_chain_head_verify(t, l->aggregate, hd->seq,
			    hd->hash, hd->signature, hd->signature_len,
			    l->entries[hd->seq - 1].time, servers, nservers,
			    NULL, err);
		if (rc != EB_OK) {
			res->failed_seq = hd->seq;
			goto out;
		}
		res->heads_checked++;
	}

	/*
	 * 5b. an export ends on a head the server signed (ebidd signs the
	 * last entry's head when it exports): entries cut from its tail
	 * leave a last entry no head covers, unless the cut fell on a
	 * signed head -- which only a head kept outside the log reveals
	 */
	if (l->declared_entries >= 0 && l->n > 0) {
		int covered = 0;

		for (j = 0; j < l->nheads; j++)
			if (l->heads[j].seq == l->entries[l->n - 1].seq)
				covered = 1;
		if (!covered) {
			res->failed_seq = l->entries[l->n - 1].seq;
			rc = eb_fail(err, EB_ERR_DENIED, "tail-not-signed",
			    "Entries may have been cut from the end: export the "
			    "log again, and give the heads you hold (a receipt's "
			    ".proof, the board's GET /heads/ID) with --head.",
			    "the export's last entry %lld has no chain head "
			    "signed by the server", (long long)l->entries[l->n -
			    1].seq);
			goto out;
		}
	}

	/* 6. the export's own count (after the entries: a more precise
	 * failure is named first) */
	if (l->declared_entries >= 0 && (size_t)l->declared_entries != l->n) {
		rc = eb_fail(err, EB_ERR_FORMAT, "entry-count-mismatch",
		    "Entries were added to or removed from the export; export "
		    "the log again and compare.",
		    "the export says it holds %lld entries but holds %zu",
		    (long long)l->declared_entries, l->n);
		goto out;
	}

	eb_audit_checks_stop(chk);
	chk = NULL;
	/* the state's name only: its view (as the auditor would see it)
	 * was built here and never read (issue 17, eighth pass: 8 k
	 * instructions per entry of a sale, on the main thread alone) */
	snprintf(res->final_state, sizeof(res->final_state), "%s",
	    ops->state_name(st));
out:
	eb_audit_checks_stop(chk);
	X509_free(cert);
	for (j = 0; j < nservers; j++)
		X509_free(servers[j]);
	eb_doc_free(facts);
	eb_doc_free(afacts);
	eb_doc_free(events);
	eb_doc_free(body);
	free(content);
	ops->destroy(st);
	return rc;
}

int
eb_audit_add_heads(struct eb_audit_log *l, const struct eb_doc *d,
    struct eb_error *err)
{
	const struct eb_doc *h;
	const char *agg = eb_doc_attr(d, "aggregate");
	int n = 0;

	if (agg == NULL || (strcmp(d->name, "accepted") != 0 &&
	    strcmp(d->name, "chain-heads") != 0 && strcmp(d->name, "log") != 0))
		return eb_fail(err, EB_ERR_FORMAT, "not-a-head",
		    "Give a receipt's .proof file, a saved GET /v1/heads/ID "
		    "or an export.", "the document holds no signed chain head");
	if (strcmp(agg, l->aggregate) != 0)
		return eb_fail(err, EB_ERR_USAGE, "head-of-another-log",
		    "Give the heads of the log you verify.",
		    "the heads are of %s, the log is %s", agg, l->aggregate);
	eb_doc_foreach(h, d, "chain-head") {
		struct eb_audit_head hd;
		const char *b64 = eb_doc_child_text(h, "signature");

		memset(&hd, 0, sizeof(hd));
		if (eb_doc_attr_i64(h, "seq", &hd.seq) != EB_OK ||
		    eb_unhex32(eb_doc_attr(h, "hash"), hd.hash) != 0 ||
		    b64 == NULL || eb_base64_decode(b64, strlen(b64),
		    &hd.signature, &hd.signature_len) != EB_OK)
			return eb_fail(err, EB_ERR_FORMAT, "bad-chain-head",
			    NULL, "a signed chain head is malformed");
		eb_audit_log_add_head(l, &hd);
		n++;
	}
	if (n == 0)
		return eb_fail(err, EB_ERR_FORMAT, "not-a-head",
		    "Give a receipt's .proof file from a server that signs "
		    "heads at receipts.", "the document holds no signed chain "
		    "head");
	return EB_OK;
}
