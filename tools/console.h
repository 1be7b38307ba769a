/*
 * tools/console.h
 *    `ebid console`: the party's own desk in a browser (docs/console.md).
 *
 *    ebid [--url --ca --cert --key] console [--port N] [--open] [--pages DIR]
 *
 * A small HTTP server (libevent evhttp) on 127.0.0.1 only, for one person:
 * it prints a URL with a random one-time token; the first request with the
 * token gets an HttpOnly, SameSite=Strict session cookie and a redirect to
 * a clean URL; every later request needs that cookie, a Host of
 * 127.0.0.1:PORT or localhost:PORT, and (POST) an Origin, when sent, of
 * the console itself.  Pages are the server's XML views run through
 * tools/console/console.xsl (libxslt); every action is signed and sent by
 * the CLI's own verbs (tools/verbs.h, eb_verbs_main) in this process: the
 * key never leaves it.
 *
 * Owns: everything it starts, until eb_console_main() returns.
 *
 * INTERFACE: eb_console_main(), eb_console_daxie()
 */
#ifndef EB_CONSOLE_H
#define EB_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Run the console: 'argv[0]' is "console", then its options.  'url',
 * 'ca', 'cert', 'key' are the connection settings (environment applied).
 * Returns the process exit status (0 stopped by a signal, 2 usage, 4 a
 * local problem: the port, the pages, the certificate).
 */
int eb_console_main(int argc, char **argv, const char *url, const char *ca,
    const char *cert, const char *key);

/*
 * 'fen' (>= 0) in Chinese capital numerals (大写), e.g. 945000000 ->
 * "玖佰肆拾伍万元整", into 'out' (UTF-8, NUL-terminated; 256 bytes is
 * enough for any int64).  Returns 0, or -1 for a negative amount.
 */
int eb_console_daxie(int64_t fen, char *out, size_t cap);

#endif
