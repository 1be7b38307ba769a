/*
 * engine/server/commands.c
 *    POST /v1/commands: from a signed request body to durable events.
 *
 *    1. body size <= max_body                      (413 body-too-large)
 *   on a worker thread (workers.h; inline when workers = 0):
 *    1a. early refusal (early_refusal, default on; verify_work/early_peek):
 *       a body of at most EARLY_MAX_BYTES read WITHOUT its signature
 *       checked (eb_cms_peek_content) and parsed as in 4; a quote or
 *       auction-bid under its sale's floor hint (aggs.h, sale.h) skips
 *       2-3 and the OCSP check: j->unverified.  Anything else (no peek,
 *       no parse, no guess) goes on with 2 (the parsed tree is reused
 *       when the verified content is the same bytes), so a bad signature
 *       still outranks bad XML.
 *    2. eb_cms_verify against the centre's CA at now (400/403)
 *    3. signer certificate == TLS peer (X509_cmp)  (403 signer-not-peer)
 *    4. eb_xml_parse + XSD (protocol/xsd/ebid.xsd) (400 schema reason)
 *   back on the loop thread:
 *    5. the kind: eb_flow_for_command(root name)   (404 unknown-command)
 *       the target: root attribute tender=/sale=/pool=, or a new id from
 *       the kind's sequence for a creating command (none given); a
 *       tender or sale command naming subject=ID first reads that
 *       subject's view at its head (reads.h EB_READ_FACTS), handed to the
 *       core as cmd.facts (engine/core/subject.h, docs/registries.md);
 *       a pool command naming job=TENDER (rate-expert) reads that
 *       tender's view the same way (engine/core/pool.h)
 *    6. queue on the aggregate: one command at a time per aggregate in
 *       this process; different aggregates proceed in parallel
 *    7. load: fold the entries after the cached seq through ops->apply
 *       (one query; zero rows means the cache is current); a command on
 *       a cached aggregate skips it and relies on the append's
 *       compare-and-set (head-moved: reload and decide again)
 *    8. decide -> events, or a refusal (denied/state/rule/time refusals
 *       also go to security_log, never to the chain); an unverified job
 *       (1a) is answered only with the refusal guessed (below-minimum,
 *       already-highest; its bytes provably not in the log: early_answer),
 *       parked as any refusal; any other outcome, now or when it is
 *       released or requeued, ends its turn with nothing kept and sends it
 *       back to 2 (job_reverify, once: j->reverify), then 5 onwards again
 *       (a system-role command only from a server certificate:
 *       system-not-server; custodians named must be in the directory)
 *    9. entry hash (protocol/entry.h), apply to the cached state, sign the
 *       head (first entry, phase change, system command, receipt, every
 *       head_every_entries-th seq), then the group commit
 *       (groupcommit.h): the command's turn on the aggregate ends here,
 *       the next command is decided on the cached state chained from
 *       this pending head, and the entries decided while a batch of the
 *       aggregate is in flight leave together in the next one (one
 *       transaction for many entries, of this aggregate and others);
 *       the reply waits for the COMMIT of its batch
 *   10. reply <accepted aggregate= seq= hash= time= kind= clock=
 *       prev-hash=> + <events> [+ <receipt> + <chain-head>: the proof of
 *       inclusion, protocol/inclusion.h]
 * The append is a compare-and-set on the head (seq, hash) under the head
 * row lock: if another ebidd process appended first ("head-moved") the
 * cached state is dropped, reloaded and the command decided again (at
 * most APPEND_ATTEMPTS times).  Any failure after step 9's apply drops the
 * cached state; a failed batch drops it too and puts every command of the
 * aggregate decided on it back at the head of the queue, in order
 * (agg_failed).  A command refused (or found to resend the bytes of an
 * uncommitted one) while entries of its aggregate are uncommitted is
 * answered only once they committed: a refusal decided on a state that
 * never became durable is never sent (park/release).
 *
 * Steps 6 and 7 are aggs.c's (the queue, the fold); reads and pokes take
 * their own path there (reads.c).
 *
 * Ownership: a struct job owns the request's copies (DER, tree, events)
 * until its one reply; the aggregate and its state are aggs.c's.  Both
 * live on the loop thread only.
 *
 * After each durable append (and each poke) one eb_notify_committed()
 * (notify.h) tells the observers; commands.c knows none of them.
 *
 * INTERFACE: commands.h
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <libpq-fe.h>

#include "engine/core/flows.h"
#include "engine/server/aggs.h"
#include "engine/server/commands.h"
#include "engine/server/directory.h"
#include "engine/server/groupcommit.h"
#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/lookups.h"
#include "engine/server/metrics.h"
#include "engine/server/notify.h"
#include "engine/server/ocspclient.h"
#include "engine/server/reads.h"
#include "engine/server/receipts.h"
#include "engine/server/registry.h"
#include "engine/server/replyxml.h"
#include "engine/server/server.h"
#include "engine/server/upload.h"
#include "engine/server/workers.h"
#include "protocol/cms.h"
#include "protocol/entry.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"
#include "protocol/receipt.h"

/*
 * A command whose append lost the head to another ebidd is decided again
 * after a short randomised pause that grows with each loss (1, 2, 4 ...
 * 32 ms plus up to as much again), so two processes racing on one
 * aggregate take turns instead of the loser retrying straight into the
 * winner's next append and running out of attempts (about 1.3 s at most).
 */
#define APPEND_ATTEMPTS 32
/* A command of at most this many bytes may be refused early (verify_work:
 * raises are a few hundred bytes; uploads are never peeked). */
#define EARLY_MAX_BYTES ((size_t)16 << 10)
/* The events of one command, serialised, at most (the core's output). */
#define EVENTS_MAX ((size_t)256 << 20)
#define APPEND_BACKOFF_MAX_MS 32

/*
 * What follows when the job's bytes are not in the log (dedup_done):
 * decide; refuse; or, for a parked job, only note the outcome (its
 * refusal waits for the commit before it, job_release) or put the job
 * back in its queue (its aggregate's batch failed meanwhile); or, for a
 * receipt-bearing command not yet queued, queue it (job_enqueue).
 */
enum { DEDUP_LOAD, DEDUP_REFUSE, DEDUP_PARKED, DEDUP_REQUEUE, DEDUP_EARLY };
/* A parked job's look-up (job->early). */
enum { EARLY_NONE, EARLY_FLYING, EARLY_DONE };

struct job {
	struct eb_agg_task task;          /* its turn on the aggregate */
	struct eb_gc_item gi;             /* its entry in the group commit */
	int turn_over;                    /* its turn ended before its reply */
	int parked;                       /* answer once the entries before
	                                   * it committed (release) */
	char gstatus;                     /* its batch's verdict, when not
	                                   * appended (agg_done) */
	struct eb_error gerr;
	long backoff_us;                  /* wait before deciding again */
	int early;                        /* the parked job's look-up */
	struct eb_commands *cs;
	struct eb_req *r;                 /* NULL for ebidd's own commands */
	struct eb_actor actor;            /* the TLS peer, or ebidd itself */
	char reqid[32];
	eb_system_done_fn sys_done;       /* when r is NULL */
	void *sys_arg;
	uint8_t *receipt;                 /* RFC 3161 token, when issued */
	size_t receipt_len;
	int dedup_checked;
	int dedup_then;                   /* what follows a miss (DEDUP_*) */
	int dedup_force;                  /* look up before deciding */
	int dedup_mem;                    /* the look-up before its turn was
	                                   * answered by the cached aggregate
	                                   * (job_enqueue): checked again on
	                                   * the state it is decided on */
	struct eb_error pending;          /* DEDUP_REFUSE: the refusal */
	int loaded;                       /* decided on a state loaded now */
	uint8_t *der;
	size_t der_len;
	uint8_t der_sha[EB_SHA256_LEN];
	struct eb_doc *doc;
	struct eb_doc *facts;             /* a subject's or tender's view */
	struct eb_doc *agency_facts;      /* rate-agency: the agency's view */
	int prechecked;                   /* registry.h checks asked: 1 from
	                                   * verify_done, 2 from created_done */
	const struct eb_flow_entry *flow;
	char target[EB_ID_MAX];
	int attempts;
	int64_t time;
	struct eb_doc *events;
	struct eb_buf events_bytes;
	int64_t seq;
	uint8_t prev[EB_SHA256_LEN];       /* the head it was appended after */
	uint8_t hash[EB_SHA256_LEN];
	uint8_t *head_sig;
	size_t head_sig_len;
	char state_name[64];
	int vrc;                          /* verify_work()'s result */
	struct eb_error verr;
	int ocsp_asked;                   /* the signer's OCSP check done */
	int unverified;                   /* its signature not checked yet:
	                                   * an early refusal (verify_work) */
	int reverify;                     /* sent back for the full check
	                                   * (job_reverify): no second peek */
	int guess;                        /* the early refusal's guess
	                                   * (EB_SALE_GUESS_*) */
	int64_t pended;                   /* its amount, pending in its
	                                   * sale's hint (unpend_hint) */
};

struct eb_commands {
	struct eb_server *srv;
	struct eb_gc *gc;
	unsigned busy;
	eb_commands_observer_fn observer;  /* NULL: none */
	int raise_shapes;                  /* the schema holds the raises'
	                                    * shape (shapes_hold) */
};

