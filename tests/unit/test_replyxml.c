/*
 * tests/unit/test_replyxml.c
 *    engine/server/replyxml.{c,h}: a reply written straight from the tree
 *    is byte for byte what eb_xml_write (libxml2's tree and C14N) gives,
 *    and is refused where eb_xml_write refuses: hand-picked trees (every
 *    escape, non-ASCII text, empty elements, nesting) and 20,000 random
 *    trees whose strings mix plain bytes, the escaped characters, UTF-8 of
 *    2 to 4 bytes, and sometimes a character XML does not allow; attributes
 *    out of order are refused (the caller falls back to eb_xml_write).
 *    eb_replyxml_flat (one element of attributes, into a fixed buffer)
 *    gives the same bytes as the tree's writer, or refuses where it does,
 *    on hand-picked and 20,000 random attribute sets, and refuses what
 *    does not fit.
 *    An accepted command's log bytes (eb_replyxml_events,
 *    eb_replyxml_entry_hash): eb_doc_serialize's bytes and return code on
 *    20,000 random <events> trees (bad characters and xml* names among
 *    them: the fall-back to libxml2), eb_entry_hash's hash on 5,000
 *    random entries (a party with a bad character now and then: the
 *    start tag's fall-back), and a buffer's limit is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/server/replyxml.h"
#include "protocol/actor.h"
#include "protocol/entry.h"
#include "protocol/mem.h"
#include "protocol/xml.h"
#include "tests/unit/randtree.h"

/* Both writers on 'd': the same return code, and the same bytes. */
static void
same(const struct eb_doc *d)
{
	struct eb_buf a = EB_BUF_INIT, b = EB_BUF_INIT;
	int ra = eb_xml_write(d, 0, &a);
	int rb = eb_replyxml_write(d, EB_XML_NS, &b);

	assert_int_equal(ra, rb);
	if (ra == EB_OK) {
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
	} else {
		assert_int_equal(b.len, 0);
	}
	eb_buf_free(&a);
	eb_buf_free(&b);
}

static void
test_whoami(void **state)
{
	struct eb_doc *d = eb_doc_new("whoami");
	struct eb_buf b = EB_BUF_INIT;

	(void)state;
	eb_doc_set_attr(d, "party", "bidder1");
	eb_doc_set_attr(d, "person", "P-0001");
	eb_doc_set_attr(d, "org", "Acme & Sons <\"Ltd\">");
	eb_doc_set_attr(d, "name", "李 四\t\n\r");
	eb_doc_set_attr(d, "role", "bidder");
	same(d);
	assert_int_equal(eb_replyxml_write(d, EB_XML_NS, &b), EB_OK);
	assert_string_equal(eb_buf_str(&b),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<whoami "
	    "xmlns=\"urn:ebid:1\" name=\"李 四&#x9;&#xA;&#xD;\" org=\"Acme "
	    "&amp; Sons &lt;&quot;Ltd&quot;>\" party=\"bidder1\" "
	    "person=\"P-0001\" role=\"bidder\"></whoami>");
	eb_buf_free(&b);
	eb_doc_free(d);
}

static void
test_nested_text(void **state)
{
	struct eb_doc *d = eb_doc_new("view"), *c;

	(void)state;
	c = eb_doc_add(d, "items");
	eb_doc_add_text(c, "item", "a < b & c > d \"q\" \t\n\r 😀 é");
	eb_doc_add_text(c, "empty", "");
	eb_doc_set_attr(eb_doc_add(c, "item"), "n", "2");
	eb_doc_add(d, "tail");
	same(d);
	eb_doc_free(d);
}

