/*
 * engine/server/tls.h
 *    The server's SSL_CTX (tls.c): TLS >= 1.2, a client certificate
 *    required and verified against the centre's CA, the client CA list,
 *    a session id context (docs/engineering-notes.md, TLS).
 *
 * INTERFACE
 *    eb_tls_server_ctx()
 *    eb_tls_check_revocation()
 *    eb_tls_shared_certs()
 */
#ifndef EB_SERVER_TLS_H
#define EB_SERVER_TLS_H

#include <openssl/ssl.h>

#include "protocol/err.h"

struct eb_trust;

/* NULL with 'err' on failure (start-up: the caller exits). */
SSL_CTX *eb_tls_server_ctx(const char *ca, const char *cert,
    const char *key, struct eb_error *err);
/* Refuse, at the handshake, clients whose certificate 't' says is revoked
 * now ('t' borrowed for the context's life). */
void eb_tls_check_revocation(SSL_CTX *ctx, const struct eb_trust *t);
/* The client certificates the live connections of 'ctx' share (tls.c):
 * how many distinct ones, and how many connections hold one. */
void eb_tls_shared_certs(SSL_CTX *ctx, size_t *certs, size_t *holders);

#endif
