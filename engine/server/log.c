/*
 * engine/server/log.c
 *    The log writer (see log.h).  One fputs per line, line-buffered, so
 *    lines from one process never interleave.
 *
 * INTERFACE: see log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/server/clock.h"
#include "engine/server/log.h"
#include "protocol/isotime.h"

static FILE *log_fp;   /* NULL = stderr; the only other global */

int
eb_log_open(const char *path, struct eb_error *err)
{
	FILE *f;

	if (path == NULL || *path == '\0')
		return EB_OK;
	if ((f = fopen(path, "a")) == NULL)
		return eb_fail(err, EB_ERR_IO, "log-unwritable",
		    "Check the log_file setting and the folder's permissions.",
		    "cannot open log file %s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IOLBF, 0);
	eb_log_close();
	log_fp = f;
	return EB_OK;
}

void
eb_log_close(void)
{
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
}

void
eb_log_write(enum eb_log_level lvl, const char *file, int line,
    const char *func, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char msg[2048], out[2304], iso[EB_ISOTIME_LEN];
	const char *base = strrchr(file, '/');
	va_list ap;
	int keep = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)     /* one event, one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	eb_isotime_format(eb_clock_real_ms(), iso);
	snprintf(out, sizeof(out), "%s ebidd[%ld] %s %s:%d %s: %s\n", iso,
	    (long)getpid(), names[lvl], base ? base + 1 : file, line, func, msg);
	fputs(out, log_fp != NULL ? log_fp : stderr);
	errno = keep;
}