static void job_load(struct job *j);
static void prechecked(void *arg, int rc, const struct eb_error *e);
static void job_reverify(struct job *j);
static void job_reset(struct job *j);
static void verify_work(void *arg);
static void verify_done(void *arg);

/*
 * The request id a creating command carries inside its signature
 * (request-id="..." on its root), or NULL: a retry with the same id, even
 * signed anew, gets the aggregate the first one created (schema/0011).
 */
static const char *
request_id(const struct eb_doc *doc)
{
	const char *v = doc != NULL ? eb_doc_attr(doc, "request-id") : NULL;

	return v != NULL && *v != '\0' ? v : NULL;
}
static void dedup_check(struct job *j);
static void job_queue(struct job *j);

/*
 * Might the job's signed bytes be in its aggregate's log, so that a
 * refusal must look them up first (a resend gets its first reply)?  Not
 * when the cached state knows every entry's command (aggs.h
 * eb_agg_cmd_absent) and none has these bytes: a refusal in a hot race is
 * then answered without a database round trip (counted: every caller
 * asks last, when the look-up would otherwise be made).  A creating
 * command's request id is only in the database.
 */
static int
bytes_maybe_logged(const struct job *j)
{
	if (request_id(j->doc) != NULL ||
	    !eb_agg_cmd_absent(j->task.agg, j->der_sha))
		return 1;
	eb_metrics_lookup(j->cs->srv->metrics, 0);
	return 0;
}

/* -- jobs --------------------------------------------------------------- */

/* The job's raise is decided (or will never be): no longer pending in
 * its sale's floor hint (verify_work). */
static void
unpend_hint(struct job *j)
{
	const char *sale;

	if (j->pended == 0)
		return;
	if (j->doc != NULL && (sale = eb_doc_attr(j->doc, "sale")) != NULL)
		eb_aggs_hint_unpend(j->cs->srv->aggs, sale, j->pended);
	j->pended = 0;
}

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	unpend_hint(j);
	free(j->der);
	eb_doc_free(j->doc);
	eb_doc_free(j->facts);
	eb_doc_free(j->agency_facts);
	eb_doc_free(j->events);
	eb_buf_free(&j->events_bytes);
	free(j->head_sig);
	free(j->receipt);
	free(j);
}

/* The job's reply is sent (or was never possible): release everything. */
static void
job_end(struct job *j)
{
	struct eb_commands *cs = j->cs;

	cs->busy--;
	if (!j->turn_over)
		eb_aggs_done(cs->srv->aggs, &j->task);
	job_free(j);
}

static void
job_fail(struct job *j, const struct eb_error *e)
{
	if (j->r != NULL)
		eb_reply_error(j->r, e);
	else if (j->sys_done != NULL)
		j->sys_done(j->sys_arg, e->code ? e->code : EB_ERR_INTERNAL, e,
		    NULL);
	j->r = NULL;
	job_end(j);
}

static int
is_refusal(int code)
{
	return code == EB_ERR_DENIED || code == EB_ERR_STATE ||
	    code == EB_ERR_RULE || code == EB_ERR_TIME;
}

static void
refusal_logged(int rc, const struct eb_error *e, void *arg)
{
	(void)arg;
	if (rc != EB_OK)
		eb_log_e(EB_LOG_ERROR, e, "security_log write failed");
}

static void
record_refusal(struct job *j, const char *cmd, const struct eb_error *e)
{
	struct eb_server *srv = j->cs->srv;
	struct eb_store_refusal ref = {
		.time_ms = j->time ? j->time : eb_clock_now(&srv->clock),
		.clock = eb_clock_name(&srv->clock),
		.party = j->actor.party,
		.role = eb_role_name(j->actor.role),
		.person = j->actor.person,
		.command = cmd,
		.target = j->target,
		.why = e,
		.request_id = j->reqid,
	};

	struct eb_error noted;

	/* an early refusal (verify_work): its signature was never checked,
	 * which the security log's message says (the reply does not) */
	if (j->unverified) {
		size_t n;

		noted = *e;
		n = strlen(noted.primary);
		snprintf(noted.primary + n, sizeof(noted.primary) - n,
		    " (signature not checked)");
		ref.why = &noted;
	}
	eb_log(EB_LOG_INFO, "refused id=%s party=%s command=%s target=%s "
	    "reason=%s%s", j->reqid, ref.party, cmd, j->target, e->reason,
	    j->unverified ? " signature=unchecked" : "");
	eb_metrics_refused(srv->metrics, e->reason);
	if (j->unverified)
		eb_metrics_early(srv->metrics, 1);
	if (eb_store_refusal(srv->store, &ref, refusal_logged, NULL) != EB_OK)
		eb_log(EB_LOG_ERROR, "security_log: cannot queue the refusal "
		    "of request %s", j->reqid);
}


/* -- reply -------------------------------------------------------------- */

/* <chain-head seq hash><signature>base64 CMS</signature></chain-head> */
static void
add_chain_head(struct eb_doc *d, int64_t seq, const uint8_t *hash,
    const uint8_t *sig, size_t sig_len)
{
	struct eb_doc *h = eb_doc_add(d, "chain-head");
	char hex[EB_SHA256_HEX], *b64 = NULL;

	eb_doc_set_attr_i64(h, "seq", seq);
	eb_hex32(hash, hex);
	eb_doc_set_attr(h, "hash", hex);
	if (eb_base64_encode(sig, sig_len, &b64) == EB_OK)
		eb_doc_add_text(h, "signature", b64);
	free(b64);
}

static void
reply_accepted(struct job *j)
{
	struct eb_doc *d = eb_doc_new("accepted");
	char iso[EB_ISOTIME_LEN], hex[EB_SHA256_HEX];

	eb_doc_set_attr(d, "aggregate", j->task.agg->id);
	eb_doc_set_attr_i64(d, "seq", j->seq);
	eb_hex32(j->hash, hex);
	eb_doc_set_attr(d, "hash", hex);
	eb_isotime_format(j->time, iso);
	eb_doc_set_attr(d, "time", iso);
	/* what makes the reply an inclusion proof (protocol/inclusion.h) */
	eb_doc_set_attr(d, "kind", j->task.agg->flow->kind);
	eb_doc_set_attr(d, "clock", eb_clock_name(&j->cs->srv->clock));
	eb_doc_set_attr_i64(d, "rules", EB_RULES_CURRENT);
	eb_hex32(j->prev, hex);
	eb_doc_set_attr(d, "prev-hash", hex);
	eb_doc_append(d, j->events);          /* d takes the events */
	j->events = NULL;
	if (j->receipt != NULL) {
		char *b64 = NULL;

		if (eb_base64_encode(j->receipt, j->receipt_len, &b64) == EB_OK)
			eb_doc_add_text(d, "receipt", b64);
		free(b64);
	}
	if (j->head_sig != NULL)
		add_chain_head(d, j->seq, j->hash, j->head_sig, j->head_sig_len);
	if (j->r != NULL)
		eb_reply_doc(j->r, 200, d);
	else if (j->sys_done != NULL)
		j->sys_done(j->sys_arg, EB_OK, NULL, d);
	j->r = NULL;
	eb_doc_free(d);
}

/* -- append ------------------------------------------------------------- */

static void
retry_load(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	job_load(arg);
}

/*
 * May a job whose signature was not checked (j->unverified) be answered
 * with refusal 'e' as it is?  Only the raise rule's two refusals, which
 * change nothing and say only what the sender can see (the price, its
 * own lead), and only when its bytes cannot be in the log (the cached
 * aggregate rules them out, no request id): a resend would be answered
 * with the first entry's reply, which an unchecked command must never
 * get.  Everything else goes back to a worker for the full check
 * (job_reverify) and is decided again.
 */
static int
early_answer(const struct job *j, const struct eb_error *e)
{
	return e->code == EB_ERR_RULE &&
	    (strcmp(e->reason, "below-minimum") == 0 ||
	    strcmp(e->reason, "already-highest") == 0) &&
	    request_id(j->doc) == NULL && !j->dedup_mem && !j->dedup_force &&
	    eb_agg_cmd_absent(j->task.agg, j->der_sha);
}

static void
reverify_submit(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	eb_workers_submit_sized(j->cs->srv->workers, verify_work, verify_done,
	    j, j->der_len);
}

/*
 * An unchecked job (j->unverified) whose decision is not the early
 * refusal: it leaves its turn (or, parked, the uncommitted list it was
 * taken off) with nothing decided kept, goes back to a worker for the
 * full check (signature, signer == peer; then the OCSP check), and is
 * routed, queued and decided again as a checked command: never unchecked
 * again (j->reverify).  The worker is asked from the loop's next turn,
 * never from inside the aggregate's run or its batch's answer.
 */
static void
job_reverify(struct job *j)
{
	struct eb_server *srv = j->cs->srv;
	int was_over = j->turn_over;
	struct timeval now = { 0, 0 };

	eb_log(EB_LOG_INFO, "req id=%s: %s on %s not refused as guessed "
	    "(%s): checking its signature and deciding again", j->reqid,
	    j->doc != NULL ? j->doc->name : "?", j->target,
	    j->guess == EB_SALE_GUESS_LEADS ? "already-highest" :
	    j->guess == EB_SALE_GUESS_BELOW ? "below-minimum" : "any raise");
	eb_metrics_early(srv->metrics, 0);
	job_reset(j);
	if (!was_over)
		eb_aggs_done(srv->aggs, &j->task);
	j->turn_over = 1;                 /* no turn until job_queue */
	j->task.agg = NULL;
	eb_doc_free(j->doc);
	j->doc = NULL;
	eb_doc_free(j->facts);
	j->facts = NULL;
	eb_doc_free(j->agency_facts);
	j->agency_facts = NULL;
	j->unverified = 0;
	j->reverify = 1;
	j->dedup_checked = 0;
	j->dedup_mem = 0;
	j->prechecked = 0;
	j->backoff_us = 0;
	eb_error_clear(&j->pending);
	if (event_base_once(srv->base, -1, EV_TIMEOUT, reverify_submit, j,
	    &now) != 0)
		reverify_submit(-1, 0, j);
}

