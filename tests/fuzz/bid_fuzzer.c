/*
 * tests/fuzz/bid_fuzzer.c
 *    Fuzz eb_bid_from_doc() and eb_clearing_run() on document trees built
 *    from the input bytes by a tiny deterministic builder (XML parsing is
 *    fuzzed elsewhere; here the bytes choose the tree: how many bids,
 *    parties, lines, numbers — interesting strings and raw digits —,
 *    technical text over CJK, ASCII, punctuation and broken UTF-8, which
 *    elements are missing, and the clearing rules).
 *
 *    Checks beyond "no crash": a run that succeeds is deterministic (a
 *    second run gives the same canonical bytes) and its report has as many
 *    <bid-summary> as bids and as many <finding> as its findings attribute.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/bid.h"
#include "engine/core/clearing.h"

struct in {
	const uint8_t *p;
	size_t n, i;
};

static unsigned
byte(struct in *in)
{
	return in->i < in->n ? in->p[in->i++] : 0;
}

static const char *const nums[] = {
	"0", "1", "12.5", "0.001", "100", "10000", "99999", "-1", "1.2345",
	"abc", "", "999999999.999", "100000000000000", "100000000000001",
	"9223372036854775807", "9223372036854775808", "1.", ".5", " 1",
	"4860.25", "3850", "600000000", "40", "30", "10", "800", "5", "1000",
};
#define NNUMS (sizeof(nums) / sizeof(nums[0]))

/* A number: one of the table, or up to 12 digits from the input. */
static void
num(struct in *in, char *buf, size_t sz)
{
	unsigned c = byte(in);

	if (c < 128) {
		snprintf(buf, sz, "%s", nums[c % NNUMS]);
	} else {
		unsigned k = 1 + c % 12, j;

		for (j = 0; j < k && j + 1 < sz; j++)
			buf[j] = (char)('0' + byte(in) % 10);
		buf[j] = '\0';
	}
}

static const char *const frags[] = {
	"球墨", "铸铁管", "安装", "，", "。", " ", "open", "TRENCH", "-",
	"\xff", "\xe4\xb8", "工程", "\xf0\x9f\x92\xa7", "a", "管", "\n",
};
#define NFRAGS (sizeof(frags) / sizeof(frags[0]))

static void
text(struct in *in, char *buf, size_t sz)
{
	unsigned k = byte(in) % 24, j;

	buf[0] = '\0';
	for (j = 0; j < k; j++) {
		const char *f = frags[byte(in) % NFRAGS];

		if (strlen(buf) + strlen(f) + 1 > sz)
			break;
		strcat(buf, f);
	}
}

static const char *const names[] = { "P0", "P1", "P2", "P3", "P4", "P5" };
static const char *const codes[] = { "L0", "L1", "L2", "L3", "L4" };

static void
maybe_text(struct in *in, struct eb_doc *p, const char *name,
    const char *const *set, size_t nset)
{
	unsigned c = byte(in);

	if (c % 8 == 7)
		return;         /* missing */
	eb_doc_add_text(p, name, set[c % nset]);
}

static struct eb_doc *
mk_bid(struct in *in)
{
	static const char *const tenders[] = { "T-1", "T-1", "T-2" };
	static const char *const fps[] = { "fp-a", "fp-b", "fp-a", "" };
	static const char *const instants[] = { "2026-11-21T15:02:44.380Z",
	    "2026-11-22T10:00:00Z", "" };
	static const char *const phones[] = { "0538-3219876", "0538 321 9876",
	    "0531", "" };
	struct eb_doc *ob = eb_doc_new("opened-bid"), *b, *ls, *l, *x;
	unsigned flags = byte(in), nl = byte(in) % 6, i;
	char v[64], t[512];

	eb_doc_set_attr(ob, "bidder", names[byte(in) % 6]);
	if (flags & 1)
		eb_doc_set_attr(ob, "org", "Org");
	b = eb_doc_add(ob, (flags & 6) == 6 ? "not-a-bid" : "bid");
	if (!(flags & 4))
		eb_doc_set_attr(b, "tender", tenders[byte(in) % 3]);
	num(in, v, sizeof(v));
	eb_doc_add_text(b, "total-price", v);
	ls = eb_doc_add(b, "lines");
	for (i = 0; i < nl; i++) {
		l = eb_doc_add(ls, "line");
		eb_doc_set_attr_i64(l, "no", (int64_t)(byte(in) % 5));
		eb_doc_set_attr(l, "code", codes[byte(in) % 5]);
		eb_doc_set_attr(l, "unit", "m");
		num(in, v, sizeof(v));
		eb_doc_set_attr(l, "quantity", v);
		num(in, v, sizeof(v));
		eb_doc_set_attr(l, "unit-price", v);
		num(in, v, sizeof(v));
		eb_doc_set_attr(l, "total", v);
	}
	x = eb_doc_add(b, "qualifications");
	if (flags & 8)
		eb_doc_set_attr(eb_doc_add_text(x, "declaration", "yes"), "ref",
		    "d1");
	x = eb_doc_add(b, "sections");
	if (flags & 16)
		eb_doc_set_attr(eb_doc_add_text(x, "section", " "), "name", "s1");
	if (flags & 32) {
		x = eb_doc_add(b, "documents");
		l = eb_doc_add(x, "document");
		eb_doc_set_attr(l, "name", "doc1");
		eb_doc_set_attr(l, "sha256", "00");
	}
	text(in, t, sizeof(t));
	eb_doc_add_text(b, "technical", t);
	if (!(flags & 64)) {
		x = eb_doc_add(b, "metadata");
		eb_doc_add_text(x, "client-version", "ebid 0.1.0");
		maybe_text(in, x, "machine-fingerprint", fps, 4);
		maybe_text(in, x, "created", instants, 3);
	}
	x = eb_doc_add(b, "contact");
	maybe_text(in, x, "name", phones + 2, 2);
	maybe_text(in, x, "phone", phones, 4);
	maybe_text(in, x, "email", phones + 2, 2);
	maybe_text(in, x, "address", phones + 1, 3);
	if (flags & 128) {
		num(in, v, sizeof(v));
		eb_doc_add_text(b, "completion-days", v);
	}
	return ob;
}

