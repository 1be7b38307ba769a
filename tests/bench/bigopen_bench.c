/*
 * tests/bench/bigopen_bench.c
 *    Opening N large bids (streamed envelopes, protocol/envstream.h) of MB
 *    megabytes each, against the summed raw cost of the same bytes:
 *    AES-256-GCM decryption + SHA-256 by EVP in memory (tests/bench/run
 *    phase "bigbids"; not a CTest).
 *
 *    bigopen_bench N MB DIR   seals N envelopes into DIR (one attachment
 *                             of MB * 10^6 random bytes each), opens each
 *                             from its file, prints key=value lines
 *
 * The envelopes were just written, so they are read from the page cache:
 * the figure is the CPU cost of the opening, not the disk's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "protocol/envstream.h"
#include "protocol/hash.h"
#include "tests/unit/testpki.h"
#include "protocol/mem.h"

static double
now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The raw cost of 'total' bytes: GCM decrypt in 64 KiB segments + SHA-256. */
static double
raw_cost(uint64_t total)
{
	static uint8_t in[EB_ENVS_SEGMENT + 16], out[EB_ENVS_SEGMENT + 16];
	uint8_t key[32] = { 1 }, iv[12] = { 2 }, tag[16], md[32];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	double t0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	uint64_t done = 0;
	int n = 0;

	RAND_bytes(in, sizeof(in));
	EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL);
	while (done < total) {
		EVP_DecryptInit_ex(c, NULL, NULL, key, iv);
		EVP_DecryptUpdate(c, out, &n, in, EB_ENVS_SEGMENT);
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
		(void)EVP_DecryptFinal_ex(c, out + n, &n);   /* tag fails: fine */
		EVP_DigestUpdate(h, out, EB_ENVS_SEGMENT);
		done += EB_ENVS_SEGMENT;
	}
	EVP_DigestFinal_ex(h, md, NULL);
	EVP_CIPHER_CTX_free(c);
	EVP_MD_CTX_free(h);
	return now_s(CLOCK_PROCESS_CPUTIME_ID) - t0;
}

int
main(int argc, char **argv)
{
	static const char bid[] = "<bid tender=\"T-1\"><total-price>1</total-price></bid>";
	struct eb_testpki pki;
	struct eb_tp_party opening;
	struct eb_error err;
	size_t n, mb, i;
	double w0, c0, wall, cpu, raw;
	uint64_t total = 0;
	char path[4096];
	uint8_t *buf;

	if (argc != 4 || (n = strtoul(argv[1], NULL, 10)) == 0 ||
	    (mb = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bigopen_bench N MB DIR\n");
		return 2;
	}
	if (eb_testpki_init(&pki) != 0)
		return 1;
	opening.key = eb_testpki_ec_key();
	opening.cert = eb_testpki_issue(pki.ca.cert, pki.ca.key, opening.key,
	    "/CN=opening key T-1", pki.now_ms - EB_TP_DAY,
	    pki.now_ms + 30 * EB_TP_DAY, EB_TP_PARTY);
	if (opening.cert == NULL)
		return 1;
	buf = eb_malloc(1 << 20);
	uint8_t commit[64][32];
	uint64_t size[64];
	if (n > 64)
		n = 64;
	fprintf(stderr, "bigopen_bench: sealing %zu envelopes of %zu MB in %s\n",
	    n, mb, argv[3]);
	for (i = 0; i < n; i++) {
		FILE *a = tmpfile(), *out;
		struct eb_envs_file f = { .name = "drawings.bin", .f = a };
		uint8_t sha[32];

		for (size_t k = 0; k < mb; k++) {
			RAND_bytes(buf, 1000000);
			fwrite(buf, 1, 1000000, a);
		}
		snprintf(path, sizeof(path), "%s/env%zu", argv[3], i);
		if ((out = fopen(path, "wb")) == NULL ||
		    eb_envs_seal(pki.bidder.cert, pki.bidder.key, opening.cert,
		    (const uint8_t *)bid, strlen(bid), &f, 1,
		    eb_envs_write_file, out, NULL, NULL, commit[i], sha,
		    &size[i], &err) != EB_OK) {
			fprintf(stderr, "bigopen_bench: seal: %s\n", err.primary);
			return 1;
		}
		fclose(out);
		fclose(a);
		total += size[i];
	}
	fprintf(stderr, "bigopen_bench: opening them\n");
	w0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		struct eb_envs_cms_key k = { .cert = opening.cert,
		    .key = opening.key };
		uint8_t *xml = NULL;
		size_t xl = 0;
		X509 *signer = NULL;
		FILE *in;

		snprintf(path, sizeof(path), "%s/env%zu", argv[3], i);
		if ((in = fopen(path, "rb")) == NULL ||
		    eb_envs_open(pki.trust, eb_envs_unwrap_cms, &k,
		    eb_envs_read_file, in, size[i], commit[i], 0, NULL, NULL,
		    &xml, &xl, NULL, NULL, &signer, NULL, NULL, &err) != EB_OK) {
			fprintf(stderr, "bigopen_bench: open: %s\n", err.primary);
			return 1;
		}
		fclose(in);
		free(xml);
		X509_free(signer);
	}
	wall = now_s(CLOCK_MONOTONIC) - w0;
	cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	raw = raw_cost(total);
	printf("bids=%zu\nenvelope_bytes=%llu\n", n, (unsigned long long)total);
	printf("open_wall_s=%.3f\nopen_cpu_s=%.3f\nraw_gcm_sha_cpu_s=%.3f\n",
	    wall, cpu, raw);
	printf("ratio_cpu=%.2f\n", cpu / raw);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/env%zu", argv[3], i);
		(void)remove(path);
	}
	free(buf);
	X509_free(opening.cert);
	EVP_PKEY_free(opening.key);
	eb_testpki_free(&pki);
	return 0;
}
