/*
 * tools/fileio.c
 *    Whole-file reads and writes: see fileio.h.
 */
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
eb_file_read(const char *path, size_t max, struct eb_buf *out,
    struct eb_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = EB_OK;

	if (f == NULL)
		return eb_fail(err, EB_ERR_IO, "cannot-read",
		    "Give the path of an existing, readable file.",
		    "cannot read %s: %s", path, strerror(errno));
	out->max = max;
	while (rc == EB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (eb_buf_append(out, chunk, n) != EB_OK)
			rc = eb_fail(err, EB_ERR_LIMIT, "file-too-large", NULL,
			    "%s is larger than %zu bytes", path, max);
	if (rc == EB_OK && ferror(f))
		rc = eb_fail(err, EB_ERR_IO, "cannot-read", NULL,
		    "cannot read %s", path);
	fclose(f);
	return rc;
}

int
eb_file_write(const char *path, const void *p, size_t n,
    struct eb_error *err)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n) {
		if (f != NULL)
			fclose(f);
		return eb_fail(err, EB_ERR_IO, "cannot-write", NULL,
		    "cannot write %s: %s", path, strerror(errno));
	}
	if (fclose(f) != 0)
		return eb_fail(err, EB_ERR_IO, "cannot-write", NULL,
		    "cannot write %s: %s", path, strerror(errno));
	return EB_OK;
}