static struct eb_doc *
mk_rules(struct in *in)
{
	static const char *const th[] = { "ceiling-price", "cost-floor",
	    "low-vs-mean-percent", "low-vs-next-percent",
	    "unbalanced-band-percent", "similarity-threshold", "shingle-size",
	    "price-band-per-mille", "price-band-min-bids",
	    "unusual-price-round-fen" };
	static const char *const refs[] = { "control-or-average", "control",
	    "average", "both", "bogus" };
	struct eb_doc *r = eb_doc_new("clearing-rules"), *l, *c;
	unsigned n = byte(in) % 8, i;
	char v[64];

	for (i = 0; i < n; i++) {
		const char *name = th[byte(in) % 10];

		if (eb_doc_child(r, name) != NULL)
			continue;
		num(in, v, sizeof(v));
		eb_doc_add_text(r, name, v);
	}
	if (byte(in) & 1)
		eb_doc_add_text(r, "unbalanced-reference", refs[byte(in) % 5]);
	if (byte(in) & 1) {
		l = eb_doc_add(r, "required-sections");
		eb_doc_set_attr(eb_doc_add(l, "section"), "name", "s1");
		l = eb_doc_add(r, "required-declarations");
		eb_doc_set_attr(eb_doc_add(l, "declaration"), "ref", "d1");
		l = eb_doc_add(r, "required-documents");
		eb_doc_set_attr(eb_doc_add(l, "document"), "name", "doc1");
	}
	n = byte(in) % 4;
	if (n > 0) {
		l = eb_doc_add(r, "control-prices");
		for (i = 0; i < n; i++) {
			c = eb_doc_add(l, "control-price");
			eb_doc_set_attr(c, "code", codes[byte(in) % 5]);
			if (byte(in) & 1) {
				num(in, v, sizeof(v));
				eb_doc_set_attr(c, "unit-price", v);
			}
		}
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size, 0 };
	struct eb_doc *ob[6] = { NULL }, *rules = NULL, *rep = NULL,
	    *rep2 = NULL;
	struct eb_buf a = EB_BUF_INIT, b = EB_BUF_INIT;
	struct eb_error err;
	unsigned nb = byte(&in) % 7, i;
	int64_t nf = 0;
	int rc;

	if (byte(&in) & 1)
		rules = mk_rules(&in);
	for (i = 0; i < nb; i++) {
		struct eb_bid *bid = NULL;

		ob[i] = mk_bid(&in);
		if (eb_bid_from_doc(eb_doc_child(ob[i], "bid"), &bid,
		    &err) == EB_OK) {
			size_t k;

			for (k = 0; k < bid->nlines; k++)
				if (eb_bid_line_amount(&bid->lines[k]) < 0)
					abort();
		}
		eb_bid_free(bid);
	}
	rc = eb_clearing_run(rules, (const struct eb_doc *const *)ob, nb, &rep,
	    &err);
	if (rc == EB_OK) {
		if (eb_clearing_run(rules, (const struct eb_doc *const *)ob, nb,
		    &rep2, &err) != EB_OK ||
		    eb_doc_serialize(rep, &a) != EB_OK ||
		    eb_doc_serialize(rep2, &b) != EB_OK || a.len != b.len ||
		    memcmp(a.data, b.data, a.len) != 0)
			abort();
		if (eb_doc_count(rep, "bid-summary") != nb ||
		    eb_doc_attr_i64(rep, "findings", &nf) != EB_OK ||
		    (size_t)nf != eb_doc_count(rep, "finding"))
			abort();
	} else if (rep != NULL) {
		abort();
	}
	eb_buf_free(&a);
	eb_buf_free(&b);
	eb_doc_free(rep);
	eb_doc_free(rep2);
	eb_doc_free(rules);
	for (i = 0; i < nb; i++)
		eb_doc_free(ob[i]);
	return 0;
}
