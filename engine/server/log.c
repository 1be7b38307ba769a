/*
 * engine/server/log.c
 *    The log writer (see log.h).  Lines go through one buffer of whole
 *    lines (under a mutex), written with one write(2) of whole lines, so
 *    lines from one process never interleave or split.  A line is written
 *    at once, except the info and debug lines of the thread that asked for
 *    deferral (the event loop's: eb_log_defer()): those wait in the buffer
 *    until the loop's pass ends (eb_log_flush() from the callback the
 *    loop armed), so the request lines of one pass cost one write(2).
 *    Before fork() the buffer is written (pthread_atfork), at exit too.
 *    The time of a line is formatted once per second and thread (the
 *    milliseconds appended), the pid read once per process, and the rest
 *    of the line's prefix put together by hand; eb_log_msg() takes a
 *    message already put together (no format: the request lines).
 *
 *    In JSON form each line is one object (docs/operations-server.md lists
 *    the fields): the fixed fields, the whole message, and the message's
 *    `event key=value ...` words as fields of their own.
 *
 * INTERFACE: see log.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/server/clock.h"
#include "engine/server/log.h"
#include "protocol/isotime.h"

/* the only other globals: where the log goes and in which form, and the
 * buffer of lines not yet written */
static FILE *log_fp;          /* NULL = stderr */
static char log_path[4096];   /* "" = stderr; reopened on SIGHUP */
static int log_json;

#define LOG_BUF_SIZE 65536    /* more than any pass's deferred lines */
static struct {
	pthread_mutex_t lock;
	char buf[LOG_BUF_SIZE];
	size_t len;
	int deferring;            /* a defer hook is set */
	pthread_t loop;           /* the thread whose info lines wait */
	void (*arm)(void *);      /* asks that thread for eb_log_flush() */
	void *arm_arg;
	int armed;                /* arm() called, flush not yet done */
} lb = { .lock = PTHREAD_MUTEX_INITIALIZER };
static pid_t log_pid;         /* getpid() once per process */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static int
out_fd(void)
{
	return log_fp != NULL ? fileno(log_fp) : STDERR_FILENO;
}

