/*
 * engine/server/log.c
 *    The log writer (see log.h).  One fputs per line, line-buffered, so
 *    lines from one process never interleave.  In JSON form each line is
 *    one object (docs/operations-server.md lists the fields): the fixed
 *    fields, the whole message, and the message's `event key=value ...`
 *    words as fields of their own.
 *
 * INTERFACE: see log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/server/clock.h"
#include "engine/server/log.h"
#include "protocol/isotime.h"

/* the only other globals: where the log goes and in which form */
static FILE *log_fp;          /* NULL = stderr */
static char log_path[4096];   /* "" = stderr; reopened on SIGHUP */
static int log_json;

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
	if (path != log_path)
		snprintf(log_path, sizeof(log_path), "%s", path);
	return EB_OK;
}

int
eb_log_reopen(struct eb_error *err)
{
	if (log_path[0] == '\0')
		return EB_OK;
	return eb_log_open(log_path, err);
}

int
eb_log_fd(void)
{
	return log_fp != NULL ? fileno(log_fp) : STDERR_FILENO;
}

void
eb_log_set_json(int on)
{
	log_json = on;
}

/* JSON string body of 's' (n bytes) into 'out' (cap), escaped. */
static size_t
json_esc(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 7 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

/* append to out[*o] (cap), never past the end */
static void
json_put(char *out, size_t cap, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n >= cap)
		n = *o < cap ? cap - *o - 1 : 0;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
}

static int
reserved(const char *k, size_t n)
{
	static const char *const names[] = { "ts", "pid", "level", "src",
	    "func", "msg", "event", NULL };

	for (size_t i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && memcmp(names[i], k, n) == 0)
			return 1;
	return 0;
}

/*
 * The message's words as fields: a first bare word [a-z_-] is "event";
 * then every KEY=VALUE word (KEY [a-z_], VALUE up to the next space) is
 * "KEY": VALUE, a number when VALUE is all digits; other words are left
 * to "msg" alone.
 */
static void
json_fields(char *out, size_t cap, size_t *o, const char *msg)
{
	char esc[1100];
	const char *p = msg;
	int first = 1;

	while (*p != '\0') {
		const char *w = p, *eq = NULL, *e;

		while (*p != '\0' && *p != ' ')
			p++;
		e = p;
		while (*p == ' ')
			p++;
		for (const char *c = w; c < e; c++)
			if (*c == '=') {
				eq = c;
				break;
			}
		if (eq == NULL) {
			size_t n = (size_t)(e - w);

			if (first && n > 0 && n < 32 &&
			    strspn(w, "abcdefghijklmnopqrstuvwxyz_-") == n) {
				json_esc(esc, sizeof(esc), w, n);
				json_put(out, cap, o, ",\"event\":\"");
				json_put(out, cap, o, esc);
				json_put(out, cap, o, "\"");
			}
			first = 0;
			continue;
		}
		first = 0;
		if (eq == w || (size_t)(eq - w) > 32 ||
		    strspn(w, "abcdefghijklmnopqrstuvwxyz_") != (size_t)(eq - w) ||
		    reserved(w, (size_t)(eq - w)))
			continue;
		json_put(out, cap, o, ",\"");
		json_esc(esc, sizeof(esc), w, (size_t)(eq - w));
		json_put(out, cap, o, esc);
		json_put(out, cap, o, "\":");
		json_esc(esc, sizeof(esc), eq + 1, (size_t)(e - eq - 1));
		if (e - eq > 1 && e - eq < 19 && strspn(eq + 1, "0123456789") ==
		    (size_t)(e - eq - 1) && (eq[1] != '0' || e - eq == 2))
			json_put(out, cap, o, esc);
		else {
			json_put(out, cap, o, "\"");
			json_put(out, cap, o, esc);
			json_put(out, cap, o, "\"");
		}
	}
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
	if (log_json) {
		char js[8192], esc[4200];
		size_t o = 0;

		snprintf(js, sizeof(js), "{\"ts\":\"%s\",\"pid\":%ld,"
		    "\"level\":\"%s\",\"src\":\"%s:%d\",\"func\":\"%s\"", iso,
		    (long)getpid(), names[lvl], base ? base + 1 : file, line,
		    func);
		o = strlen(js);
		json_esc(esc, sizeof(esc), msg, strlen(msg));
		json_put(js, sizeof(js), &o, ",\"msg\":\"");
		json_put(js, sizeof(js), &o, esc);
		json_put(js, sizeof(js), &o, "\"");
		json_fields(js, sizeof(js) - 3, &o, msg);
		json_put(js, sizeof(js), &o, "}\n");
		fputs(js, log_fp != NULL ? log_fp : stderr);
		errno = keep;
		return;
	}
	snprintf(out, sizeof(out), "%s ebidd[%ld] %s %s:%d %s: %s\n", iso,
	    (long)getpid(), names[lvl], base ? base + 1 : file, line, func, msg);
	fputs(out, log_fp != NULL ? log_fp : stderr);
	errno = keep;
}
