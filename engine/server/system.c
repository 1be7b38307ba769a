/*
 * engine/server/system.c
 *    ebidd acting as the system role: its slots and its own signed
 *    commands; see system.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "engine/server/commands.h"
#include "engine/server/idmap.h"
#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/server.h"
#include "engine/server/system.h"
#include "protocol/cms.h"
#include "protocol/xml.h"
#include "protocol/mem.h"

/* Buckets of the slot table (idmap.h). */
#define SLOT_BUCKETS 256
/* The schema check of what ebidd signs: its own commands' bounds. */
#define SYSTEM_CMD_DEPTH 64
#define SYSTEM_CMD_ELEMENTS 10000000

struct eb_system {
	struct eb_server *srv;
	struct eb_idmap slots;        /* struct eb_slot by aggregate id */
};

struct eb_slot *
eb_system_slot(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow)
{
	struct eb_system *sys = srv->sys;
	struct eb_idmap_node *n;
	struct eb_slot *s;

	if (sys == NULL)
		return NULL;
	if ((n = eb_idmap_find(&sys->slots, id)) != NULL)
		return EB_IDMAP_RECORD(n, struct eb_slot, node);
	s = eb_calloc(1, sizeof(*s));
	s->srv = srv;
	s->flow = flow;
	eb_idmap_insert(&sys->slots, &s->node, id);
	s->id = s->node.id;
	return s;
}

static void
slot_free(struct eb_slot *s)
{
	if (s->ev != NULL)
		event_free(s->ev);
	free(s);
}

/* Unlink and free 'slot' once it is finished and nothing refers to it. */
static void
slot_maybe_free(struct eb_slot *s)
{
	if (!s->finished || s->refs > 0 || s->srv->sys == NULL)
		return;
	eb_idmap_remove(&s->srv->sys->slots, &s->node);
	slot_free(s);
}

void
eb_system_hold(struct eb_slot *slot)
{
	slot->refs++;
}

void
eb_system_release(struct eb_slot *slot)
{
	slot->refs--;
	slot_maybe_free(slot);
}

void
eb_system_finished(struct eb_slot *slot)
{
	slot->finished = 1;
	slot_maybe_free(slot);
}

struct foreach_arg {
	void (*fn)(struct eb_slot *, void *);
	void *arg;
};

static void
foreach_node(struct eb_idmap_node *n, void *arg)
{
	struct foreach_arg *fa = arg;

	fa->fn(EB_IDMAP_RECORD(n, struct eb_slot, node), fa->arg);
}

void
eb_system_foreach_slot(struct eb_server *srv,
    void (*fn)(struct eb_slot *, void *), void *arg)
{
	struct foreach_arg fa = { fn, arg };

	if (srv->sys != NULL)
		eb_idmap_foreach(&srv->sys->slots, foreach_node, &fa);
}

/* -- signing and submitting our own commands ---------------------------- */

struct sys_job {
	struct eb_slot *slot;
	struct eb_slot *report_to;      /* the tender told of a failure */
	char what[48];
};

/* The job ends: its slots may go (eb_system_finished()). */
static void
sys_job_free(struct sys_job *sj)
{
	struct eb_slot *slot = sj->slot, *to = sj->report_to;

	free(sj);
	if (to != NULL && to != slot)
		eb_system_release(to);
	if (slot != NULL)
		eb_system_release(slot);
}

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
			sys_job_free(sj);
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
			eb_system_report_incident(sj->report_to, sj->what, e);
	} else {
		eb_log(EB_LOG_INFO, "system command %s on %s accepted",
		    sj->what, sj->slot ? sj->slot->id : "?");
		if (sj->report_to != NULL &&
		    strcmp(sj->what, "report-incident") != 0)
			sj->report_to->incident[0] = '\0';
	}
	sys_job_free(sj);
}

static int
is_tender(const struct eb_slot *slot)
{
	return slot != NULL && strcmp(slot->flow->kind, "tender") == 0;
}

/* Sign 'doc' (takes ownership) and submit it for 'slot'. */
void
eb_system_submit(struct eb_slot *slot, struct eb_doc *doc)
{
	eb_system_submit_for(slot, doc, is_tender(slot) ? slot : NULL);
}

/*
 * ... and tell tender 'report_to' (may be NULL) with a report-incident
 * when it is refused.
 */
/*
 * The open-bids record as the schema check sees it when its bids were
 * each checked as they were opened: every bid-result without its <bid>
 * and <inner> (both optional in the schema), so no bid is parsed twice.
 */
static int
opened_skeleton(const struct eb_doc *doc, struct eb_buf *out)
{
	struct eb_doc *sk = eb_doc_new(doc->name), *c;
	const struct eb_doc *r;
	struct eb_attr *a;
	int rc;

	for (a = doc->attrs; a != NULL; a = a->next)
		eb_doc_set_attr(sk, a->name, a->value);
	for (r = doc->first; r != NULL; r = r->next) {
		c = eb_doc_add(sk, r->name);
		for (a = r->attrs; a != NULL; a = a->next)
			eb_doc_set_attr(c, a->name, a->value);
		for (const struct eb_doc *g = r->first; g != NULL; g = g->next)
			if (strcmp(g->name, "bid") != 0 &&
			    strcmp(g->name, "inner") != 0)
				eb_doc_append(c, eb_doc_clone(g));
	}
	rc = eb_xml_write(sk, 0, out);
	eb_doc_free(sk);
	return rc;
}