static void
test_refusals(void **state)
{
	struct eb_doc *d = eb_doc_new("r"), *c;
	struct eb_buf b = EB_BUF_INIT;

	(void)state;
	eb_doc_set_attr(d, "a", "bell\a");               /* control char */
	same(d);
	eb_doc_set_attr(d, "a", "\xff");                 /* not UTF-8 */
	same(d);
	eb_doc_set_attr(d, "a", "\xef\xbf\xbe");         /* U+FFFE */
	same(d);
	eb_doc_set_attr(d, "a", "\xed\xa0\x80");         /* a surrogate */
	same(d);
	eb_doc_set_attr(d, "a", "\xc0\xaf");             /* overlong */
	same(d);
	eb_doc_set_attr(d, "a", "ok");
	eb_doc_set_attr(d, "xmlfoo", "1");               /* reserved name */
	same(d);
	eb_doc_set_attr(d, "xmlfoo", NULL);
	eb_doc_set_attr(d, "bad name", "1");             /* not a name */
	same(d);
	eb_doc_set_attr(d, "bad name", NULL);
	c = eb_doc_add_text(d, "t", "x");
	eb_doc_add(c, "child");                          /* mixed content */
	same(d);
	eb_doc_free(d);

	/* attributes out of order: refused, nothing written */
	d = eb_doc_new("r");
	d->attrs = eb_calloc(1, sizeof(*d->attrs));
	d->attrs->name = eb_strdup("b");
	d->attrs->value = eb_strdup("1");
	d->attrs->next = eb_calloc(1, sizeof(*d->attrs));
	d->attrs->next->name = eb_strdup("a");
	d->attrs->next->value = eb_strdup("2");
	assert_int_equal(eb_buf_puts(&b, "kept"), EB_OK);
	assert_int_equal(eb_replyxml_write(d, EB_XML_NS, &b), EB_ERR_FORMAT);
	assert_string_equal(eb_buf_str(&b), "kept");
	eb_buf_free(&b);
	eb_doc_free(d);
}

/* -- random trees ---------------------------------------------------- */

static void
test_random(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct eb_doc *d = eb_rt_tree(3, i % 2);

		same(d);
		eb_doc_free(d);
	}
}

/* -- one element of attributes only (eb_replyxml_flat) ------------------ */

/*
 * eb_replyxml_flat on (elem, names, values, n) against eb_replyxml_write
 * on the tree with the same attributes: the same bytes, or 0 where the
 * tree's writer refuses.
 */
static void
same_flat(const char *elem, const char *const *names,
    const char *const *values, size_t n)
{
	struct eb_doc *d = eb_doc_new(elem);
	struct eb_buf b = EB_BUF_INIT;
	char out[4096];
	size_t len;
	int rc;

	for (size_t i = 0; i < n; i++)
		eb_doc_set_attr(d, names[i], values[i]);
	rc = eb_replyxml_write(d, EB_XML_NS, &b);
	len = eb_replyxml_flat(out, sizeof(out), elem, EB_XML_NS, names,
	    values, n);
	if (rc == EB_OK) {
		assert_int_equal(len, b.len);
		assert_memory_equal(out, b.data, b.len);
		assert_int_equal(out[len], '\0');
		/* exactly the room it needs, and one byte less */
		assert_int_equal(eb_replyxml_flat(out, b.len + 1, elem,
		    EB_XML_NS, names, values, n), b.len);
		assert_memory_equal(out, b.data, b.len);
		assert_int_equal(eb_replyxml_flat(out, b.len, elem, EB_XML_NS,
		    names, values, n), 0);
	} else {
		assert_int_equal(len, 0);
	}
	eb_buf_free(&b);
	eb_doc_free(d);
}

static void
test_flat_whoami(void **state)
{
	static const char *const names[] = { "name", "org", "party", "person",
	    "role" };
	const char *values[] = { "李 四\t\n\r", "Acme & Sons <\"Ltd\">",
	    "bidder1", "P-0001", "bidder" };
	char out[1024];

	(void)state;
	same_flat("whoami", names, values, 5);
	assert_true(eb_replyxml_flat(out, sizeof(out), "whoami", EB_XML_NS,
	    names, values, 5) > 0);
	assert_string_equal(out,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<whoami "
	    "xmlns=\"urn:ebid:1\" name=\"李 四&#x9;&#xA;&#xD;\" org=\"Acme "
	    "&amp; Sons &lt;&quot;Ltd&quot;>\" party=\"bidder1\" "
	    "person=\"P-0001\" role=\"bidder\"></whoami>");
	/* no attributes at all */
	same_flat("whoami", names, values, 0);
}

