/*
 * engine/server/opening.c
 *    The opening of the bids: see opening.h.
 *
 * Ownership: a struct opening holds copies of the log's rows, the
 * tender's view and the prepared bids until the open-bids command is
 * submitted (or the opening fails).  Worker threads (and the opening's
 * check threads) touch only it and the read-only trust, schema,
 * certificate and key.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <openssl/x509.h>

#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/opening.h"
#include "engine/server/envstore.h"
#include "engine/server/server.h"
#include "engine/server/system.h"
#include "engine/server/workers.h"
#include "protocol/cms.h"
#include "protocol/envstream.h"
#include "protocol/keysplit.h"
#include "protocol/mem.h"
#include "protocol/opening.h"
#include "protocol/xml.h"

/* The bounds of a bidder's or custodian's command read back from the log
 * (it passed the request limits when it came in). */
#define LOGGED_CMD_MAX ((size_t)64 << 20)
#define LOGGED_CMD_DEPTH 32
#define LOGGED_CMD_ELEMENTS 200000

struct opening {
	struct eb_slot *slot;
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
	size_t cache_held;        /* signers held in the trust's cache */
};

/* The opening's check threads beside the decrypting worker
 * (protocol/opening.h, eb_opening_open_par): one per worker thread. */
#define OPENING_CHECKERS_MAX 8

static void
opening_free(struct opening *op)
{
	struct eb_slot *slot;
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
	for (size_t b = 0; op->bids != NULL && b < op->nbids; b++)
		if (op->bids[b].env_arg != NULL)
			fclose(op->bids[b].env_arg);
	free(op->bids);
	X509_free(op->oc);
	if (op->cache_held > 0 && op->slot != NULL)
		eb_trust_cache_release(op->slot->srv->trust, op->cache_held);
	eb_doc_free(op->view);
	eb_doc_free(op->cmd);
	slot = op->slot;
	free(op);
	if (slot != NULL)
		eb_system_release(slot);
}

/*
 * A large bid's envelope, from the store (envstore.h): opened here, read
 * once by eb_opening_open, closed by opening_free.  Not found: the held
 * bid has no reader (the opening records it as our fault).
 */
static void
stored_envelope(struct eb_server *srv, const struct eb_doc *cmd,
    struct eb_held_bid *b)
{
	const struct eb_doc *ref = eb_doc_child(cmd, "envelope-ref");
	char path[1024];
	int64_t size = 0;
	struct stat st;
	FILE *f;

	if (ref == NULL || eb_doc_attr_i64(ref, "size", &size) != EB_OK ||
	    eb_envstore_path(srv->cfg->envelope_dir, eb_doc_attr(ref, "sha256"),
	    path, sizeof(path)) != 0 || (f = fopen(path, "rb")) == NULL)
		return;
	if (fstat(fileno(f), &st) != 0 || (int64_t)st.st_size != size) {
		fclose(f);
		return;
	}
	b->env_read = eb_envs_read_file;
	b->env_arg = f;
	b->env_size = (uint64_t)size;
}

/* One share of the commands to verify again (opening_work). */
struct reverify {
	struct opening *op;
	struct eb_doc **cmds;
	int from, step;
};

static void *
reverify_main(void *arg)
{
	struct reverify *rv = arg;
	struct opening *op = rv->op;
	const struct eb_server *srv = op->slot->srv;

	for (int i = rv->from; i < op->n; i += rv->step) {
		uint8_t *content = NULL;
		size_t clen = 0;
		X509 *signer = NULL;
		struct eb_xml_limits lim = { .max_bytes = LOGGED_CMD_MAX,
		    .max_depth = LOGGED_CMD_DEPTH,
		    .max_elements = LOGGED_CMD_ELEMENTS };
		struct eb_error e;

		if (eb_cms_verify(srv->trust, op->command[i],
		    op->command_len[i], 0, &content, &clen, &signer, &e) ==
		    EB_OK && eb_xml_parse(NULL, &lim, content, clen,
		    &rv->cmds[i], &e) != EB_OK)
			rv->cmds[i] = NULL;
		free(content);
		X509_free(signer);
		/* the tree holds what the opening needs: the signed bytes
		 * are not kept through it (100 KiB and more each) */
		free(op->command[i]);
		op->command[i] = NULL;
	}
	return NULL;
}

