/*
 * tests/unit/reason_registry.c
 *    Every refusal reason token is registered, every registered one is
 *    used, and each call site's error code is of the registry's class for
 *    its token (issue 16 point 4; the registry is protocol/reasons.txt, its
 *    table protocol/reasons.h).
 *
 *    The scan reads the C sources of engine/, protocol/, tools/ and tests/
 *    (comments skipped) and the shell scripts of tests/integration.  A
 *    token is "used" where:
 *      - it is a string literal in the reason argument of a call to a
 *        function whose declaration (in engine/, protocol/ or tools/) names
 *        a parameter "char *reason": eb_fail(), and every helper that
 *        passes a reason on (fail_ssl(), stop_parser(), ...);
 *      - it is assigned to a variable or member named reason
 *        (reason = "unknown-ca"; .reason = "...");
 *      - it follows a ".reason" or "->reason" argument: strcmp(e->reason,
 *        "tok"), snprintf(e->reason, sizeof(e->reason), "tok"),
 *        assert_string_equal(err.reason, "tok");
 *      - it is written reason="tok" inside a string or a shell script.
 *    Fails when a used token is not registered (or not a token), when a
 *    registered token is produced nowhere in engine/, protocol/ or tools/,
 *    or when a call passes a literal EB_ERR_* code beside a token that is
 *    not of the class the registry gives the token.
 *
 * Also checks that eb_error_status() answers the registry's status, and
 * that the console (tools/console/strings.xml) gives every registered
 * token a Chinese label "why:TOKEN" and labels no unregistered one.
 *
 * Usage: reason_registry SOURCE_DIR [--list].  Exit 0 when clean, 1 with
 * each finding on stderr.  --list prints every used token with its codes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/err.h"
#include "protocol/reasons.h"

#include "csource.h"

struct use {
	char token[64];
	char where[512];
	int code;       /* a literal EB_ERR_* beside it, or 1 when none */
	int produced;   /* in engine/, protocol/ or tools/ (not tests/) */
};

static struct use *uses;
static size_t nuses, capuses;
static struct fn fns[64];
static size_t nfns;
static int bad;

static const struct {
	const char *name;
	int code;
} codes[] = {
#define C(x) { #x, x }
	C(EB_AGAIN), C(EB_ERR_INTERNAL), C(EB_ERR_NOMEM), C(EB_ERR_LIMIT),
	C(EB_ERR_FORMAT), C(EB_ERR_STATE), C(EB_ERR_DENIED), C(EB_ERR_DB),
	C(EB_ERR_CRYPTO), C(EB_ERR_NOTFOUND), C(EB_ERR_CONFLICT),
	C(EB_ERR_RULE), C(EB_ERR_TIME), C(EB_ERR_IO), C(EB_ERR_USAGE),
#undef C
};

/* [a-z0-9]+(-[a-z0-9]+)*, at most 47 bytes: what error.xsd accepts. */
static int
is_token(const char *s, size_t n)
{
	if (n == 0 || n > 47 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
			continue;
		if (s[i] == '-' && s[i + 1] != '-')
			continue;
		return 0;
	}
	return 1;
}

static void
add_use(const char *s, size_t n, const char *path, int line, int code,
    int produced)
{
	struct use *u;

	if (nuses == capuses) {
		struct use *grown;

		capuses = capuses ? capuses * 2 : 1024;
		if ((grown = realloc(uses, capuses * sizeof(*uses))) == NULL)
			exit(2);
		uses = grown;
	}
	u = &uses[nuses++];
	snprintf(u->token, sizeof(u->token), "%.*s", (int)(n < 63 ? n : 63),
	    s);
	snprintf(u->where, sizeof(u->where), "%s:%d", path, line);
	u->code = code;
	u->produced = produced;
	if (!is_token(s, n) && !produced) {
		nuses--;   /* a test feeding a bad reason on purpose */
		return;
	}
	if (!is_token(s, n)) {
		fprintf(stderr, "%s: \"%s\" is in a reason's place but is no "
		    "reason token ([a-z0-9]+(-[a-z0-9]+)*, at most 47 bytes)\n",
		    u->where, u->token);
		bad = 1;
	}
}

