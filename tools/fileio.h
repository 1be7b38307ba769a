/*
 * tools/fileio.h
 *    Whole-file reads and writes for the tools (ebid, ebid-audit), with a
 *    size bound and errors in plain words.
 */
#ifndef EB_FILEIO_H
#define EB_FILEIO_H

#include <stddef.h>

#include "protocol/buf.h"
#include "protocol/err.h"

/*
 * Append the whole file 'path' to 'out' (its max set to 'max').  Returns
 * EB_OK, EB_ERR_IO ("cannot-read") or EB_ERR_LIMIT ("file-too-large").
 */
int eb_file_read(const char *path, size_t max, struct eb_buf *out,
    struct eb_error *err) EB_MUSTCHECK;
/* Write 'n' bytes to 'path' (created or truncated). EB_ERR_IO on failure. */
int eb_file_write(const char *path, const void *p, size_t n,
    struct eb_error *err) EB_MUSTCHECK;

#endif
