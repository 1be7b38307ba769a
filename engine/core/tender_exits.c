/*
 * engine/core/tender_exits.c
 *    The exits: cancellation (requested, countersigned or refused),
 *    suspension and resumption, and ebidd's incident reports.
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"

/* ------------------------------------------------------------------ */
/* exits                                                                */
/* ------------------------------------------------------------------ */

static int
g_reasoned(const struct eb_cmd *c, struct eb_doc *events, const char *ev,
    struct eb_error *err)
{
	struct eb_doc *e;

	if (!nonblank(eb_doc_child_text(c->body, "reason")))
		return reasons_required(err, c->body->name);
	e = ev_add(events, ev, c);
	copy_reasons(c->body, e);
	return EB_OK;
}

int
g_request_cancel(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	return g_reasoned(c, events, "cancellation-requested", err);
}

int
g_countersign(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)err;
	return g_simple(t, c, events, "tender-cancelled");
}

int
g_refuse_cancel(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	return g_reasoned(c, events, "cancellation-refused", err);
}

int
g_suspend(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	return g_reasoned(c, events, "tender-suspended", err);
}

/* Time stops while a tender is suspended: on resume every pending time
 * point after the suspension moves by its length. */
int
g_resume(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	int rc;

	if ((rc = g_reasoned(c, events, "tender-resumed", err)) != EB_OK)
		return rc;
	eb_doc_set_attr_i64(events->last, "suspended-ms",
	    c->time - t->suspended_at);
	return EB_OK;
}

/* ebidd reports the failure of one of its automatic steps (the opening
 * key, the opening, the clearing, a timer): a visible record, no state
 * change, so the officers can act (suspend, cancel, resume to retry). */
int
g_incident(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *step = eb_doc_attr(c->body, "step");
	const char *code = eb_doc_attr(c->body, "code");
	struct eb_doc *e;

	(void)t;
	if (step == NULL || code == NULL || *step == '\0' || *code == '\0')
		return eb_fail(err, EB_ERR_FORMAT, "missing-field",
		    "Name the step and the error code.",
		    "report-incident needs step= and code=");
	e = ev_add(events, "incident-reported", c);
	eb_doc_set_attr(e, "step", step);
	eb_doc_set_attr(e, "code", code);
	if (eb_doc_child_text(c->body, "message") != NULL)
		eb_doc_add_text(e, "message",
		    eb_doc_child_text(c->body, "message"));
	return EB_OK;
}