static int
literal_code(const struct tok *t, size_t from, size_t to)
{
	if (to != from + 1 || t[from].kind != T_IDENT)
		return 1;
	for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++)
		if (is(&t[from], codes[c].name))
			return codes[c].code;
	return 1;
}

/* Every reason="tok" written inside 's' (a string or a script). */
static void
scan_attr(const char *s, size_t n, const char *path, int line, int produced)
{
	static const char *const quote[] = { "\\\"", "\"", "'" };

	for (size_t i = 0; i + 7 < n; i++) {
		if (memcmp(s + i, "reason=", 7) != 0 ||
		    (i > 0 && (isalnum((unsigned char)s[i - 1]) ||
		    s[i - 1] == '-' || s[i - 1] == '_')))
			continue;
		for (size_t q = 0; q < 3; q++) {
			size_t ql = strlen(quote[q]), b = i + 7 + ql, e;

			if (b > n || memcmp(s + i + 7, quote[q], ql) != 0)
				continue;
			for (e = b; e < n && (islower((unsigned char)s[e]) ||
			    isdigit((unsigned char)s[e]) || s[e] == '-'); e++)
				;
			if (e > b && e < n && memchr("\\\"'", s[e], 3) != NULL)
				add_use(s + b, e - b, path, line, 1, produced);
			break;
		}
	}
}

static void
scan_c(const char *path, const char *rel, int produced)
{
	char *text = slurp(path);
	size_t n, i;
	struct tok *t = lex(text, &n);

	for (i = 0; i < n; i++) {
		if (t[i].kind == T_STRING) {
			scan_attr(t[i].s, t[i].n, rel, t[i].line, produced);
			continue;
		}
		if (t[i].kind != T_IDENT)
			continue;
		/* reason = "tok" ... ; */
		if (is(&t[i], "reason") && i + 1 < n && is(&t[i + 1], "=")) {
			for (size_t j = i + 2; j < n && !is(&t[j], ";") &&
			    !is(&t[j], ","); j++)
				if (t[j].kind == T_STRING)
					add_use(t[j].s, t[j].n, rel, t[j].line,
					    1, produced);
			continue;
		}
		/* x.reason, "tok" and sizeof(x->reason), "tok" */
		if (is(&t[i], "reason") && i > 0 && (is(&t[i - 1], ".") ||
		    is(&t[i - 1], "->"))) {
			size_t j = i + 1;

			if (j < n && is(&t[j], ")"))
				j++;
			if (j + 1 < n && is(&t[j], ",") &&
			    t[j + 1].kind == T_STRING &&
			    !(t[j + 1].n > 0 && t[j + 1].s[0] == '%'))
				add_use(t[j + 1].s, t[j + 1].n, rel,
				    t[j + 1].line, 1, produced);
			continue;
		}
		/* a call to a function that takes a reason */
		if (i + 1 >= n || !is(&t[i + 1], "("))
			continue;
		for (size_t f = 0; f < nfns; f++) {
			size_t start, end, pstart, pend;
			int code = 1;

			if (!is(&t[i], fns[f].name) ||
			    !call_arg(t, n, i + 1, fns[f].arg, &start, &end))
				continue;
			/* the code argument just before the reason */
			if (fns[f].arg > 0 && call_arg(t, n, i + 1,
			    fns[f].arg - 1, &pstart, &pend))
				code = literal_code(t, pstart, pend);
			for (size_t k = start; k < end; k++)
				if (t[k].kind == T_STRING)
					add_use(t[k].s, t[k].n, rel,
					    t[k].line, code, produced);
			break;
		}
	}
	free(t);
	free(text);
}