static void
test_flat_refusals(void **state)
{
	static const char *const names[] = { "a", "b" };
	static const char *const down[] = { "b", "a" };
	static const char *const same_name[] = { "a", "a" };
	static const char *const xml_name[] = { "a", "xmlfoo" };
	static const char *const bad_name[] = { "a", "b c" };
	const char *ok[] = { "1", "2" };
	const char *bell[] = { "1", "bell\a" };
	const char *notutf8[] = { "\xff", "2" };
	const char *surrogate[] = { "1", "\xed\xa0\x80" };
	const char *null[] = { "1", NULL };
	char out[256];

	(void)state;
	same_flat("r", names, bell, 2);
	same_flat("r", names, notutf8, 2);
	same_flat("r", names, surrogate, 2);
	same_flat("r", xml_name, ok, 2);
	same_flat("r", bad_name, ok, 2);
	same_flat("bad name", names, ok, 2);
	/* what the tree could not hold as it is: refused, the caller falls
	 * back to the tree */
	assert_int_equal(eb_replyxml_flat(out, sizeof(out), "r", EB_XML_NS,
	    down, ok, 2), 0);
	assert_int_equal(eb_replyxml_flat(out, sizeof(out), "r", EB_XML_NS,
	    same_name, ok, 2), 0);
	assert_int_equal(eb_replyxml_flat(out, sizeof(out), "r", EB_XML_NS,
	    names, null, 2), 0);
	assert_int_equal(eb_replyxml_flat(out, 0, "r", EB_XML_NS, names, ok,
	    2), 0);
	assert_true(eb_replyxml_flat(out, sizeof(out), "r", EB_XML_NS, names,
	    ok, 2) > 0);
}

static void
test_flat_random(void **state)
{
	static const char *const pool[] = { "a", "b", "id", "name", "no",
	    "org", "party", "person", "role", "x-y", "xmlish", "z.1" };
	const size_t np = sizeof(pool) / sizeof(pool[0]);

	(void)state;
	for (int i = 0; i < 20000; i++) {
		const char *names[12];
		const char *values[12];
		char vals[12][128];
		size_t n = 0;

		/* an ascending subset of the pool (strcmp order) */
		for (size_t k = 0; k < np; k++)
			if (eb_rt_rnd(3) == 0) {
				eb_rt_string(vals[n], sizeof(vals[n]), i % 2);
				names[n] = pool[k];
				values[n] = vals[n];
				n++;
			}
		same_flat(i % 7 == 0 ? "whoami" : "r", names, values, n);
	}
}

/* -- an accepted command's log bytes ------------------------------------ */

/* An <events> tree of up to three random children. */
static struct eb_doc *
rand_events(int allow_bad)
{
	struct eb_doc *ev = eb_doc_new("events");

	for (unsigned k = eb_rt_rnd(4); k > 0; k--)
		eb_doc_append(ev, eb_rt_tree(2, allow_bad));
	if (eb_rt_rnd(4) == 0) {
		char v[64];

		eb_rt_string(v, sizeof(v), allow_bad);
		eb_doc_set_attr(ev, "sale", v);
	}
	return ev;
}

static void
test_events_random(void **state)
{
	int direct = 0, refused = 0;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct eb_doc *ev = rand_events(i % 2);
		struct eb_buf a = EB_BUF_INIT, b = EB_BUF_INIT,
		    c = EB_BUF_INIT;
		int ra = eb_doc_serialize(ev, &a);
		int rb = eb_replyxml_events(ev, &b);

		assert_int_equal(ra, rb);
		if (ra == EB_OK) {
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.data, b.data, a.len);
		} else {
			refused++;
		}
		if (eb_xml_write_direct(ev, NULL, &c) == EB_OK)
			direct++;
		eb_buf_free(&a);
		eb_buf_free(&b);
		eb_buf_free(&c);
		eb_doc_free(ev);
	}
	/* both paths were taken: the direct writer's and libxml2's */
	printf("# %d of 20000 written directly, %d refused by both\n", direct,
	    refused);
	assert_true(direct > 4000);
	assert_true(direct < 20000 - 1000);
}

