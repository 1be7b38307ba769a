/*
 * engine/server/directory.h
 *    The centre's certificates as ebidd looks them up: the directory of
 *    party certificates (the folder of the CA certificate, NAME.crt by
 *    party id, or $EBID_DIRECTORY; a production centre points this at its
 *    directory service), each checked against the CA and its subject's
 *    party id and role; and the server certificates that may act as the
 *    system role (ebidd's own and config system_certs, at most
 *    EB_SERVERS_MAX - 1 of those), recorded once in the servers table.
 *
 * Owns: struct eb_directory (srv->directory; eb_directory_free()).
 * Loop thread.
 *
 * INTERFACE
 *    eb_directory_init(), eb_directory_free()
 *    eb_directory_cert()             - a party's certificate, checked
 *    eb_directory_is_server()        - may this certificate act as the
 *                                      system?
 *    eb_directory_check_custodians() - custodians named at registration
 */
#ifndef EB_SERVER_DIRECTORY_H
#define EB_SERVER_DIRECTORY_H

#include <openssl/x509.h>

#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"

/* ebidd's own certificate and the others of system_certs. */
#define EB_SERVERS_MAX 16

struct eb_server;

/* Load system_certs and record them (start-up: a failure is fatal). */
int eb_directory_init(struct eb_server *srv, struct eb_error *err)
    EB_MUSTCHECK;
void eb_directory_free(struct eb_server *srv);
/*
 * The certificate of 'party' in the directory, valid now against the CA
 * and naming that party in 'role' (the caller frees it); NULL with 'e'.
 */
X509 *eb_directory_cert(struct eb_server *srv, const char *party,
    enum eb_role role, struct eb_error *e);
/* Is 'cert' one of the server certificates (own cert, system_certs)? */
int eb_directory_is_server(const struct eb_server *srv, X509 *cert);
/*
 * Every custodian a command names (<custodians><custodian party=>) has a
 * custodian certificate in the centre's directory that verifies against
 * the CA; EB_ERR_RULE (unknown-custodian / not-a-custodian) naming the
 * first that has not.
 */
int eb_directory_check_custodians(struct eb_server *srv,
    const struct eb_doc *cmd, struct eb_error *err) EB_MUSTCHECK;

#endif
