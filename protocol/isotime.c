/*
 * protocol/isotime.c
 *    UTC instants <-> text: see isotime.h.  Civil-date arithmetic after
 *    H. Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
 */
#include "isotime.h"

#include <stdio.h>
#include <string.h>

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

void
eb_isotime_format(int64_t ms, char out[EB_ISOTIME_LEN])
{
	int64_t days = ms / EB_MS_PER_DAY, rem = ms % EB_MS_PER_DAY, y;
	unsigned m, d;

	if (rem < 0) {
		rem += EB_MS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, EB_ISOTIME_LEN, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
	    (long long)y, m, d, (unsigned)(rem / 3600000),
	    (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60),
	    (unsigned)(rem % 1000));
}

static int
digits(const char *s, int n, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int
eb_isotime_parse(const char *s, int64_t *ms)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	unsigned y, mo, d, h, mi, se, frac = 0;
	int nf = 0;
	const char *p;

	if (s == NULL || strlen(s) < 20)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &se))
		return -1;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nf < 3; p++, nf++)
			frac = frac * 10 + (unsigned)(*p - '0');
		if (nf == 0)
			return -1;
		for (; nf < 3; nf++)
			frac *= 10;
	}
	if (p[0] != 'Z' || p[1] != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 59)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	*ms = days_from_civil(y, mo, d) * EB_MS_PER_DAY +
	    (int64_t)h * 3600000 + (int64_t)mi * 60000 + (int64_t)se * 1000 +
	    frac;
	return 0;
}
