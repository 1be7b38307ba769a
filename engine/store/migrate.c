/*
 * engine/store/migrate.c
 *    Schema migrations: schema/NNNN_name.sql applied once each, in name
 *    order, recorded in schema_migrations (version, name, sha256).
 *
 * Runs with blocking libpq before ebidd's loop starts (and for
 * `ebidd --migrate`).  An advisory lock serializes concurrent starters;
 * each file runs in its own transaction with its record, so a failed file
 * leaves nothing behind.  A file whose bytes changed after it was applied
 * is refused: migrations are history, never edited.
 *
 * The running server may connect as a role that cannot create tables
 * (ebid_app, schema/0003_roles.sql): it then only checks, with
 * eb_store_migrations_pending(), that the owner has applied every file.
 *
 * INTERFACE
 *    eb_store_migrate()            - see store.h
 *    eb_store_migrations_pending() - see store.h
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "engine/store/store.h"
#include "protocol/buf.h"
#include "protocol/hash.h"
#include "protocol/mem.h"

#define EB_MIGRATE_LOCK 0x45424944  /* "EBID" */
#define EB_MIGRATION_MAX ((size_t)4 << 20)

static int
is_migration_name(const char *n)
{
	size_t len = strlen(n);

	if (len < 10)
		return 0;
	for (int i = 0; i < 4; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	return n[4] == '_' && strcmp(n + len - 4, ".sql") == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_file(const char *path, struct eb_buf *out, struct eb_error *err)
{
	FILE *f = NULL;
	char chunk[8192];
	size_t n;
	int rc = EB_OK;

	out->max = EB_MIGRATION_MAX;
	if ((f = fopen(path, "rb")) == NULL)
		return eb_fail(err, EB_ERR_IO, "migration-unreadable",
		    "Check the schema_dir setting and the file's permissions.",
		    "cannot read migration %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if ((rc = eb_buf_append(out, chunk, n)) != EB_OK) {
			rc = eb_fail(err, EB_ERR_LIMIT, "migration-too-large",
			    NULL, "migration %s is larger than 4 MiB", path);
			break;
		}
	}
	fclose(f);
	return rc;
}

static int
pg_fail(struct eb_error *err, PGconn *c, const PGresult *r, const char *what)
{
	const char *m = r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c);
	char msg[512];
	size_t l;

	snprintf(msg, sizeof(msg), "%s", m != NULL ? m : "");
	l = strlen(msg);
	while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
		msg[--l] = '\0';
	return eb_fail(err, EB_ERR_DB, "migration-failed",
	    "Fix the database or the migration and start ebidd again.",
	    "%s: %s", what, msg);
}

static int
exec_ok(PGconn *c, const char *sql, struct eb_error *err, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int rc = EB_OK;
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_fail(err, c, r, what);
	PQclear(r);
	return rc;
}

/* 1 applied with the same digest, 0 not applied, <0 error / changed. */
static int
applied_state(PGconn *c, const char *version, const char *sha_hex,
    struct eb_error *err)
{
	const char *vals[1] = { version };
	PGresult *r = PQexecParams(c,
	    "SELECT sha256 FROM schema_migrations WHERE version = $1",
	    1, NULL, vals, NULL, NULL, 0);
	int rc;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = pg_fail(err, c, r, "reading schema_migrations");
	} else if (PQntuples(r) == 0) {
		rc = 0;
	} else if (strcmp(PQgetvalue(r, 0, 0), sha_hex) != 0) {
		rc = eb_fail(err, EB_ERR_STATE, "migration-changed",
		    "Never edit an applied migration: add a new numbered file.",
		    "migration %s was changed after it was applied", version);
	} else {
		rc = 1;
	}
	PQclear(r);
	return rc;
}

/*
 * apply = 1: apply what is missing, *count = files applied now.
 * apply = 0: change nothing, *count = files not yet applied.
 */