/* A job's entry is durable: answer it (the aggregate is notified once
 * per batch, agg_done). */
static void
job_committed(struct job *j)
{
	struct eb_agg *a = j->task.agg;

	TAILQ_REMOVE(&a->uncommitted, &j->task, ulink);
	a->fresh = 0;
	/* what only ebidd observes, to the centre's monitor (the state may
	 * already hold the aggregate's later, uncommitted entries) */
	if (j->cs->observer != NULL)
		j->cs->observer(j->cs->srv, a->flow, a->state, a->id,
		    j->doc != NULL ? j->doc->name : NULL, &j->actor,
		    j->r != NULL ? j->r->peer_addr : NULL, j->facts);
	reply_accepted(j);
	job_end(j);
}

/* The entries before a parked job are durable: answer it as it was
 * decided (a refusal on a state now durable, or a resend). */
static void
job_release(struct job *j)
{
	struct eb_agg *a = j->task.agg;
	struct eb_error e = j->pending;

	TAILQ_REMOVE(&a->uncommitted, &j->task, ulink);
	j->parked = 0;
	j->loaded = 1;
	if (j->unverified && !early_answer(j, &e)) {
		job_reverify(j);          /* not the refusal it may give */
		return;
	}
	if (j->early == EARLY_FLYING) {   /* its answer refuses (dedup_done) */
		j->dedup_then = DEDUP_REFUSE;
		return;
	}
	if ((is_refusal(e.code) || e.code == EB_ERR_CONFLICT) && !a->fresh &&
	    !j->dedup_checked && bytes_maybe_logged(j)) {
		j->dedup_then = DEDUP_REFUSE;
		dedup_check(j);
		return;
	}
	if (is_refusal(e.code))
		record_refusal(j, j->doc->name, &e);
	job_fail(j, &e);
}

/* Back to the head of the queue, to be decided again from a new fold. */
static void
job_reset(struct job *j)
{
	eb_doc_free(j->events);
	j->events = NULL;
	eb_buf_reset(&j->events_bytes);
	free(j->head_sig);
	j->head_sig = NULL;
	j->head_sig_len = 0;
	j->gstatus = 0;
	j->parked = 0;
	j->loaded = 0;
	j->turn_over = 0;
	j->early = EARLY_NONE;
}

/* groupcommit.h: one item of a batch came back. */
static void
item_done(struct eb_gc_item *it, char status, const struct eb_error *e)
{
	struct job *j = (struct job *)(void *)((char *)it -
	    offsetof(struct job, gi));

	if (status == EB_APPENDED) {
		job_committed(j);
		return;
	}
	j->gstatus = status;          /* agg_done() decides */
	if (e != NULL)
		j->gerr = *e;
}

/*
 * A batch failed for aggregate 'a': the cached state holds events that
 * are not durable.  Drop it; then, in decide order, every job decided on
 * it: the duplicate gets its first entry back (dedup), the one whose
 * head moved is decided again after a pause (at most APPEND_ATTEMPTS
 * times), one whose statement failed is answered with the error (as an
 * append in flight always was), and every other one goes back to the
 * head of the queue in order.
 */
static void
agg_failed(struct eb_commands *cs, struct eb_agg *a)
{
	struct eb_agg_task *t;
	struct job *j;

	eb_agg_drop_state(a);
	a->hold = 0;
	/* from the last decided to the first: each one requeued goes to the
	 * head of the queue, so they end up in decide order */
	while ((t = TAILQ_LAST(&a->uncommitted, eb_agg_uncommitted)) != NULL) {
		TAILQ_REMOVE(&a->uncommitted, t, ulink);
		j = (struct job *)(void *)t;
		eb_gc_cancel(cs->gc, &j->gi);
		if (j->gstatus == EB_APPEND_DUP) {
			struct eb_error e;

			eb_fail(&e, EB_ERR_CONFLICT, "duplicate-command",
			    "Send the same command again: its first reply "
			    "comes back.", "this signed command is already "
			    "in the log");
			job_reset(j);
			j->turn_over = 1;
			j->pending = e;
			j->dedup_then = DEDUP_REFUSE;
			dedup_check(j);
			continue;
		}
		if (j->gstatus == EB_GC_FAILED) {
			job_fail(j, &j->gerr);
			continue;
		}
		if (j->gstatus == EB_APPEND_CODE) {
			/* another subject took the code while this one was
			 * in flight (schema/0012_subject_codes.sql) */
			struct eb_error e;
			const char *code = eb_doc_attr(j->doc, "code");

			eb_fail(&e, EB_ERR_CONFLICT, "credit-code-registered",
			    "One organisation, one record: amend the "
			    "registered subject instead.",
			    "credit code %.32s was registered by another "
			    "subject at the same time", code != NULL ? code :
			    "?");
			record_refusal(j, j->doc->name, &e);
			job_fail(j, &e);
			continue;
		}
		if (j->early == EARLY_FLYING) {
			/* decided again when its look-up answers */
			j->dedup_then = DEDUP_REQUEUE;
			j->parked = 0;
			a->refs++;
			continue;
		}
		if (j->gstatus == EB_APPEND_MOVED) {
			if (a->fresh || ++j->attempts >= APPEND_ATTEMPTS) {
				struct eb_error e;

				eb_fail(&e, EB_ERR_CONFLICT, "head-moved",
				    "Submit the command again.",
				    "another command on this aggregate was "
				    "committed first");
				job_fail(j, &e);
				continue;
			}
			eb_log(EB_LOG_INFO, "req id=%s: head of %s moved, "
			    "deciding again", j->reqid, a->id);
			{
				int step = j->attempts < 6 ?
				    1 << (j->attempts - 1) :
				    APPEND_BACKOFF_MAX_MS;

				if (step > APPEND_BACKOFF_MAX_MS)
					step = APPEND_BACKOFF_MAX_MS;
				/* jitter only: random() is enough */
				j->backoff_us = step * 1000L +
				    random() % (step * 1000L);
			}
		}
		job_reset(j);
		eb_aggs_requeue(cs->srv->aggs, &j->task);
	}
}

/*
 * groupcommit.h: every item of 'a' in a batch came back.  On success the
 * parked jobs whose entries before them are now durable are answered;
 * when nothing of 'a' is uncommitted any more the observers hear of its
 * (durable) state; while some is, no new command is decided (hold), so
 * that they hear of it after the next batch at the latest.
 */
static void
agg_done(struct eb_server *srv, struct eb_agg *a)
{
	struct eb_commands *cs = srv->cmds;
	struct eb_agg_task *t;
	int failed = 0;

	TAILQ_FOREACH(t, &a->uncommitted, ulink)
		if (((struct job *)(void *)t)->gstatus != 0)
			failed = 1;
	if (failed) {
		agg_failed(cs, a);
	} else {
#ifndef __clang_analyzer__
		/* (hidden from clang's analyzer: it does not follow
		 * TAILQ_REMOVE in job_release through tqe_prev back to the
		 * head, so it takes the next TAILQ_FIRST for the job just
		 * released and freed; tools/analyze) */
		while ((t = TAILQ_FIRST(&a->uncommitted)) != NULL &&
		    ((struct job *)(void *)t)->parked)
			job_release((struct job *)(void *)t);
#endif
		a->hold = !TAILQ_EMPTY(&a->uncommitted);
		if (!a->hold && a->state != NULL)
			eb_notify_committed(srv, a->id, a->flow, a->state);
	}
	eb_aggs_settle(srv->aggs, a);
}

/* Give the job's turn on the aggregate to the next task now. */
static void
job_turn_over(struct job *j)
{
	j->turn_over = 1;
	eb_aggs_done(j->cs->srv->aggs, &j->task);
}

/*
 * Decided on a state that holds uncommitted entries: answer once they are
 * durable (agg_done), or decide again if they fail (agg_failed).
 */
static void
job_park(struct job *j, const struct eb_error *e)
{
	struct eb_agg *a = j->task.agg;

	eb_doc_free(j->events);
	j->events = NULL;
	j->pending = *e;
	j->parked = 1;
	TAILQ_INSERT_TAIL(&a->uncommitted, &j->task, ulink);
	job_turn_over(j);
	/*
	 * A refusal is answered after the look-up of its bytes (a resend of
	 * an accepted command gets its first reply): run it now, while the
	 * commit before it flies, not after.  Not for a resend of an
	 * uncommitted command: its entry is only there after the commit.
	 */
	if ((is_refusal(e->code) || e->code == EB_ERR_CONFLICT) && !a->fresh &&
	    !j->dedup_checked && strcmp(e->reason, "duplicate-command") != 0 &&
	    bytes_maybe_logged(j)) {
		j->early = EARLY_FLYING;
		j->dedup_then = DEDUP_PARKED;
		dedup_check(j);
	}
}

