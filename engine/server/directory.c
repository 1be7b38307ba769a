/*
 * engine/server/directory.c
 *    The centre's certificate directory and its server certificates: see
 *    directory.h.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "engine/server/directory.h"
#include "engine/server/log.h"
#include "engine/server/server.h"
#include "protocol/hash.h"
#include "protocol/pki.h"
#include "protocol/mem.h"

struct eb_directory {
	struct eb_server *srv;
	char path[512];              /* the folder of NAME.crt */
	/* the certificates that may act as the system role: ebidd's own and
	 * the other servers of the centre (config system_certs) */
	X509 *servers[EB_SERVERS_MAX];
	size_t nservers;
};

/* -- the directory ------------------------------------------------------ */

X509 *
eb_directory_cert(struct eb_server *srv, const char *party, enum eb_role role,
    struct eb_error *e)
{
	struct eb_directory *dir = srv->directory;
	struct eb_actor who;
	char path[1024];
	X509 *x;

	if (strchr(party, '/') != NULL || party[0] == '.') {
		eb_fail(e, EB_ERR_FORMAT, "bad-party", NULL, "bad party id %s",
		    party);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s.crt", dir->path, party);
	if ((x = eb_pem_cert_load(path, e)) == NULL)
		return NULL;
	if (eb_trust_check(srv->trust, x, eb_clock_now(&srv->clock), e) !=
	    EB_OK || eb_actor_from_cert(x, &who, e) != EB_OK ||
	    strcmp(who.party, party) != 0 || who.role != role) {
		if (e->code == 0)
			eb_fail(e, EB_ERR_DENIED, "directory-mismatch", NULL,
			    "the directory's certificate for %s is not a %s's",
			    party, eb_role_name(role));
		X509_free(x);
		return NULL;
	}
	return x;
}


/* -- who may act as the system ------------------------------------------ */

int
eb_directory_is_server(const struct eb_server *srv, X509 *cert)
{
	const struct eb_directory *dir = srv->directory;

	if (dir == NULL || cert == NULL)
		return 0;
	for (size_t i = 0; i < dir->nservers; i++)
		if (X509_cmp(dir->servers[i], cert) == 0)
			return 1;
	return 0;
}

static void
server_recorded(int rc, const struct eb_error *e, void *arg)
{
	(void)arg;
	if (rc != EB_OK)
		eb_log_e(EB_LOG_ERROR, e, "cannot record a server certificate "
		    "in the servers table");
}

/* Record every server certificate in the database (once each). */
static void
record_servers(struct eb_directory *dir)
{
	for (size_t i = 0; i < dir->nservers; i++) {
		uint8_t *der = NULL, fp[EB_SHA256_LEN];
		char subject[512];
		int len = i2d_X509(dir->servers[i], &der);

		if (len <= 0)
			continue;
		eb_sha256(der, (size_t)len, fp);
		X509_NAME_oneline(X509_get_subject_name(dir->servers[i]),
		    subject, sizeof(subject));
		if (eb_store_record_server(dir->srv->store, der, (size_t)len, fp,
		    subject, server_recorded, NULL) != EB_OK)
			eb_log(EB_LOG_ERROR, "cannot queue the server "
			    "certificate %s", subject);
		OPENSSL_free(der);
	}
}

/* Load the other server certificates of the centre: "a.crt, b.crt". */
static int
load_servers(struct eb_directory *dir, struct eb_error *err)
{
	struct eb_server *srv = dir->srv;
	char list[4096], *tok, *save = NULL;

	X509_up_ref(srv->cert);
	dir->servers[dir->nservers++] = srv->cert;
	if (srv->cfg->system_certs == NULL || *srv->cfg->system_certs == '\0')
		return EB_OK;
	snprintf(list, sizeof(list), "%s", srv->cfg->system_certs);
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		struct eb_actor who;
		X509 *x;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		for (char *e = tok + strlen(tok); e > tok && (e[-1] == ' ' ||
		    e[-1] == '\t'); )
			*--e = '\0';
		if (*tok == '\0')
			continue;
		if (dir->nservers == EB_SERVERS_MAX)
			return eb_fail(err, EB_ERR_USAGE, "too-many-servers", NULL,
			    "system_certs names more than %d certificates",
			    EB_SERVERS_MAX - 1);
		if ((x = eb_pem_cert_load(tok, err)) == NULL)
			return err->code ? err->code : EB_ERR_IO;
		if (eb_trust_check(srv->trust, x, eb_clock_now(&srv->clock),
		    err) != EB_OK || eb_actor_from_cert(x, &who, err) != EB_OK ||
		    who.role != EB_ROLE_SYSTEM) {
			X509_free(x);
			if (err->code == 0)
				eb_fail(err, EB_ERR_USAGE, "server-not-system",
				    "List only the centre's server certificates "
				    "(OU=system) in system_certs.",
				    "%s is not a server certificate", tok);
			return err->code;
		}
		dir->servers[dir->nservers++] = x;
	}
	return EB_OK;
}

/* -- custodians named at registration ------------------------------------ */

int
eb_directory_check_custodians(struct eb_server *srv, const struct eb_doc *cmd,
    struct eb_error *err)
{
	const struct eb_doc *list = eb_doc_child(cmd, "custodians"), *c;

	if (srv->directory == NULL || list == NULL)
		return EB_OK;
	eb_doc_foreach(c, list, "custodian") {
		const char *party = eb_doc_attr(c, "party");
		struct eb_error e;
		X509 *x;

		if (party == NULL)
			continue;         /* the core names it */
		eb_error_clear(&e);
		if ((x = eb_directory_cert(srv, party, EB_ROLE_CUSTODIAN,
		    &e)) != NULL) {
			X509_free(x);
			continue;
		}
		if (e.code == EB_ERR_IO || e.code == EB_ERR_NOTFOUND ||
		    e.code == EB_ERR_FORMAT)
			return eb_fail(err, EB_ERR_RULE, "unknown-custodian",
			    "Name as custodians parties whose custodian "
			    "certificate is in the centre's directory.",
			    "custodian %s is not in the centre's directory",
			    party);
		eb_fail(err, EB_ERR_RULE, "not-a-custodian",
		    "Name as custodians parties whose custodian certificate "
		    "is in the centre's directory.",
		    "custodian %s has no valid custodian certificate", party);
		eb_error_detail(err, "%s", e.primary);
		return EB_ERR_RULE;
	}
	return EB_OK;
}

/* -- lifetime ----------------------------------------------------------- */

int
eb_directory_init(struct eb_server *srv, struct eb_error *err)
{
	struct eb_directory *dir = eb_calloc(1, sizeof(*dir));
	char tmp[512];
	const char *path = getenv("EBID_DIRECTORY");
	int rc;

	dir->srv = srv;
	if (path == NULL) {
		snprintf(tmp, sizeof(tmp), "%s", srv->cfg->ca);
		path = dirname(tmp);
	}
	snprintf(dir->path, sizeof(dir->path), "%s", path);
	srv->directory = dir;
	if ((rc = load_servers(dir, err)) != EB_OK) {
		eb_directory_free(srv);
		return rc;
	}
	record_servers(dir);
	return EB_OK;
}

void
eb_directory_free(struct eb_server *srv)
{
	struct eb_directory *dir = srv->directory;

	if (dir == NULL)
		return;
	for (size_t i = 0; i < dir->nservers; i++)
		X509_free(dir->servers[i]);
	free(dir);
	srv->directory = NULL;
}
