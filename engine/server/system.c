/*
 * engine/server/system.c
 *    ebidd's own commands, receipts and reads: see system.h.
 *
 * Timers: one slot per aggregate holding the next due command the core
 * announced (next_timer).  Each accepted command re-arms its aggregate's
 * slot.  A slot fires by building <NAME kind="ID"/> (or the opening
 * command), signing it with the server's key and submitting it; when the
 * command is accepted the slot is re-armed from the new state, when it is
 * refused the refusal is logged and the slot stays disarmed until the next
 * command on that aggregate (so a refused timer never spins).
 *
 * The opening key (EB_ACT_MAKE_OPENING_KEY): custodian certificates
 * come from the centre's certificate directory (the folder of the CA
 * certificate, NAME.crt by party id; a production centre points this at
 * its directory service), each checked against the CA and its subject's
 * party id and role.
 *
 * The opening (timer "open-bids"): the sealed envelopes and the submitted
 * shares are in the signed commands of the log (the events keep only their
 * hashes), so the log's commands are read back, verified again, and the
 * latest submit-bid of each bidder the core still holds is opened.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <libpq-fe.h>
#include <openssl/x509.h>

#include "engine/core/tender.h"
#include "engine/server/commands.h"
#include "engine/server/log.h"
#include "engine/server/server.h"
#include "engine/server/states.h"
#include "engine/server/system.h"
#include "engine/server/workers.h"
#include "protocol/cms.h"
#include "protocol/mem.h"
#include "protocol/receipt.h"
#include "protocol/entry.h"
#include "protocol/isotime.h"
#include "protocol/keysplit.h"
#include "protocol/logdoc.h"
#include "protocol/opening.h"
#include "protocol/xml.h"

#define SLOT_BUCKETS 256

struct slot {
	struct slot *next;
	struct eb_system *sys;
	char id[EB_ID_MAX];
	const struct eb_flow_entry *flow;
	char name[48];
	int64_t at;
	int armed;             /* waiting for 'at' */
	int inflight;          /* its command is being decided */
	int key_requested;     /* tender: set-opening-key submitted */
	int key_failed;        /* tender: the opening key could not be made
	                        * (reported); retried when the action stops
	                        * being due and comes back (suspend, resume) */
	char incident[48];     /* the step last reported as an incident */
	/*
	 * tender: the committee's appointments in the pool: 0 not known to
	 * be recorded, 1 being recorded, 2 recorded (the pool said so:
	 * accepted, or appointments-already-recorded).  Only a cache: the
	 * pool's log is the truth and record-appointment is idempotent per
	 * (tender, expert), so a restart or a second ebidd asks again and
	 * records nothing twice.
	 */
	int appointed;
	struct event *ev;
};

#define SERVERS_MAX 16
#define HEADS_PER_ROUND 1000

struct eb_system {
	struct eb_server *srv;
	struct slot *buckets[SLOT_BUCKETS];
	struct eb_serial_gen serials;   /* receipt serials (eb_system_serial) */
	char directory[512];
	/* the certificates that may act as the system role: ebidd's own and
	 * the other servers of the centre (config system_certs) */
	X509 *servers[SERVERS_MAX];
	size_t nservers;
	struct event *head_ev;       /* every head_every_seconds */
	int head_busy;               /* a round of head signing runs */
	char recover_sql[1200];      /* from the core's final states */
};

static unsigned
bucket_of(const char *id)
{
	unsigned h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % SLOT_BUCKETS;
}

static struct slot *
slot_get(struct eb_system *sys, const char *id,
    const struct eb_flow_entry *flow)
{
	unsigned b = bucket_of(id);
	struct slot *s;

	for (s = sys->buckets[b]; s != NULL; s = s->next)
		if (strcmp(s->id, id) == 0)
			return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->sys = sys;
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->flow = flow;
	s->next = sys->buckets[b];
	sys->buckets[b] = s;
	return s;
}

/* -- signing and submitting our own commands ---------------------------- */

struct sys_job {
	struct slot *slot;
	struct slot *report_to;      /* the tender told of a failure */
	char what[48];
};

static void submit_for(struct slot *slot, struct eb_doc *doc,
    struct slot *report_to);
static void report_incident(struct slot *slot, const char *step,
    const struct eb_error *e);

static void
sys_done(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *accepted)
{
	struct sys_job *sj = arg;

	(void)accepted;
	if (sj->slot != NULL)
		sj->slot->inflight = 0;
	if (strcmp(sj->what, "record-appointment") == 0 &&
	    sj->report_to != NULL) {
		int done = rc == EB_OK || (e != NULL && strcmp(e->reason,
		    "appointments-already-recorded") == 0);

		sj->report_to->appointed = done ? 2 : 0;
		if (done && rc != EB_OK) {     /* nothing to do: not a failure */
			eb_log(EB_LOG_INFO, "appointments of %s already in "
			    "the pool", sj->report_to->id);
			free(sj);
			return;
		}
	}
	if (rc != EB_OK) {
		eb_log(EB_LOG_INFO, "system command %s on %s refused: %s (%s)",
		    sj->what, sj->slot ? sj->slot->id : "?",
		    e != NULL ? e->primary : "?", e != NULL ? e->reason : "");
		/* an automatic step failed: make it visible to the officers
		 * (never for the report itself) */
		if (strcmp(sj->what, "report-incident") != 0 &&
		    sj->report_to != NULL)
			report_incident(sj->report_to, sj->what, e);
	} else {
		eb_log(EB_LOG_INFO, "system command %s on %s accepted",
		    sj->what, sj->slot ? sj->slot->id : "?");
		if (sj->report_to != NULL &&
		    strcmp(sj->what, "report-incident") != 0)
			sj->report_to->incident[0] = '\0';
	}
	free(sj);
}

static int
is_tender(const struct slot *slot)
{
	return slot != NULL && strcmp(slot->flow->kind, "tender") == 0;
}

/* Sign 'doc' (takes ownership) and submit it for 'slot'. */
static void
submit(struct slot *slot, struct eb_doc *doc)
{
	submit_for(slot, doc, is_tender(slot) ? slot : NULL);
}

/*
 * ... and tell tender 'report_to' (may be NULL) with a report-incident
 * when it is refused.
 */
static void
submit_for(struct slot *slot, struct eb_doc *doc, struct slot *report_to)
{
	struct eb_server *srv = slot->sys->srv;
	struct eb_buf xml = EB_BUF_INIT;
	struct sys_job *sj = NULL;
	struct eb_error e;
	uint8_t *der = NULL;
	size_t len = 0;

	eb_error_clear(&e);
	xml.max = (size_t)256 << 20;
	if (eb_xml_write(doc, 0, &xml) != EB_OK ||
	    eb_cms_sign(srv->cert, srv->key, xml.data, xml.len, &der, &len,
	    &e) != EB_OK || (sj = calloc(1, sizeof(*sj))) == NULL) {
		eb_log(EB_LOG_ERROR, "cannot sign system command %s on %s: %s",
		    doc->name, slot->id, e.primary);
		eb_doc_free(doc);
		free(der);
		eb_buf_free(&xml);
		return;
	}
	/* what ebidd signs must pass the schema every auditor applies */
	{
		struct eb_xml_limits lim = { .max_bytes = (size_t)256 << 20,
		    .max_depth = 64, .max_elements = 10000000 };
		struct eb_doc *back = NULL;

		if (eb_xml_parse(srv->schema, &lim, xml.data, xml.len, &back,
		    &e) != EB_OK) {
			eb_log(EB_LOG_ERROR, "system command %s on %s is not "
			    "valid: %s (%s)", doc->name, slot->id, e.primary,
			    e.detail);
			eb_doc_free(doc);
			free(der);
			free(sj);
			eb_buf_free(&xml);
			return;
		}
		eb_doc_free(back);
	}
	eb_buf_free(&xml);
	sj->slot = slot;
	sj->report_to = report_to;
	snprintf(sj->what, sizeof(sj->what), "%s", doc->name);
	slot->inflight = 1;
	if (eb_commands_submit_system(srv->cmds, slot->id, der, len, doc,
	    sys_done, sj) != EB_OK) {
		eb_log(EB_LOG_ERROR, "cannot submit system command %s on %s",
		    sj->what, slot->id);
		slot->inflight = 0;
		free(sj);
	}
}

