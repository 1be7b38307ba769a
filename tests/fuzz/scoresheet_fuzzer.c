/*
 * tests/fuzz/scoresheet_fuzzer.c
 *    Fuzz the score sheet an expert sends (<score-sheet>, evaluation.xsd)
 *    as ebidd reads it: the input bytes are parsed with the real schema
 *    (eb_xml_parse, ebid.xsd), then checked with eb_score_sheet_check()
 *    against fixed evaluation rules (tender="T2" in the sheet picks the
 *    lowest-evaluated-price rules, anything else the comprehensive ones of
 *    docs/evaluation.md), and an accepted sheet goes on with four
 *    generated sheets of other experts through eb_evaluation_alerts() and
 *    eb_evaluation_result() over the demo's six bids.
 *
 *    Checks beyond "no crash": a refusal has a reason and no result; an
 *    accepted sheet's result is deterministic (the same canonical bytes
 *    twice) and ranks at most the valid bids.
 *
 * Owner: the fuzzing engineer.  Corpus: tests/fuzz/scoresheet_corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/evaluation.h"
#include "tests/fuzz/eval_fixture.h"
#include "tests/fuzz/fuzz_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules_comprehensive[] =
    "<evaluation-rules xmlns=\"urn:ebid:1\" method=\"comprehensive\" "
    "price-weight=\"1\" candidates=\"3\" trim-extremes=\"yes\" "
    "trim-min-experts=\"5\" deviation-band=\"20\">"
    "<price-formula kind=\"average-benchmark\" max=\"40\" "
    "deduct-above=\"2\" deduct-below=\"1\" drop-extremes=\"yes\" "
    "drawn-coefficient=\"0.97\">"
    "<coefficient>0.95</coefficient><coefficient>0.97</coefficient>"
    "</price-formula>"
    "<criterion id=\"tech\" name=\"Construction plan\" max=\"30\" "
    "step=\"0.5\" reason-below=\"10\" reason-above=\"28\"/>"
    "<criterion id=\"quality\" name=\"Quality\" max=\"20\" step=\"1\"/>"
    "<criterion id=\"schedule\" name=\"Schedule\" max=\"10\" min=\"2\" "
    "step=\"0.25\" weight=\"1.5\"/>"
    "<rounding point=\"deviation-percent\" mode=\"half-up\" decimals=\"2\"/>"
    "<rounding point=\"price-score\" mode=\"half-up\" decimals=\"2\"/>"
    "<rounding point=\"criterion-average\" mode=\"down\" decimals=\"2\"/>"
    "<rounding point=\"total\" mode=\"half-up\" decimals=\"2\"/>"
    "<validity-band reference=\"600000000\" above=\"5\" below=\"40\"/>"
    "</evaluation-rules>";

static const char rules_lowest[] =
    "<evaluation-rules xmlns=\"urn:ebid:1\" "
    "method=\"lowest-evaluated-price\" candidates=\"2\" "
    "tie-break=\"technical price\">"
    "<criterion id=\"tech\" name=\"Construction plan\" max=\"10\" "
    "step=\"1\"/>"
    "<compliance-item id=\"licence\" name=\"Licence grade\"/>"
    "<compliance-item id=\"manager\" name=\"Project manager\"/>"
    "<adjustment id=\"days\" kind=\"completion\" target-days=\"365\" "
    "per=\"month\" credit=\"100000\" charge=\"200000\" "
    "partial-month-as-whole=\"yes\"/>"
    "<adjustment id=\"steel\" kind=\"per-unit\" amount=\"5000\" "
    "direction=\"charge\"/>"
    "<adjustment id=\"labour\" kind=\"percent\" direction=\"credit\"/>"
    "</evaluation-rules>";

static struct eb_doc *
rules(int which)
{
	static struct eb_doc *r[2];
	const char *text = which ? rules_lowest : rules_comprehensive;

	if (r[which] == NULL &&
	    (r[which] = fuzz_parse((const uint8_t *)text, strlen(text))) ==
	    NULL) {
		fprintf(stderr, "scoresheet_fuzzer: rules %d invalid\n", which);
		abort();
	}
	return r[which];
}

static void
evaluate(const struct eb_doc *r, const struct eb_doc *sheet)
{
	static const char *const others[] = { "exp-a", "exp-b", "exp-c",
	    "exp-d" };
	struct eb_doc *bids[FX_NBIDS], *sheets[5], *alerts = NULL,
	    *res = NULL, *res2 = NULL;
	struct eb_buf a = EB_BUF_INIT, b = EB_BUF_INIT;
	struct eb_error err;
	uint8_t seed[32] = { 7 };
	size_t i, nvalid = 0;
	int rc;

	fx_bids(bids);
	sheets[0] = eb_doc_clone(sheet);
	for (i = 0; i < 4; i++)
		sheets[i + 1] = fx_sheet(r, others[i], (unsigned)i);
	for (i = 0; i < FX_NBIDS; i++)
		nvalid += (size_t)fx_valid(r, i);
	rc = eb_evaluation_alerts(r, (const struct eb_doc *const *)sheets, 5,
	    &alerts, &err);
	if (rc == EB_OK ? alerts == NULL : err.reason[0] == '\0')
		abort();
	rc = eb_evaluation_result(r, (const struct eb_doc *const *)bids,
	    FX_NBIDS, (const struct eb_doc *const *)sheets, 5, seed, &res,
	    &err);
	fuzz_say("result", rc, &err);
	if (rc == EB_OK) {
		struct eb_doc *rk = eb_doc_child(res, "ranking");

		if (eb_evaluation_result(r, (const struct eb_doc *const *)bids,
		    FX_NBIDS, (const struct eb_doc *const *)sheets, 5, seed,
		    &res2, &err) != EB_OK ||
		    eb_doc_serialize(res, &a) != EB_OK ||
		    eb_doc_serialize(res2, &b) != EB_OK || a.len != b.len ||
		    memcmp(a.data, b.data, a.len) != 0 ||
		    eb_doc_count(res, "bid") != FX_NBIDS ||
		    (rk != NULL && eb_doc_count(rk, "rank") > nvalid))
			abort();
	} else if (res != NULL || err.reason[0] == '\0') {
		abort();
	}
	eb_buf_free(&a);
	eb_buf_free(&b);
	eb_doc_free(alerts);
	eb_doc_free(res);
	eb_doc_free(res2);
	for (i = 0; i < 5; i++)
		eb_doc_free(sheets[i]);
	for (i = 0; i < FX_NBIDS; i++)
		eb_doc_free(bids[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_doc *sheet = fuzz_parse(data, size);
	const struct eb_doc *r;
	const char *valid[FX_NBIDS], *tender;
	struct eb_error err;
	size_t n = 0, i;
	int which, rc;

	if (sheet == NULL)
		return 0;
	tender = eb_doc_attr(sheet, "tender");
	which = tender != NULL && strcmp(tender, "T2") == 0;
	r = rules(which);
	for (i = 0; i < FX_NBIDS; i++)
		if (fx_valid(r, i))
			valid[n++] = fx_bidders[i];
	eb_error_clear(&err);
	rc = eb_score_sheet_check(r, sheet, valid, n, &err);
	fuzz_say("sheet", rc, &err);
	if (rc == EB_OK)
		evaluate(r, sheet);
	else if (err.reason[0] == '\0')
		abort();
	eb_doc_free(sheet);
	return 0;
}
