/*
 * tests/fuzz/rules_fuzzer.c
 *    Fuzz a tender's rules as ebidd receives them: the input bytes are
 *    parsed with the real schema (eb_xml_parse, ebid.xsd) as a
 *    <register-tender> command (or a bare <evaluation-rules> /
 *    <clearing-rules>).  A registration goes through the tender flow's
 *    decide() from a fresh tender (engine/core/tender_register.c: every
 *    registration field and the rules' own checks) and, when accepted,
 *    apply() and view().  Its <evaluation-rules> then go through
 *    eb_evaluation_draw_coefficient() and, with the drawn coefficient
 *    written in as the tender does, eb_evaluation_result() over the
 *    demo's six bids and five generated score sheets; its
 *    <clearing-rules> through eb_clearing_run() on the same bids.
 *
 *    Checks beyond "no crash": every refusal carries a reason and leaves
 *    no output; an accepted registration's events apply; a drawn index
 *    is within the list; results are deterministic (same bytes twice).
 *
 * Owner: the fuzzing engineer.  Corpus: tests/fuzz/rules_corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/clearing.h"
#include "engine/core/evaluation.h"
#include "engine/core/tender.h"
#include "tests/fuzz/eval_fixture.h"
#include "tests/fuzz/fuzz_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-11-01T00:00:00Z: the registration's receipt instant. */
#define T_REGISTER INT64_C(1793491200000)

static void
same_twice(const struct eb_doc *a, const struct eb_doc *b)
{
	struct eb_buf x = EB_BUF_INIT, y = EB_BUF_INIT;

	if (eb_doc_serialize(a, &x) != EB_OK ||
	    eb_doc_serialize(b, &y) != EB_OK || x.len != y.len ||
	    memcmp(x.data, y.data, x.len) != 0)
		abort();
	eb_buf_free(&x);
	eb_buf_free(&y);
}

static void
register_tender(const struct eb_doc *body)
{
	void *t = eb_tender_flow.create("T1");
	struct eb_cmd cmd;
	struct eb_doc *ev = NULL, *view;
	struct eb_error err;
	int64_t at;
	const char *name;
	int rc;

	if (t == NULL)
		abort();
	memset(&cmd, 0, sizeof(cmd));
	cmd.body = body;
	cmd.actor.role = EB_ROLE_TENDERER;
	snprintf(cmd.actor.party, sizeof(cmd.actor.party), "tenderer1");
	snprintf(cmd.actor.person, sizeof(cmd.actor.person), "P-tenderer1");
	snprintf(cmd.actor.org, sizeof(cmd.actor.org), "City Water");
	snprintf(cmd.target, sizeof(cmd.target), "T1");
	cmd.time = T_REGISTER;
	eb_error_clear(&err);
	rc = eb_tender_flow.decide(t, &cmd, &ev, &err);
	fuzz_say("register", rc, &err);
	if (rc == EB_OK) {
		if (ev == NULL || eb_tender_flow.apply(t, ev, &err) != EB_OK)
			abort();
		view = eb_tender_flow.view(t, &cmd.actor);
		if (view == NULL)
			abort();
		eb_doc_free(view);
		(void)eb_tender_flow.next_timer(t, &at, &name);
		(void)eb_tender_check_records(t, &err);
	} else if (ev != NULL || err.reason[0] == '\0') {
		abort();
	}
	eb_doc_free(ev);
	eb_tender_flow.destroy(t);
}