/*
 * An automatic step of a tender failed: ebidd appends a report-incident
 * (signed like its other commands) so the failure is in the tender, in
 * the officers' view, not only in the server's log.  The same step is
 * reported once until another step of ebidd's succeeds on the tender,
 * so a step that keeps failing cannot loop.
 */
static void
report_incident(struct slot *slot, const char *step,
    const struct eb_error *e)
{
	struct eb_doc *cmd;
	char msg[sizeof(e->primary) + sizeof(e->detail) + 8];

	if (!is_tender(slot) || e == NULL || e->code == EB_ERR_DB ||
	    strcmp(slot->incident, step) == 0)
		return;
	snprintf(slot->incident, sizeof(slot->incident), "%s", step);
	if (e->detail[0] != '\0')
		snprintf(msg, sizeof(msg), "%s (%s)", e->primary, e->detail);
	else
		snprintf(msg, sizeof(msg), "%s", e->primary[0] ? e->primary :
		    eb_strerror(e->code));
	eb_log(EB_LOG_WARN, "tender %s: automatic step %s failed: %s; "
	    "reported as an incident", slot->id, step, msg);
	cmd = eb_doc_new("report-incident");
	eb_doc_set_attr(cmd, "tender", slot->id);
	eb_doc_set_attr(cmd, "step", step);
	eb_doc_set_attr(cmd, "code", e->reason[0] ? e->reason :
	    eb_strerror(e->code));
	eb_doc_add_text(cmd, "message", msg);
	submit_for(slot, cmd, NULL);
}

/* -- the opening key ---------------------------------------------------- */

static X509 *
directory_cert(struct eb_system *sys, const char *party, enum eb_role role,
    struct eb_error *e)
{
	struct eb_server *srv = sys->srv;
	struct eb_actor who;
	char path[1024];
	X509 *x;

