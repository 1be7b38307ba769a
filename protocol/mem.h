/*
 * protocol/mem.h
 *    The one out-of-memory policy of ebid: allocate or report and abort.
 *
 * As Redis's zmalloc and PostgreSQL's palloc do, an allocation that fails
 * does not return: it writes one line to stderr naming what was being
 * allocated and aborts the process.  A server whose heap is exhausted
 * cannot answer correctly anyway; ebidd acknowledges nothing before it is
 * durable, so an abort loses nothing acknowledged, and the supervisor
 * (systemd, docs/operations.md) restarts it.  Code that uses these never
 * checks for NULL, so the rare branch that no test exercises is gone.
 *
 * Pure: libc only, no global state but the hook below; engine/core may
 * use it.  Ownership: the caller frees what it gets, with free().
 *
 * INTERFACE
 *    eb_malloc(n), eb_calloc(n, size), eb_realloc(p, n), eb_strdup(s),
 *    eb_strndup(s, n), eb_memdup(p, n)
 *    eb_oom(what, n)           - the report and abort (noreturn)
 *    eb_mem_fail_after(n)      - tests only: fail the allocation after n
 */
#ifndef EB_PROTOCOL_MEM_H
#define EB_PROTOCOL_MEM_H

#include <stddef.h>

/*
 * EB_SANITIZED: 1 in a build with AddressSanitizer or ThreadSanitizer
 * (gcc's __SANITIZE_*__, clang's __has_feature), else 0.  ebid-audit then
 * frees everything before exit so the leak check sees every path;
 * ebidd's seccomp filter logs a call outside its allow-list instead of
 * trapping it (the sanitizers' runtimes make calls the list does not
 * hold).
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EB_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define EB_SANITIZED 1
#endif
#endif
#ifndef EB_SANITIZED
#define EB_SANITIZED 0
#endif

#if defined(__GNUC__)
#define EB_NORETURN __attribute__((noreturn))
#define EB_MALLOC_LIKE __attribute__((malloc, returns_nonnull))
#else
#define EB_NORETURN
#define EB_MALLOC_LIKE
#endif

/* Report "ebid: out of memory allocating N bytes (WHAT)" and abort. */
EB_NORETURN void eb_oom(const char *what, size_t n);

/* Never NULL; a size of 0 allocates 1 byte. */
EB_MALLOC_LIKE void *eb_malloc(size_t n);
/* Zeroed; n * size checked for overflow (an overflow is reported as OOM). */
EB_MALLOC_LIKE void *eb_calloc(size_t n, size_t size);
/* As realloc(), never NULL; p may be NULL. */
void *eb_realloc(void *p, size_t n);
/* Copies; s must not be NULL. */
EB_MALLOC_LIKE char *eb_strdup(const char *s);
/* At most n bytes of s, always terminated. */
EB_MALLOC_LIKE char *eb_strndup(const char *s, size_t n);
EB_MALLOC_LIKE void *eb_memdup(const void *p, size_t n);

/*
 * Fault injection for tests (as SQLite's FAULT_INSTALL): after n more
 * allocations through these functions (libxml2's too, protocol/xml.c), the
 * next one takes the out-of-memory path; n < 0 (the default) never.  One
 * process-wide counter, not thread-safe: a test sets it in a child that
 * it expects to abort.
 */
void eb_mem_fail_after(long n);

#endif
