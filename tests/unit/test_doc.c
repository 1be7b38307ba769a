/*
 * tests/unit/test_doc.c
 *    The document tree, its canonical form, instants and SHA-256 links.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/doc.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"

static void
test_canonical_sorted_escaped(void **state)
{
	struct eb_doc *d = eb_doc_new("tender");
	struct eb_buf b = EB_BUF_INIT;

	(void)state;
	eb_doc_set_attr(d, "z", "1");
	eb_doc_set_attr(d, "a", "x\"<&>\n");
	eb_doc_add_text(d, "title", "R&D <lab>\r");
	eb_doc_add(d, "empty");
	assert_int_equal(eb_doc_serialize(d, &b), EB_OK);
	assert_string_equal(eb_buf_str(&b),
	    /* C14N 1.0: '>' stays as is in an attribute (issue 13.2) */
	    "<tender a=\"x&quot;&lt;&amp;>&#xA;\" z=\"1\">"
	    "<title>R&amp;D &lt;lab&gt;&#xD;</title><empty></empty></tender>");
	eb_buf_free(&b);
	eb_doc_free(d);
}

static void
test_attr_replace_remove_and_numbers(void **state)
{
	struct eb_doc *d = eb_doc_new("x");
	int64_t v = 0;

	(void)state;
	eb_doc_set_attr_i64(d, "n", -42);
	assert_int_equal(eb_doc_attr_i64(d, "n", &v), EB_OK);
	assert_int_equal(v, -42);
	eb_doc_set_attr(d, "n", "9223372036854775807");
	assert_int_equal(eb_doc_attr_i64(d, "n", &v), EB_OK);
	assert_true(v == INT64_MAX);
	eb_doc_set_attr(d, "n", "9223372036854775808");
	assert_int_equal(eb_doc_attr_i64(d, "n", &v), EB_ERR_FORMAT);
	eb_doc_set_attr(d, "n", " 1");
	assert_int_equal(eb_doc_attr_i64(d, "n", &v), EB_ERR_FORMAT);
	eb_doc_set_attr(d, "n", NULL);
	assert_int_equal(eb_doc_attr_i64(d, "n", &v), EB_ERR_NOTFOUND);
	eb_doc_free(d);
}

static void
test_clone_equal_path_count_detach(void **state)
{
	struct eb_doc *d = eb_doc_new("r"), *c, *k;

	(void)state;
	c = eb_doc_add(d, "rules");
	eb_doc_add_text(c, "ceiling", "100");
	eb_doc_add_text(d, "line", "1");
	eb_doc_add_text(d, "line", "2");
	k = eb_doc_clone(d);
	assert_true(eb_doc_equal(d, k));
	assert_string_equal(eb_doc_text(eb_doc_path(k, "rules/ceiling")), "100");
	assert_int_equal(eb_doc_count(k, "line"), 2);
	c = eb_doc_child(k, "line");
	eb_doc_detach(c);
	assert_int_equal(eb_doc_count(k, "line"), 1);
	assert_false(eb_doc_equal(d, k));
	eb_doc_free(c);
	eb_doc_free(k);
	eb_doc_free(d);
}

static void
test_isotime_round_trip_and_rejects(void **state)
{
	char s[EB_ISOTIME_LEN];
	int64_t ms = 0;

	(void)state;
	eb_isotime_format(0, s);
	assert_string_equal(s, "1970-01-01T00:00:00.000Z");
	assert_int_equal(eb_isotime_parse("2026-11-25T19:29:33.31Z", &ms), 0);
	eb_isotime_format(ms, s);
	assert_string_equal(s, "2026-11-25T19:29:33.310Z");
	assert_int_equal(eb_isotime_parse("2024-02-29T00:00:00Z", &ms), 0);
	assert_int_equal(eb_isotime_parse("2023-02-29T00:00:00Z", &ms), -1);
	assert_int_equal(eb_isotime_parse("2026-11-25 19:29:33Z", &ms), -1);
	assert_int_equal(eb_isotime_parse("2026-11-25T19:29:33", &ms), -1);
	eb_isotime_format(-1, s);
	assert_string_equal(s, "1969-12-31T23:59:59.999Z");
}

static void
test_chain_link_known_value(void **state)
{
	uint8_t zero[32] = { 0 }, out[32];
	char hex[EB_SHA256_HEX];

	(void)state;
	/* SHA-256(32 zero bytes || be64(1) || "hello"), cross-checked in
	 * docs/engineering-notes.md, the log (starts 80f5d602, ends 9829). */
	eb_chain_link(zero, 1, "hello", 5, out);
	eb_hex32(out, hex);
	assert_memory_equal(hex, "80f5d602", 8);
	assert_memory_equal(hex + 60, "9829", 4);
	assert_int_equal(eb_unhex32(hex, zero), 0);
	assert_memory_equal(zero, out, 32);
	assert_int_equal(eb_unhex32("zz", zero), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_sorted_escaped),
		cmocka_unit_test(test_attr_replace_remove_and_numbers),
		cmocka_unit_test(test_clone_equal_path_count_detach),
		cmocka_unit_test(test_isotime_round_trip_and_rejects),
		cmocka_unit_test(test_chain_link_known_value),
	};

	return cmocka_run_group_tests_name("doc", tests, NULL, NULL);
}
