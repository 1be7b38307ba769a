/*
 * tools/progress.c
 *    The progress bar (progress.h).
 */
#include "tools/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double
eb_progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * EBID_PROGRESS_FILE: the same figures for a program that shows them
 * elsewhere (`ebid console`'s bid desk): one line "LABEL DONE TOTAL
 * RATE\n" (bytes, bytes per second), the file replaced whole by rename.
 */
static void
report(const struct eb_progress *p, uint64_t done, uint64_t total,
    double rate)
{
	const char *f = getenv("EBID_PROGRESS_FILE");
	char tmp[4096];
	FILE *o;

	if (f == NULL || *f == '\0' ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", f) >= sizeof(tmp) ||
	    (o = fopen(tmp, "w")) == NULL)
		return;
	fprintf(o, "%s %llu %llu %.0f\n", p->label != NULL ? p->label : "-",
	    (unsigned long long)done, (unsigned long long)total, rate);
	if (fclose(o) == 0)
		(void)rename(tmp, f);
}

void
eb_progress_start(struct eb_progress *p, const char *label, uint64_t base)
{
	*p = (struct eb_progress){ .label = label, .tty = isatty(2),
	    .t0 = eb_progress_now(), .base = base };
	report(p, base, 0, 0);
}

double
eb_progress_rate(const struct eb_progress *p, uint64_t done)
{
	double dt = eb_progress_now() - p->t0;

	if (dt < 0.2 || done <= p->base)
		return 0;
	return (double)(done - p->base) / dt;
}

void
eb_progress_update(struct eb_progress *p, uint64_t done, uint64_t total)
{
	double now = eb_progress_now(), rate;
	char bar[31];
	int i, fill;

	p->done = done;
	p->total = total;
	if (now - p->last < 0.1 && done != total)
		return;
	p->last = now;
	rate = eb_progress_rate(p, done);
	report(p, done, total, rate);
	if (!p->tty)
		return;
	if (total == 0) {
		fprintf(stderr, "\r%-9s %8.1f MB  %6.1f MB/s   ", p->label,
		    (double)done / 1e6, rate / 1e6);
	} else {
		fill = (int)(30.0 * (double)done / (double)total);
		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		if (rate > 0) {
			long left = (long)((double)(total - done) / rate);

			fprintf(stderr, "\r%-9s [%s] %3d%%  %6.1f MB/s  "
			    "%ld:%02ld left  ", p->label, bar,
			    (int)(100.0 * (double)done / (double)total),
			    rate / 1e6, left / 60, left % 60);
		} else {
			fprintf(stderr, "\r%-9s [%s] %3d%%  ", p->label, bar,
			    (int)(100.0 * (double)done / (double)total));
		}
	}
	p->drawn = 1;
}

void
eb_progress_end(struct eb_progress *p)
{
	if (p->label != NULL && p->done > 0)  /* the last figures, unthrottled */
		report(p, p->done, p->total, eb_progress_rate(p, p->done));
	if (p->tty && p->drawn)
		fprintf(stderr, "\r%72s\r", "");
	p->drawn = 0;
}