static void
test_events_limit(void **state)
{
	struct eb_doc *ev = eb_doc_new("events");
	struct eb_buf b = EB_BUF_INIT;
	char big[512];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	eb_doc_set_attr(ev, "a", big);
	b.max = 100;
	assert_int_equal(eb_replyxml_events(ev, &b), EB_ERR_LIMIT);
	eb_buf_free(&b);
	eb_doc_free(ev);
}

static void
test_entry_hash_random(void **state)
{
	uint8_t prev[EB_SHA256_LEN], want[EB_SHA256_LEN], got[EB_SHA256_LEN];
	char agg[64];
	struct eb_actor who;
	struct eb_entry e;
	int checked = 0, fell_back = 0;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		struct eb_doc *ev = rand_events(0);
		struct eb_buf s = EB_BUF_INIT, t = EB_BUF_INIT;
		int bad_party = eb_rt_rnd(20) == 0;

		memset(&e, 0, sizeof(e));
		memset(&who, 0, sizeof(who));
		eb_rt_string(agg, sizeof(agg), 0);
		eb_rt_string(who.party, sizeof(who.party) < 64 ?
		    sizeof(who.party) : 64, bad_party);
		eb_rt_string(who.person, sizeof(who.person) < 64 ?
		    sizeof(who.person) : 64, 0);
		who.role = (enum eb_role)(eb_rt_rnd(2) ? EB_ROLE_BIDDER :
		    EB_ROLE_SYSTEM);
		e.aggregate = agg;
		e.kind = eb_rt_rnd(2) ? "sale" : "tender";
		e.seq = 1 + eb_rt_rnd(100000);
		e.time = 1764000000000LL + eb_rt_rnd(1000000);
		e.actor = &who;
		e.clock = eb_rt_rnd(2) ? "system" : "driven";
		e.rules = (int)eb_rt_rnd(3);
		for (int k = 0; k < EB_SHA256_LEN; k++) {
			e.command_sha256[k] = (uint8_t)eb_rt_rnd(256);
			prev[k] = (uint8_t)eb_rt_rnd(256);
		}
		if ((e.has_receipt = (int)eb_rt_rnd(2)) != 0)
			for (int k = 0; k < EB_SHA256_LEN; k++)
				e.receipt_sha256[k] = (uint8_t)eb_rt_rnd(256);
		e.events = ev;
		assert_int_equal(eb_replyxml_events(ev, &s), EB_OK);
		assert_int_equal(eb_entry_hash(&e, prev, want), EB_OK);
		assert_int_equal(eb_replyxml_entry_hash(&e, s.data, s.len, prev,
		    got), EB_OK);
		assert_memory_equal(want, got, EB_SHA256_LEN);
		/* the hash covers the bytes given: one changed, another hash */
		if (s.len > 0) {
			assert_int_equal(eb_buf_append(&t, s.data, s.len), EB_OK);
			t.data[eb_rt_rnd((unsigned)t.len)] ^= 0x01;
			assert_int_equal(eb_replyxml_entry_hash(&e, t.data,
			    t.len, prev, got), EB_OK);
			if (!bad_party)
				assert_memory_not_equal(want, got,
				    EB_SHA256_LEN);
		}
		{
			struct eb_entry head = e;
			struct eb_doc *d;
			struct eb_buf h = EB_BUF_INIT;

			head.events = NULL;
			d = eb_entry_doc(&head);
			if (eb_xml_write_direct_start(d, NULL, &h) != EB_OK)
				fell_back++;
			eb_doc_free(d);
			eb_buf_free(&h);
		}
		checked++;
		eb_buf_free(&s);
		eb_buf_free(&t);
		eb_doc_free(ev);
	}
	printf("# %d entries, %d start tags by libxml2\n", checked,
	    fell_back);
	assert_int_equal(checked, 5000);
	assert_true(fell_back > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whoami),
		cmocka_unit_test(test_nested_text),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_flat_whoami),
		cmocka_unit_test(test_flat_refusals),
		cmocka_unit_test(test_flat_random),
		cmocka_unit_test(test_events_random),
		cmocka_unit_test(test_events_limit),
		cmocka_unit_test(test_entry_hash_random),
	};

	eb_xml_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