/*
 * On a worker thread (workers.h): verify and parse the commands again
 * (on this thread and as many more as there are workers), pick the
 * shares and each held bid's envelope (opening_open_work opens them).
 * Touches only 'op' and the read-only trust, schema, certificate and key.
 */
static void
opening_work(void *arg)
{
	struct opening *op = arg;
	struct eb_server *srv = op->slot->srv;
	struct eb_doc **cmds = NULL, *b, *key, *held;
	struct eb_held_bid *bids = NULL;
	size_t nbids = 0, nshares = 0, cap;
	int n = op->n, i;

	eb_error_clear(&op->err);
	/* every bidder's certificate is checked twice, for the command's
	 * signature here and the inner one as its bid is opened: with more
	 * signers than the trust's cache holds (certcache.h), each chain
	 * would be verified twice (docs/performance.md, "Issue 17, fourth
	 * pass"); room for all of them until the opening ends */
	op->cache_held = (size_t)n;
	eb_trust_cache_hold(srv->trust, op->cache_held);
	held = eb_doc_child(op->view, "bids");
	cap = eb_doc_count(held, "bid");
	cmds = eb_calloc((size_t)n + 1, sizeof(*cmds));
	bids = eb_calloc(cap + 1, sizeof(*bids));
	op->cmds = cmds;
	op->bids = bids;
	/* every signed command, verified again, as a tree: on this worker
	 * and its check threads, each a share of the commands */
	{
		struct reverify rv[OPENING_CHECKERS_MAX];
		pthread_t th[OPENING_CHECKERS_MAX];
		int64_t nt = srv->cfg->workers;
		int started = 0, t;

		if (nt < 1)
			nt = 1;
		if (nt > OPENING_CHECKERS_MAX)
			nt = OPENING_CHECKERS_MAX;
		for (t = 0; t < (int)nt; t++)
			rv[t] = (struct reverify){ .op = op, .cmds = cmds,
			    .from = t, .step = (int)nt };
		for (t = 1; t < (int)nt; t++, started++)
			if (pthread_create(&th[t], NULL, reverify_main,
			    &rv[t]) != 0)
				break;
		/* the shares no thread took are this one's too */
		for (t = started + 1; t < (int)nt; t++)
			(void)reverify_main(&rv[t]);
		(void)reverify_main(&rv[0]);
		for (t = 1; t <= started; t++)
			pthread_join(th[t], NULL);
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
			if (bids[nbids].envelope_b64 == NULL)
				stored_envelope(srv, cmds[i], &bids[nbids]);
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

struct key_side {
	struct eb_keyproc *kp;
	uint64_t handle;
};

/* Decrypt one envelope where the opening key is (the key process). */
static int
decrypt_in_keyproc(void *ctx, const uint8_t *env, size_t len,
    uint8_t **inner, size_t *innerlen, struct eb_error *err)
{
	/* ours, not the bidder's: the opening stops (protocol/opening.h) */
	static const char *const ours[] = { "opening-handle-unknown",
	    "key-process-gone", "key-process-failed", "key-frame-invalid",
	    "key-frame-too-large" };
	struct key_side *ks = ctx;
	int rc = eb_keyproc_open_bid(ks->kp, ks->handle, env, len, inner,
	    innerlen, err);
	size_t i;

	for (i = 0; rc != EB_OK && err != NULL &&
	    i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strcmp(err->reason, ours[i]) == 0)
			rc = EB_ERR_INTERNAL;
	return rc;
}

/*
 * On a worker: open the bids.  The key process recovers the opening key
 * from the shares and decrypts each envelope, called from this thread in
 * order; meanwhile the check threads of eb_opening_open_par() check the
 * bids already decrypted (commitment, inner signature, the bid's schema),
 * so the key process and both cores work at once.  The threads inherit
 * this worker's lower priority (workers.h).
 */
static void
opening_open_work(void *arg)
{
	struct opening *op = arg;
	struct eb_server *srv = op->slot->srv;
	struct key_side ks = { .kp = srv->kp };
	int64_t threads = srv->cfg->workers;

	if (threads < 1)
		threads = 1;
	if (threads > OPENING_CHECKERS_MAX)
		threads = OPENING_CHECKERS_MAX;
	eb_error_clear(&op->err);
	op->rc = eb_keyproc_open_begin(srv->kp, op->oc, op->shares,
	    op->nshares, (unsigned)op->k, &ks.handle, &op->err);
	if (op->rc == EB_OK)
		op->rc = eb_opening_open_par(srv->trust, srv->schema,
		    decrypt_in_keyproc, &ks, op->slot->id, op->bids, op->nbids,
		    op->at, (unsigned)threads, &op->cmd, &op->err);
	eb_keyproc_open_end(srv->kp, ks.handle);
}

/* Back on the loop with the bids opened: submit open-bids. */
static void
opening_open_done(void *arg)
{
	struct opening *op = arg;

	if (op->rc != EB_OK || op->cmd == NULL) {
		eb_log(EB_LOG_ERROR, "opening %s: %s (%s)", op->slot->id,
		    op->err.primary, op->err.detail);
		op->slot->inflight = 0;
		if (op->err.code == 0)
			eb_fail(&op->err, EB_ERR_INTERNAL, "opening-failed",
			    NULL, "the bids could not be opened");
		eb_system_report_incident(op->slot, "open-bids", &op->err);
	} else {
		eb_log(EB_LOG_INFO, "opening %s: %zu bids with %zu shares",
		    op->slot->id, op->nbids, op->nshares);
		/* each <bid> passed the schema as it was opened: the record
		 * is checked without parsing the bids again (system.h) */
		eb_system_submit_opened(op->slot, op->cmd);
		op->cmd = NULL;
	}
	opening_free(op);
}

/* Back on the loop with the commands verified: open the bids. */
static void
opening_done(void *arg)
{
	struct opening *op = arg;
	struct eb_server *srv = op->slot->srv;

	if (op->rc != EB_OK) {
		eb_log(EB_LOG_ERROR, "opening %s: %s (%s)", op->slot->id,
		    op->err.primary, op->err.detail);
		op->slot->inflight = 0;
		eb_system_report_incident(op->slot, "open-bids", &op->err);
		opening_free(op);
		return;
	}
	if (eb_workers_submit(srv->workers, opening_open_work,
	    opening_open_done, op) != EB_OK) {
		op->slot->inflight = 0;
		opening_free(op);
	}
}

static void
opening_rows(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct opening *op = arg;
	struct eb_slot *slot = op->slot;
	struct eb_server *srv = slot->srv;
	int n, i;

	if (rc != EB_OK) {
		eb_log_e(EB_LOG_ERROR, err, "opening: cannot read the log");
		goto fail;
	}
	n = PQntuples(r);
	op->party = eb_calloc((size_t)n + 1, sizeof(*op->party));
	op->command = eb_calloc((size_t)n + 1, sizeof(*op->command));
	op->command_len = eb_calloc((size_t)n + 1, sizeof(*op->command_len));
	for (i = 0; i < n; i++, op->n++) {
		size_t len = (size_t)PQgetlength(r, i, 1);

		op->party[i] = eb_strdup(PQgetvalue(r, i, 0));
		op->command[i] = eb_malloc(len + 1);
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

void
eb_opening_start(struct eb_slot *slot, const void *state)
{
	struct eb_server *srv = slot->srv;
	struct opening *op = eb_calloc(1, sizeof(*op));
	const char *params[1] = { slot->id };

	op->slot = slot;
	eb_system_hold(slot);
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

