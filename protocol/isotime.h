/*
 * protocol/isotime.h
 *    Instants as int64 milliseconds since 1970-01-01T00:00:00Z, and their
 *    one text form: "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, always milliseconds).
 *
 * Pure: no clock is read here (the clock lives in engine/server/clock.c).
 */
#ifndef EB_ISOTIME_H
#define EB_ISOTIME_H

#include <stdint.h>

#define EB_ISOTIME_LEN 48
#define EB_MS_PER_DAY ((int64_t)86400000)

/* Format 'ms' into 'out'. */
void eb_isotime_format(int64_t ms, char out[EB_ISOTIME_LEN]);
/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z".  Returns 0 and sets *ms, or -1
 * when the text is not exactly that form or names no real instant.
 */
int eb_isotime_parse(const char *s, int64_t *ms);

#endif
