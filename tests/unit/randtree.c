/*
 * tests/unit/randtree.c
 *    Random XML trees for the canonical writers' tests (randtree.h).
 */
#include <string.h>

#include "tests/unit/randtree.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

unsigned
eb_rt_rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

void
eb_rt_string(char *s, size_t cap, int allow_bad)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "&", "<",
	    ">", "\"", "'", "\t", "\n", "\r", "é", "中", "😀", "\xef\xbf\xbd",
	    "&amp;", "]]>", "=", "/", "&#62;" };
	static const char *const bad[] = { "\x01", "\x1f", "\xff", "\xc3",
	    "\xef\xbf\xbf", "\xed\xbf\xbf", "\xf4\x90\x80\x80" };
	size_t n = 0, k = eb_rt_rnd(12);

	s[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		const char *p = allow_bad && eb_rt_rnd(40) == 0 ?
		    bad[eb_rt_rnd(sizeof(bad) / sizeof(bad[0]))] :
		    pieces[eb_rt_rnd(sizeof(pieces) / sizeof(pieces[0]))];
		size_t m = strlen(p);

		if (n + m + 1 > cap)
			break;
		memcpy(s + n, p, m + 1);
		n += m;
	}
}

static const char *
rand_name(void)
{
	static const char *const names[] = { "a", "b", "id", "no", "party",
	    "x-y", "z.1", "_u", "Name", "xmlish", "bid-result", "events" };

	return names[eb_rt_rnd(sizeof(names) / sizeof(names[0]))];
}

struct eb_doc *
eb_rt_tree(unsigned depth, int allow_bad)
{
	char val[128];
	struct eb_doc *d = eb_doc_new(rand_name());
	unsigned k;

	for (k = eb_rt_rnd(5); k > 0; k--) {
		const char *name = rand_name();

		eb_rt_string(val, sizeof(val), allow_bad);
		eb_doc_set_attr(d, name, val);
	}
	if (depth > 0 && eb_rt_rnd(2) == 0) {
		for (k = 1 + eb_rt_rnd(3); k > 0; k--)
			eb_doc_append(d, eb_rt_tree(depth - 1, allow_bad));
	} else if (eb_rt_rnd(3) != 0) {
		eb_rt_string(val, sizeof(val), allow_bad);
		eb_doc_set_text(d, val);
	}
	return d;
}