static void
submit_for(struct eb_slot *slot, struct eb_doc *doc,
    struct eb_slot *report_to, int opened)
{
	struct eb_server *srv = slot->srv;
	struct eb_buf xml = EB_BUF_INIT;
	struct sys_job *sj = NULL;
	struct eb_error e;
	uint8_t *der = NULL;
	size_t len = 0;

	eb_error_clear(&e);
	xml.max = EB_SYSTEM_CMD_MAX;
	if (eb_xml_write(doc, 0, &xml) != EB_OK ||
	    eb_keyproc_sign(srv->kp, xml.data, xml.len, &der, &len,
	    &e) != EB_OK) {
		eb_log(EB_LOG_ERROR, "cannot sign system command %s on %s: %s",
		    doc->name, slot->id, e.primary);
		eb_doc_free(doc);
		free(der);
		eb_buf_free(&xml);
		return;
	}
	/* what ebidd signs must pass the schema every auditor applies */
	{
		struct eb_xml_limits lim = { .max_bytes = EB_SYSTEM_CMD_MAX,
		    .max_depth = SYSTEM_CMD_DEPTH,
		    .max_elements = SYSTEM_CMD_ELEMENTS };
		struct eb_doc *back = NULL;
		struct eb_buf sk = EB_BUF_INIT;
		int bad;

		sk.max = EB_SYSTEM_CMD_MAX;
		if (opened && opened_skeleton(doc, &sk) != EB_OK)
			bad = eb_fail(&e, EB_ERR_LIMIT, "document-too-large", NULL,
			    "the record does not fit");
		else
			bad = eb_xml_parse(srv->schema, &lim, opened ? sk.data :
			    xml.data, opened ? sk.len : xml.len, &back, &e);
		eb_buf_free(&sk);
		if (bad != EB_OK) {
			eb_log(EB_LOG_ERROR, "system command %s on %s is not "
			    "valid: %s (%s)", doc->name, slot->id, e.primary,
			    e.detail);
			eb_doc_free(doc);
			free(der);
			eb_buf_free(&xml);
			return;
		}
		eb_doc_free(back);
	}
	eb_buf_free(&xml);
	sj = eb_calloc(1, sizeof(*sj));
	sj->slot = slot;
	sj->report_to = report_to;
	eb_system_hold(slot);
	if (report_to != NULL && report_to != slot)
		eb_system_hold(report_to);
	snprintf(sj->what, sizeof(sj->what), "%s", doc->name);
	slot->inflight = 1;
	if (eb_commands_submit_system(srv->cmds, slot->id, der, len, doc,
	    sys_done, sj) != EB_OK) {
		eb_log(EB_LOG_ERROR, "cannot submit system command %s on %s",
		    sj->what, slot->id);
		slot->inflight = 0;
		sys_job_free(sj);
	}
}

void
eb_system_submit_for(struct eb_slot *slot, struct eb_doc *doc,
    struct eb_slot *report_to)
{
	submit_for(slot, doc, report_to, 0);
}

void
eb_system_submit_opened(struct eb_slot *slot, struct eb_doc *doc)
{
	submit_for(slot, doc, is_tender(slot) ? slot : NULL, 1);
}

/*
 * An automatic step of a tender failed: ebidd appends a report-incident
 * (signed like its other commands) so the failure is in the tender, in
 * the officers' view, not only in the server's log.  The same step is
 * reported once until another step of ebidd's succeeds on the tender,
 * so a step that keeps failing cannot loop.
 */
void
eb_system_report_incident(struct eb_slot *slot, const char *step,
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
	eb_system_submit_for(slot, cmd, NULL);
}

/* -- lifetime ----------------------------------------------------------- */

int
eb_system_init(struct eb_server *srv, struct eb_error *err)
{
	struct eb_system *sys = eb_calloc(1, sizeof(*sys));

	sys->srv = srv;
	if (eb_idmap_init(&sys->slots, SLOT_BUCKETS) != EB_OK) {
		free(sys);
		return eb_fail(err, EB_ERR_INTERNAL, "internal", NULL,
		    "cannot make the slot table");
	}
	if (eb_actor_from_cert(srv->cert, &srv->actor, err) != EB_OK ||
	    srv->actor.role != EB_ROLE_SYSTEM) {
		eb_idmap_fini(&sys->slots);
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
	return EB_OK;
}

static void
free_node(struct eb_idmap_node *n, void *arg)
{
	(void)arg;
	slot_free(EB_IDMAP_RECORD(n, struct eb_slot, node));
}

void
eb_system_free(struct eb_server *srv)
{
	struct eb_system *sys = srv->sys;

	if (sys == NULL)
		return;
	eb_idmap_foreach(&sys->slots, free_node, NULL);
	eb_idmap_fini(&sys->slots);
	free(sys);
	srv->sys = NULL;
}
