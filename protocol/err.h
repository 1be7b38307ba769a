/*
 * protocol/err.h
 *    Return codes and the structured error every layer of ebid reports.
 *
 * Every function that can fail returns an int: EB_OK (0) on success or a
 * negative EB_ERR_* code.  Failures a person should read also fill a
 * caller-provided struct eb_error: a stable reason token (clients and tests
 * match on it), a short primary message, a detail and a hint written as a
 * full sentence.  protocol/errdoc.c turns it into the XML error document
 * (protocol/xsd/error.xsd).
 *
 * Pure: libc only.  Linked by engine/core.
 *
 * INTERFACE
 *    eb_fail()      - fill an eb_error and return its code
 *    eb_strerror()  - name of a return code
 *    eb_http_status() - the HTTP status that goes with a code
 *    eb_error_status() - the HTTP status a failure is answered with: its
 *                        reason's in the registry (protocol/reasons.txt)
 */
#ifndef EB_ERR_H
#define EB_ERR_H

#include <stdarg.h>

enum eb_err {
	EB_OK = 0,
	EB_AGAIN = -1,          /* incomplete input or I/O would block */
	EB_ERR_INTERNAL = -2,   /* a broken invariant of ours */
	EB_ERR_NOMEM = -3,
	EB_ERR_LIMIT = -4,      /* input exceeds a configured bound */
	EB_ERR_FORMAT = -5,     /* malformed or schema-invalid input */
	EB_ERR_STATE = -6,      /* not allowed in the object's current state */
	EB_ERR_DENIED = -7,     /* role, party or signature check failed */
	EB_ERR_DB = -8,
	EB_ERR_CRYPTO = -9,
	EB_ERR_NOTFOUND = -10,
	EB_ERR_CONFLICT = -11,  /* lost a race or duplicate */
	EB_ERR_RULE = -12,      /* a domain rule (guard) refused it */
	EB_ERR_TIME = -13,      /* too early or too late (deadlines) */
	EB_ERR_IO = -14,
	EB_ERR_USAGE = -15,     /* bad command line or configuration */
};

#define EB_MUSTCHECK __attribute__((warn_unused_result))
#define EB_PRINTF(a, b) __attribute__((format(printf, a, b)))

#ifndef NDEBUG
#include <assert.h>
#define EB_NEVER(x) ((x) ? (assert(0), 1) : 0)
#else
#define EB_NEVER(x) (x)
#endif

struct eb_error {
	int code;            /* enum eb_err */
	char reason[48];     /* stable token: "not-allowed-in-state" */
	char primary[192];   /* "command refused: tender is closed" */
	char detail[768];    /* the figures, states and names involved */
	char hint[256];      /* what to do instead, a full sentence */
};

/*
 * Fill 'e' (may be NULL) and return 'code'.  'reason' is the stable token,
 * 'hint' may be NULL, 'fmt' formats the primary message.  The detail is
 * left empty; set it with eb_error_detail().
 */
int eb_fail(struct eb_error *e, int code, const char *reason,
    const char *hint, const char *fmt, ...) EB_PRINTF(5, 6);
#ifdef __clang_analyzer__
/*
 * For clang's static analyzer only (tools/analyze): it does not look into
 * err.c, so it cannot know that eb_fail() returns 'code' (never EB_OK for
 * a failure) and follows impossible "failed but returned EB_OK" paths into
 * uninitialised outputs.  The macro states the contract; a macro does not
 * expand itself, so the real function is still called.
 */
#define eb_fail(e, code, ...) (eb_fail((e), (code), __VA_ARGS__), (code))
#endif

/* Set the detail of an already failed 'e' (NULL-safe). */
void eb_error_detail(struct eb_error *e, const char *fmt, ...)
    EB_PRINTF(2, 3);

/* Clear 'e' to "no error". */
void eb_error_clear(struct eb_error *e);

/* Static name of a return code, e.g. "format". */
const char *eb_strerror(int code);

/* HTTP status for a code: 400 format, 403 denied, 409 state/conflict... */
int eb_http_status(int code);

/*
 * HTTP status for the failure 'e': the status protocol/reasons.txt gives
 * its reason token, or eb_http_status(e->code) when the token is not
 * registered or registered with status "-".
 */
int eb_error_status(const struct eb_error *e);

#endif