	if (strchr(party, '/') != NULL || party[0] == '.') {
		eb_fail(e, EB_ERR_FORMAT, "bad-party", NULL, "bad party id %s",
		    party);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s.crt", sys->directory, party);
	if ((x = eb_pem_cert_load(path, e)) == NULL)
		return NULL;
	if (eb_trust_check(srv->trust, x, eb_clock_now(&srv->clock), e) !=
	    EB_OK || eb_actor_from_cert(x, &who, e) != EB_OK ||
	    strcmp(who.party, party) != 0 || who.role != role) {
		if (e->code == 0)
			eb_fail(e, EB_ERR_DENIED, "directory-mismatch", NULL,
			    "the directory's certificate for %s is not a %s's",
			    party, eb_role_name(role));
		X509_free(x);
		return NULL;
	}
	return x;
}

static void
opening_key(struct slot *slot, const void *state)
{
	struct eb_system *sys = slot->sys;
	struct eb_server *srv = sys->srv;
	struct eb_actor me = srv->actor;
	struct eb_custodian cus[EB_SHARES_MAX];
	struct eb_doc *view = NULL, *list, *c, *cmd = NULL;
	int64_t k = 0, now = eb_clock_now(&srv->clock);
	struct eb_error e;
	size_t n = 0, i;

	eb_error_clear(&e);
	memset(cus, 0, sizeof(cus));
	view = slot->flow->ops->view(state, &me);
	list = eb_doc_path(view, "registration/custodians");
	if (list == NULL || eb_doc_attr_i64(list, "threshold", &k) != EB_OK) {
		eb_fail(&e, EB_ERR_STATE, "no-custodians", NULL,
		    "tender %s has no custodians to split the opening key "
		    "among", slot->id);
		goto fail;
	}
	eb_doc_foreach(c, list, "custodian") {
		const char *party = eb_doc_attr(c, "party");

		if (n == EB_SHARES_MAX || party == NULL)
			break;
		if ((cus[n].cert = directory_cert(sys, party,
		    EB_ROLE_CUSTODIAN, &e)) == NULL) {
			char why[sizeof(e.primary)];

			snprintf(why, sizeof(why), "%s", e.primary);
			snprintf(e.primary, sizeof(e.primary), "custodian %.64s: "
			    "%.*s", party, (int)sizeof(e.primary) - 90, why);
			goto fail;
		}
		cus[n++].party = party;
	}
	if (eb_opening_setup(srv->cert, srv->key, slot->id, now,
	    now + (int64_t)3650 * 86400000, cus, n, (unsigned)k, &cmd, &e) !=
	    EB_OK)
		goto fail;
	slot->key_requested = 1;
	submit(slot, cmd);
	goto out;
fail:
	eb_log(EB_LOG_ERROR, "tender %s: opening key: %s", slot->id,
	    e.primary);
	slot->key_failed = 1;
	report_incident(slot, "set-opening-key", &e);
out:
	for (i = 0; i < n; i++)
		X509_free(cus[i].cert);
	eb_doc_free(view);
}

/*
 * The committee served: record each accepted member's appointment in the
 * pool it was drawn from, so later draws can avoid experts drawn too often
 * (a request-draw with recent-days and max-recent).
 */
static void
record_appointments(struct slot *slot, const void *state)
{
	struct eb_system *sys = slot->sys;
	struct eb_server *srv = sys->srv;
	const struct eb_flow_entry *pf = eb_flow_for_kind("pool");
	struct eb_doc *view = slot->flow->ops->view(state, &srv->actor);
	struct eb_doc *cmd, *m, *com;
	const char *pool = eb_doc_attr(eb_doc_child(view, "draw"), "pool");
	struct slot *ps;
	int n = 0;

	if (pool == NULL || pf == NULL ||
	    (ps = slot_get(sys, pool, pf)) == NULL) {
		eb_doc_free(view);
		return;
	}
	cmd = eb_doc_new("record-appointment");
	eb_doc_set_attr(cmd, "pool", pool);
	eb_doc_set_attr(cmd, "tender", slot->id);
	com = eb_doc_child(view, "committee");
	eb_doc_foreach(m, com, "member") {
		if (!eb_tender_member_seated(m))
			continue;
		eb_doc_set_attr(eb_doc_add(cmd, "expert"), "party",
		    eb_doc_attr(m, "party"));
		n++;
	}
	eb_doc_free(view);
	if (n == 0) {
		eb_doc_free(cmd);
		slot->appointed = 2;
		return;
	}
	slot->appointed = 1;
	submit_for(ps, cmd, slot);
}

/* -- the opening -------------------------------------------------------- */

struct opening {
	struct slot *slot;
	struct eb_doc *view;      /* the tender as ebidd sees it */
	/* copied from the log rows: the bidders' and custodians' commands */
	int n;
	char **party;
	uint8_t **command;
	size_t *command_len;
	int64_t at;               /* the opening instant */
	/* prepared by opening_work */
	struct eb_doc **cmds;     /* the commands, verified and parsed */
	struct eb_held_bid *bids;
	const char *shares[EB_SHARES_MAX];
	X509 *oc;
	int64_t k;
	/* the result of the work */
	struct eb_doc *cmd;       /* open-bids, or NULL */
	size_t nbids, nshares;
	int rc;
	struct eb_error err;
	int pending;              /* halves still opening */
};

/* One half of the bids, opened on its own worker thread. */
struct opening_half {
	struct opening *op;
	size_t from, n;
	struct eb_doc *cmd;
	int rc;
	struct eb_error err;
};

static void
opening_free(struct opening *op)
{
	int i;

	if (op == NULL)
		return;
	for (i = 0; i < op->n; i++) {
		free(op->party[i]);
		free(op->command[i]);
	}
	free(op->party);
	free(op->command);
	free(op->command_len);
	for (i = 0; op->cmds != NULL && i < op->n; i++)
		eb_doc_free(op->cmds[i]);
	free(op->cmds);
	free(op->bids);
	X509_free(op->oc);
	eb_doc_free(op->view);
	eb_doc_free(op->cmd);
	free(op);
}

/*
 * On a worker thread (workers.h): verify and parse the commands again,
 * pick the shares and each held bid's envelope, open every bid.  Touches
 * only 'op' and the read-only trust, schema, certificate and key.
 */
static void
opening_work(void *arg)
{
	struct opening *op = arg;
	struct eb_server *srv = op->slot->sys->srv;
	struct eb_doc **cmds = NULL, *b, *key, *held;
	struct eb_held_bid *bids = NULL;
	size_t nbids = 0, nshares = 0, cap;
	int n = op->n, i;

	eb_error_clear(&op->err);
	op->rc = EB_ERR_NOMEM;
	held = eb_doc_child(op->view, "bids");
	cap = eb_doc_count(held, "bid");
	if ((cmds = calloc((size_t)n + 1, sizeof(*cmds))) == NULL ||
	    (bids = calloc(cap + 1, sizeof(*bids))) == NULL) {
		free(cmds);
		return;
	}
	op->cmds = cmds;
	op->bids = bids;
	/* every signed command, verified again, as a tree */
	for (i = 0; i < n; i++) {
		uint8_t *content = NULL;
		size_t clen = 0;
		X509 *signer = NULL;
		struct eb_xml_limits lim = { .max_bytes = (size_t)64 << 20,
		    .max_depth = 32, .max_elements = 200000 };
		struct eb_error e;

		if (eb_cms_verify(srv->trust, op->command[i],
		    op->command_len[i], 0, &content, &clen, &signer, &e) ==
		    EB_OK && eb_xml_parse(NULL, &lim, content, clen, &cmds[i],
		    &e) != EB_OK)
			cmds[i] = NULL;
		free(content);
		X509_free(signer);
	}
	/* the shares submitted (the latest per custodian) */
	for (i = n - 1; i >= 0; i--) {
		int dup = 0;

		if (cmds[i] == NULL || strcmp(cmds[i]->name, "submit-share") != 0 ||
		    eb_doc_child_text(cmds[i], "share") == NULL)
			continue;
		for (int j = n - 1; j > i; j--)
			if (cmds[j] != NULL &&
			    strcmp(cmds[j]->name, "submit-share") == 0 &&
			    strcmp(op->party[j], op->party[i]) == 0)
				dup = 1;
		if (!dup && nshares < EB_SHARES_MAX)
			op->shares[nshares++] = eb_doc_child_text(cmds[i],
			    "share");
	}
	/* the bids the core holds, each with its latest matching envelope */
	eb_doc_foreach(b, held, "bid") {
		const char *bidder = eb_doc_attr(b, "bidder");
		const char *commit = eb_doc_attr(b, "commitment");

		if (bidder == NULL || commit == NULL || nbids == cap)
			continue;
		for (i = n - 1; i >= 0; i--) {
			const char *c2;

			if (cmds[i] == NULL ||
			    strcmp(cmds[i]->name, "submit-bid") != 0 ||
			    strcmp(op->party[i], bidder) != 0)
				continue;
			c2 = eb_doc_child_text(cmds[i], "commitment");
			if (c2 == NULL || strcmp(c2, commit) != 0)
				continue;
			bids[nbids].bidder = bidder;
			bids[nbids].commitment = commit;
			bids[nbids].envelope_b64 =
			    eb_doc_child_text(cmds[i], "envelope");
			nbids++;
			break;
		}
	}
	key = eb_doc_child(op->view, "opening-key");
	(void)eb_doc_attr_i64(eb_doc_path(op->view, "registration/custodians"),
	    "threshold", &op->k);
	{
		const char *cb64 = eb_doc_child_text(key, "certificate");
		uint8_t *der = NULL;
		const uint8_t *p;
		size_t len = 0;

		if (cb64 != NULL && eb_base64_decode(cb64, strlen(cb64), &der,
		    &len) == EB_OK) {
			p = der;
			op->oc = d2i_X509(NULL, &p, (long)len);
		}
		free(der);
	}
	op->nbids = nbids;
	op->nshares = nshares;
	op->rc = op->oc != NULL ? EB_OK : eb_fail(&op->err, EB_ERR_STATE,
	    "no-opening-certificate", NULL,
	    "the tender has no opening certificate");
}

/* On a worker: open one half of the bids. */
static void
opening_half_work(void *arg)
{
	struct opening_half *h = arg;
	struct opening *op = h->op;
	struct eb_server *srv = op->slot->sys->srv;

	eb_error_clear(&h->err);
	h->rc = eb_opening_open(srv->trust, srv->schema, srv->cert, srv->key,
	    op->oc, op->slot->id, op->shares, op->nshares, (unsigned)op->k,
	    op->bids + h->from, h->n, op->at, &h->cmd, &h->err);
}

static void opening_finish(struct opening *op, struct opening_half *h);

static void
opening_half_done(void *arg)
{
	struct opening_half *h = arg;

	opening_finish(h->op, h);
}

/*
 * Back on the loop with the commands verified: open the two halves of the
 * bids on the two workers (both cores), then merge their records in order.
 */
static void
opening_done(void *arg)
{
	struct opening *op = arg;
	struct opening_half *h[2] = { NULL, NULL };
	struct eb_server *srv = op->slot->sys->srv;
	size_t half = (op->nbids + 1) / 2;
	int i;

	if (op->rc != EB_OK) {
		eb_log(EB_LOG_ERROR, "opening %s: %s (%s)", op->slot->id,
		    op->err.primary, op->err.detail);
		op->slot->inflight = 0;
		report_incident(op->slot, "open-bids", &op->err);
		opening_free(op);
		return;
	}
	for (i = 0; i < 2; i++) {
		if ((h[i] = calloc(1, sizeof(*h[i]))) == NULL) {
			free(h[0]);
			op->slot->inflight = 0;
			opening_free(op);
			return;
		}
		h[i]->op = op;
		h[i]->from = i == 0 ? 0 : half;
		h[i]->n = i == 0 ? half : op->nbids - half;
	}
	op->pending = 2;
	for (i = 0; i < 2; i++)
		if (eb_workers_submit(srv->workers, opening_half_work,
		    opening_half_done, h[i]) != EB_OK) {
			h[i]->rc = eb_fail(&h[i]->err, EB_ERR_NOMEM,
			    "out-of-memory", NULL, "cannot queue the opening");
			opening_finish(op, h[i]);
		}
}

/* A half is done; when both are, submit the merged open-bids. */
static void
opening_finish(struct opening *op, struct opening_half *h)
{
	if (h->rc != EB_OK && op->rc == EB_OK) {
		op->rc = h->rc;
		op->err = h->err;
	}
	if (h->rc == EB_OK && h->cmd != NULL) {
		if (h->from == 0) {
			/* the first half's command leads; the second's records
			 * follow it */
			struct eb_doc *rest = op->cmd;

			op->cmd = h->cmd;
			h->cmd = NULL;
			if (rest != NULL) {
				while (rest->first != NULL) {
					struct eb_doc *c = rest->first;

					eb_doc_detach(c);
					eb_doc_append(op->cmd, c);
				}
				eb_doc_free(rest);
			}
		} else if (op->cmd == NULL) {
			op->cmd = h->cmd;       /* held until the first half */
			h->cmd = NULL;
		} else {
			while (h->cmd->first != NULL) {
				struct eb_doc *c = h->cmd->first;

				eb_doc_detach(c);
				eb_doc_append(op->cmd, c);
			}
		}
	}
	eb_doc_free(h->cmd);
	free(h);
	if (--op->pending > 0)
		return;
	if (op->rc != EB_OK || op->cmd == NULL) {
		eb_log(EB_LOG_ERROR, "opening %s: %s (%s)", op->slot->id,
		    op->err.primary, op->err.detail);
		op->slot->inflight = 0;
		if (op->err.code == 0)
			eb_fail(&op->err, EB_ERR_INTERNAL, "opening-failed",
			    NULL, "the bids could not be opened");
		report_incident(op->slot, "open-bids", &op->err);
	} else {
		eb_log(EB_LOG_INFO, "opening %s: %zu bids with %zu shares, on "
		    "two workers", op->slot->id, op->nbids, op->nshares);
		submit(op->slot, op->cmd);
		op->cmd = NULL;
	}
	opening_free(op);
}

static void
opening_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct opening *op = arg;
	struct slot *slot = op->slot;
	struct eb_server *srv = slot->sys->srv;
	int n, i;

