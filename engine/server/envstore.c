/*
 * engine/server/envstore.c
 *    The content-addressed envelope store (envstore.h).
 */
#include "engine/server/envstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
good_hex(const char *hex)
{
	if (hex == NULL || strlen(hex) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		    (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	return 1;
}

/* mkdir -p for one or two levels below an existing parent. */
static int
mkdir_p(const char *path)
{
	char tmp[1024];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

static int
fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
eb_envstore_prepare(const char *dir, struct eb_error *err)
{
	char up[1024];

	snprintf(up, sizeof(up), "%s/%s", dir, EB_ENVSTORE_UPLOADS);
	if (mkdir_p(dir) != 0 || mkdir_p(up) != 0)
		return eb_fail(err, EB_ERR_IO, "envelope-store-unusable",
		    "Set envelope_dir to a folder ebidd may write.",
		    "cannot make %s: %s", up, strerror(errno));
	return EB_OK;
}

int
eb_envstore_path(const char *dir, const char *hex, char *buf, size_t cap)
{
	if (!good_hex(hex))
		return -1;
	return (size_t)snprintf(buf, cap, "%s/%.2s/%s", dir, hex, hex) < cap ?
	    0 : -1;
}

int
eb_envstore_has(const char *dir, const char *hex, int64_t size)
{
	char path[1024];
	struct stat st;

	if (eb_envstore_path(dir, hex, path, sizeof(path)) != 0)
		return -1;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (int64_t)st.st_size == size;
}

int
eb_envstore_commit(const char *dir, int fd, const char *from,
    const char *hex, struct eb_error *err)
{
	char path[1024], shard[1024], up[1024];

	if (eb_envstore_path(dir, hex, path, sizeof(path)) != 0)
		return eb_fail(err, EB_ERR_INTERNAL, "bad-hash", NULL,
		    "not a SHA-256: %.70s", hex);
	snprintf(shard, sizeof(shard), "%s/%.2s", dir, hex);
	snprintf(up, sizeof(up), "%s/%s", dir, EB_ENVSTORE_UPLOADS);
	if (fsync(fd) != 0 || mkdir_p(shard) != 0 || fsync_dir(dir) != 0 ||
	    rename(from, path) != 0 || fsync_dir(shard) != 0 ||
	    fsync_dir(up) != 0)
		return eb_fail(err, EB_ERR_IO, "envelope-store-failed",
		    "Check the envelope store's disk.",
		    "cannot store envelope %s: %s", hex, strerror(errno));
	return EB_OK;
}

int
eb_envstore_touch(const char *dir, const char *hex)
{
	char path[1024];

	if (eb_envstore_path(dir, hex, path, sizeof(path)) != 0) {
		errno = EINVAL;
		return -1;
	}
	return utimensat(AT_FDCWD, path, NULL, 0);
}
