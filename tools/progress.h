/*
 * tools/progress.h
 *    A progress bar for people: "sealing [######....]  61%  48.2 MB/s
 *    0:07 left" on stderr, redrawn at most ten times a second, only when
 *    stderr is a terminal (quiet otherwise, so scripts and logs see only
 *    the result lines).  Used by `ebid bid seal` and `ebid bid submit`.
 *    With EBID_PROGRESS_FILE=PATH set, the same figures are also written
 *    to PATH, terminal or not: one line "LABEL DONE TOTAL RATE" (bytes,
 *    bytes/s), replaced whole (rename) at each redraw: `ebid console`
 *    shows them on the bid desk (tools/console.c).
 *
 * Owns nothing but the struct the caller keeps.
 */
#ifndef EB_PROGRESS_H
#define EB_PROGRESS_H

#include <stdint.h>

struct eb_progress {
	const char *label;
	int tty;                 /* draw at all */
	double t0, last;         /* monotonic seconds */
	uint64_t base;           /* bytes already done when it started */
	int drawn;
	uint64_t done, total;    /* the last figures given */
};

/* Start a bar ('base': bytes done before, e.g. a resumed upload). */
void eb_progress_start(struct eb_progress *p, const char *label,
    uint64_t base);
/* 'done' of 'total' (0: unknown). */
void eb_progress_update(struct eb_progress *p, uint64_t done, uint64_t total);
/* Clear the line. */
void eb_progress_end(struct eb_progress *p);
/* Bytes per second since the start (excluding 'base'), 0 if too early. */
double eb_progress_rate(const struct eb_progress *p, uint64_t done);
/* Monotonic seconds. */
double eb_progress_now(void);

#endif
