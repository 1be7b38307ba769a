/*
 * protocol/err.c
 *    Structured errors: see err.h.
 */
#include "err.h"
#include "reasons.h"

#include <stdio.h>
#include <string.h>

static void
copy_token(char *dst, size_t cap, const char *src)
{
	if (src == NULL)
		src = "";
	snprintf(dst, cap, "%s", src);
}

/* (eb_fail): not the analyzer's macro of err.h */
int
(eb_fail)(struct eb_error *e, int code, const char *reason, const char *hint,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	memset(e, 0, sizeof(*e));
	e->code = code;
	copy_token(e->reason, sizeof(e->reason), reason);
	copy_token(e->hint, sizeof(e->hint), hint);
	va_start(ap, fmt);
	vsnprintf(e->primary, sizeof(e->primary), fmt, ap);
	va_end(ap);
	return code;
}

void
eb_error_detail(struct eb_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

void
eb_error_clear(struct eb_error *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

const char *
eb_strerror(int code)
{
	switch (code) {
	case EB_OK: return "ok";
	case EB_AGAIN: return "again";
	case EB_ERR_INTERNAL: return "internal";
	case EB_ERR_NOMEM: return "out-of-memory";
	case EB_ERR_LIMIT: return "limit";
	case EB_ERR_FORMAT: return "format";
	case EB_ERR_STATE: return "state";
	case EB_ERR_DENIED: return "denied";
	case EB_ERR_DB: return "database";
	case EB_ERR_CRYPTO: return "crypto";
	case EB_ERR_NOTFOUND: return "not-found";
	case EB_ERR_CONFLICT: return "conflict";
	case EB_ERR_RULE: return "rule";
	case EB_ERR_TIME: return "time";
	case EB_ERR_IO: return "io";
	case EB_ERR_USAGE: return "usage";
	}
	return "unknown";
}

int
eb_http_status(int code)
{
	switch (code) {
	case EB_OK: return 200;
	case EB_ERR_LIMIT: return 413;
	case EB_ERR_FORMAT: return 400;
	case EB_ERR_USAGE: return 400;
	case EB_ERR_CRYPTO: return 400;
	case EB_ERR_DENIED: return 403;
	case EB_ERR_NOTFOUND: return 404;
	case EB_ERR_STATE: return 409;
	case EB_ERR_CONFLICT: return 409;
	case EB_ERR_RULE: return 422;
	case EB_ERR_TIME: return 422;
	case EB_ERR_DB: return 503;
	default: return 500;
	}
}

int
eb_error_status(const struct eb_error *e)
{
	const struct eb_reason *r;
	char token[sizeof(e->reason)];

	if (e == NULL)
		return eb_http_status(EB_ERR_INTERNAL);
	/* the reason may lack its NUL when a caller filled it by hand */
	snprintf(token, sizeof(token), "%.*s", (int)sizeof(e->reason) - 1,
	    e->reason);
	r = eb_reason_find(token);
	return r != NULL && r->status != 0 ? r->status :
	    eb_http_status(e->code);
}
