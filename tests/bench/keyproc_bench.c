/*
 * tests/bench/keyproc_bench.c
 *    What privilege separation costs per signature: an RFC 3161 receipt
 *    and a chain head's CMS signature made in this process (as ebidd did
 *    before the key process) and through ebidd's key process
 *    (engine/server/keyproc.c: one frame each way on a socketpair).  A
 *    report, not a CTest.
 *
 *    usage: keyproc_bench CERTS_DIR [N]   (certs/make-dev-certs.sh output)
 *
 * Owner: privilege separation.  The machine is shared: compare the two
 * columns of one run, not runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/server/config.h"
#include "engine/server/keyproc.h"
#include "protocol/cms.h"
#include "protocol/pki.h"
#include "protocol/receipt.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
die(const char *what, const struct eb_error *e)
{
	fprintf(stderr, "keyproc_bench: %s: %s %s\n", what, e->primary,
	    e->detail);
	exit(1);
}

int
main(int argc, char **argv)
{
	struct eb_config cfg;
	struct eb_keyproc *kp;
	struct eb_tsa *tsa;
	struct eb_error e;
	char p[4][1024];
	uint8_t digest[32] = { 1 }, *out;
	const uint8_t head[] = "<chain-head aggregate=\"T-2026-0001\" seq=\"42\" "
	    "hash=\"00112233445566778899aabbccddeeff00112233445566778899aabbc"
	    "cddeeff\"/>";
	size_t len;
	X509 *cert, *tc;
	EVP_PKEY *key, *tk;
	double t0, local_stamp, kp_stamp, local_sign, kp_sign;
	int n = argc > 2 ? atoi(argv[2]) : 2000, i;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: keyproc_bench CERTS_DIR [N]\n");
		return 2;
	}
	eb_error_clear(&e);
	snprintf(p[0], sizeof(p[0]), "%s/server-signing.crt", argv[1]);
	snprintf(p[1], sizeof(p[1]), "%s/server-signing.key", argv[1]);
	snprintf(p[2], sizeof(p[2]), "%s/tsa.crt", argv[1]);
	snprintf(p[3], sizeof(p[3]), "%s/tsa.key", argv[1]);
	if (eb_config_defaults(&cfg) != EB_OK ||
	    eb_config_set(&cfg, "cert", p[0], &e) != EB_OK ||
	    eb_config_set(&cfg, "key", p[1], &e) != EB_OK ||
	    eb_config_set(&cfg, "tsa_cert", p[2], &e) != EB_OK ||
	    eb_config_set(&cfg, "tsa_key", p[3], &e) != EB_OK)
		die("config", &e);
	if ((cert = eb_pem_cert_load(p[0], &e)) == NULL ||
	    (key = eb_pem_key_load(p[1], &e)) == NULL ||
	    (tc = eb_pem_cert_load(p[2], &e)) == NULL ||
	    (tk = eb_pem_key_load(p[3], &e)) == NULL ||
	    (tsa = eb_tsa_new(tc, tk, &e)) == NULL)
		die("keys", &e);
	if ((kp = eb_keyproc_start(&cfg, &e)) == NULL)
		die("key process", &e);

	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (eb_tsa_stamp(tsa, digest, 1767225600000, (uint64_t)i + 1,
		    &out, &len, &e) != EB_OK)
			die("stamp", &e);
		free(out);
	}
	local_stamp = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (eb_keyproc_stamp(kp, digest, 1767225600000, (uint64_t)i + 1,
		    &out, &len, &e) != EB_OK)
			die("keyproc stamp", &e);
		free(out);
	}
	kp_stamp = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (eb_cms_sign(cert, key, head, sizeof(head) - 1, &out, &len,
		    &e) != EB_OK)
			die("sign", &e);
		free(out);
	}
	local_sign = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		if (eb_keyproc_sign(kp, head, sizeof(head) - 1, &out, &len,
		    &e) != EB_OK)
			die("keyproc sign", &e);
		free(out);
	}
	kp_sign = (now_us() - t0) / n;
	printf("%-28s %10s %12s %10s\n", "operation (N = each)", "in-process",
	    "key process", "added");
	printf("%-28s %8.1f us %10.1f us %7.1f us\n", "receipt (RFC 3161 token)",
	    local_stamp, kp_stamp, kp_stamp - local_stamp);
	printf("%-28s %8.1f us %10.1f us %7.1f us\n", "chain head (CMS sign)",
	    local_sign, kp_sign, kp_sign - local_sign);
	printf("N = %d; a shared 2-core machine: the added column is the "
	    "socketpair round trip and the frame copies\n", n);
	eb_keyproc_free(kp);
	eb_tsa_free(tsa);
	X509_free(cert);
	X509_free(tc);
	EVP_PKEY_free(key);
	EVP_PKEY_free(tk);
	eb_config_free(&cfg);
	return 0;
}
