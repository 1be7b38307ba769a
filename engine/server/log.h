/*
 * engine/server/log.h
 *    ebidd's log: one line per event, to the log file or stderr.
 *
 *    2026-11-25T20:15:00.123Z ebidd[123] info main.c:88 main: listening ...
 *    2026-11-25T20:15:01.456Z ebidd[123] info req id=... peer=bidder1
 *        role=bidder method=POST path=/v1/commands status=200 us=1234
 *
 * With log_format = json each line is one JSON object instead
 * (docs/operations-server.md, "Logs"):
 *
 *    {"ts":"2026-11-25T20:15:01.456Z","pid":123,"level":"info",
 *     "src":"http.c:113","func":"send_bytes","msg":"req id=... ...",
 *     "event":"req","id":"...","peer":"bidder1",...,"status":200,"us":1234}
 *
 * Never log bid contents, command bodies, keys or passwords: only ids,
 * names, codes and sizes.
 *
 * INTERFACE
 *    eb_log_open()  - send the log to a file ("" or NULL = stderr)
 *    eb_log_reopen() - open the same file again (SIGHUP: log rotation)
 *    eb_log_set_json() - one JSON object per line (log_format = json)
 *    eb_log_close()
 *    eb_log_defer() - the calling thread's info/debug lines wait for
 *                     eb_log_flush(); 'arm' asks for it (once per wait)
 *    eb_log_flush() - write the lines that wait
 *    eb_log(), eb_log_r() - the macros (file, line, function captured)
 *    eb_log_write() - what the macros call
 *    eb_log_msg()   - a line of a message already put together
 */
#ifndef EB_SERVER_LOG_H
#define EB_SERVER_LOG_H

#include "protocol/err.h"

enum eb_log_level { EB_LOG_DEBUG, EB_LOG_INFO, EB_LOG_WARN, EB_LOG_ERROR };

/* Returns EB_OK or EB_ERR_IO with 'err'. */
int eb_log_open(const char *path, struct eb_error *err) EB_MUSTCHECK;
/* The file eb_log_open() opened, again (after rotation); EB_ERR_IO. */
int eb_log_reopen(struct eb_error *err) EB_MUSTCHECK;
void eb_log_set_json(int on);
/* The log's file descriptor (stderr's when no file): privdrop.c. */
int eb_log_fd(void);
void eb_log_close(void);
/*
 * From now on the info and debug lines of the calling thread (the event
 * loop's) wait in the buffer; the first to wait calls arm(arg), which
 * must make that thread call eb_log_flush() soon (http.c: at the end of
 * the loop's pass).  Warn and error lines, and every line of other
 * threads, are written at once, after those that wait.  arm NULL: back
 * to writing every line at once (what waits is written).
 */
void eb_log_defer(void (*arm)(void *), void *arg);
void eb_log_flush(void);
void eb_log_write(enum eb_log_level lvl, const char *file, int line,
    const char *func, const char *fmt, ...) EB_PRINTF(5, 6);
/* The line eb_log_write(lvl, file, line, func, "%s", msg) writes, for a
 * message of 'n' bytes already put together (no printf: http.c's request
 * lines). */
void eb_log_msg(enum eb_log_level lvl, const char *file, int line,
    const char *func, const char *msg, size_t n);

#define eb_log(lvl, ...) \
	eb_log_write((lvl), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define eb_log_str(lvl, msg, n) \
	eb_log_msg((lvl), __FILE__, __LINE__, __func__, (msg), (n))
/* Log with an eb_error's code, reason and message appended. */
#define eb_log_e(lvl, e, what) \
	eb_log_write((lvl), __FILE__, __LINE__, __func__, \
	    "%s: %s (%s, %s)%s%s", (what), (e)->primary, \
	    eb_strerror((e)->code), (e)->reason, \
	    (e)->detail[0] ? ": " : "", (e)->detail)

#endif
