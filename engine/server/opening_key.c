/*
 * engine/server/opening_key.c
 *    The tender's opening key, made by ebidd when the core declares
 *    EB_ACT_MAKE_OPENING_KEY: see opening_key.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "engine/server/directory.h"
#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/opening_key.h"
#include "engine/server/server.h"
#include "engine/server/system.h"
#include "protocol/isotime.h"
#include "protocol/keysplit.h"
#include "protocol/opening.h"

/*
 * The opening certificate is valid from now (the announcement) to the end
 * of the opening window: the tender's opening time plus this margin, which
 * covers an opening held late (a suspension, a custodian away) and
 * deadlines moved by amendments of up to that much.
 */
#define OPENING_WINDOW_MS ((int64_t)90 * 86400000)

void
eb_opening_key_make(struct eb_slot *slot, const void *state)
{
	struct eb_server *srv = slot->srv;
	struct eb_actor me = srv->actor;
	struct eb_custodian cus[EB_SHARES_MAX];
	struct eb_doc *view = NULL, *list, *c, *cmd = NULL;
	int64_t k = 0, now = eb_clock_now(&srv->clock), opening = 0;
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
		if ((cus[n].cert = eb_directory_cert(srv, party,
		    EB_ROLE_CUSTODIAN, &e)) == NULL) {
			char why[sizeof(e.primary)];

			snprintf(why, sizeof(why), "%s", e.primary);
			snprintf(e.primary, sizeof(e.primary), "custodian %.64s: "
			    "%.*s", party, (int)sizeof(e.primary) - 90, why);
			goto fail;
		}
		cus[n++].party = party;
	}
	{
		const char *at = eb_doc_attr(eb_doc_path(view,
		    "registration/opening-time"), "at");

		if (at == NULL || eb_isotime_parse(at, &opening) != EB_OK ||
		    opening < now)
			opening = now;
	}
	/* made in the key process: the opening key's private half and the
	 * issuer's key never come here */
	if (eb_keyproc_opening_key(srv->kp, srv->schema, slot->id, now,
	    opening + OPENING_WINDOW_MS, cus, n, (unsigned)k, &cmd, &e) !=
	    EB_OK)
		goto fail;
	slot->key_requested = 1;
	eb_system_submit(slot, cmd);
	goto out;
fail:
	eb_log(EB_LOG_ERROR, "tender %s: opening key: %s", slot->id,
	    e.primary);
	slot->key_failed = 1;
	eb_system_report_incident(slot, "set-opening-key", &e);
out:
	for (i = 0; i < n; i++)
		X509_free(cus[i].cert);
	eb_doc_free(view);
}

