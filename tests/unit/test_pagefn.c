/*
 * tests/unit/test_pagefn.c
 *    protocol/pagefn.c: 大写 of amounts by the People's Bank rules (zeros
 *    inside, 万/亿 boundaries, 角 without 分, 零 before 分, up to and
 *    beyond 10^12 元), exact from the decimal text; Beijing time; and the
 *    XSLT functions a stylesheet calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "protocol/pagefn.h"

static void
fen_is(const char *fen, const char *want)
{
	char out[256];

	if (eb_daxie_fen(fen, out, sizeof(out)) != 0)
		fail_msg("eb_daxie_fen(%s) refused", fen);
	if (strcmp(out, want) != 0)
		fail_msg("eb_daxie_fen(%s) = %s, want %s", fen, out, want);
}

static void
yuan_is(const char *yuan, const char *want)
{
	char out[256];

	if (eb_daxie_yuan(yuan, out, sizeof(out)) != 0)
		fail_msg("eb_daxie_yuan(%s) refused", yuan);
	if (strcmp(out, want) != 0)
		fail_msg("eb_daxie_yuan(%s) = %s, want %s", yuan, out, want);
}

static void
test_daxie_standard_examples(void **state)
{
	(void)state;
	yuan_is("1,234,567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分");
	fen_is("123456789", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分");
	/* the rules' own examples (正确填写票据和结算凭证的基本规定) */
	yuan_is("1,409.50", "壹仟肆佰零玖元伍角");
	yuan_is("6,007.14", "陆仟零柒元壹角肆分");
	yuan_is("1,680.32", "壹仟陆佰捌拾元叁角贰分");
	yuan_is("107,000.53", "壹拾万零柒仟元伍角叁分");
	yuan_is("16,409.02", "壹万陆仟肆佰零玖元零贰分");
	yuan_is("325.04", "叁佰贰拾伍元零肆分");
}

static void
test_daxie_zeros_inside(void **state)
{
	(void)state;
	yuan_is("10005", "壹万零伍元整");
	yuan_is("100000", "壹拾万元整");
	yuan_is("10", "壹拾元整");
	yuan_is("15", "壹拾伍元整");
	yuan_is("1000000", "壹佰万元整");
	yuan_is("10100", "壹万零壹佰元整");
	yuan_is("11000", "壹万壹仟元整");
	yuan_is("1001", "壹仟零壹元整");
	yuan_is("6000000", "陆佰万元整");
	yuan_is("6200000", "陆佰贰拾万元整");
	yuan_is("0", "零元整");
	fen_is("0", "零元整");
	fen_is("000105", "壹元零伍分");
}