/* Write what the buffer holds; lb.lock held. */
static void
drain_locked(void)
{
	size_t off = 0;
	int fd = out_fd();

	while (off < lb.len) {
		ssize_t n = write(fd, lb.buf + off, lb.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;             /* the log is lost, not the server */
		off += (size_t)n;
	}
	lb.len = 0;
}

void
eb_log_flush(void)
{
	int keep = errno;

	pthread_mutex_lock(&lb.lock);
	lb.armed = 0;
	drain_locked();
	pthread_mutex_unlock(&lb.lock);
	errno = keep;
}

static void
fork_prepare(void)
{
	pthread_mutex_lock(&lb.lock);
	drain_locked();
}

static void
fork_parent(void)
{
	pthread_mutex_unlock(&lb.lock);
}

static void
fork_child(void)
{
	log_pid = getpid();
	lb.deferring = 0;          /* the child has no loop of ours yet */
	lb.armed = 0;
	pthread_mutex_unlock(&lb.lock);
}

static void
log_init(void)
{
	log_pid = getpid();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	atexit(eb_log_flush);
}

void
eb_log_defer(void (*arm)(void *), void *arg)
{
	pthread_once(&log_once, log_init);
	pthread_mutex_lock(&lb.lock);
	if (arm == NULL)
		drain_locked();
	lb.deferring = arm != NULL;
	lb.loop = pthread_self();
	lb.arm = arm;
	lb.arm_arg = arg;
	lb.armed = 0;
	pthread_mutex_unlock(&lb.lock);
}

/* One whole line (n bytes, ending in a newline) into the log. */
static void
put_line(enum eb_log_level lvl, const char *line, size_t n)
{
	int later, arm = 0;

	pthread_mutex_lock(&lb.lock);
	later = lb.deferring && lvl <= EB_LOG_INFO &&
	    pthread_equal(pthread_self(), lb.loop);
	if (lb.len + n > sizeof(lb.buf))
		drain_locked();
	if (n > sizeof(lb.buf)) {          /* cannot happen: lines <= 8 KiB */
		pthread_mutex_unlock(&lb.lock);
		return;
	}
	memcpy(lb.buf + lb.len, line, n);
	lb.len += n;
	if (!later)
		drain_locked();
	else if (!lb.armed)
		arm = lb.armed = 1;
	pthread_mutex_unlock(&lb.lock);
	if (arm)
		lb.arm(lb.arm_arg);
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" of now; the seconds formatted once. */
static void
line_time(char iso[EB_ISOTIME_LEN])
{
	static __thread int64_t sec = -1;
	static __thread char head[EB_ISOTIME_LEN];
	int64_t ms = eb_clock_real_ms();
	unsigned m;

	if (ms < 0) {
		eb_isotime_format(ms, iso);
		return;
	}
	if (ms / 1000 != sec) {
		sec = ms / 1000;
		eb_isotime_format(sec * 1000, head);
	}
	if (head[19] != '.') {                     /* past the year 9999 */
		eb_isotime_format(ms, iso);
		return;
	}
	memcpy(iso, head, 20);                     /* up to the '.' */
	m = (unsigned)(ms % 1000);
	iso[20] = (char)('0' + m / 100);
	iso[21] = (char)('0' + m / 10 % 10);
	iso[22] = (char)('0' + m % 10);
	iso[23] = 'Z';
	iso[24] = '\0';
}

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
	eb_log_close();               /* writes what waits, to the old file */
	pthread_mutex_lock(&lb.lock);
	log_fp = f;
	pthread_mutex_unlock(&lb.lock);
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
	pthread_mutex_lock(&lb.lock);
	drain_locked();
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
	pthread_mutex_unlock(&lb.lock);
}

static const char *const level_names[] = { "debug", "info", "warn",
    "error" };

/* Prefix building: 's' (n bytes) at out[*o], never past 'cap' - 1. */
static void
pre_put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (*o + n >= cap)
		n = *o < cap ? cap - 1 - *o : 0;
	memcpy(out + *o, s, n);
	*o += n;
}

/* The decimal of 'v' the same way. */
static void
pre_put_i(char *out, size_t cap, size_t *o, long v)
{
	char d[24];
	size_t i = sizeof(d);
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		d[--i] = '-';
	pre_put(out, cap, o, d + i, sizeof(d) - i);
}

/* " ebidd[PID] LEVEL FILE:LINE FUNC: " at out[*o], never past cap - 1. */
static void
prefix_tail(char *out, size_t cap, size_t *o, enum eb_log_level lvl,
    const char *file, int line, const char *func)
{
	const char *base = strrchr(file, '/');

	base = base != NULL ? base + 1 : file;
	pre_put(out, cap, o, " ebidd[", 7);
	pre_put_i(out, cap, o, (long)log_pid);
	pre_put(out, cap, o, "] ", 2);
	pre_put(out, cap, o, level_names[lvl], strlen(level_names[lvl]));
	pre_put(out, cap, o, " ", 1);
	pre_put(out, cap, o, base, strlen(base));
	pre_put(out, cap, o, ":", 1);
	pre_put_i(out, cap, o, line);
	pre_put(out, cap, o, " ", 1);
	pre_put(out, cap, o, func, strlen(func));
	pre_put(out, cap, o, ": ", 2);
}

/*
 * "TIME ebidd[PID] LEVEL FILE:LINE FUNC: " into out: at most PREFIX_MAX
 * bytes, cut there as the snprintf it replaces cut it; its length.
 */
#define PREFIX_MAX 254
static size_t
line_prefix(char out[PREFIX_MAX + 1], enum eb_log_level lvl,
    const char *file, int line, const char *func)
{
	char iso[EB_ISOTIME_LEN];
	size_t o = 0;

	line_time(iso);
	pre_put(out, PREFIX_MAX + 1, &o, iso, strlen(iso));
	prefix_tail(out, PREFIX_MAX + 1, &o, lvl, file, line, func);
	return o;
}

