/*
 * tools/client.h
 *    The HTTPS mutual-TLS client every ebid tool uses (ebid, ebid-audit,
 *    ebid-load): a blocking-simple API over libevent's evhttp client
 *    (docs/engineering-notes.md, TLS, client).
 *
 * One struct eb_client holds one TLS context, one event base and one
 * keep-alive connection to the server; each call runs the loop until its
 * reply (or failure) arrives.  Not thread-safe: one client per thread.
 * Failures come back in plain words in an eb_error, e.g.
 *    "the server refused our certificate: tlsv13 alert certificate required"
 *    "server certificate not trusted: unable to get local issuer certificate"
 *    "cannot connect to 127.0.0.1:8443: Connection refused"
 *
 * Settings come from flags --url --ca --cert --key, else the environment
 * EBID_URL EBID_CA EBID_CERT EBID_KEY (eb_client_settings_env()).
 *
 * Owns: struct eb_client (eb_client_close()).
 *
 * INTERFACE
 *    eb_client_settings_env() - fill unset settings from the environment
 *    eb_client_tls_ctx()      - the TLS client context (trust, identity, chain)
 *    eb_client_open()         - TLS context + base; connects lazily
 *    eb_client_close()        - NULL-safe
 *    eb_client_get()          - GET path
 *    eb_client_post()         - POST bytes
 *    eb_client_get_stream()   - GET, the body to a sink as it arrives
 *    eb_client_get_stream_from() - the same from a byte on (Range)
 *    eb_client_reply_error()  - the server's <error> reply as an eb_error
 *    eb_client_print_error()  - "error: ...\n  detail: ...\n  hint: ..."
 */
#ifndef EB_CLIENT_H
#define EB_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "protocol/buf.h"
#include "protocol/err.h"

#define EB_CLIENT_DEFAULT_URL "https://localhost:8443"

struct eb_client;

struct eb_client_settings {
	const char *url, *ca, *cert, *key;
};

/* Fill every NULL field from EBID_URL/EBID_CA/EBID_CERT/EBID_KEY; url
 * defaults to EB_CLIENT_DEFAULT_URL.  Strings are borrowed. */
void eb_client_settings_env(struct eb_client_settings *s);

/*
 * A client for 'url' ("https://host:port") trusting only 'ca', presenting
 * 'cert'/'key' (both NULL: no client certificate).  Returns a new client
 * (eb_client_close()) or NULL with 'err' (unreadable files, key not
 * matching the certificate, bad URL).  Does not connect yet.
 */
/*
 * A TLS client context trusting only 'ca' and presenting 'cert'/'key'
 * (both NULL: none), TLS 1.2 or later, peer verification on; the chain it
 * sends is the certificate and its intermediates, never the trust anchor.
 * NULL with 'err' (client-setup) on unreadable or mismatched files.
 */
SSL_CTX *eb_client_tls_ctx(const char *ca, const char *cert,
    const char *key, struct eb_error *err);

struct eb_client *eb_client_open(const char *url, const char *ca,
    const char *cert, const char *key, struct eb_error *err);
void eb_client_close(struct eb_client *c);

/*
 * GET / POST 'path'.  On EB_OK the exchange happened: *status is the HTTP
 * status (any, including 4xx/5xx) and 'body' holds the reply (appended).
 * A transport or TLS failure is EB_ERR_IO (or EB_ERR_CRYPTO for TLS) with
 * 'err' in plain words; nothing is appended.
 */
int eb_client_get(struct eb_client *c, const char *path, struct eb_buf *body,
    int *status, struct eb_error *err) EB_MUSTCHECK;
/*
 * GET 'path' with a 200 reply's body handed to 'sink' piece by piece as it
 * arrives (memory bounded whatever its size); the body of any other
 * status is appended to 'body' (the error document).  A sink returning
 * nonzero gets nothing more and the call fails (EB_ERR_IO write-failed);
 * a body cut short by the server fails as a transport failure.  *status
 * is set as soon as the answer's head arrives, before the sink gets its
 * first piece (so a sink can tell a 206 from a 200).
 */
typedef int (*eb_client_sink_fn)(const uint8_t *p, size_t n, void *arg);
int eb_client_get_stream(struct eb_client *c, const char *path,
    eb_client_sink_fn sink, void *arg, struct eb_buf *body, int *status,
    struct eb_error *err) EB_MUSTCHECK;
/*
 * The same from byte 'from' of the resource on (a download cut in the
 * middle going on, RFC 9110 section 14): "Range: bytes=FROM-" and, when
 * 'if_range' is not NULL, "If-Range: IF_RANGE" (an ETag).  A 206's body
 * goes to 'sink' like a 200's (a server may answer the whole with 200:
 * the caller tells by *status), its Content-Range header into
 * 'content_range' (cap bytes; "" when none).
 */
int eb_client_get_stream_from(struct eb_client *c, const char *path,
    int64_t from, const char *if_range, char *content_range, size_t cap,
    eb_client_sink_fn sink, void *arg, struct eb_buf *body, int *status,
    struct eb_error *err) EB_MUSTCHECK;
int eb_client_post(struct eb_client *c, const char *path,
    const char *content_type, const uint8_t *bytes, size_t len,
    struct eb_buf *body, int *status, struct eb_error *err) EB_MUSTCHECK;

/*
 * Turn a non-2xx reply into 'err': the server's XML error document when
 * the body is one, else "the server answered HTTP <status>".  Returns the
 * error's code (negative).
 */
int eb_client_reply_error(const struct eb_buf *body, int status,
    struct eb_error *err);

/* Print 'e' for a person: "error: <message>", then detail and hint. */
void eb_client_print_error(FILE *f, const struct eb_error *e);

/*
 * The server's certificate as presented on the last connection (a new
 * reference: X509_free()), or NULL before any exchange.
 */
X509 *eb_client_peer_cert(struct eb_client *c);

#endif
