/*
 * protocol/hash.c
 *    SHA-256 helpers and the chain link: see hash.h.
 */
#include "hash.h"

#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

/*
 * SHA-256 fetched once: SHA256() and EVP_sha256() make OpenSSL 3 fetch
 * the implementation again on every call (about 12-20 k instructions,
 * docs/performance.md, issue 17 seventh pass: signature checks).
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *
eb_sha256_md(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md != NULL ? sha256_md : EVP_sha256();
}

void
eb_sha256(const void *p, size_t n, uint8_t out[EB_SHA256_LEN])
{
	if (EVP_Digest(p, n, out, NULL, eb_sha256_md(), NULL) != 1)
		SHA256(p, n, out);
}

void
eb_hex32(const uint8_t in[EB_SHA256_LEN], char hex[EB_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < EB_SHA256_LEN; i++) {
		hex[2 * i] = digits[in[i] >> 4];
		hex[2 * i + 1] = digits[in[i] & 15];
	}
	hex[64] = '\0';
}

void
eb_sha256_hex(const void *p, size_t n, char hex[EB_SHA256_HEX])
{
	uint8_t d[EB_SHA256_LEN];

	eb_sha256(p, n, d);
	eb_hex32(d, hex);
}

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
eb_unhex32(const char *hex, uint8_t out[EB_SHA256_LEN])
{
	int i, hi, lo;

	if (hex == NULL || strlen(hex) != 64)
		return -1;
	for (i = 0; i < EB_SHA256_LEN; i++) {
		hi = nibble(hex[2 * i]);
		lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void
eb_chain_link(const uint8_t prev[EB_SHA256_LEN], int64_t seq,
    const void *entry, size_t n, uint8_t out[EB_SHA256_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t be[8];
	unsigned int len = 0;
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
	if (ctx == NULL || EVP_DigestInit_ex(ctx, eb_sha256_md(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prev, EB_SHA256_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, be, sizeof(be)) != 1 ||
	    EVP_DigestUpdate(ctx, entry, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1)
		memset(out, 0, EB_SHA256_LEN);   /* never equal to a real link */
	EVP_MD_CTX_free(ctx);
}