/* Every '\n' and '\r' of p[0..n) made a space (one event, one line). */
static void
one_line(char *p, size_t n)
{
	char *q, *end = p + n;

	for (q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; )
		*q++ = ' ';
	for (q = p; (q = memchr(q, '\r', (size_t)(end - q))) != NULL; )
		*q++ = ' ';
}

void
eb_log_msg(enum eb_log_level lvl, const char *file, int line,
    const char *func, const char *msg, size_t n)
{
	/* the prefix after the time, kept for the last call site (the
	 * request lines all come from one); cut only when the line is */
	static __thread struct {
		const char *file, *func;
		int line;
		enum eb_log_level lvl;
		pid_t pid;
		size_t len;
		char tail[PREFIX_MAX + 1];
	} site;
	char out[2304];
	size_t o, t;
	int keep = errno;

	pthread_once(&log_once, log_init);
	if (log_json) {
		eb_log_write(lvl, file, line, func, "%.*s",
		    n < 2048 ? (int)n : 2047, msg);
		errno = keep;
		return;
	}
	if (site.file != file || site.func != func || site.line != line ||
	    site.lvl != lvl || site.pid != log_pid) {
		site.len = 0;
		prefix_tail(site.tail, sizeof(site.tail), &site.len, lvl, file,
		    line, func);
		site.file = file;
		site.func = func;
		site.line = line;
		site.lvl = lvl;
		site.pid = log_pid;
	}
	line_time(out);                          /* as line_prefix() */
	if ((o = strlen(out)) > PREFIX_MAX)
		o = PREFIX_MAX;
	t = site.len < PREFIX_MAX - o ? site.len : PREFIX_MAX - o;
	memcpy(out + o, site.tail, t);
	o += t;
	if (n > 2047)
		n = 2047;                          /* as eb_log_write cuts */
	if (memchr(msg, '\0', n) != NULL)
		n = strlen(msg);
	memcpy(out + o, msg, n);
	one_line(out + o, n);
	o += n;
	out[o++] = '\n';
	put_line(lvl, out, o);
	errno = keep;
}

void
eb_log_write(enum eb_log_level lvl, const char *file, int line,
    const char *func, const char *fmt, ...)
{
	char out[2304];
	va_list ap;
	int keep = errno, n;
	size_t o, cap;

	pthread_once(&log_once, log_init);
	if (log_json) {
		char msg[2048], js[8192], esc[4200], iso[EB_ISOTIME_LEN];
		const char *base = strrchr(file, '/');

		line_time(iso);
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		for (char *p = msg; *p; p++)     /* one event, one line */
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		o = 0;
		snprintf(js, sizeof(js), "{\"ts\":\"%s\",\"pid\":%ld,"
		    "\"level\":\"%s\",\"src\":\"%s:%d\",\"func\":\"%s\"", iso,
		    (long)log_pid, level_names[lvl], base ? base + 1 : file, line,
		    func);
		o = strlen(js);
		json_esc(esc, sizeof(esc), msg, strlen(msg));
		json_put(js, sizeof(js), &o, ",\"msg\":\"");
		json_put(js, sizeof(js), &o, esc);
		json_put(js, sizeof(js), &o, "\"");
		json_fields(js, sizeof(js) - 3, &o, msg);
		json_put(js, sizeof(js), &o, "}\n");
		put_line(lvl, js, o);
		errno = keep;
		return;
	}
	/* "TIME ebidd[PID] LEVEL FILE:LINE FUNC: MESSAGE\n", the message cut
	 * at 2047 bytes as before */
	o = line_prefix(out, lvl, file, line, func);
	cap = 2048;
	va_start(ap, fmt);
	n = vsnprintf(out + o, cap, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n = (size_t)n < cap ? n : (int)cap - 1;
	one_line(out + o, (size_t)n);
	o += (size_t)n;
	out[o++] = '\n';
	put_line(lvl, out, o);
	errno = keep;
}