/* Is a decided, uncommitted command of 'a' made of these bytes? */
static int
uncommitted_bytes(const struct eb_agg *a, const uint8_t sha[EB_SHA256_LEN])
{
	const struct eb_agg_task *t;

	for (t = TAILQ_FIRST(&a->uncommitted); t != NULL;
	    t = TAILQ_NEXT(t, ulink)) {
		const struct job *o = (const struct job *)(const void *)t;

		if (!o->parked && memcmp(o->der_sha, sha, EB_SHA256_LEN) == 0)
			return 1;
	}
	return 0;
}

static int
sign_head(struct job *j, struct eb_error *e)
{
	struct eb_server *srv = j->cs->srv;
	struct eb_buf text = EB_BUF_INIT;
	int rc;

	if ((rc = eb_chain_head_text(j->task.agg->id, j->seq, j->hash, &text)) ==
	    EB_OK)
		rc = eb_keyproc_sign(srv->kp, text.data, text.len,
		    &j->head_sig, &j->head_sig_len, e);
	else
		eb_fail(e, rc, "head-signature", NULL,
		    "cannot build the chain head text");
	eb_buf_free(&text);
	return rc;
}

static void
job_decide(struct job *j)
{
	struct eb_server *srv = j->cs->srv;
	struct eb_agg *a = j->task.agg;
	const struct eb_flow_ops *ops = a->flow->ops;
	struct eb_cmd cmd;
	struct eb_entry ent;
	struct eb_store_entry *se;
	struct eb_error e;
	char before[64];
	int rc;

	eb_error_clear(&e);
	/* not checked, and the same bytes as an uncommitted command: the
	 * full check first (the reply would be that command's) */
	if (j->unverified && uncommitted_bytes(a, j->der_sha)) {
		job_reverify(j);
		return;
	}
	/* the same signed bytes as a command not yet committed: its reply
	 * (dedup) once it is; never twice in one batch */
	if (uncommitted_bytes(a, j->der_sha)) {
		eb_fail(&e, EB_ERR_CONFLICT, "duplicate-command", "Send the "
		    "same command again: its first reply comes back.",
		    "this signed command is already being appended");
		job_park(j, &e);
		return;
	}
	/* its look-up was answered by the cache before its turn
	 * (job_enqueue), and the state it is decided on now may hold these
	 * bytes (a resend committed meanwhile, or a fold of entries another
	 * ebidd appended): look them up in the database, as before */
	if (j->dedup_mem && !a->fresh && !eb_agg_cmd_absent(a, j->der_sha)) {
		j->dedup_mem = 0;
		j->dedup_checked = 0;
		job_load(j);            /* the look-up in the turn (DEDUP_LOAD) */
		return;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.body = j->doc;
	cmd.actor = j->actor;
	snprintf(cmd.target, sizeof(cmd.target), "%s", a->id);
	cmd.time = j->time;
	cmd.facts = j->facts;
	cmd.agency_facts = j->agency_facts;
	cmd.rules = EB_RULES_CURRENT;     /* recorded in the entry */
	rc = ops->decide(a->state, &cmd, &j->events, &e);
	unpend_hint(j);                   /* decided: the hint's turn */
	/*
	 * Not checked (verify_work guessed a stale price): only the guessed
	 * refusal is answered so; anything else leaves the turn with no
	 * side effect, has its signature checked and is decided again.
	 */
	if (j->unverified && (rc == EB_OK || !early_answer(j, &e))) {
		eb_doc_free(j->events);
		j->events = NULL;
		job_reverify(j);
		return;
	}
	if (rc != EB_OK && !TAILQ_EMPTY(&a->uncommitted)) {
		if (e.code == 0)
			eb_fail(&e, rc, "refused", NULL, "command refused");
		job_park(j, &e);
		return;
	}
	if (rc != EB_OK && !j->loaded && !a->fresh && is_refusal(e.code)) {
		/* refused on the cache alone: make sure it is current (another
		 * ebidd may have appended) before refusing */
		eb_doc_free(j->events);
		j->events = NULL;
		j->loaded = 1;
		job_load(j);
		return;
	}
	if (rc != EB_OK) {
		if (e.code == 0)
			eb_fail(&e, rc, "refused", NULL, "command refused");
		if ((is_refusal(e.code) || e.code == EB_ERR_CONFLICT) &&
		    !a->fresh && !j->dedup_checked && bytes_maybe_logged(j)) {
			/* a resend of an accepted command: its first reply */
			eb_doc_free(j->events);
			j->events = NULL;
			j->pending = e;
			j->dedup_then = DEDUP_REFUSE;
			dedup_check(j);
			return;
		}
		if (is_refusal(e.code))
			record_refusal(j, j->doc->name, &e);
		job_fail(j, &e);
		return;
	}
	if (j->events == NULL || strcmp(j->events->name, "events") != 0) {
		eb_fail(&e, EB_ERR_INTERNAL, "bad-events", NULL,
		    "the core returned no <events> tree");
		job_fail(j, &e);
		return;
	}
	j->seq = a->seq + 1;
	/* eb_doc_serialize's bytes, by the direct writer where it vouches
	 * (replyxml.h): libxml2's tree is built only for the trees it
	 * cannot */
	if ((rc = eb_replyxml_events(j->events, &j->events_bytes)) != EB_OK) {
		eb_fail(&e, rc, "events-too-large", NULL,
		    "the events cannot be serialized");
		job_fail(j, &e);
		return;
	}
	memset(&ent, 0, sizeof(ent));
	ent.aggregate = a->id;
	ent.kind = a->flow->kind;
	ent.seq = j->seq;
	ent.time = j->time;
	ent.actor = &j->actor;
	ent.clock = eb_clock_name(&srv->clock);
	ent.rules = cmd.rules;
	memcpy(ent.command_sha256, j->der_sha, EB_SHA256_LEN);
	ent.events = j->events;
	if (eb_receipts_wanted(j->doc->name) && srv->has_tsa &&
	    j->receipt == NULL &&
	    eb_receipts_stamp(srv, j->der_sha, j->time,
	    eb_receipts_serial(srv, j->time), &j->receipt, &j->receipt_len,
	    &e) != EB_OK) {
		eb_log_e(EB_LOG_ERROR, &e, "cannot issue a receipt");
		job_fail(j, &e);
		return;
	}
	if (j->receipt != NULL) {
		ent.has_receipt = 1;
		eb_sha256(j->receipt, j->receipt_len, ent.receipt_sha256);
	}
	memcpy(j->prev, a->hash, EB_SHA256_LEN);
	if ((rc = eb_replyxml_entry_hash(&ent, j->events_bytes.data,
	    j->events_bytes.len, a->hash, j->hash)) != EB_OK) {
		eb_fail(&e, rc, "entry-hash", NULL, "cannot hash the entry");
		job_fail(j, &e);
		return;
	}
	snprintf(before, sizeof(before), "%s", ops->state_name(a->state));
	if ((rc = ops->apply(a->state, j->events, &e)) != EB_OK) {
		eb_log_e(EB_LOG_ERROR, &e, "apply refused the core's own events");
		eb_agg_drop_state(a);
		a->hold = !TAILQ_EMPTY(&a->uncommitted);
		eb_fail(&e, EB_ERR_INTERNAL, "apply-failed",
		    "Report this to the centre's operators.",
		    "internal error: the events could not be applied");
		job_fail(j, &e);
		return;
	}
	eb_agg_grew(a, j->events_bytes.len);
	eb_agg_hint_publish(a);           /* a sale's new floor (aggs.h) */
	snprintf(j->state_name, sizeof(j->state_name), "%s",
	    ops->state_name(a->state));
	/*
	 * Sign the head at creation, at every phase change, at every system
	 * command (deadlines, the opening...), at every receipt (the bidder
	 * keeps it: proof of inclusion) and at every head_every_entries-th
	 * seq; the rest is signed within head_every_seconds (heads.c).
	 */
	if ((j->seq == 1 || strcmp(before, j->state_name) != 0 ||
	    j->receipt != NULL || j->actor.role == EB_ROLE_SYSTEM ||
	    j->seq % srv->cfg->head_every_entries == 0) &&
	    sign_head(j, &e) != EB_OK) {
		eb_log_e(EB_LOG_ERROR, &e, "cannot sign the chain head");
		eb_agg_drop_state(a);
		a->hold = !TAILQ_EMPTY(&a->uncommitted);
		job_fail(j, &e);
		return;
	}
	se = &j->gi.entry;
	memset(se, 0, sizeof(*se));
	se->aggregate = a->id;
	se->kind = a->flow->kind;
	se->seq = j->seq;
	se->time_ms = j->time;
	se->party = j->actor.party;
	se->role = eb_role_name(j->actor.role);
	se->person = j->actor.person;
	se->command = j->der;
	se->command_len = j->der_len;
	memcpy(se->command_sha256, j->der_sha, EB_SHA256_LEN);
	se->events = j->events_bytes.data;
	se->events_len = j->events_bytes.len;
	se->clock = ent.clock;
	se->rules = ent.rules;
	se->request_id = j->seq == 1 ? request_id(j->doc) : NULL;
	memcpy(se->prev_hash, a->hash, EB_SHA256_LEN);
	memcpy(se->hash, j->hash, EB_SHA256_LEN);
	se->state = j->state_name;
	se->receipt = j->receipt;
	se->receipt_len = j->receipt_len;
	se->head_sig = j->head_sig;
	se->head_sig_len = j->head_sig_len;
	j->gi.agg = a;
	j->gi.done = item_done;
	j->gstatus = 0;
	eb_gc_submit(j->cs->gc, &j->gi);      /* only queues: cannot fail */
	/* the pending head: the next command is chained on it */
	a->seq = j->seq;
	memcpy(a->hash, j->hash, EB_SHA256_LEN);
	eb_agg_cmd_add(a, j->der_sha);
	TAILQ_INSERT_TAIL(&a->uncommitted, &j->task, ulink);
	job_turn_over(j);
}

/* -- load --------------------------------------------------------------- */

/* The aggregate is folded up to date (aggs.h): decide now. */
static void
job_loaded(struct eb_agg_task *t, int rc, const struct eb_error *e,
    int folded)
{
	struct job *j = (struct job *)(void *)t;

	if (rc != EB_OK) {
		job_fail(j, e);
		return;
	}
	if (folded)
		j->loaded = 1;
	job_decide(j);
}


/*
 * Every command is idempotent on its signed bytes (docs/server.md,
 * retrying): the same bytes sent again get the first entry back as
 * <accepted duplicate="yes">, and nothing new is appended.  Looked up
 * (log.command_sha256, indexed, schema/0007):
 *   - before deciding a receipt-bearing command (the bid must still be
 *     its bidder's last word: after a later withdraw-bid or submit-bid
 *     of the same bidder the resend is refused, bid-withdrawn /
 *     bid-replaced, since only the last bid counts), unless the
 *     cached aggregate proves the bytes new (job_enqueue; checked again
 *     on the state it is decided on, job_decide), and a creating
 *     command found at seq 1 of an aggregate (verify_done);
 *   - before replying a refusal on an existing aggregate (a resend of a
 *     command that was accepted is usually refused by the state it
 *     made: "already the highest", "not in that state"), unless the
 *     cached state proves the bytes new (bytes_maybe_logged);
 *   - when the append finds the same bytes already in the log
 *     (eb_append raises duplicate-command: a resend decided while the
 *     first was in flight, here or in another ebidd).
 * The lookup is only paid on these paths; an accepted command pays it
 * only when it bears a receipt and its aggregate is not in the cache.
 */
static void
dedup_done(int rc, const struct eb_error *e, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct job *j = arg;
	struct eb_doc *d = NULL, *ev = NULL;
	struct eb_error le;
	char iso[EB_ISOTIME_LEN], hex[EB_SHA256_HEX];
	char *b64 = NULL;
	uint64_t be;

	if (j->dedup_then == DEDUP_EARLY) {
		/* looked up before its turn: a miss is the answer; a hit or
		 * an error is looked up again in the turn, as before */
		if (rc != EB_OK || PQntuples(r) > 0)
			j->dedup_checked = 0;
		job_queue(j);
		return;
	}
	if (j->dedup_then == DEDUP_PARKED || j->dedup_then == DEDUP_REQUEUE) {
		/* a miss is an answer; a hit or an error: look again later */
		if (rc != EB_OK || PQntuples(r) > 0)
			j->dedup_checked = 0;
		j->early = EARLY_DONE;
		if (j->dedup_then == DEDUP_REQUEUE) {
			struct eb_agg *a = j->task.agg;

			job_reset(j);
			a->refs--;
			eb_aggs_requeue(j->cs->srv->aggs, &j->task);
			eb_aggs_settle(j->cs->srv->aggs, a);
		}
		return;
	}
	if (rc != EB_OK) {
		job_fail(j, e);
		return;
	}
	if (j->unverified && PQntuples(r) > 0) {
		/* never the first reply to an unchecked command (early_answer
		 * keeps them from here: a second guard) */
		job_reverify(j);
		return;
	}
	if (PQntuples(r) == 0) {
		if (j->dedup_then == DEDUP_REFUSE) {
			le = j->pending;
			if (is_refusal(le.code))
				record_refusal(j, j->doc->name, &le);
			job_fail(j, &le);
			return;
		}
		job_load(j);
		return;
	}
	eb_error_clear(&le);
	/*
	 * Only the last bid counts: the old receipt is an answer only while
	 * this bid is still the bidder's current one.  After a withdrawal or
	 * a replacement the same bytes are refused, never "accepted" again.
	 */
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 8) &&
	    PQgetlength(r, 0, 8) > 0) {
		int withdrawn = PQgetvalue(r, 0, 8)[0] == 'w';

		if (withdrawn)
			eb_fail(&le, EB_ERR_STATE, "bid-withdrawn",
			    "Seal the bid again (ebid bid seal) to submit a "
			    "new one.", "this sealed bid was withdrawn; "
			    "sending it again does not restore it");
		else
			eb_fail(&le, EB_ERR_STATE, "bid-replaced",
			    "Only the last bid counts; seal the bid again "
			    "to make it the last.", "this sealed bid was "
			    "replaced by a later one; sending it again does "
			    "not restore it");
		record_refusal(j, j->doc->name, &le);
		job_fail(j, &le);
		return;
	}
	if (eb_xml_parse_stored_events((const uint8_t *)PQgetvalue(r, 0, 3),
	    (size_t)PQgetlength(r, 0, 3), &ev, &le) != EB_OK) {
		job_fail(j, &le);
		return;
	}
	d = eb_doc_new("accepted");
	eb_doc_set_attr(d, "aggregate", j->target);
	memcpy(&be, PQgetvalue(r, 0, 0), 8);
	eb_doc_set_attr_i64(d, "seq", (int64_t)be64toh(be));
	eb_hex32((const uint8_t *)PQgetvalue(r, 0, 1), hex);
	eb_doc_set_attr(d, "hash", hex);
	memcpy(&be, PQgetvalue(r, 0, 2), 8);
	eb_isotime_format((int64_t)be64toh(be), iso);
	eb_doc_set_attr(d, "time", iso);
	eb_doc_set_attr(d, "duplicate", "yes");
	eb_doc_set_attr(d, "kind", j->flow->kind);
	{
		char clock[16];

		snprintf(clock, sizeof(clock), "%.*s", PQgetlength(r, 0, 6),
		    PQgetvalue(r, 0, 6));
		eb_doc_set_attr(d, "clock", clock);
	}
	if (!PQgetisnull(r, 0, 9) && PQgetlength(r, 0, 9) == 2)  /* int2 */
		eb_doc_set_attr_i64(d, "rules",
		    ((unsigned)(uint8_t)PQgetvalue(r, 0, 9)[0] << 8) |
		    (uint8_t)PQgetvalue(r, 0, 9)[1]);
	if (PQgetlength(r, 0, 5) == EB_SHA256_LEN) {
		eb_hex32((const uint8_t *)PQgetvalue(r, 0, 5), hex);
		eb_doc_set_attr(d, "prev-hash", hex);
	}
	eb_doc_append(d, ev);
	if (!PQgetisnull(r, 0, 4) &&
	    eb_base64_encode((const uint8_t *)PQgetvalue(r, 0, 4),
	    (size_t)PQgetlength(r, 0, 4), &b64) == EB_OK)
		eb_doc_add_text(d, "receipt", b64);
	free(b64);
	if (!PQgetisnull(r, 0, 7) && PQgetlength(r, 0, 1) == EB_SHA256_LEN) {
		memcpy(&be, PQgetvalue(r, 0, 0), 8);
		add_chain_head(d, (int64_t)be64toh(be),
		    (const uint8_t *)PQgetvalue(r, 0, 1),
		    (const uint8_t *)PQgetvalue(r, 0, 7),
		    (size_t)PQgetlength(r, 0, 7));
	}
	if (j->r != NULL)
		eb_reply_doc(j->r, 200, d);
	else if (j->sys_done != NULL)
		j->sys_done(j->sys_arg, EB_OK, NULL, d);
	j->r = NULL;
	eb_doc_free(d);
	job_end(j);
}

