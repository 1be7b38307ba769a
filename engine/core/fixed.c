/*
 * engine/core/fixed.c
 *    Fixed-point decimals with explicit rounding: see fixed.h.
 *
 * Every operation is one exact __int128 quotient followed by one rounding
 * (round_div128), so the only rounding is the one the caller asked for.
 */
#include "fixed.h"

#include <stdio.h>
#include <string.h>

static const int64_t pow10_tab[EB_FIX_DECIMALS + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

#define I128_MAX ((__int128)(((unsigned __int128)1 << 127) - 1))

/*
 * n/d rounded with 'mode' (magnitude rounding, symmetric).  Returns EB_OK,
 * EB_ERR_USAGE when d is 0, EB_ERR_LIMIT for the one unrepresentable
 * magnitude.
 */
static int
round_div128(__int128 n, __int128 d, enum eb_round mode, __int128 *q)
{
	int neg = 0;
	__int128 a, r, x;

	if (d == 0)
		return EB_ERR_USAGE;
	if (n == -I128_MAX - 1 || d == -I128_MAX - 1)
		return EB_ERR_LIMIT;
	if (d < 0) {
		d = -d;
		n = -n;
	}
	if (n < 0) {
		neg = 1;
		a = -n;
	} else
		a = n;
	x = a / d;
	r = a % d;
	switch (mode) {
	case EB_ROUND_HALF_UP:
		if (r >= d - r)
			x++;
		break;
	case EB_ROUND_UP:
		if (r != 0)
			x++;
		break;
	case EB_ROUND_DOWN:
		break;
	default:
		return EB_ERR_USAGE;
	}
	*q = neg ? -x : x;
	return EB_OK;
}

static int
fit64(__int128 v, int64_t *out)
{
	if (v > INT64_MAX || v < INT64_MIN)
		return EB_ERR_LIMIT;
	*out = (int64_t)v;
	return EB_OK;
}

int
eb_fix_parse(const char *s, int64_t *v)
{
	__int128 acc = 0;
	int neg = 0, ndig = 0, nfrac = 0;
	const char *p = s;

	if (s == NULL)
		return EB_ERR_FORMAT;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	while (*p >= '0' && *p <= '9') {
		acc = acc * 10 + (*p - '0');
		if (acc > (__int128)INT64_MAX * 10)
			return EB_ERR_LIMIT;
		ndig++;
		p++;
	}
	if (ndig == 0)
		return EB_ERR_FORMAT;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++nfrac > EB_FIX_DECIMALS)
				return EB_ERR_FORMAT;
			acc = acc * 10 + (*p - '0');
			p++;
		}
		if (nfrac == 0)
			return EB_ERR_FORMAT;
	}
	if (*p != '\0')
		return EB_ERR_FORMAT;
	acc *= pow10_tab[EB_FIX_DECIMALS - nfrac];
	if (neg)
		acc = -acc;
	return fit64(acc, v);
}

char *
eb_fix_format(int64_t v, int min_decimals, char out[EB_FIX_TEXT])
{
	unsigned __int128 m;
	uint64_t ip, fp;
	char frac[EB_FIX_DECIMALS + 1];
	int nd, i;

	if (min_decimals < 0)
		min_decimals = 0;
	if (min_decimals > EB_FIX_DECIMALS)
		min_decimals = EB_FIX_DECIMALS;
	m = v < 0 ? (unsigned __int128)(-(__int128)v) : (unsigned __int128)v;
	ip = (uint64_t)(m / (uint64_t)EB_FIX_ONE);
	fp = (uint64_t)(m % (uint64_t)EB_FIX_ONE);
	for (i = EB_FIX_DECIMALS - 1; i >= 0; i--) {
		frac[i] = (char)('0' + fp % 10);
		fp /= 10;
	}
	nd = EB_FIX_DECIMALS;
	while (nd > min_decimals && frac[nd - 1] == '0')
		nd--;
	frac[nd] = '\0';
	/* snprintf of integers only: no floating point involved. */
	if (nd > 0)
		snprintf(out, EB_FIX_TEXT, "%s%llu.%s", v < 0 ? "-" : "",
		    (unsigned long long)ip, frac);
	else
		snprintf(out, EB_FIX_TEXT, "%s%llu", v < 0 ? "-" : "",
		    (unsigned long long)ip);
	return out;
}

int
eb_fix_from_int(int64_t n, int64_t *out)
{
	return fit64((__int128)n * EB_FIX_ONE, out);
}

int
eb_fix_round(int64_t v, int decimals, enum eb_round mode, int64_t *out)
{
	int64_t unit;
	__int128 q;
	int rc;

	if (decimals < 0 || decimals > EB_FIX_DECIMALS)
		return EB_ERR_USAGE;
	unit = pow10_tab[EB_FIX_DECIMALS - decimals];
	if ((rc = round_div128(v, unit, mode, &q)) != EB_OK)
		return rc;
	return fit64(q * unit, out);
}

int
eb_fix_add(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_add_overflow(a, b, out) ? EB_ERR_LIMIT : EB_OK;
}

int
eb_fix_sub(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_sub_overflow(a, b, out) ? EB_ERR_LIMIT : EB_OK;
}

int
eb_fix_mul(int64_t a, int64_t b, int decimals, enum eb_round mode,
    int64_t *out)
{
	/* a*b is the value times 10^16: the rational (a*b)/10^16. */
	return eb_fix_ratio((__int128)a * b,
	    (__int128)EB_FIX_ONE * EB_FIX_ONE, decimals, mode, out);
}

int
eb_fix_ratio(__int128 num, __int128 den, int decimals, enum eb_round mode,
    int64_t *out)
{
	__int128 q, scaled;
	int64_t unit;
	int rc;

	if (decimals < 0 || decimals > EB_FIX_DECIMALS || den == 0)
		return EB_ERR_USAGE;
	if (__builtin_mul_overflow(num, (__int128)pow10_tab[decimals], &scaled))
		return EB_ERR_LIMIT;
	if ((rc = round_div128(scaled, den, mode, &q)) != EB_OK)
		return rc;
	unit = pow10_tab[EB_FIX_DECIMALS - decimals];
	if (q > (__int128)INT64_MAX || q < (__int128)INT64_MIN)
		return EB_ERR_LIMIT;
	return fit64(q * unit, out);
}

int
eb_round_div(__int128 num, __int128 den, enum eb_round mode, int64_t *out)
{
	__int128 q;
	int rc;

	if ((rc = round_div128(num, den, mode, &q)) != EB_OK)
		return rc;
	return fit64(q, out);
}

static const char *const round_names[] = {
	[EB_ROUND_HALF_UP] = "half-up",
	[EB_ROUND_DOWN] = "down",
	[EB_ROUND_UP] = "up",
};

int
eb_round_parse(const char *s, enum eb_round *mode)
{
	unsigned i;

	for (i = 0; s != NULL && i < sizeof(round_names) / sizeof(*round_names);
	    i++) {
		if (strcmp(s, round_names[i]) == 0) {
			*mode = (enum eb_round)i;
			return EB_OK;
		}
	}
	return EB_ERR_FORMAT;
}

const char *
eb_round_name(enum eb_round mode)
{
	if ((unsigned)mode >= sizeof(round_names) / sizeof(*round_names))
		return "?";
	return round_names[mode];
}