static void
evaluate(const struct eb_doc *given)
{
	static const char *const experts[] = { "exp-a", "exp-b", "exp-c",
	    "exp-d", "exp-e" };
	struct eb_doc *r = eb_doc_clone(given), *pf, *bids[FX_NBIDS],
	    *sheets[5], *res = NULL, *res2 = NULL;
	const struct eb_doc *k;
	uint8_t seed[32] = { 1, 2, 3 };
	struct eb_error err;
	int64_t kv = 0;
	size_t idx = 0, i = 0;
	int rc;

	pf = eb_doc_child(r, "price-formula");
	eb_error_clear(&err);
	rc = eb_evaluation_draw_coefficient(r, seed, &kv, &idx, &err);
	fuzz_say("draw", rc, &err);
	if (rc == EB_OK) {
		if (pf == NULL || idx >= eb_doc_count(pf, "coefficient"))
			abort();
		eb_doc_foreach(k, pf, "coefficient")
			if (i++ == idx)
				break;
		if (eb_doc_attr(pf, "drawn-coefficient") == NULL)
			eb_doc_set_attr(pf, "drawn-coefficient", eb_doc_text(k));
	} else if (err.reason[0] == '\0') {
		abort();
	}
	fx_bids(bids);
	for (i = 0; i < 5; i++)
		sheets[i] = fx_sheet(r, experts[i], (unsigned)i);
	rc = eb_evaluation_result(r, (const struct eb_doc *const *)bids,
	    FX_NBIDS, (const struct eb_doc *const *)sheets, 5, seed, &res,
	    &err);
	fuzz_say("result", rc, &err);
	if (rc == EB_OK) {
		if (eb_evaluation_result(r, (const struct eb_doc *const *)bids,
		    FX_NBIDS, (const struct eb_doc *const *)sheets, 5, seed,
		    &res2, &err) != EB_OK)
			abort();
		same_twice(res, res2);
	} else if (res != NULL || err.reason[0] == '\0') {
		abort();
	}
	eb_doc_free(res);
	eb_doc_free(res2);
	for (i = 0; i < 5; i++)
		eb_doc_free(sheets[i]);
	for (i = 0; i < FX_NBIDS; i++)
		eb_doc_free(bids[i]);
	eb_doc_free(r);
}

/* The demo's six bids (tests/data/bids) as opened bids, read once. */
static struct eb_doc **
demo_bids(void)
{
	static struct eb_doc *b[FX_NBIDS];
	static const char *const names[FX_NBIDS] = { "1-quancheng",
	    "2-huayu", "3-jinlu", "4-taishan", "5-hengda", "6-lutong" };
	const char *src = getenv("EBID_SRC");

	for (size_t i = 0; i < FX_NBIDS && b[FX_NBIDS - 1] == NULL; i++) {
		char path[4096];
		uint8_t *buf = malloc(1 << 20);
		FILE *f;
		size_t n;
		struct eb_doc *bid;

		snprintf(path, sizeof(path), "%s/tests/data/bids/bid-%s.xml",
		    src != NULL ? src : EB_SRC_DIR, names[i]);
		if (buf == NULL || (f = fopen(path, "rb")) == NULL)
			abort();
		n = fread(buf, 1, 1 << 20, f);
		fclose(f);
		if ((bid = fuzz_parse(buf, n)) == NULL) {
			fprintf(stderr, "rules_fuzzer: %s invalid\n", path);
			abort();
		}
		free(buf);
		b[i] = eb_doc_new("opened-bid");
		eb_doc_set_attr(b[i], "bidder", fx_bidders[i]);
		eb_doc_set_attr(b[i], "org", names[i]);
		eb_doc_append(b[i], bid);
	}
	return b;
}

static void
clear(const struct eb_doc *rules)
{
	struct eb_doc **bids = demo_bids(), *rep = NULL, *rep2 = NULL;
	struct eb_error err;
	int rc;

	eb_error_clear(&err);
	rc = eb_clearing_run(rules, (const struct eb_doc *const *)bids,
	    FX_NBIDS, &rep, &err);
	fuzz_say("clearing", rc, &err);
	if (rc == EB_OK) {
		if (eb_clearing_run(rules, (const struct eb_doc *const *)bids,
		    FX_NBIDS, &rep2, &err) != EB_OK)
			abort();
		same_twice(rep, rep2);
	} else if (rep != NULL || err.reason[0] == '\0') {
		abort();
	}
	eb_doc_free(rep);
	eb_doc_free(rep2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_doc *d = fuzz_parse(data, size);
	const struct eb_doc *er = NULL, *cr = NULL;

	if (d == NULL)
		return 0;
	if (strcmp(d->name, "register-tender") == 0) {
		register_tender(d);
		er = eb_doc_path(d, "rules/evaluation-rules");
		cr = eb_doc_path(d, "rules/clearing-rules");
	} else if (strcmp(d->name, "evaluation-rules") == 0) {
		er = d;
	} else if (strcmp(d->name, "clearing-rules") == 0) {
		cr = d;
	}
	if (er != NULL)
		evaluate(er);
	if (cr != NULL)
		clear(cr);
	eb_doc_free(d);
	return 0;
}
