/*
 * tests/integration/test_client.c
 *    tools/client.h against a running ebidd: keep-alive reuse, error
 *    documents, transport failures in plain words, and a fresh TLS
 *    session after a failure.
 *
 *    usage: test_client URL CA CERT KEY OTHER_CA CLOSED_URL
 *    (run by tests/integration/test_server.sh)
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "protocol/xml.h"
#include "tools/client.h"

static int fails, checks;

#define CHECK(cond, ...) do { \
	checks++; \
	if (cond) { printf("ok   "); } else { printf("FAIL "); fails++; } \
	printf(__VA_ARGS__); printf("\n"); \
} while (0)

int
main(int argc, char **argv)
{
	struct eb_client *c;
	struct eb_buf body = EB_BUF_INIT;
	struct eb_error e;
	struct timespec t0, t1;
	int status = 0, ok200 = 0, rc;
	double secs;

	if (argc != 7) {
		fprintf(stderr, "usage: test_client URL CA CERT KEY OTHER_CA "
		    "CLOSED_URL\n");
		return 2;
	}
	eb_xml_init();
	c = eb_client_open(argv[1], argv[2], argv[3], argv[4], &e);
	CHECK(c != NULL, "client opens");
	if (c == NULL)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 300; i++) {
		eb_buf_reset(&body);
		if (eb_client_get(c, "/v1/whoami", &body, &status, &e) == EB_OK &&
		    status == 200 && strstr(eb_buf_str(&body), "<whoami") != NULL)
			ok200++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(ok200 == 300, "300 GETs on one keep-alive connection (%d ok)",
	    ok200);
	printf("     measured: %.0f requests/s on one keep-alive connection "
	    "(client and server on this machine)\n", 300.0 / secs);

	eb_buf_reset(&body);
	rc = eb_client_post(c, "/v1/commands", "application/cms",
	    (const uint8_t *)"garbage", 7, &body, &status, &e);
	CHECK(rc == EB_OK && status == 400, "POST garbage: exchange ok, 400");
	eb_error_clear(&e);
	rc = eb_client_reply_error(&body, status, &e);
	CHECK(rc < 0 && e.reason[0] != '\0' && e.primary[0] != '\0',
	    "the error document is read back (reason %s)", e.reason);

	eb_buf_reset(&body);
	rc = eb_client_get(c, "/v1/nothing", &body, &status, &e);
	eb_client_reply_error(&body, status, &e);
	CHECK(rc == EB_OK && status == 404 &&
	    strcmp(e.reason, "unknown-path") == 0, "404 unknown-path");
	eb_client_close(c);

	c = eb_client_open(argv[1], argv[5], argv[3], argv[4], &e);
	eb_buf_reset(&body);
	rc = c != NULL ? eb_client_get(c, "/v1/whoami", &body, &status, &e) :
	    EB_ERR_INTERNAL;
	CHECK(rc == EB_ERR_CRYPTO && strcmp(e.reason, "server-not-trusted") == 0,
	    "wrong CA: %s", e.primary);
	rc = c != NULL ? eb_client_get(c, "/v1/whoami", &body, &status, &e) :
	    EB_ERR_INTERNAL;
	CHECK(rc == EB_ERR_CRYPTO && strcmp(e.reason, "server-not-trusted") == 0,
	    "the same client fails the same way again (fresh session)");
	CHECK(body.len == 0, "nothing appended on failure");
	eb_client_close(c);

	c = eb_client_open(argv[6], argv[2], argv[3], argv[4], &e);
	rc = c != NULL ? eb_client_get(c, "/v1/whoami", &body, &status, &e) :
	    EB_ERR_INTERNAL;
	CHECK(rc == EB_ERR_IO && strstr(e.primary, "cannot connect") != NULL,
	    "closed port: %s", e.primary);
	eb_client_close(c);

	c = eb_client_open("http://127.0.0.1:1", argv[2], NULL, NULL, &e);
	CHECK(c == NULL && e.code == EB_ERR_USAGE, "http URL refused: %s",
	    e.primary);
	c = eb_client_open(argv[1], argv[2], argv[3], argv[2], &e);
	CHECK(c == NULL && e.code == EB_ERR_CRYPTO, "key file that is no key: %s",
	    e.primary);
	eb_buf_free(&body);
	printf("%d checks, %d failed\n", checks, fails);
	return fails == 0 ? 0 : 1;
}