	if (rc != EB_OK) {
		eb_log_e(EB_LOG_ERROR, err, "opening: cannot read the log");
		goto fail;
	}
	n = PQntuples(r);
	if ((op->party = calloc((size_t)n + 1, sizeof(*op->party))) == NULL ||
	    (op->command = calloc((size_t)n + 1, sizeof(*op->command))) ==
	    NULL || (op->command_len = calloc((size_t)n + 1,
	    sizeof(*op->command_len))) == NULL)
		goto fail;
	for (i = 0; i < n; i++, op->n++) {
		size_t len = (size_t)PQgetlength(r, i, 1);

		if ((op->party[i] = strdup(PQgetvalue(r, i, 0))) == NULL ||
		    (op->command[i] = malloc(len + 1)) == NULL)
			goto fail;
		memcpy(op->command[i], PQgetvalue(r, i, 1), len);
		op->command_len[i] = len;
	}
	op->at = eb_clock_now(&srv->clock);
	/* the opening is heavy (about 1 ms of CPU per 100 KiB bid): off the
	 * event loop */
	if (eb_workers_submit(srv->workers, opening_work, opening_done, op) ==
	    EB_OK)
		return;
fail:
	slot->inflight = 0;
	opening_free(op);
}

static void
open_bids(struct slot *slot, const void *state)
{
	struct eb_server *srv = slot->sys->srv;
	struct opening *op = calloc(1, sizeof(*op));
	const char *params[1] = { slot->id };

	if (op == NULL)
		return;
	op->slot = slot;
	op->view = slot->flow->ops->view(state, &srv->actor);
	slot->inflight = 1;
	if (eb_store_select(srv->store,
	    "SELECT party, command FROM log WHERE aggregate = $1"
	    " AND role IN ('bidder', 'custodian') ORDER BY seq", 1, params,
	    opening_rows, op) != EB_OK) {
		slot->inflight = 0;
		opening_free(op);
	}
}

/* -- timers ------------------------------------------------------------- */

static void fire(struct slot *slot);

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fire(arg);
}

static void
fire(struct slot *slot)
{
	struct eb_doc *cmd;

	if (!slot->armed || slot->inflight)
		return;
	slot->armed = 0;
	if (strcmp(slot->name, "open-bids") == 0) {
		/* the opening needs the state: load it, then come back */
		slot->armed = 1;
		eb_commands_poke(slot->sys->srv->cmds, slot->id, slot->flow);
		return;
	}
	cmd = eb_doc_new(slot->name);
	eb_doc_set_attr(cmd, slot->flow->attr, slot->id);
	submit(slot, cmd);
}

static void
arm(struct slot *slot)
{
	struct eb_server *srv = slot->sys->srv;
	int64_t now = eb_clock_now(&srv->clock), delay = slot->at - now;
	struct timeval tv;

	if (slot->ev == NULL &&
	    (slot->ev = evtimer_new(srv->base, timer_cb, slot)) == NULL)
		return;
	evtimer_del(slot->ev);
	slot->armed = 1;
	if (srv->clock.mode == EB_CLOCK_DRIVEN)
		delay = delay <= 0 ? 0 : -1;   /* fires on clock moves only */
	else if (srv->clock.mode == EB_CLOCK_ACCELERATED &&
	    srv->clock.factor > 0)
		delay = delay <= 0 ? 0 : (delay + srv->clock.factor - 1) /
		    srv->clock.factor;
	if (delay < 0)
		return;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(slot->ev, &tv);
}

static int
has_action(const enum eb_action *acts, size_t n, enum eb_action a)
{
	for (size_t i = 0; i < n; i++)
		if (acts[i] == a)
			return 1;
	return 0;
}

/*
 * After each durable command (and a poke): take the steps the core
 * declares for the state now (next_actions), then arm the next timer
 * (next_timer).  ebidd knows no state name: only the typed actions.
 */