static void
test_daxie_wan_yi_boundaries(void **state)
{
	(void)state;
	yuan_is("100000000", "壹亿元整");
	yuan_is("100000001", "壹亿零壹元整");
	yuan_is("100010000", "壹亿零壹万元整");
	yuan_is("110000000", "壹亿壹仟万元整");
	yuan_is("1100000000", "壹拾壹亿元整");
	yuan_is("2000000000", "贰拾亿元整");
	yuan_is("200000000000", "贰仟亿元整");
	yuan_is("99999999", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整");
	/* 10^12 yuan and around it: 亿 is written when its group is zeros */
	yuan_is("1000000000000", "壹万亿元整");
	yuan_is("1000000000001", "壹万亿零壹元整");
	yuan_is("1000100000000", "壹万零壹亿元整");
	yuan_is("1000010000000", "壹万亿零壹仟万元整");
	yuan_is("1234567890123", "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元整");
	yuan_is("1000000000000.01", "壹万亿元零壹分");
	yuan_is("9999999999999999.99",
	    "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分");
}

static void
test_daxie_jiao_fen(void **state)
{
	(void)state;
	yuan_is("1.20", "壹元贰角");
	yuan_is("1.2", "壹元贰角");
	yuan_is("1.05", "壹元零伍分");
	yuan_is("1.00", "壹元整");
	yuan_is("0.5", "伍角");
	yuan_is("0.05", "伍分");
	yuan_is("0.55", "伍角伍分");
	yuan_is("10.30", "壹拾元叁角");
	yuan_is("100000000.05", "壹亿元零伍分");
}

static void
test_daxie_refuses(void **state)
{
	char out[256], small[8];

	(void)state;
	assert_int_equal(eb_daxie_fen("", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_fen("-5", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_fen("1.5", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_fen("12a", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_fen(NULL, out, sizeof(out)), -1);
	/* 10^16 yuan: no unit to write it with */
	assert_int_equal(eb_daxie_fen("1000000000000000000", out,
	    sizeof(out)), -1);
	assert_int_equal(eb_daxie_yuan("1.234", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_yuan("abc", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_yuan(",5", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_yuan("1.2.3", out, sizeof(out)), -1);
	assert_int_equal(eb_daxie_yuan("", out, sizeof(out)), -1);
	/* too small a buffer: refused, nothing half written */
	assert_int_equal(eb_daxie_fen("123456789", small, sizeof(small)), -1);
	assert_string_equal(small, "");
}

static void
test_beijing_time(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(eb_beijing_time("2027-01-06T09:23:35.000Z", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2027-01-06 17:23:35");
	assert_int_equal(eb_beijing_time("2026-12-31T16:00:00Z", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2027-01-01 00:00:00");
	assert_int_equal(eb_beijing_time("2028-02-28T20:00:00.5Z", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2028-02-29 04:00:00");
	assert_int_equal(eb_beijing_time("2027-02-28T23:59:59.999Z", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2027-03-01 07:59:59");
	assert_int_equal(eb_beijing_time("yesterday", out, sizeof(out)), -1);
	assert_int_equal(eb_beijing_time("2027-01-06 09:23:35", out,
	    sizeof(out)), -1);
	assert_int_equal(eb_beijing_time("2027-01-06T09:23:35Z", out, 10),
	    -1);
}

/* The same functions called from a stylesheet, as the pages call them. */
static void
test_xslt_functions(void **state)
{
	static const char xsl[] =
	    "<xsl:stylesheet version='1.0'"
	    " xmlns:xsl='http://www.w3.org/1999/XSL/Transform'"
	    " xmlns:ebf='" EB_PAGEFN_NS "' exclude-result-prefixes='ebf'>"
	    "<xsl:output method='text' encoding='UTF-8'/>"
	    "<xsl:template match='/a'>"
	    "<xsl:value-of select=\"concat(ebf:daxie(@fen), '|',"
	    " ebf:beijing(@at), '|', ebf:daxie('x'), '|',"
	    " function-available('ebf:daxie'))\"/>"
	    "</xsl:template></xsl:stylesheet>";
	static const char in[] =
	    "<a fen='123456789' at='2027-01-06T09:23:35.000Z'/>";
	xmlDocPtr sd = xmlReadMemory(xsl, sizeof(xsl) - 1, "t.xsl", NULL,
	    XML_PARSE_NONET);
	xsltStylesheetPtr st = xsltParseStylesheetDoc(sd);
	xmlDocPtr d = xmlReadMemory(in, sizeof(in) - 1, "in.xml", NULL,
	    XML_PARSE_NONET), res;
	xsltTransformContextPtr ctx;
	xmlChar *text = NULL;
	int len = 0;

	(void)state;
	assert_non_null(st);
	assert_non_null(d);
	ctx = xsltNewTransformContext(st, d);
	assert_non_null(ctx);
	assert_int_equal(eb_pagefn_register(ctx), 0);
	res = xsltApplyStylesheetUser(st, d, NULL, NULL, NULL, ctx);
	assert_non_null(res);
	assert_int_equal(xsltSaveResultToString(&text, &len, res, st), 0);
	assert_non_null(text);
	assert_string_equal((const char *)text,
	    "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分|2027-01-06 17:23:35||true");
	xmlFree(text);
	xmlFreeDoc(res);
	xsltFreeTransformContext(ctx);
	xmlFreeDoc(d);
	xsltFreeStylesheet(st);
	xsltCleanupGlobals();
	xmlCleanupParser();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daxie_standard_examples),
		cmocka_unit_test(test_daxie_zeros_inside),
		cmocka_unit_test(test_daxie_wan_yi_boundaries),
		cmocka_unit_test(test_daxie_jiao_fen),
		cmocka_unit_test(test_daxie_refuses),
		cmocka_unit_test(test_beijing_time),
		cmocka_unit_test(test_xslt_functions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
