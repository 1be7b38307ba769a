/*
 * protocol/pagefn.c
 *    大写 amounts and Beijing time for the people's pages: see pagefn.h.
 */
#include "protocol/pagefn.h"

#include <stdint.h>
#include <string.h>

#include <libxml/xpathInternals.h>
#include <libxslt/extensions.h>
#include <libxslt/xsltInternals.h>

#include "protocol/isotime.h"

#define YUAN_DIGITS_MAX 16      /* 千万亿: the highest unit written */

struct out {
	char *p;
	size_t len, cap;
	int full;
};

static void
put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->full || o->len + n + 1 > o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

int
eb_daxie_fen(const char *fen, char *out, size_t cap)
{
	static const char *const dg[] = { "零", "壹", "贰", "叁", "肆", "伍",
	    "陆", "柒", "捌", "玖" };
	static const char *const un[] = { "", "拾", "佰", "仟" };
	struct out o = { .p = out, .len = 0, .cap = cap, .full = 0 };
	char d[YUAN_DIGITS_MAX + 3];
	size_t n, i, ny;
	int zero = 0, any = 0, secnz = 0, jiao, f;

	if (fen == NULL || out == NULL || cap == 0)
		return -1;
	out[0] = '\0';
	for (n = 0; fen[n] != '\0'; n++)
		if (fen[n] < '0' || fen[n] > '9')
			return -1;
	if (n == 0)
		return -1;
	while (n > 1 && *fen == '0') {
		fen++;
		n--;
	}
	if (n > YUAN_DIGITS_MAX + 2)
		return -1;
	/* at least three digits: yuan, jiao, fen */
	memset(d, '0', sizeof(d));
	memcpy(d + (n < 3 ? 3 - n : 0), fen, n);
	n = n < 3 ? 3 : n;
	d[n] = '\0';
	ny = n - 2;
	jiao = d[ny] - '0';
	f = d[ny + 1] - '0';
	for (i = 0; i < ny; i++) {
		int v = d[i] - '0';
		size_t p = ny - 1 - i;   /* the digit's power of ten */

		if (v == 0) {
			if (any)
				zero = 1;
		} else {
			if (zero)
				put(&o, "零");
			zero = 0;
			put(&o, dg[v]);
			put(&o, un[p % 4]);
			any = secnz = 1;
		}
		/* the end of a group of four: 万 when the group is not all
		 * zeros, 亿 whenever anything stands above it */
		if (p == 8 && any)
			put(&o, "亿");
		else if ((p == 4 || p == 12) && secnz)
			put(&o, "万");
		if (p % 4 == 0)
			secnz = 0;
	}
	if (any)
		put(&o, "元");
	if (jiao == 0 && f == 0)
		put(&o, any ? "整" : "零元整");
	else {
		if (jiao > 0) {
			put(&o, dg[jiao]);
			put(&o, "角");
		} else if (any) {
			put(&o, "零");
		}
		if (f > 0) {
			put(&o, dg[f]);
			put(&o, "分");
		}
	}
	if (o.full) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int
eb_daxie_yuan(const char *yuan, char *out, size_t cap)
{
	char fen[YUAN_DIGITS_MAX + 8];
	size_t n = 0, frac = 0, digits = 0;
	int point = 0;

	if (yuan == NULL || out == NULL || cap == 0)
		return -1;
	out[0] = '\0';
	for (const char *s = yuan; *s != '\0'; s++) {
		if (*s == ',' && !point && digits > 0)
			continue;
		if (*s == '.' && !point) {
			point = 1;
			continue;
		}
		if (*s < '0' || *s > '9' || frac == 2 ||
		    n + 1 >= sizeof(fen) - 2)
			return -1;
		fen[n++] = *s;
		digits++;
		if (point)
			frac++;
	}
	if (digits == 0)
		return -1;
	for (; frac < 2; frac++)
		fen[n++] = '0';
	fen[n] = '\0';
	return eb_daxie_fen(fen, out, cap);
}

int
eb_beijing_time(const char *instant, char *out, size_t cap)
{
	char t[EB_ISOTIME_LEN];
	int64_t ms;

	if (instant == NULL || out == NULL || cap < 20 ||
	    eb_isotime_parse(instant, &ms) != 0 ||
	    ms > INT64_MAX - 8 * 3600000)
		return -1;
	eb_isotime_format(ms + (int64_t)8 * 3600000, t);
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" -> "YYYY-MM-DD HH:MM:SS" */
	if (strlen(t) < 19)
		return -1;
	memcpy(out, t, 19);
	out[10] = ' ';
	out[19] = '\0';
	return 0;
}

/* -- the XSLT extension functions -------------------------------------- */

typedef int convert_fn(const char *, char *, size_t);

static void
call(xmlXPathParserContextPtr ctxt, int nargs, convert_fn *fn)
{
	char buf[512];
	xmlChar *arg;

	if (nargs != 1) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	arg = xmlXPathPopString(ctxt);
	if (arg == NULL || fn((const char *)arg, buf, sizeof(buf)) != 0)
		buf[0] = '\0';
	xmlFree(arg);
	valuePush(ctxt, xmlXPathNewString((const xmlChar *)buf));
}

static void
fn_daxie(xmlXPathParserContextPtr ctxt, int nargs)
{
	call(ctxt, nargs, eb_daxie_fen);
}

static void
fn_beijing(xmlXPathParserContextPtr ctxt, int nargs)
{
	call(ctxt, nargs, eb_beijing_time);
}

int
eb_pagefn_register(void *ctx)
{
	xsltTransformContextPtr c = ctx;
	const xmlChar *ns = (const xmlChar *)EB_PAGEFN_NS;

	if (c == NULL ||
	    xsltRegisterExtFunction(c, (const xmlChar *)"daxie", ns,
	    fn_daxie) != 0 ||
	    xsltRegisterExtFunction(c, (const xmlChar *)"beijing", ns,
	    fn_beijing) != 0)
		return -1;
	return 0;
}
