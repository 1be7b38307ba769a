/*
 * tests/unit/csource.c
 *    See csource.h.
 */
#include "csource.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (text = calloc(1, (size_t)len + 1)) == NULL ||
	    fread(text, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	return text;
}

/* Split a C text into identifiers, string literals and punctuation. */
struct tok *
lex(const char *text, size_t *count)
{
	struct tok *t = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;
	int line = 1;

	while (*p != '\0') {
		struct tok k = { T_OTHER, p, 1, line };

		if (*p == '\n') {
			line++;
			p++;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			e = e != NULL ? e + 2 : p + strlen(p);
			for (; p < e; p++)
				line += *p == '\n';
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			while (*p != '\0' && *p != '\n')
				p++;
			continue;
		}
		if (*p == '#') {   /* a preprocessor line, with continuations */
			while (*p != '\0' && *p != '\n') {
				if (*p == '\\' && p[1] == '\n') {
					line++;
					p++;
				}
				p++;
			}
			continue;
		}
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			k.kind = q == '"' ? T_STRING : T_OTHER;
			k.s = p;
			while (*p != '\0' && *p != q && *p != '\n') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			k.n = (size_t)(p - k.s);
			if (*p == q)
				p++;
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			k.kind = T_IDENT;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			k.n = (size_t)(p - k.s);
		} else if (isdigit((unsigned char)*p)) {
			while (isalnum((unsigned char)*p) || *p == '.')
				p++;
			k.n = (size_t)(p - k.s);
		} else {
			k.kind = T_PUNCT;
			k.n = p[0] == '-' && p[1] == '>' ? 2 :
			    p[0] == '=' && p[1] == '=' ? 2 : 1;
			p += k.n;
		}
		if (n == cap) {
			struct tok *grown;

			cap = cap ? cap * 2 : 4096;
			if ((grown = realloc(t, cap * sizeof(*t))) == NULL)
				exit(2);
			t = grown;
		}
		t[n++] = k;
	}
	*count = n;
	return t;
}

int
is(const struct tok *k, const char *s)
{
	return k->n == strlen(s) && memcmp(k->s, s, k->n) == 0;
}

/* The index past the ')' that closes the '(' at t[i]. */
size_t
close_paren(const struct tok *t, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		if (t[i].kind != T_PUNCT)
			continue;
		if (is(&t[i], "(") || is(&t[i], "[") || is(&t[i], "{"))
			depth++;
		else if (is(&t[i], ")") || is(&t[i], "]") || is(&t[i], "}"))
			if (--depth == 0)
				return i + 1;
	}
	return n;
}

int
call_arg(const struct tok *t, size_t n, size_t open, int k, size_t *start,
    size_t *end)
{
	size_t last = close_paren(t, n, open) - 1, j, from = open + 1;
	int arg = 0, depth = 0;

	for (j = open + 1; j <= last; j++) {
		int sep = j == last || (depth == 0 && is(&t[j], ","));

		if (is(&t[j], "(") || is(&t[j], "["))
			depth++;
		else if (j < last && (is(&t[j], ")") || is(&t[j], "]")))
			depth--;
		if (!sep)
			continue;
		if (arg == k) {
			*start = from;
			*end = j;
			return 1;
		}
		arg++;
		from = j + 1;
	}
	return 0;
}

int
learn(const struct tok *t, size_t n, const char *param, struct fn *fns,
    size_t *nfns, size_t cap)
{
	int rc = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		size_t end, j, f;
		int arg = 0, depth = 0;

		if (t[i].kind != T_IDENT || !is(&t[i + 1], "("))
			continue;
		end = close_paren(t, n, i + 1);
		for (j = i + 2; j + 2 < end; j++) {
			if (is(&t[j], "(") || is(&t[j], "["))
				depth++;
			else if (is(&t[j], ")") || is(&t[j], "]"))
				depth--;
			else if (depth == 0 && is(&t[j], ","))
				arg++;
			if (depth == 0 && is(&t[j], "char") &&
			    is(&t[j + 1], "*") && is(&t[j + 2], param))
				break;
		}
		if (j + 2 >= end)
			continue;
		for (f = 0; f < *nfns; f++)
			if (is(&t[i], fns[f].name))
				break;
		if (f < *nfns) {
			if (fns[f].arg != arg) {
				fprintf(stderr, "%.*s: a %s parameter at %d and "
				    "at %d\n", (int)t[i].n, t[i].s, param,
				    fns[f].arg, arg);
				rc = -1;
			}
			continue;
		}
		if (*nfns == cap || t[i].n >= sizeof(fns[0].name))
			exit(2);
		snprintf(fns[*nfns].name, sizeof(fns[*nfns].name), "%.*s",
		    (int)t[i].n, t[i].s);
		fns[(*nfns)++].arg = arg;
	}
	return rc;
}

void
walk(const char *src, const char *rel, const char *ext, int produced,
    visit_fn fn)
{
	char path[8192], sub[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%.2000s/%.1000s", rel, de->d_name);
		snprintf(path, sizeof(path), "%.4000s/%.4000s", src, sub);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(src, sub, ext, produced, fn);
			continue;
		}
		if (strchr(ext, 'c') != NULL && n > 2 &&
		    (strcmp(de->d_name + n - 2, ".c") == 0 ||
		    strcmp(de->d_name + n - 2, ".h") == 0))
			fn(path, sub, produced);
		else if (strchr(ext, 's') != NULL && n > 3 &&
		    strcmp(de->d_name + n - 3, ".sh") == 0)
			fn(path, sub, produced);
	}
	closedir(d);
}