void
eb_system_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state)
{
	struct eb_system *sys = srv->sys;
	const struct eb_flow_ops *ops = flow->ops;
	enum eb_action acts[EB_ACTIONS_MAX];
	struct slot *slot;
	const char *name = NULL;
	int64_t at = 0;
	size_t nact = 0;

	if (sys == NULL || (slot = slot_get(sys, id, flow)) == NULL)
		return;
	if (ops->next_actions != NULL)
		nact = ops->next_actions(state, acts, EB_ACTIONS_MAX);
	if (!has_action(acts, nact, EB_ACT_MAKE_OPENING_KEY))
		slot->key_failed = slot->key_requested = 0; /* try again
		                         * when it is due again */
	else if (!slot->key_requested && !slot->key_failed &&
	    !slot->inflight) {
		opening_key(slot, state);
		return;
	}
	if (slot->ev != NULL)
		evtimer_del(slot->ev);
	slot->armed = 0;
	/* until the pool says they are recorded (after a restart: asked
	 * again, recorded once) */
	if (has_action(acts, nact, EB_ACT_RECORD_APPOINTMENTS) &&
	    slot->appointed == 0)
		record_appointments(slot, state);
	if (has_action(acts, nact, EB_ACT_CLEAR_BIDS) && !slot->inflight) {
		struct eb_doc *cmd = eb_doc_new("clear-bids");

		eb_doc_set_attr(cmd, flow->attr, id);
		submit(slot, cmd);
		return;
	}
	if (ops->next_timer == NULL || !ops->next_timer(state, &at, &name))
		return;
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	slot->at = at;
	if (strcmp(name, "open-bids") == 0) {
		/* the opening reads the log; do it when due */
		if (at <= eb_clock_now(&srv->clock) && !slot->inflight)
			open_bids(slot, state);
		else
			arm(slot);
		return;
	}
	arm(slot);
}

/* Driven clock: fire every slot that is now due. */
void
eb_system_clock_moved(struct eb_server *srv)
{
	struct eb_system *sys = srv->sys;
	int64_t now = eb_clock_now(&srv->clock);

	if (sys == NULL)
		return;
	for (unsigned b = 0; b < SLOT_BUCKETS; b++)
		for (struct slot *s = sys->buckets[b]; s != NULL; s = s->next)
			if (s->armed && !s->inflight && s->at <= now) {
				fire(s);
			}
}

/* -- receipts ----------------------------------------------------------- */

int
eb_system_wants_receipt(const char *command)
{
	return strcmp(command, "submit-bid") == 0;
}

/* A unique receipt serial (protocol/receipt.h eb_serial_next). */
uint64_t
eb_system_serial(struct eb_server *srv, int64_t time_ms)
{
	return eb_serial_next(&srv->sys->serials, time_ms, srv->boot_id);
}

/* -- reads -------------------------------------------------------------- */

struct eb_doc *
eb_system_read(struct eb_server *srv, const struct eb_flow_entry *flow,
    const void *state, const struct eb_actor *viewer, enum eb_job_kind what)
{
	(void)srv;
	if (what == EB_JOB_VIEW)
		return flow->ops->view(state, viewer);
	if (what == EB_JOB_DUTIES && strcmp(flow->kind, "tender") == 0)
		return eb_tender_duties(state, viewer);
	return NULL;
}

/* -- the exported log --------------------------------------------------- */

struct export {
	struct eb_req *r;
	struct eb_audit_log *log;
};

static void head_stored(int rc, const struct eb_error *e, void *arg);

/* The server certificates (table servers) end the export. */
static void
export_servers(int rc, const struct eb_error *err,
    const struct pg_result *res, void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct export *x = arg;
	struct eb_doc *d;
	char now[EB_ISOTIME_LEN];

	if (rc != EB_OK) {
		eb_reply_error(x->r, err);
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++)
		if (eb_audit_log_add_server(x->log,
		    (const uint8_t *)PQgetvalue(r, i, 0),
		    (size_t)PQgetlength(r, i, 0)) != EB_OK)
			break;
	eb_isotime_format(eb_clock_now(&x->r->srv->clock), now);
	d = eb_audit_log_to_doc(x->log, now);
	eb_reply_doc(x->r, 200, d);
	eb_doc_free(d);
out:
	eb_audit_log_free(x->log);
	free(x);
}

static void
export_heads(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct export *x = arg;
	struct eb_error e;

	if (rc != EB_OK) {
		eb_reply_error(x->r, err);
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct eb_audit_head h;
		uint64_t be;

		memset(&h, 0, sizeof(h));
		memcpy(&be, PQgetvalue(r, i, 0), 8);
		h.seq = (int64_t)be64toh(be);
		if (PQgetlength(r, i, 1) == EB_SHA256_LEN)
			memcpy(h.hash, PQgetvalue(r, i, 1), EB_SHA256_LEN);
		h.signature_len = (size_t)PQgetlength(r, i, 2);
		h.signature = eb_memdup(PQgetvalue(r, i, 2), h.signature_len);
		/* an export without all its signed heads is never a 200 */
		if (eb_audit_log_add_head(x->log, &h) != EB_OK) {
			free(h.signature);
			eb_error_clear(&e);
			eb_fail(&e, EB_ERR_INTERNAL, "export-incomplete", NULL,
			    "a signed chain head of the log cannot be added to "
			    "the export");
			eb_reply_error(x->r, &e);
			goto out;
		}
	}
	/* the export ends on a head the server signs now if none covers its
	 * last entry yet: a cut of its tail is then always caught (issue 13.7);
	 * the head is stored too, so the board publishes it */
	if (x->log->n > 0 && (x->log->nheads == 0 ||
	    x->log->heads[x->log->nheads - 1].seq !=
	    x->log->entries[x->log->n - 1].seq)) {
		const struct eb_audit_entry *last = &x->log->entries[x->log->n - 1];
		struct eb_server *srv = x->r->srv;
		struct eb_buf text = EB_BUF_INIT;
		struct eb_audit_head h;

		memset(&h, 0, sizeof(h));
		eb_error_clear(&e);
		h.seq = last->seq;
		memcpy(h.hash, last->hash, EB_SHA256_LEN);
		if (eb_chain_head_text(x->log->aggregate, h.seq, h.hash,
		    &text) != EB_OK || eb_cms_sign(srv->cert, srv->key,
		    text.data, text.len, &h.signature, &h.signature_len,
		    &e) != EB_OK || eb_audit_log_add_head(x->log, &h) != EB_OK) {
			free(h.signature);
			eb_buf_free(&text);
			eb_fail(&e, EB_ERR_INTERNAL, "export-incomplete", NULL,
			    "the export's last chain head cannot be signed");
			eb_reply_error(x->r, &e);
			goto out;
		}
		eb_buf_free(&text);
		last = &x->log->entries[x->log->n - 1];
		(void)eb_store_sign_head(srv->store, x->log->aggregate,
		    x->log->heads[x->log->nheads - 1].seq, last->hash,
		    x->log->heads[x->log->nheads - 1].signature,
		    x->log->heads[x->log->nheads - 1].signature_len, head_stored,
		    NULL);
	}
	if (eb_store_select(x->r->srv->store,
	    "SELECT certificate FROM servers ORDER BY first_seen, fingerprint",
	    0, NULL, export_servers, x) == EB_OK)
		return;
	eb_error_clear(&e);
	eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
	    "cannot queue the export");
	eb_reply_error(x->r, &e);
out:
	eb_audit_log_free(x->log);
	free(x);
}

static int
be64_at(const PGresult *r, int i, int col, int64_t *v)
{
	uint64_t be;

	if (PQgetlength(r, i, col) != 8)
		return -1;
	memcpy(&be, PQgetvalue(r, i, col), 8);
	*v = (int64_t)be64toh(be);
	return 0;
}