static void
scan_sh(const char *path, const char *rel)
{
	char *text = slurp(path), *p = text, *nl;
	int line = 1;

	for (; *p != '\0'; p = nl + 1, line++) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		scan_attr(p, (size_t)(nl - p), rel, line, 0);
		if (*nl == '\0')
			break;
	}
	free(text);
}

static void
learn_file(const char *path, const char *rel, int produced)
{
	char *text = slurp(path);
	size_t n;
	struct tok *t = lex(text, &n);

	(void)rel;
	(void)produced;
	if (learn(t, n, "reason", fns, &nfns, sizeof(fns) / sizeof(fns[0])) != 0)
		bad = 1;
	free(t);
	free(text);
}

static void
sh_file(const char *path, const char *rel, int produced)
{
	(void)produced;
	scan_sh(path, rel);
}

/* Is 'name' one of the ','-separated names of 'class' ("-": any)? */
static int
in_class(const char *class, const char *name)
{
	size_t n = strlen(name);

	if (strcmp(class, "-") == 0)
		return 1;
	for (const char *p = class; p != NULL; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* The status of a failure comes from the registry (eb_error_status). */
static void
check_status(const char *reason, int code, int want)
{
	struct eb_error e;
	int got;

	eb_fail(&e, code, reason, NULL, "test");
	if ((got = eb_error_status(&e)) != want) {
		fprintf(stderr, "eb_error_status(%s, %s) is %d, not %d\n",
		    reason, eb_strerror(code), got, want);
		bad = 1;
	}
}

/*
 * eb_reason_find() gives every registered token its own entry (the same
 * as eb_reason_at() in registry order: a token registered twice fails
 * here), and nothing for what is not a token: the empty string, a
 * token's proper prefix, a token with a letter more, names before the
 * first and after the last.
 */
static void
check_find(void)
{
	size_t i, n = eb_reason_count();
	char buf[128];

	if (n < 2) {
		fprintf(stderr, "the registry has %zu tokens\n", n);
		bad = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct eb_reason *r = eb_reason_at(i);
		size_t len = strlen(r->token);

		if (eb_reason_find(r->token) != r) {
			fprintf(stderr, "eb_reason_find(%s) is not entry %zu\n",
			    r->token, i);
			bad = 1;
		}
		if (len + 2 > sizeof(buf))
			continue;
		memcpy(buf, r->token, len);
		buf[len] = 'z';
		buf[len + 1] = '\0';
		if (eb_reason_find(buf) != NULL) {
			fprintf(stderr, "eb_reason_find(%s) found something\n",
			    buf);
			bad = 1;
		}
		buf[len - 1] = '\0';
		if (eb_reason_find(buf) != NULL &&
		    strcmp(eb_reason_find(buf)->token, buf) != 0) {
			fprintf(stderr, "eb_reason_find(%s) is %s\n", buf,
			    eb_reason_find(buf)->token);
			bad = 1;
		}
	}
	if (eb_reason_find("") != NULL || eb_reason_find(NULL) != NULL ||
	    eb_reason_find("0") != NULL || eb_reason_find("~") != NULL) {
		fprintf(stderr, "eb_reason_find() found a non-token\n");
		bad = 1;
	}
}

static const char *const produced_dirs[] = { "engine", "protocol", "tools" };

int
main(int argc, char **argv)
{
	int list = argc == 3 && strcmp(argv[2], "--list") == 0;
	size_t i, r, k;

	if (argc != 2 && !list) {
		fprintf(stderr, "usage: reason_registry SOURCE_DIR [--list]\n");
		return 2;
	}
	check_find();
	/* registered 415 though its code is format (400) */
	check_status("unsupported-media-type", EB_ERR_FORMAT, 415);
	/* registered with status "-": the code's */
	check_status("not-a-custodian", EB_ERR_DENIED, 403);
	check_status("not-a-custodian", EB_ERR_RULE, 422);
	/* not registered: the code's */
	check_status("no-such-reason-anywhere", EB_ERR_STATE, 409);
	check_status("not-allowed-in-state", EB_ERR_STATE, 409);
	for (i = 0; i < 3; i++)
		walk(argv[1], produced_dirs[i], "c", 1, learn_file);
	for (k = 0; k < nfns && strcmp(fns[k].name, "eb_fail") != 0; k++)
		;
	if (k == nfns) {
		fprintf(stderr, "eb_fail() has no reason parameter?\n");
		return 2;
	}
	for (i = 0; i < 3; i++)
		walk(argv[1], produced_dirs[i], "c", 1, scan_c);
	walk(argv[1], "tests", "c", 0, scan_c);
	walk(argv[1], "tests/integration", "s", 0, sh_file);

	if (list) {
		for (k = 0; k < nfns; k++)
			fprintf(stderr, "takes a reason: %s (argument %d)\n",
			    fns[k].name, fns[k].arg);
		for (i = 0; i < nuses; i++)
			printf("%s %s %s %s\n", uses[i].token,
			    uses[i].code == 1 ? "-" :
			    eb_strerror(uses[i].code), uses[i].where,
			    uses[i].produced ? "src" : "test");
		return 0;
	}
	for (i = 0; i < nuses; i++) {
		const struct eb_reason *reg = eb_reason_find(uses[i].token);

		if (reg == NULL) {
			fprintf(stderr, "%s: reason \"%s\" is not registered "
			    "in protocol/reasons.txt\n", uses[i].where,
			    uses[i].token);
			bad = 1;
		} else if (uses[i].code != 1 &&
		    !in_class(reg->code, eb_strerror(uses[i].code))) {
			fprintf(stderr, "%s: reason \"%s\" with code %s, but "
			    "protocol/reasons.txt gives it the code %s\n",
			    uses[i].where, uses[i].token,
			    eb_strerror(uses[i].code), reg->code);
			bad = 1;
		}
	}
	for (r = 0; r < eb_reason_count(); r++) {
		const struct eb_reason *reg = eb_reason_at(r);

		for (i = 0; i < nuses; i++)
			if (uses[i].produced &&
			    strcmp(uses[i].token, reg->token) == 0)
				break;
		if (i == nuses) {
			fprintf(stderr, "protocol/reasons.txt: \"%s\" is "
			    "registered but no code in engine/, protocol/ or "
			    "tools/ gives it\n", reg->token);
			bad = 1;
		}
	}
	/* the people's desk names every refusal in Chinese */
	{
		char path[4096];
		char *labels;

		snprintf(path, sizeof(path), "%s/tools/console/strings.xml",
		    argv[1]);
		labels = slurp(path);
		for (r = 0; r < eb_reason_count(); r++) {
			const struct eb_reason *reg = eb_reason_at(r);
			char want[96];
			const char *at;

			snprintf(want, sizeof(want), "id=\"why:%s\" zh=\"",
			    reg->token);
			if ((at = strstr(labels, want)) == NULL ||
			    at[strlen(want)] == '"') {
				fprintf(stderr, "tools/console/strings.xml: "
				    "\"%s\" has no Chinese label (add <s "
				    "id=\"why:%s\" zh=\"...\"/>)\n",
				    reg->token, reg->token);
				bad = 1;
			}
		}
		for (const char *at = labels; (at = strstr(at, "id=\"why:")) !=
		    NULL;) {
			char tok[64];
			size_t n;

			at += strlen("id=\"why:");
			n = strcspn(at, "\"");
			snprintf(tok, sizeof(tok), "%.*s", (int)n, at);
			if (eb_reason_find(tok) == NULL) {
				fprintf(stderr, "tools/console/strings.xml: "
				    "label why:%s names no registered reason\n",
				    tok);
				bad = 1;
			}
		}
		free(labels);
	}
	if (nuses < 300) {
		fprintf(stderr, "only %zu reasons found: is the scan broken?\n",
		    nuses);
		bad = 1;
	}
	if (bad)
		return 1;
	printf("%zu uses of %zu registered reasons, %zu functions take a "
	    "reason: all registered, all used\n", nuses, eb_reason_count(),
	    nfns);
	return 0;
}
