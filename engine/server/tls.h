/*
 * engine/server/tls.h
 *    The server's SSL_CTX (tls.c): TLS >= 1.2, a client certificate
 *    required and verified against the centre's CA, the client CA list,
 *    a session id context (TECH-NOTES 3).
 *
 * INTERFACE
 *    eb_tls_server_ctx()
 */
#ifndef EB_SERVER_TLS_H
#define EB_SERVER_TLS_H

#include <openssl/ssl.h>

#include "protocol/err.h"

/* NULL with 'err' on failure (start-up: the caller exits). */
SSL_CTX *eb_tls_server_ctx(const char *ca, const char *cert,
    const char *key, struct eb_error *err);

#endif