static void
export_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct export *x = arg;
	struct eb_server *srv = x->r->srv;
	const char *params[1] = { x->log->aggregate };
	struct eb_error e;

	eb_error_clear(&e);
	if (rc != EB_OK) {
		eb_reply_error(x->r, err);
		goto fail;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct eb_audit_entry en;
		char role[32];

		memset(&en, 0, sizeof(en));
		if (i == 0)
			snprintf(x->log->kind, sizeof(x->log->kind), "%.*s",
			    PQgetlength(r, i, 11), PQgetvalue(r, i, 11));
		(void)be64_at(r, i, 0, &en.seq);
		(void)be64_at(r, i, 1, &en.time);
		snprintf(en.actor.party, sizeof(en.actor.party), "%.*s",
		    PQgetlength(r, i, 2), PQgetvalue(r, i, 2));
		snprintf(role, sizeof(role), "%.*s", PQgetlength(r, i, 3),
		    PQgetvalue(r, i, 3));
		(void)eb_role_parse(role, &en.actor.role);
		snprintf(en.actor.person, sizeof(en.actor.person), "%.*s",
		    PQgetlength(r, i, 4), PQgetvalue(r, i, 4));
		snprintf(en.clock, sizeof(en.clock), "%.*s",
		    PQgetlength(r, i, 7), PQgetvalue(r, i, 7));
		en.command_len = (size_t)PQgetlength(r, i, 5);
		en.command = malloc(en.command_len + 1);
		if (en.command != NULL)
			memcpy(en.command, PQgetvalue(r, i, 5), en.command_len);
		if (!PQgetisnull(r, i, 8)) {
			en.receipt_len = (size_t)PQgetlength(r, i, 8);
			en.receipt = malloc(en.receipt_len + 1);
			if (en.receipt != NULL)
				memcpy(en.receipt, PQgetvalue(r, i, 8),
				    en.receipt_len);
		}
		if (PQgetlength(r, i, 9) == EB_SHA256_LEN)
			memcpy(en.prev, PQgetvalue(r, i, 9), EB_SHA256_LEN);
		if (PQgetlength(r, i, 10) == EB_SHA256_LEN)
			memcpy(en.hash, PQgetvalue(r, i, 10), EB_SHA256_LEN);
		if (eb_xml_parse_stored_events(
		    (const uint8_t *)PQgetvalue(r, i, 6),
		    (size_t)PQgetlength(r, i, 6), &en.events, &e) != EB_OK ||
		    en.command == NULL ||
		    eb_audit_log_add(x->log, &en) != EB_OK) {
			free(en.command);
			free(en.receipt);
			eb_doc_free(en.events);
			eb_fail(&e, EB_ERR_INTERNAL, "export-failed", NULL,
			    "entry %lld of %s cannot be exported",
			    (long long)en.seq, x->log->aggregate);
			eb_reply_error(x->r, &e);
			goto fail;
		}
	}
	if (x->log->n == 0) {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate",
		    "Check the id with GET /v1/log.", "no log for %s",
		    x->log->aggregate);
		eb_reply_error(x->r, &e);
		goto fail;
	}
	if (eb_store_select(srv->store,
	    "SELECT seq, hash, signature FROM chain_heads_signed"
	    " WHERE aggregate = $1 ORDER BY seq", 1, params, export_heads,
	    x) == EB_OK)
		return;
	eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
	    "cannot queue the export");
	eb_reply_error(x->r, &e);
fail:
	eb_audit_log_free(x->log);
	free(x);
}

static void
list_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_req *req = arg;
	struct eb_doc *d;

	if (rc != EB_OK) {
		eb_reply_error(req, err);
		return;
	}
	d = eb_doc_new("logs");
	for (int i = 0; i < PQntuples(r); i++) {
		struct eb_doc *a = eb_doc_add(d, "aggregate");

		eb_doc_set_attr(a, "id", PQgetvalue(r, i, 0));
		eb_doc_set_attr(a, "kind", PQgetvalue(r, i, 1));
	}
	eb_reply_doc(req, 200, d);
	eb_doc_free(d);
}

/* The value of 'name' in a query string ("since=...&until=..."). */
static int
query_value(const char *q, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name), len;
	const char *p = q;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			p += n + 1;
			len = strcspn(p, "&");
			if (len >= cap)
				return -1;
			memcpy(out, p, len);
			out[len] = '\0';
			return 1;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return 0;
}

void
eb_handle_log(struct eb_req *r, const char *id, const char *query)
{
	struct eb_server *srv = r->srv;
	struct export *x = NULL;
	struct eb_error e;
	const char *params[1] = { id };

	eb_error_clear(&e);
	if (r->actor.role != EB_ROLE_AUDITOR &&
	    r->actor.role != EB_ROLE_VERIFIER &&
	    r->actor.role != EB_ROLE_SUPERVISOR) {
		eb_fail(&e, EB_ERR_DENIED, "role-not-allowed",
		    "Export logs with an auditor's (or an officer's) certificate.",
		    "a %s may not export logs", eb_role_name(r->actor.role));
		eb_reply_error(r, &e);
		return;
	}
	if (id == NULL || *id == '\0') {
		/* the period: first entries at or after since, before until */
		char since[48] = "", until[48] = "", s_ms[24], u_ms[24];
		const char *pp[2] = { s_ms, u_ms };
		int64_t a = INT64_MIN, b = INT64_MAX;

		if (query_value(query, "since", since, sizeof(since)) < 0 ||
		    query_value(query, "until", until, sizeof(until)) < 0 ||
		    (since[0] && eb_isotime_parse(since, &a) != 0) ||
		    (until[0] && eb_isotime_parse(until, &b) != 0)) {
			eb_fail(&e, EB_ERR_FORMAT, "bad-period",
			    "Give since= and until= as instants, e.g. "
			    "2026-01-01T00:00:00Z.", "the period is malformed");
			eb_reply_error(r, &e);
			return;
		}
		snprintf(s_ms, sizeof(s_ms), "%lld", (long long)a);
		snprintf(u_ms, sizeof(u_ms), "%lld", (long long)b);
		if (eb_store_select_text(srv->store,
		    "SELECT a.id, a.kind FROM aggregates a"
		    "  JOIN log l ON l.aggregate = a.id AND l.seq = 1"
		    " WHERE l.time_ms >= $1::int8 AND l.time_ms < $2::int8"
		    " ORDER BY l.time_ms, a.id", 2, pp, list_rows, r) != EB_OK) {
			eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
			    "cannot queue the list");
			eb_reply_error(r, &e);
		}
		return;
	}
	if (strlen(id) >= EB_ID_MAX || (x = calloc(1, sizeof(*x))) == NULL ||
	    (x->log = eb_audit_log_new(id, "")) == NULL) {
		free(x);
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate", NULL,
		    "no log for %s", id);
		eb_reply_error(r, &e);
		return;
	}
	x->r = r;
	if (eb_store_select(srv->store,
	    "SELECT l.seq, l.time_ms, l.party, l.role, l.person, l.command,"
	    " l.events, l.clock, l.receipt, l.prev_hash, l.hash, a.kind"
	    " FROM log l JOIN aggregates a ON a.id = l.aggregate"
	    " WHERE l.aggregate = $1 ORDER BY l.seq", 1, params, export_rows,
	    x) != EB_OK) {
		eb_audit_log_free(x->log);
		free(x);
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the export");
		eb_reply_error(r, &e);
	}
}

/* -- recovery after a restart ----------------------------------------- */

