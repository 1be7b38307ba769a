/*
 * engine/server/appointments.c
 *    The committee's appointments recorded in the expert pool when the
 *    core declares EB_ACT_RECORD_APPOINTMENTS: see appointments.h.
 */
#include "engine/core/flows.h"
#include "engine/core/tender.h"
#include "engine/server/appointments.h"
#include "engine/server/server.h"
#include "engine/server/system.h"

/*
 * The committee served: record each accepted member's appointment in the
 * pool it was drawn from, so later draws can avoid experts drawn too often
 * (a request-draw with recent-days and max-recent).
 */
void
eb_appointments_record(struct eb_slot *slot, const void *state)
{
	struct eb_server *srv = slot->srv;
	const struct eb_flow_entry *pf = eb_flow_for_kind("pool");
	struct eb_doc *view = slot->flow->ops->view(state, &srv->actor);
	struct eb_doc *cmd, *m, *com;
	const char *pool = eb_doc_attr(eb_doc_child(view, "draw"), "pool");
	struct eb_slot *ps;
	int n = 0;

	if (pool == NULL || pf == NULL ||
	    (ps = eb_system_slot(srv, pool, pf)) == NULL) {
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
	eb_system_submit_for(ps, cmd, slot);
}