/* Look the job's signed bytes up in its aggregate's log (dedup_done). */
static void
dedup_check(struct job *j)
{
	char hex[EB_SHA256_HEX];
	const char *rid = request_id(j->doc);
	const char *params[5] = { j->target, hex,
		eb_receipts_wanted(j->doc->name) ? "t" : "f",
		rid != NULL ? rid : "", j->actor.party };
	struct eb_error e;

	j->dedup_checked = 1;
	eb_metrics_lookup(j->cs->srv->metrics, 1);
	eb_hex32(j->der_sha, hex);
	if (eb_store_select_named(j->cs->srv->store, EB_SQL_LOOKUP_RESENT,
	    5, params, dedup_done, j) != EB_OK) {
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the duplicate check");
		job_fail(j, &e);
	}
}

static void
job_load(struct job *j)
{
	struct eb_agg *a = j->task.agg;

	if (!j->dedup_checked && !a->fresh &&
	    (eb_receipts_wanted(j->doc->name) || j->dedup_force)) {
		j->dedup_then = DEDUP_LOAD;
		dedup_check(j);
		return;
	}
	/*
	 * A command on a cached aggregate is decided on the cache without a
	 * load round trip: the append is a compare-and-set on the head, so if
	 * another process appended meanwhile it fails with head-moved, the
	 * cache is dropped and the command decided again on a fresh fold
	 * (agg_failed).  A new aggregate gets an empty state; otherwise
	 * the log is folded (aggs.h).
	 */
	if (!a->fresh && a->state != NULL && !j->loaded) {
		job_decide(j);
		return;
	}
	eb_aggs_load(j->cs->srv->aggs, &j->task, job_loaded);
}