static void
recover_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_server *srv = arg;
	int i, n = 0;

	if (rc != EB_OK) {
		eb_log_e(EB_LOG_ERROR, err, "recovery: cannot list live aggregates; "
		    "their timers arm at their next command");
		return;
	}
	for (i = 0; i < PQntuples(r); i++) {
		const struct eb_flow_entry *fe = eb_flow_for_kind(PQgetvalue(r, i,
		    1));

		if (fe == NULL)
			continue;
		eb_commands_poke(srv->cmds, PQgetvalue(r, i, 0), fe);
		n++;
	}
	eb_log(EB_LOG_INFO, "recovery: %d live tenders and sales reloaded, "
	    "their timers armed", n);
}

/*
 * After a (re)start nothing is armed: load every tender and sale that is
 * not finished, so its due timers (a deadline passed while ebidd was
 * down, say) fire and its next steps (an opening, a clearing) are taken.
 */
void
eb_system_recover(struct eb_server *srv)
{
	struct eb_system *sys = srv->sys;
	char live[1024];
	int n;

	/* every kind the core gives final states, not in one of them (the
	 * store keeps the text's pointer: it lives in sys) */
	if (sys == NULL || eb_states_sql(live, sizeof(live), "kind", "state",
	    EB_STATES_FINAL, 1) != 0 || (n = snprintf(sys->recover_sql,
	    sizeof(sys->recover_sql), "SELECT aggregate, kind FROM "
	    "aggregate_state WHERE %s ORDER BY aggregate", live)) < 0 ||
	    (size_t)n >= sizeof(sys->recover_sql)) {
		eb_log(EB_LOG_ERROR, "recovery: the final states do not fit");
		return;
	}
	if (eb_store_select_text(srv->store, sys->recover_sql, 0, NULL,
	    recover_rows, srv) != EB_OK)
		eb_log(EB_LOG_ERROR, "recovery: cannot queue the list of live "
		    "aggregates");
}

/* -- who may act as the system ------------------------------------------ */

int
eb_system_is_server(const struct eb_server *srv, X509 *cert)
{
	const struct eb_system *sys = srv->sys;

	if (sys == NULL || cert == NULL)
		return 0;
	for (size_t i = 0; i < sys->nservers; i++)
		if (X509_cmp(sys->servers[i], cert) == 0)
			return 1;
	return 0;
}

static void
server_recorded(int rc, const struct eb_error *e, void *arg)
{
	(void)arg;
	if (rc != EB_OK)
		eb_log_e(EB_LOG_ERROR, e, "cannot record a server certificate "
		    "in the servers table");
}

/* Record every server certificate in the database (once each). */
static void
record_servers(struct eb_system *sys)
{
	for (size_t i = 0; i < sys->nservers; i++) {
		uint8_t *der = NULL, fp[EB_SHA256_LEN];
		char subject[512];
		int len = i2d_X509(sys->servers[i], &der);

		if (len <= 0)
			continue;
		eb_sha256(der, (size_t)len, fp);
		X509_NAME_oneline(X509_get_subject_name(sys->servers[i]),
		    subject, sizeof(subject));
		if (eb_store_record_server(sys->srv->store, der, (size_t)len, fp,
		    subject, server_recorded, NULL) != EB_OK)
			eb_log(EB_LOG_ERROR, "cannot queue the server "
			    "certificate %s", subject);
		OPENSSL_free(der);
	}
}

/* Load the other server certificates of the centre: "a.crt, b.crt". */
static int
load_servers(struct eb_system *sys, struct eb_error *err)
{
	struct eb_server *srv = sys->srv;
	char list[4096], *tok, *save = NULL;

	X509_up_ref(srv->cert);
	sys->servers[sys->nservers++] = srv->cert;
	if (srv->cfg->system_certs == NULL || *srv->cfg->system_certs == '\0')
		return EB_OK;
	snprintf(list, sizeof(list), "%s", srv->cfg->system_certs);
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		struct eb_actor who;
		X509 *x;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		for (char *e = tok + strlen(tok); e > tok && (e[-1] == ' ' ||
		    e[-1] == '\t'); )
			*--e = '\0';
		if (*tok == '\0')
			continue;
		if (sys->nservers == SERVERS_MAX)
			return eb_fail(err, EB_ERR_USAGE, "too-many-servers", NULL,
			    "system_certs names more than %d certificates",
			    SERVERS_MAX - 1);
		if ((x = eb_pem_cert_load(tok, err)) == NULL)
			return err->code ? err->code : EB_ERR_IO;
		if (eb_trust_check(srv->trust, x, eb_clock_now(&srv->clock),
		    err) != EB_OK || eb_actor_from_cert(x, &who, err) != EB_OK ||
		    who.role != EB_ROLE_SYSTEM) {
			X509_free(x);
			if (err->code == 0)
				eb_fail(err, EB_ERR_USAGE, "server-not-system",
				    "List only the centre's server certificates "
				    "(OU=system) in system_certs.",
				    "%s is not a server certificate", tok);
			return err->code;
		}
		sys->servers[sys->nservers++] = x;
	}
	return EB_OK;
}

/* -- custodians named at registration ------------------------------------ */

int
eb_system_check_custodians(struct eb_server *srv, const struct eb_doc *cmd,
    struct eb_error *err)
{
	const struct eb_doc *list = eb_doc_child(cmd, "custodians"), *c;

	if (srv->sys == NULL || list == NULL)
		return EB_OK;
	eb_doc_foreach(c, list, "custodian") {
		const char *party = eb_doc_attr(c, "party");
		struct eb_error e;
		X509 *x;

		if (party == NULL)
			continue;         /* the core names it */
		eb_error_clear(&e);
		if ((x = directory_cert(srv->sys, party, EB_ROLE_CUSTODIAN,
		    &e)) != NULL) {
			X509_free(x);
			continue;
		}
		if (e.code == EB_ERR_IO || e.code == EB_ERR_NOTFOUND ||
		    e.code == EB_ERR_FORMAT)
			return eb_fail(err, EB_ERR_RULE, "unknown-custodian",
			    "Name as custodians parties whose custodian "
			    "certificate is in the centre's directory.",
			    "custodian %s is not in the centre's directory",
			    party);
		eb_fail(err, EB_ERR_RULE, "not-a-custodian",
		    "Name as custodians parties whose custodian certificate "
		    "is in the centre's directory.",
		    "custodian %s has no valid custodian certificate", party);
		eb_error_detail(err, "%s", e.primary);
		return EB_ERR_RULE;
	}
	return EB_OK;
}

/* -- chain heads signed on time ------------------------------------------ */

static void
head_stored(int rc, const struct eb_error *e, void *arg)
{
	(void)arg;
	if (rc != EB_OK)
		eb_log_e(EB_LOG_ERROR, e, "cannot store a signed chain head");
}

/*
 * Every aggregate whose last entry has no signed head yet: sign it now,
 * so a cut of the log's tail is never more than head_every_seconds
 * away from a head the server vouched for.
 */
