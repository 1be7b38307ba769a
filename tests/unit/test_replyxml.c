/*
 * tests/unit/test_replyxml.c
 *    engine/server/replyxml.{c,h}: a reply written straight from the tree
 *    is byte for byte what eb_xml_write (libxml2's tree and C14N) gives,
 *    and is refused where eb_xml_write refuses: hand-picked trees (every
 *    escape, non-ASCII text, empty elements, nesting) and 20,000 random
 *    trees whose strings mix plain bytes, the escaped characters, UTF-8 of
 *    2 to 4 bytes, and sometimes a character XML does not allow; attributes
 *    out of order are refused (the caller falls back to eb_xml_write).
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
#include "protocol/mem.h"
#include "protocol/xml.h"

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

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
rand_string(char *s, size_t cap, int allow_bad)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "&", "<",
	    ">", "\"", "'", "\t", "\n", "\r", "é", "中", "😀", "\xef\xbf\xbd",
	    "&amp;", "]]>", "=", "/" };
	static const char *const bad[] = { "\x01", "\x1f", "\xff", "\xc3",
	    "\xef\xbf\xbf", "\xed\xbf\xbf", "\xf4\x90\x80\x80" };
	size_t n = 0, k = rnd(12);

	s[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		const char *p = allow_bad && rnd(40) == 0 ?
		    bad[rnd(sizeof(bad) / sizeof(bad[0]))] :
		    pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		size_t m = strlen(p);

		if (n + m + 1 > cap)
			break;
		memcpy(s + n, p, m + 1);
		n += m;
	}
}

static void
rand_name(char *s)
{
	static const char *const names[] = { "a", "b", "id", "no", "party",
	    "x-y", "z.1", "_u", "Name", "xmlish", "bid-result" };

	strcpy(s, names[rnd(sizeof(names) / sizeof(names[0]))]);
}

static struct eb_doc *
rand_tree(unsigned depth, int allow_bad)
{
	char name[32], val[128];
	struct eb_doc *d;
	unsigned k;

	rand_name(name);
	d = eb_doc_new(name);
	for (k = rnd(5); k > 0; k--) {
		rand_name(name);
		rand_string(val, sizeof(val), allow_bad);
		eb_doc_set_attr(d, name, val);
	}
	if (depth > 0 && rnd(2) == 0) {
		for (k = 1 + rnd(3); k > 0; k--)
			eb_doc_append(d, rand_tree(depth - 1, allow_bad));
	} else if (rnd(3) != 0) {
		rand_string(val, sizeof(val), allow_bad);
		eb_doc_set_text(d, val);
	}
	return d;
}

static void
test_random(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct eb_doc *d = rand_tree(3, i % 2);

		same(d);
		eb_doc_free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whoami),
		cmocka_unit_test(test_nested_text),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_random),
	};

	eb_xml_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