static void
job_run(struct eb_agg_task *t)
{
	struct job *j = (struct job *)(void *)t;

	if (j->backoff_us > 0) {      /* its head moved: let the other go */
		struct timeval tv = { 0, j->backoff_us };

		j->backoff_us = 0;
		if (event_base_once(j->cs->srv->base, -1, EV_TIMEOUT,
		    retry_load, j, &tv) == 0)
			return;
	}
	job_load(j);
}

static void
job_queue(struct job *j)
{
	struct eb_error e;

	j->task.run = job_run;
	j->task.batchable = 1;
	j->turn_over = 0;                 /* a new turn (job_reverify) */
	eb_error_clear(&e);
	if (eb_aggs_enqueue(j->cs->srv->aggs, j->target, j->flow, &j->task,
	    &e) != EB_OK)
		job_fail(j, &e);
}

static void fetch_facts(struct job *j, const char *kind, const char *attr);
/*
 * Queue the job on its aggregate.  A receipt-bearing command (a sealed
 * bid) is first looked up by its bytes here, before its turn, so its
 * aggregate's turn is not held over that round trip (the deadline surge:
 * every submit-bid of a tender used to wait for the look-ups of all the
 * ones before it).  A miss stays true in the turn: the same bytes
 * appended meanwhile are caught in memory (uncommitted) or by the append
 * (eb_append's duplicate-command, agg_failed); a hit is looked up again
 * in the turn, where its answer (the first reply, bid-replaced,
 * bid-withdrawn) is decided as before.
 */
static void
job_enqueue(struct job *j)
{
	if (!j->dedup_checked && !j->dedup_force &&
	    eb_receipts_wanted(j->doc->name)) {
		struct eb_agg *a = eb_aggs_find(j->cs->srv->aggs, j->target);

		/*
		 * The cached aggregate knows the command of every entry folded
		 * or decided into its state (aggs.h eb_agg_cmd_absent): when
		 * none has these bytes, they are not in its log up to the
		 * cached head, which is the database's miss (the deadline
		 * surge: a look-up per sealed bid cost the database about as
		 * much CPU as the bid's append, docs/performance.md, sixth
		 * pass).  Entries past the cached head, appended by another
		 * ebidd, move the head: the append fails head-moved, the
		 * state is folded again, and job_decide looks the bytes up
		 * when the new fold holds them.  A creating command's request
		 * id is only in the database.
		 */
		if (a != NULL && a->flow == j->flow &&
		    request_id(j->doc) == NULL &&
		    eb_agg_cmd_absent(a, j->der_sha)) {
			j->dedup_checked = 1;
			j->dedup_mem = 1;
			eb_metrics_lookup(j->cs->srv->metrics, 0);
			job_queue(j);
			return;
		}
		j->dedup_then = DEDUP_EARLY;
		dedup_check(j);     /* dedup_done: job_queue() */
		return;
	}
	job_queue(j);
}

static void
id_done(int rc, const struct eb_error *e, const char *id, void *arg)
{
	struct job *j = arg;
	struct eb_agg *a;

	if (rc != EB_OK) {
		job_fail(j, e);
		return;
	}
	snprintf(j->target, sizeof(j->target), "%s", id);
	a = eb_aggs_get(j->cs->srv->aggs, id, j->flow);
	a->fresh = 1;
	/* a tender naming its agency rests on that subject (subject.h) */
	if (strcmp(j->doc->name, "register-tender") == 0 &&
	    eb_doc_attr(j->doc, "agency") != NULL) {
		fetch_facts(j, "subject", "agency");
		return;
	}
	job_enqueue(j);
}

/*
 * A creating command's bytes looked up at seq 1 of every aggregate: found,
 * the job goes to that aggregate and gets its first entry back (dedup);
 * not found, a new id is drawn.
 */
static void
created_done(int rc, const struct eb_error *e, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct job *j = arg;
	struct eb_error le;
	time_t secs = (time_t)(j->time / 1000);
	struct tm tm;

	if (rc != EB_OK) {
		job_fail(j, e);
		return;
	}
	if (PQntuples(r) > 0) {
		snprintf(j->target, sizeof(j->target), "%s",
		    PQgetvalue(r, 0, 0));
		j->dedup_force = 1;
		job_enqueue(j);
		return;
	}
	/* a new one: across the registers first (unique credit code) */
	if (!j->prechecked && eb_registry_wants(j->doc)) {
		j->prechecked = 2;
		if ((rc = eb_registry_check(j->cs->srv, j->doc, prechecked,
		    j)) == EB_OK)
			return;
		eb_fail(&le, rc, "database-unavailable", NULL,
		    "cannot queue the check of %s across the registers",
		    j->doc->name);
		job_fail(j, &le);
		return;
	}
	gmtime_r(&secs, &tm);
	if ((rc = eb_store_next_id(j->cs->srv->store, j->flow->kind,
	    tm.tm_year + 1900, id_done, j)) != EB_OK) {
		eb_fail(&le, rc, "database-unavailable", NULL,
		    "cannot queue the id request");
		job_fail(j, &le);
	}
}

/* -- checks across the registers (registry.h) --------------------------- */

static void verify_done(void *arg);

/*
 * registry.h's check done: refuse, or go on: a creating command to its
 * new id (created_done found no earlier one), another back to routing.
 */
static void
prechecked(void *arg, int rc, const struct eb_error *e)
{
	struct job *j = arg;
	struct eb_error le;
	time_t secs = (time_t)(j->time / 1000);
	struct tm tm;

	if (rc != EB_OK) {
		if (is_refusal(e->code))
			record_refusal(j, j->doc->name, e);
		job_fail(j, e);
		return;
	}
	if (j->prechecked == 1) {
		verify_done(j);
		return;
	}
	gmtime_r(&secs, &tm);
	if ((rc = eb_store_next_id(j->cs->srv->store, j->flow->kind,
	    tm.tm_year + 1900, id_done, j)) != EB_OK) {
		eb_fail(&le, rc, "database-unavailable", NULL,
		    "cannot queue the id request");
		job_fail(j, &le);
	}
}

/* -- a subject's facts (engine/core/subject.h) -------------------------- */

/* A facts read's answer kept in '*slot'; -1 when the job failed.  Not
 * found keeps none: the core decides without (no-such-subject). */
static int
keep_facts(struct job *j, struct eb_doc **slot, int rc,
    const struct eb_error *e, const struct eb_doc *view)
{
	if (rc != EB_OK && e != NULL && e->code != EB_ERR_NOTFOUND) {
		job_fail(j, e);
		return -1;
	}
	if (rc == EB_OK && view != NULL)
		*slot = eb_doc_clone(view);
	return 0;
}

/* The agency's subject facts of a rate-agency (facts_done); none when
 * the subject is not found (the rating is then decided without them). */
static void
agency_facts_done(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *view)
{
	struct job *j = arg;

	if (keep_facts(j, &j->agency_facts, rc, e, view) == 0)
		job_enqueue(j);
}

static void
facts_done(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *view)
{
	struct job *j = arg;

	if (keep_facts(j, &j->facts, rc, e, view) != 0)
		return;
	/* a rating of an agency also rests on the agency's own subject: who
	 * represents it at the rating's instant (pool.h, rules 4) */
	if (strcmp(j->doc->name, "rate-agency") == 0 && j->facts != NULL) {
		const char *sid = eb_doc_attr(eb_doc_path(j->facts,
		    "registration/agency"), "subject");

		if (sid != NULL && sid[0] != '\0' &&
		    strlen(sid) < EB_ID_MAX) {
			struct eb_error le;

			if (eb_reads_submit(j->cs->srv, "subject", sid,
			    &j->cs->srv->actor, EB_READ_FACTS,
			    agency_facts_done, j) == EB_OK)
				return;
			eb_error_clear(&le);
			eb_fail(&le, EB_ERR_INTERNAL, "internal", NULL,
			    "cannot queue the agency's read");
			job_fail(j, &le);
			return;
		}
	}
	job_enqueue(j);
}

/*
 * Read the aggregate of kind 'kind' the command names in its attribute
 * 'attr' (a subject's subject=, a rating's tender job=), as the system,
 * then enqueue the command.
 */
static void
fetch_facts(struct job *j, const char *kind, const char *attr)
{
	const char *sid = eb_doc_attr(j->doc, attr);
	struct eb_error e;

	eb_error_clear(&e);
	if (strlen(sid) == 0 || strlen(sid) >= EB_ID_MAX) {
		eb_fail(&e, EB_ERR_FORMAT, "bad-target", NULL,
		    "the %s id is empty or too long", kind);
		job_fail(j, &e);
		return;
	}
	if (eb_reads_submit(j->cs->srv, kind, sid, &j->cs->srv->actor,
	    EB_READ_FACTS, facts_done, j) != EB_OK) {
		eb_fail(&e, EB_ERR_INTERNAL, "internal", NULL,
		    "cannot queue the %s's read", kind);
		job_fail(j, &e);
	}
}

/* -- the handler -------------------------------------------------------- */

/*
 * The early refusal's guess (issue 17, ninth pass), on the worker: the
 * signed content read without checking the signature
 * (eb_cms_peek_content), parsed and validated as usual; when it is a
 * raise (quote, auction-bid) that its sale's floor hint refuses for this
 * TLS peer (aggs.h, sale.h eb_sale_hint_refuses), the job goes to the
 * loop unchecked (1, j->doc and j->unverified set) and job_decide
 * answers it only with the refusal guessed, else checks it after all
 * (job_reverify).  0 otherwise: the normal order, the signature first
 * (so a bad signature still outranks bad XML); a tree that parsed is
 * left in *peeked, with the bytes it was parsed from, for reuse once
 * the signature holds.
 */