static void
heads_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_system *sys = arg;
	struct eb_server *srv = sys->srv;
	int i, n = 0;

	sys->head_busy = 0;
	if (rc != EB_OK) {
		eb_log_e(EB_LOG_ERROR, err, "head signing: cannot list the "
		    "unsigned heads");
		return;
	}
	for (i = 0; i < PQntuples(r); i++) {
		char id[EB_ID_MAX];
		int64_t seq;
		uint64_t be;
		uint8_t hash[EB_SHA256_LEN], *sig = NULL;
		size_t siglen = 0;
		struct eb_buf text = EB_BUF_INIT;
		struct eb_error e;

		if (PQgetlength(r, i, 0) >= (int)sizeof(id) ||
		    PQgetlength(r, i, 1) != 8 ||
		    PQgetlength(r, i, 2) != EB_SHA256_LEN)
			continue;
		snprintf(id, sizeof(id), "%.*s", PQgetlength(r, i, 0),
		    PQgetvalue(r, i, 0));
		memcpy(&be, PQgetvalue(r, i, 1), 8);
		seq = (int64_t)be64toh(be);
		memcpy(hash, PQgetvalue(r, i, 2), EB_SHA256_LEN);
		eb_error_clear(&e);
		if (eb_chain_head_text(id, seq, hash, &text) == EB_OK &&
		    eb_cms_sign(srv->cert, srv->key, text.data, text.len, &sig,
		    &siglen, &e) == EB_OK &&
		    eb_store_sign_head(srv->store, id, seq, hash, sig, siglen,
		    head_stored, NULL) == EB_OK)
			n++;
		free(sig);
		eb_buf_free(&text);
	}
	if (n > 0)
		eb_log(EB_LOG_INFO, "signed %d chain heads on time", n);
}

static void
heads_timer(evutil_socket_t fd, short what, void *arg)
{
	struct eb_system *sys = arg;

	(void)fd;
	(void)what;
	if (sys->head_busy || sys->srv->stopping)
		return;
	sys->head_busy = 1;
	if (eb_store_select(sys->srv->store,
	    "SELECT h.aggregate, h.seq, h.hash FROM heads h"
	    " WHERE h.seq > 0 AND NOT EXISTS (SELECT 1 FROM chain_heads_signed c"
	    "  WHERE c.aggregate = h.aggregate AND c.seq = h.seq)"
	    " ORDER BY h.aggregate LIMIT 1000", 0, NULL, heads_rows, sys) !=
	    EB_OK)
		sys->head_busy = 0;
}

/* -- the public board: signed heads of an aggregate ---------------------- */

static int64_t
be64_of(const PGresult *r, int i, int col)
{
	uint64_t be;

	if (PQgetlength(r, i, col) != 8)
		return 0;
	memcpy(&be, PQgetvalue(r, i, col), 8);
	return (int64_t)be64toh(be);
}

static void
board_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct eb_req *req = arg;
	struct eb_doc *d, *h;
	struct eb_error e;
	char hex[EB_SHA256_HEX], when[EB_ISOTIME_LEN], id[EB_ID_MAX];

	if (rc != EB_OK) {
		eb_reply_error(req, err);
		return;
	}
	if (PQntuples(r) == 0) {
		eb_error_clear(&e);
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate",
		    "Check the id: it is given in the reply that created it.",
		    "no signed chain heads for this id");
		eb_reply_error(req, &e);
		return;
	}
	d = eb_doc_new("chain-heads");
	snprintf(id, sizeof(id), "%.*s", PQgetlength(r, 0, 0),
	    PQgetvalue(r, 0, 0));
	eb_doc_set_attr(d, "aggregate", id);
	for (int i = 0; i < PQntuples(r); i++) {
		char *b64 = NULL;

		if (PQgetlength(r, i, 2) != EB_SHA256_LEN)
			continue;
		h = eb_doc_add(d, "chain-head");
		eb_doc_set_attr_i64(h, "seq", be64_of(r, i, 1));
		eb_hex32((const uint8_t *)PQgetvalue(r, i, 2), hex);
		eb_doc_set_attr(h, "hash", hex);
		eb_isotime_format(be64_of(r, i, 4), when);
		eb_doc_set_attr(h, "signed-at", when);
		if (eb_base64_encode((const uint8_t *)PQgetvalue(r, i, 3),
		    (size_t)PQgetlength(r, i, 3), &b64) == EB_OK)
			eb_doc_add_text(h, "signature", b64);
		free(b64);
	}
	eb_reply_doc(req, 200, d);
	eb_doc_free(d);
}

/*
 * GET /v1/heads/ID: every chain head the server signed for an aggregate,
 * for the public board (any party of the centre may read them: they
 * reveal hashes, never content).
 */
void
eb_handle_heads(struct eb_req *r, const char *id)
{
	struct eb_error e;
	const char *params[1] = { id };

	eb_error_clear(&e);
	if (id == NULL || *id == '\0' || strlen(id) >= EB_ID_MAX) {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate", NULL,
		    "give the id of a tender, a sale or a pool");
		eb_reply_error(r, &e);
		return;
	}
	if (eb_store_select(r->srv->store,
	    "SELECT aggregate, seq, hash, signature,"
	    " (extract(epoch FROM written) * 1000)::int8"
	    " FROM chain_heads_signed WHERE aggregate = $1 ORDER BY seq",
	    1, params, board_rows, r) != EB_OK) {
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the read");
		eb_reply_error(r, &e);
	}
}

/* -- lifetime ----------------------------------------------------------- */

int
eb_system_init(struct eb_server *srv, struct eb_error *err)
{
	struct eb_system *sys = calloc(1, sizeof(*sys));
	char tmp[512];
	const char *dir = getenv("EBID_DIRECTORY");
	int rc;

	if (sys == NULL)
		return EB_ERR_NOMEM;
	sys->srv = srv;
	if (dir == NULL) {
		snprintf(tmp, sizeof(tmp), "%s", srv->cfg->ca);
		dir = dirname(tmp);
	}
	snprintf(sys->directory, sizeof(sys->directory), "%s", dir);
	if (eb_actor_from_cert(srv->cert, &srv->actor, err) != EB_OK ||
	    srv->actor.role != EB_ROLE_SYSTEM) {
		free(sys);
		if (err != NULL && err->code == 0)
			eb_fail(err, EB_ERR_USAGE, "server-not-system",
			    "Issue the server certificate with OU=system "
			    "(certs/make-dev-certs.sh does).",
			    "the server certificate does not carry the system "
			    "role, so ebidd cannot sign its own commands");
		return err != NULL && err->code ? err->code : EB_ERR_USAGE;
	}
	srv->sys = sys;
	if ((rc = load_servers(sys, err)) != EB_OK) {
		eb_system_free(srv);
		return rc;
	}
	record_servers(sys);
	{
		struct timeval tv = { (time_t)srv->cfg->head_every_seconds, 0 };

		if ((sys->head_ev = event_new(srv->base, -1, EV_PERSIST,
		    heads_timer, sys)) == NULL ||
		    event_add(sys->head_ev, &tv) != 0) {
			eb_system_free(srv);
			return eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
			    "cannot arm the chain head timer");
		}
	}
	return EB_OK;
}

void
eb_system_free(struct eb_server *srv)
{
	struct eb_system *sys = srv->sys;

	if (sys == NULL)
		return;
	for (unsigned b = 0; b < SLOT_BUCKETS; b++) {
		while (sys->buckets[b] != NULL) {
			struct slot *s = sys->buckets[b];

			sys->buckets[b] = s->next;
			if (s->ev != NULL)
				event_free(s->ev);
			free(s);
		}
	}
	for (size_t i = 0; i < sys->nservers; i++)
		X509_free(sys->servers[i]);
	if (sys->head_ev != NULL)
		event_free(sys->head_ev);
	free(sys);
	srv->sys = NULL;
}
