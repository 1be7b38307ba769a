/*
 * tests/fuzz/amount_fuzzer.c
 *    Fuzz the parsers of amounts a person types: yuan on the ebid command
 *    line (eb_sale_price_parse, engine/core/sale.h: `ebid auction bid
 *    --sale S 6,200,000.00`), fen and counts in documents (eb_parse_i64,
 *    protocol/doc.h) and decimal scores and coefficients (eb_fix_parse,
 *    engine/core/fixed.h: a score sheet's value="35.5").
 *
 *    Checks beyond "no crash", against an independent oracle computed in
 *    __int128 from the input's own digits: an accepted text has the
 *    documented form and exactly the value parsed (so no overflow passes
 *    and nothing is silently dropped); a refused text is truly outside
 *    the form or the range.  And the round trips: parse(format(x)) == x
 *    for the first 8 input bytes as x (eb_sale_price_text, eb_fix_format).
 *
 * Owner: the fuzzing engineer.  Corpus: tests/fuzz/amount_corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/fixed.h"
#include "engine/core/sale.h"
#include "protocol/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIGIT(c) ((c) >= '0' && (c) <= '9')

/*
 * The oracle for yuan: 1 and *fen when 's' is of the documented form
 * (regular expression ^([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]{1,2})?$)
 * with a value that fits, 0 when not of the form, -1 when too large.
 */
static int
yuan_oracle(const char *s, __int128 *fen)
{
	size_t i = 0, lead = 0, dec = 0;
	__int128 v = 0;
	int big = 0;

	while (DIGIT(s[i])) {
		v = v * 10 + (s[i++] - '0');
		lead++;
		if (v > INT64_MAX)
			big = 1, v = (__int128)INT64_MAX + 1;
	}
	if (lead == 0)
		return 0;
	if (s[i] == ',') {
		if (lead > 3)
			return 0;
		while (s[i] == ',') {
			if (!DIGIT(s[i + 1]) || !DIGIT(s[i + 2]) ||
			    !DIGIT(s[i + 3]) || DIGIT(s[i + 4]))
				return 0;
			for (size_t k = 1; k <= 3; k++)
				v = v * 10 + (s[i + k] - '0');
			if (v > INT64_MAX)
				big = 1, v = (__int128)INT64_MAX + 1;
			i += 4;
		}
	}
	if (s[i] == '.') {
		i++;
		while (DIGIT(s[i]) && dec < 2)
			v = v * 10 + (s[i++] - '0'), dec++;
		if (dec == 0)
			return 0;
	}
	if (s[i] != '\0')
		return 0;
	for (; dec < 2; dec++)
		v *= 10;
	if (big || v > INT64_MAX)
		return -1;
	*fen = v;
	return 1;
}

static void
check_yuan(const char *s)
{
	int64_t fen = -1;
	__int128 want = 0;
	int rc = eb_sale_price_parse(s, &fen), o = yuan_oracle(s, &want);

	if (o == 1 ? rc != EB_OK || (__int128)fen != want :
	    o == -1 ? rc != EB_ERR_LIMIT : rc != EB_ERR_FORMAT)
		abort();
}

/* eb_parse_i64: '-'? digits, in range; the value exactly. */
static void
check_i64(const char *s)
{
	int64_t v = 0;
	int rc = eb_parse_i64(s, &v), neg = s[0] == '-';
	size_t i = (size_t)neg, nd = 0;
	__int128 want = 0;
	int big = 0;

	for (; DIGIT(s[i]); i++, nd++) {
		want = want * 10 + (s[i] - '0');
		if (want > (__int128)INT64_MAX + 1)
			big = 1, want = (__int128)INT64_MAX + 2;
	}
	if (neg)
		want = -want;
	if (nd == 0 || s[i] != '\0' || big || want > INT64_MAX ||
	    want < INT64_MIN) {
		if (rc == EB_OK)
			abort();
	} else if (rc != EB_OK || (__int128)v != want) {
		abort();
	}
}

/* eb_fix_parse: accepted text is exact and survives format/parse. */
static void
check_fix(const char *s)
{
	int64_t v = 0, back = 0;
	char t[EB_FIX_TEXT];
	size_t i = s[0] == '-', nd = 0, dec = 0;
	__int128 want = 0;

	if (eb_fix_parse(s, &v) != EB_OK)
		return;
	for (; DIGIT(s[i]); i++, nd++)
		want = want * 10 + (s[i] - '0');
	if (s[i] == '.')
		for (i++; DIGIT(s[i]); i++, dec++)
			want = want * 10 + (s[i] - '0');
	if (nd == 0 || s[i] != '\0' || dec > EB_FIX_DECIMALS)
		abort();
	for (; dec < EB_FIX_DECIMALS; dec++)
		want *= 10;
	if (s[0] == '-')
		want = -want;
	if ((__int128)v != want)
		abort();
	if (eb_fix_parse(eb_fix_format(v, 0, t), &back) != EB_OK || back != v)
		abort();
}

static void
round_trips(const uint8_t *data, size_t size)
{
	uint64_t u = 0;
	int64_t x, back = -1;
	char t[64], f[EB_FIX_TEXT];
	int n;

	if (size < 8)
		return;
	for (int k = 0; k < 8; k++)
		u = u << 8 | data[k];
	x = (int64_t)u;
	n = eb_sale_price_text(x, t, sizeof(t));
	if (n <= 0 || (size_t)n != strlen(t))
		abort();
	if (x >= 0 ? eb_sale_price_parse(t, &back) != EB_OK || back != x :
	    eb_sale_price_parse(t, &back) == EB_OK)
		abort();
	if (eb_fix_parse(eb_fix_format(x, (int)(data[0] % 9), f), &back) !=
	    EB_OK || back != x)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 256)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	check_yuan(s);
	check_i64(s);
	check_fix(s);
	round_trips(data, size);
	free(s);
	return 0;
}