static int
early_peek(struct job *j, const struct eb_xml_limits *lim,
    struct eb_doc **peeked, const uint8_t **pcontent, size_t *plen)
{
	const struct eb_server *srv = j->cs->srv;
	struct eb_sale_hint h;
	struct eb_error quiet;
	struct eb_doc *d = NULL;
	const char *sale;

	if (eb_cms_peek_content(j->der, j->der_len, pcontent, plen) != EB_OK)
		return 0;
	eb_error_clear(&quiet);
	if (eb_xml_parse(srv->schema, lim, *pcontent, *plen, &d, &quiet) !=
	    EB_OK) {
		eb_doc_free(d);
		return 0;
	}
	/* early_refusal = 2 (tests): every raise is taken for stale, so
	 * that the check after the decision is what answers it */
	if ((strcmp(d->name, "auction-bid") == 0 ||
	    strcmp(d->name, "quote") == 0) &&
	    (sale = eb_doc_attr(d, "sale")) != NULL &&
	    (srv->cfg->early_refusal == 2 ||
	    (eb_aggs_hint_get(srv->aggs, sale, &h) &&
	    (j->guess = eb_sale_hint_refuses(&h, d, j->actor.party)) !=
	    0))) {
		j->doc = d;
		j->unverified = 1;
		return 1;
	}
	*peeked = d;
	return 0;
}

/*
 * A raise whose signature held (verify_work, last): when it may win by
 * its sale's hint, it is pending there until the loop decides it, so
 * that the raises peeked meanwhile under it are guessed stale
 * (aggs.h).  Only a guess: the pending one may still be refused.
 */
static void
pend_hint(struct job *j)
{
	const struct eb_server *srv = j->cs->srv;
	struct eb_sale_hint h;
	const char *sale;
	int64_t amount;

	if (j->doc == NULL || (strcmp(j->doc->name, "auction-bid") != 0 &&
	    strcmp(j->doc->name, "quote") != 0) ||
	    (sale = eb_doc_attr(j->doc, "sale")) == NULL ||
	    eb_doc_attr_i64(j->doc, "amount", &amount) != EB_OK ||
	    !eb_aggs_hint_get(srv->aggs, sale, &h) ||
	    h.phase != (strcmp(j->doc->name, "quote") == 0 ?
	    EB_SALE_HINT_LISTING : EB_SALE_HINT_AUCTION))
		return;
	h.pending = 0;
	/* not the leader's own (already-highest unless the lead moves) */
	if (strcmp(h.leader, j->actor.party) != 0 &&
	    eb_sale_hint_refuses(&h, j->doc, j->actor.party) == 0 &&
	    eb_aggs_hint_pend(srv->aggs, sale, amount))
		j->pended = amount;
}

/*
 * On a worker thread (workers.h): verify the signature, compare the
 * signer with the TLS peer, parse and validate the XML.  Reads only the
 * job's own bytes, the peer certificate and the shared read-only trust
 * and schema; writes only the job.
 */
static void
verify_work(void *arg)
{
	struct job *j = arg;
	const struct eb_server *srv = j->cs->srv;
	uint8_t *content = NULL;
	size_t clen = 0, plen = 0;
	const uint8_t *pcontent = NULL;
	struct eb_doc *peeked = NULL;
	X509 *signer = NULL;
	struct eb_cms_window w;    /* signing time vs receipt (cms.h) */
	struct eb_xml_limits lim;  /* pre-scan bounds (xml.h, config.h) */

	eb_error_clear(&j->verr);
	/* the command's hash (the entry's command_sha256, the look-ups of
	 * resends): here, not on the loop (0.2 ms for a 138 KB bid) */
	eb_sha256(j->der, j->der_len, j->der_sha);
	eb_config_signing_window(srv->cfg, j->time, srv->clock.mode !=
	    EB_CLOCK_SYSTEM ? eb_clock_real_ms() : 0, &w);
	eb_config_xml_limits(srv->cfg, &lim);
	lim.raise_shapes = j->cs->raise_shapes;
	if (!j->reverify && srv->cfg->early_refusal && j->r != NULL &&
	    j->der_len <= EARLY_MAX_BYTES &&
	    early_peek(j, &lim, &peeked, &pcontent, &plen)) {
		j->vrc = EB_OK;           /* decided before it is checked */
		goto out;
	}
	if ((j->vrc = eb_cms_verify_command(srv->trust, j->der, j->der_len,
	    &w, &content, &clen, &signer, NULL, &j->verr)) != EB_OK)
		goto out;
	if (X509_cmp(signer, j->r->peer) != 0) {
		j->vrc = eb_fail(&j->verr, EB_ERR_DENIED, "signer-not-peer",
		    "Sign the command with the key of the certificate you "
		    "connect with.",
		    "the command is signed by another certificate than the "
		    "connection's");
		goto out;
	}
	/* the peeked tree is the verified content's when the bytes are */
	if (peeked != NULL && plen == clen && memcmp(pcontent, content,
	    clen) == 0) {
		j->doc = peeked;
		peeked = NULL;
		j->vrc = EB_OK;
	} else {
		j->vrc = eb_xml_parse(srv->schema, &lim, content, clen,
		    &j->doc, &j->verr);
	}
	if (j->vrc == EB_OK && srv->cfg->early_refusal)
		pend_hint(j);
out:
	eb_doc_free(peeked);
	free(content);
	X509_free(signer);
}


/* The signer's OCSP verdict came (ocspclient.h): on with verify_done. */
static void
signer_checked(void *arg, int rc, const struct eb_error *e)
{
	struct job *j = arg;

	if (rc != EB_OK) {
		j->vrc = rc;
		j->verr = *e;
	}
	verify_done(j);
}

/* Back on the loop thread: route the verified command to its aggregate. */
static void
verify_done(void *arg)
{
	struct job *j = arg;
	struct eb_server *srv = j->cs->srv;
	struct eb_error e = j->verr;
	const char *tattr = NULL, *tval = NULL;
	int rc = j->vrc;

	if (rc != EB_OK)
		goto fail;
	/*
	 * The signer (the TLS peer, verify_work) by OCSP at the command's
	 * instant, beside the CRL check of eb_cms_verify_command: a
	 * signature made before the revocation stands.
	 */
	if (!j->ocsp_asked && !j->unverified) {
		/* j->r is the request until a reply; an unchecked job is
		 * asked after its signature (job_reverify) */
		j->ocsp_asked = 1;
		rc = eb_ocspc_check(srv, j->r->peer, j->time, &e,
		    signer_checked, j);
		if (rc == EB_OCSPC_WAIT)
			return;
		if (rc != EB_OK)
			goto fail;
	}
	/*
	 * The system role is ebidd's own key, not a role string: a
	 * certificate that says OU=system but is not one of the centre's
	 * server certificates (cert, system_certs) is refused.
	 */
	if (j->actor.role == EB_ROLE_SYSTEM &&
	    !eb_directory_is_server(srv, j->r->peer)) {
		rc = eb_fail(&e, EB_ERR_DENIED, "system-not-server",
		    "Only ebidd's own server certificates act as the system.",
		    "certificate %s claims the system role but is not a "
		    "server certificate of this centre", j->actor.party);
		goto fail;
	}
	if ((j->flow = eb_flow_for_command(j->doc->name)) == NULL) {
		rc = eb_fail(&e, EB_ERR_NOTFOUND, "unknown-command",
		    "See docs/protocol.md for the commands ebidd accepts.",
		    "no such command: %s", j->doc->name);
		goto fail;
	}
	/* a large bid's envelope must be stored before it is received */
	if ((rc = eb_uploads_check_command(srv, j->doc, &e)) != EB_OK)
		goto fail;
	/* custodians must exist before a tender may rely on them */
	if (strcmp(j->flow->kind, "tender") == 0 &&
	    (rc = eb_directory_check_custodians(srv, j->doc, &e)) != EB_OK)
		goto fail;
	if ((tval = eb_doc_attr(j->doc, "tender")) != NULL)
		tattr = "tender";
	else if ((tval = eb_doc_attr(j->doc, "sale")) != NULL)
		tattr = "sale";
	else if ((tval = eb_doc_attr(j->doc, "pool")) != NULL)
		tattr = "pool";
	else if ((tval = eb_doc_attr(j->doc, "monitor")) != NULL)
		tattr = "monitor";
	else if ((tval = eb_doc_attr(j->doc, "subject")) != NULL)
		tattr = "subject";
	if (tattr != NULL && strcmp(tattr, j->flow->attr) != 0) {
		rc = eb_fail(&e, EB_ERR_FORMAT, "wrong-target",
		    "Name the aggregate this command acts on.",
		    "%s acts on a %s, not a %s", j->doc->name, j->flow->kind,
		    tattr);
		goto fail;
	}
	if (tval != NULL && (*tval == '\0' || strlen(tval) >= EB_ID_MAX)) {
		rc = eb_fail(&e, EB_ERR_FORMAT, "bad-target", NULL,
		    "the %s id is empty or too long", tattr);
		goto fail;
	}
	/* across the registers: resolved evidence (a creating command's
	 * check, the unique credit code, comes in created_done) */
	if (!j->prechecked && tval != NULL && eb_registry_wants(j->doc)) {
		j->prechecked = 1;
		if ((rc = eb_registry_check(srv, j->doc, prechecked, j)) ==
		    EB_OK)
			return;
		eb_fail(&e, rc, "database-unavailable", NULL, "cannot queue "
		    "the check of %s across the registers", j->doc->name);
		goto fail;
	}
	if (tval == NULL) {
		/* a creating command sent again: the aggregate it created */
		char hex[EB_SHA256_HEX];
		const char *rid = request_id(j->doc);
		const char *params[3] = { hex, rid != NULL ? rid : "",
			j->actor.party };

		eb_hex32(j->der_sha, hex);
		if (eb_store_select_named(srv->store, EB_SQL_LOOKUP_CREATED,
		    3, params, created_done, j) != EB_OK) {
			eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
			    "cannot queue the duplicate check");
			job_fail(j, &e);
		}
		return;
	}
	snprintf(j->target, sizeof(j->target), "%s", tval);
	if (strcmp(j->flow->kind, "subject") != 0 &&
	    eb_doc_attr(j->doc, "subject") != NULL) {
		fetch_facts(j, "subject", "subject");
		return;
	}
	/* a rating rests on the tender the expert sat on (pool.h) */
	if ((strcmp(j->flow->kind, "pool") == 0 ||
	    strcmp(j->doc->name, "check-tender") == 0) &&
	    eb_doc_attr(j->doc, "job") != NULL) {
		fetch_facts(j, "tender", "job");
		return;
	}
	job_enqueue(j);
	return;
