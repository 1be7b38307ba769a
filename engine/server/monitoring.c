/*
 * engine/server/monitoring.c
 *    ebidd's reports to the centre's monitor: see monitoring.h.
 */
#include <string.h>

#include "engine/core/flows.h"
#include "engine/server/config.h"
#include "engine/server/monitoring.h"
#include "engine/server/server.h"
#include "engine/server/system.h"

/* The commands after which the monitor checks the tender's facts. */
static int
checks_tender(const char *name)
{
	return strcmp(name, "publish-announcement") == 0 ||
	    strcmp(name, "amend-documents") == 0;
}

/*
 * A bid for a subject: the end of the signer's authorisation in the
 * subject's facts and the tender's opening time, onto 'cmd'.
 */
static void
add_representative(struct eb_server *srv, const struct eb_flow_entry *flow,
    const void *state, const struct eb_actor *actor,
    const struct eb_doc *facts, struct eb_doc *cmd)
{
	const struct eb_doc *r, *rep = NULL;
	struct eb_doc *view;
	const char *opening;

	eb_doc_foreach(r, facts, "representative")
		if (eb_doc_attr(r, "party") != NULL &&
		    strcmp(eb_doc_attr(r, "party"), actor->party) == 0 &&
		    eb_doc_attr(r, "to") != NULL)
			rep = r;
	if (rep == NULL || eb_doc_attr(facts, "id") == NULL)
		return;
	view = flow->ops->view(state, &srv->actor);
	opening = eb_doc_attr(eb_doc_path(view, "registration/opening-time"),
	    "at");
	if (opening != NULL) {
		eb_doc_set_attr(cmd, "subject", eb_doc_attr(facts, "id"));
		eb_doc_set_attr(cmd, "authorised-until",
		    eb_doc_attr(rep, "to"));
		eb_doc_set_attr(cmd, "opening", opening);
	}
	eb_doc_free(view);
}

void
eb_monitoring_committed(struct eb_server *srv,
    const struct eb_flow_entry *flow, const void *state, const char *id,
    const char *name, const struct eb_actor *actor, const char *addr,
    const struct eb_doc *facts)
{
	const char *mon = srv->cfg->monitor;
	const char *kind = flow != NULL ? flow->kind : NULL;
	const struct eb_flow_entry *mf = eb_flow_for_kind("monitor");
	struct eb_slot *ms;
	struct eb_doc *cmd;

	if (mon == NULL || mon[0] == '\0' || mf == NULL || kind == NULL ||
	    strcmp(kind, "tender") != 0 || name == NULL)
		return;
	if (checks_tender(name)) {
		if ((ms = eb_system_slot(srv, mon, mf)) == NULL)
			return;
		cmd = eb_doc_new("check-tender");
		eb_doc_set_attr(cmd, "monitor", mon);
		eb_doc_set_attr(cmd, "job", id);
		eb_system_submit(ms, cmd);
	}
	if (addr == NULL || addr[0] == '\0' || strcmp(addr, "?") == 0 ||
	    (actor->role != EB_ROLE_BIDDER && actor->role != EB_ROLE_EXPERT))
		return;
	if ((ms = eb_system_slot(srv, mon, mf)) == NULL)
		return;
	cmd = eb_doc_new("observe");
	eb_doc_set_attr(cmd, "monitor", mon);
	eb_doc_set_attr(cmd, "job", id);
	eb_doc_set_attr(cmd, "party", actor->party);
	eb_doc_set_attr(cmd, "role", eb_role_name(actor->role));
	eb_doc_set_attr(cmd, "address", addr);
	if (facts != NULL && strcmp(name, "submit-bid") == 0)
		add_representative(srv, flow, state, actor, facts, cmd);
	eb_system_submit(ms, cmd);
}
