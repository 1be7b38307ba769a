/*
 * tests/unit/csource.h
 *    The C-source scan the source checks share (reason_registry.c,
 *    hint_catalogue.c; server_state_names.c reads with slurp()): a
 *    file's text, its tokens (identifiers, string literals, punctuation;
 *    comments and preprocessor lines skipped), and a walk over a folder's
 *    .c/.h or .sh files.  Test programs only.
 */
#ifndef EB_TESTS_CSOURCE_H
#define EB_TESTS_CSOURCE_H

#include <stddef.h>

enum { T_IDENT, T_STRING, T_PUNCT, T_OTHER };

struct tok {
	int kind;
	const char *s;  /* into the file's text */
	size_t n;
	int line;
};

/* The whole file, NUL-terminated; exits 2 when it cannot be read. */
char *slurp(const char *path);
/* Its tokens (a T_STRING's s/n are the literal's bytes between the quotes,
 * escapes as written); *count of them; free() the array. */
struct tok *lex(const char *text, size_t *count);
/* Is token 'k' exactly 's'? */
int is(const struct tok *k, const char *s);
/* The index past the ')' (or ']', '}') that closes the one at t[i]. */
size_t close_paren(const struct tok *t, size_t n, size_t i);

/*
 * The tokens [*start, *end) of argument 'k' (from 0) of the call whose
 * '(' is t[open]: 1, or 0 when the call has fewer arguments.
 */
int call_arg(const struct tok *t, size_t n, size_t open, int k,
    size_t *start, size_t *end);

/* A function that takes a named parameter, and its index. */
struct fn {
	char name[64];
	int arg;
};
/*
 * Learn the functions declared (or defined) in t[0..n) with a parameter
 * "char *PARAM" (the parameter list holds the tokens char * PARAM) into
 * fns[*nfns..cap).  -1 (said on stderr) when one is declared with it at
 * two indexes; exits 2 when fns is full.
 */
int learn(const struct tok *t, size_t n, const char *param, struct fn *fns,
    size_t *nfns, size_t cap);

typedef void (*visit_fn)(const char *path, const char *rel, int produced);
/* fn(path, rel, produced) for every file under src/rel: ext "c" the .c and
 * .h files, "s" the .sh files. */
void walk(const char *src, const char *rel, const char *ext, int produced,
    visit_fn fn);

#endif