fail:
	if (j->unverified) {
		/* not the guessed refusal: check the signature first */
		job_reverify(j);
		return;
	}
	if (e.code == 0)
		eb_fail(&e, rc, "refused", NULL, "command refused");
	if (j->doc != NULL && is_refusal(e.code))
		record_refusal(j, j->doc->name, &e);
	else if (e.code == EB_ERR_DENIED)
		record_refusal(j, "", &e);
	job_fail(j, &e);
}

void
eb_handle_command(struct eb_req *r)
{
	struct eb_server *srv = r->srv;
	struct eb_commands *cs = srv->cmds;
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t n = evbuffer_get_length(in);
	struct job *j = NULL;
	struct eb_error e;

	eb_error_clear(&e);
	if (n > (size_t)srv->cfg->max_body) {
		eb_fail(&e, EB_ERR_LIMIT, "body-too-large",
		    "Send a smaller command; the limit is the server's "
		    "max_body setting.", "the request body is %zu bytes, "
		    "over the limit of %lld", n,
		    (long long)srv->cfg->max_body);
		eb_reply_error(r, &e);
		return;
	}
	if (n == 0) {
		eb_fail(&e, EB_ERR_FORMAT, "empty-body",
		    "Send the command as a CMS SignedData (ebid send).",
		    "the request has no body");
		eb_reply_error(r, &e);
		return;
	}
	j = eb_calloc(1, sizeof(*j));
	j->der = eb_malloc(n);
	cs->busy++;
	j->cs = cs;
	j->r = r;
	j->actor = r->actor;
	snprintf(j->reqid, sizeof(j->reqid), "%s", r->id);
	j->events_bytes.max = EVENTS_MAX;
	j->der_len = n;
	evbuffer_remove(in, j->der, n);
	j->time = eb_clock_now(&srv->clock);
	eb_workers_submit_sized(srv->workers, verify_work, verify_done, j, n);
}

/* -- ebidd's own commands and reads ------------------------------------- */

int
eb_commands_submit_system(struct eb_commands *cs, const char *target,
    uint8_t *der, size_t der_len, struct eb_doc *doc,
    eb_system_done_fn done, void *arg)
{
	struct eb_server *srv = cs->srv;
	struct job *j;

	j = eb_calloc(1, sizeof(*j));
	if ((j->flow = eb_flow_for_command(doc->name)) == NULL) {
		free(der);
		eb_doc_free(doc);
		free(j);
		return EB_ERR_NOTFOUND;
	}
	cs->busy++;
	j->cs = cs;
	j->actor = srv->actor;
	snprintf(j->reqid, sizeof(j->reqid), "sys-%llu",
	    (unsigned long long)++srv->next_req);
	j->sys_done = done;
	j->sys_arg = arg;
	j->events_bytes.max = EVENTS_MAX;
	j->der = der;
	j->der_len = der_len;
	eb_sha256(der, der_len, j->der_sha);
	j->doc = doc;
	j->time = eb_clock_now(&srv->clock);
	snprintf(j->target, sizeof(j->target), "%s", target);
	/* the monitor checks a tender on its facts (monitor.h) */
	if (strcmp(doc->name, "check-tender") == 0 &&
	    eb_doc_attr(doc, "job") != NULL) {
		fetch_facts(j, "tender", "job");
		return EB_OK;
	}
	job_enqueue(j);
	return EB_OK;
}

/* -- lifetime ----------------------------------------------------------- */

/* Do all 'n' documents parse with the XSD run (valid) as 'valid' says? */
static int
shapes_parse(const struct eb_server *srv, const char *const *docs, size_t n,
    int valid)
{
	struct eb_xml_limits lim;
	struct eb_error e;
	struct eb_doc *d;
	size_t i;
	int rc;

	memset(&lim, 0, sizeof(lim));          /* raise_shapes 0: XSD */
	for (i = 0; i < n; i++) {
		d = NULL;
		rc = eb_xml_parse(srv->schema, &lim, (const uint8_t *)docs[i],
		    strlen(docs[i]), &d, &e);
		eb_doc_free(d);
		if ((rc == EB_OK) != valid)
			return 0;
	}
	return 1;
}

/*
 * May a raise of the plain shape skip libxml2's XSD run (xml.h
 * raise_shapes)?  That shape is valid against protocol/xsd/sale.xsd as
 * shipped; ebidd may be pointed at other schema files, so the schema it
 * loaded is asked first, with the XSD run: the raises at their types'
 * edges must be valid, and those just past them (an amount of 0 or over
 * 10^15, a sale id of 65 characters, either attribute missing, one
 * attribute more, a child) invalid.  Anything else: every raise is
 * validated as before.
 */
static int
shapes_hold(const struct eb_server *srv)
{
	static const char *const good[] = {
		"<auction-bid xmlns=\"urn:ebid:1\" sale=\"S-1\" amount=\"1\"/>",
		"<quote xmlns=\"urn:ebid:1\" amount=\"1000000000000000\" "
		    "sale=\"a.b_c:d-0123456789012345678901234567890123456789"
		    "01234567890123\"/>",
		"<auction-bid xmlns=\"urn:ebid:1\" sale=\"S\" "
		    "amount=\"1000000000000000\"/>",
		"<quote xmlns=\"urn:ebid:1\" sale=\"Z\" amount=\"9\"/>",
	};
	static const char *const bad[] = {
		"<auction-bid xmlns=\"urn:ebid:1\" sale=\"S-1\" amount=\"0\"/>",
		"<quote xmlns=\"urn:ebid:1\" sale=\"S-1\" "
		    "amount=\"1000000000000001\"/>",
		"<auction-bid xmlns=\"urn:ebid:1\" amount=\"1\"/>",
		"<quote xmlns=\"urn:ebid:1\" sale=\"S-1\"/>",
		"<auction-bid xmlns=\"urn:ebid:1\" sale=\"S-1\" amount=\"1\" "
		    "x=\"1\"/>",
		"<quote xmlns=\"urn:ebid:1\" sale=\"S-1\" amount=\"1\" "
		    "x=\"1\"/>",
		"<quote xmlns=\"urn:ebid:1\" amount=\"5\" "
		    "sale=\"0123456789012345678901234567890123456789"
		    "0123456789012345678901234\"/>",
		"<auction-bid xmlns=\"urn:ebid:1\" sale=\"S-1\" "
		    "amount=\"1\"><x/></auction-bid>",
	};

	if (srv->schema == NULL)
		return 0;
	return shapes_parse(srv, good, sizeof(good) / sizeof(good[0]), 1) &&
	    shapes_parse(srv, bad, sizeof(bad) / sizeof(bad[0]), 0);
}

struct eb_commands *
eb_commands_new(struct eb_server *srv)
{
	struct eb_commands *cs = eb_calloc(1, sizeof(*cs));
	int flying;

	cs->srv = srv;
	cs->raise_shapes = shapes_hold(srv);
	if (srv->schema != NULL)
		eb_log(EB_LOG_INFO, "%s", cs->raise_shapes ? "raises of the "
		    "plain shape are valid by it (no XSD run)" : "the schema "
		    "does not hold the raises' plain shape: every raise is "
		    "validated in full");
	/* half the pool's connections for batches: the rest for loads,
	 * look-ups and reads */
	flying = srv->cfg != NULL ? (int)srv->cfg->db_connections / 2 : 1;
	if ((cs->gc = eb_gc_new(srv, flying, agg_done)) == NULL) {
		free(cs);
		return NULL;
	}
	return cs;
}

void
eb_commands_set_observer(struct eb_commands *cs, eb_commands_observer_fn fn)
{
	cs->observer = fn;
}

unsigned
eb_commands_busy(const struct eb_commands *cs)
{
	return cs->busy;
}

void
eb_commands_free(struct eb_commands *cs)
{
	if (cs == NULL)
		return;
	eb_gc_free(cs->gc);
	free(cs);
}