static int
migrate_run(const char *conninfo, const char *schema_dir, int apply,
    int *count, struct eb_error *err)
{
	PGconn *c = NULL;
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct eb_buf sql = EB_BUF_INIT;
	char path[4096], version[8], sha[EB_SHA256_HEX];
	int rc = EB_ERR_INTERNAL, locked = 0;

	*count = 0;
	if ((d = opendir(schema_dir)) == NULL) {
		rc = eb_fail(err, EB_ERR_IO, "schema-dir-unreadable",
		    "Set schema_dir to the folder holding schema/NNNN_*.sql.",
		    "cannot open schema folder %s: %s", schema_dir,
		    strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_migration_name(de->d_name))
			continue;
		if (nnames == cap) {
			cap = cap ? cap * 2 : 16;
			names = eb_realloc(names, cap * sizeof(*names));
		}
		names[nnames++] = eb_strdup(de->d_name);
	}
	if (nnames == 0) {
		rc = eb_fail(err, EB_ERR_IO, "no-migrations",
		    "Set schema_dir to the folder holding schema/NNNN_*.sql.",
		    "no NNNN_*.sql migration in %s", schema_dir);
		goto out;
	}
	qsort(names, nnames, sizeof(*names), cmp_names);

	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = pg_fail(err, c, NULL, "cannot connect to the database");
		goto out;
	}
	if ((rc = exec_ok(c, "SET client_min_messages = warning", err,
	    "session setup")) != EB_OK)
		goto out;
	if (!apply) {
		PGresult *r = PQexec(c, "SELECT to_regclass('schema_migrations')"
		    " IS NOT NULL");
		int has;

		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = pg_fail(err, c, r, "looking for schema_migrations");
			PQclear(r);
			goto out;
		}
		has = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		PQclear(r);
		if (!has) {
			*count = (int)nnames;
			rc = EB_OK;
			goto out;
		}
	} else {
		char lock[96];
		snprintf(lock, sizeof(lock), "SELECT pg_advisory_lock(%d)",
		    EB_MIGRATE_LOCK);
		if ((rc = exec_ok(c, lock, err, "migration lock")) != EB_OK)
			goto out;
		locked = 1;
		if ((rc = exec_ok(c,
		    "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    " version text PRIMARY KEY, name text NOT NULL,"
		    " sha256 text NOT NULL,"
		    " applied timestamptz NOT NULL DEFAULT now())",
		    err, "creating schema_migrations")) != EB_OK)
			goto out;
	}

	for (size_t i = 0; i < nnames; i++) {
		const char *vals[3];
		PGresult *r;
		int st;

		snprintf(path, sizeof(path), "%s/%s", schema_dir, names[i]);
		eb_buf_reset(&sql);
		if ((rc = read_file(path, &sql, err)) != EB_OK)
			goto out;
		eb_sha256_hex(sql.data, sql.len, sha);
		memcpy(version, names[i], 4);
		version[4] = '\0';
		if ((st = applied_state(c, version, sha, err)) < 0) {
			rc = st;
			goto out;
		}
		if (st == 1)
			continue;
		if (!apply) {
			(*count)++;
			continue;
		}
		if ((rc = exec_ok(c, "BEGIN", err, "BEGIN")) != EB_OK)
			goto out;
		if ((rc = exec_ok(c, eb_buf_str(&sql), err, names[i])) != EB_OK) {
			PQclear(PQexec(c, "ROLLBACK"));
			goto out;
		}
		vals[0] = version;
		vals[1] = names[i];
		vals[2] = sha;
		r = PQexecParams(c, "INSERT INTO schema_migrations"
		    " (version, name, sha256) VALUES ($1, $2, $3)",
		    3, NULL, vals, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = pg_fail(err, c, r, "recording the migration");
			PQclear(r);
			PQclear(PQexec(c, "ROLLBACK"));
			goto out;
		}
		PQclear(r);
		if ((rc = exec_ok(c, "COMMIT", err, names[i])) != EB_OK)
			goto out;
		(*count)++;
	}
	rc = EB_OK;
out:
	if (locked && c != NULL && PQstatus(c) == CONNECTION_OK)
		PQclear(PQexec(c, "SELECT pg_advisory_unlock_all()"));
	if (c != NULL)
		PQfinish(c);
	if (d != NULL)
		closedir(d);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	eb_buf_free(&sql);
	return rc;
}

int
eb_store_migrate(const char *conninfo, const char *schema_dir, int *applied,
    struct eb_error *err)
{
	return migrate_run(conninfo, schema_dir, 1, applied, err);
}

int
eb_store_migrations_pending(const char *conninfo, const char *schema_dir,
    int *pending, struct eb_error *err)
{
	return migrate_run(conninfo, schema_dir, 0, pending, err);
}
