/*
 * engine/server/envstore.h
 *    The content-addressed store of sealed envelopes (issue 18,
 *    docs/bigbids.md): a large bid's envelope lives outside its log
 *    entry, as the file DIR/ab/abcdef...  (the lower-case hex SHA-256 of
 *    its bytes, sharded by the first two digits); the entry's signed
 *    submit-bid names it by hash and size.  DIR is the `envelope_dir`
 *    setting (var/envelopes by default), a local folder or one every
 *    ebidd of the centre mounts (the decision for several ebidd is in
 *    docs/bigbids.md).  A file is only ever created whole, by rename after
 *    fsync, and never changed; the same bytes stored twice are one file.
 *
 * Owns: the folder's layout.  Blocking file I/O: call from a worker or
 * for a stat only on the loop.
 *
 * INTERFACE
 *    eb_envstore_prepare() - make DIR and DIR/uploads
 *    eb_envstore_path()    - the path of an envelope by hash
 *    eb_envstore_has()     - is it stored, with this size?
 *    eb_envstore_commit()  - fsync a finished file and rename it in place
 *    eb_envstore_touch()   - set an envelope's time to now (a command
 *                            named it: the sweep, upload.c, waits again)
 */
#ifndef EB_SERVER_ENVSTORE_H
#define EB_SERVER_ENVSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/err.h"

/* The folder of partial uploads inside the store. */
#define EB_ENVSTORE_UPLOADS "uploads"

int eb_envstore_prepare(const char *dir, struct eb_error *err) EB_MUSTCHECK;
/* 'hex': 64 lower-case hex digits (checked: -1 otherwise). */
int eb_envstore_path(const char *dir, const char *hex, char *buf,
    size_t cap);
/* 1 when stored with exactly 'size' bytes, 0 when not, -1 on a bad hash. */
int eb_envstore_has(const char *dir, const char *hex, int64_t size);
/*
 * fsync 'fd' (the finished file at 'from'), rename it to the store path of
 * 'hex' and fsync both folders.  EB_ERR_IO with 'err' on failure.
 */
int eb_envstore_commit(const char *dir, int fd, const char *from,
    const char *hex, struct eb_error *err) EB_MUSTCHECK;
/* 0, or -1 with errno (ENOENT: not stored; EINVAL: a bad hash). */
int eb_envstore_touch(const char *dir, const char *hex);

#endif
