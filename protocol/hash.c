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

/* ---------------------------------------------------------------- base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * The two characters of every 12-bit value: the encoder looks up 3 bytes
 * as two 12-bit halves and writes the 4 characters with one store (the
 * opening's record carries each opened bid's inner SignedData in base64,
 * 140 KB a bid: docs/performance.md, "Issue 17, sixth pass: the
 * opening").  Here, not in cms.c, so that the document tree (doc.h, in
 * engine/core) writes the text of an element held as bytes.
 */
#define B64_ROW(c) \
	{ c, 'A' }, { c, 'B' }, { c, 'C' }, { c, 'D' }, { c, 'E' }, \
	{ c, 'F' }, { c, 'G' }, { c, 'H' }, { c, 'I' }, { c, 'J' }, \
	{ c, 'K' }, { c, 'L' }, { c, 'M' }, { c, 'N' }, { c, 'O' }, \
	{ c, 'P' }, { c, 'Q' }, { c, 'R' }, { c, 'S' }, { c, 'T' }, \
	{ c, 'U' }, { c, 'V' }, { c, 'W' }, { c, 'X' }, { c, 'Y' }, \
	{ c, 'Z' }, { c, 'a' }, { c, 'b' }, { c, 'c' }, { c, 'd' }, \
	{ c, 'e' }, { c, 'f' }, { c, 'g' }, { c, 'h' }, { c, 'i' }, \
	{ c, 'j' }, { c, 'k' }, { c, 'l' }, { c, 'm' }, { c, 'n' }, \
	{ c, 'o' }, { c, 'p' }, { c, 'q' }, { c, 'r' }, { c, 's' }, \
	{ c, 't' }, { c, 'u' }, { c, 'v' }, { c, 'w' }, { c, 'x' }, \
	{ c, 'y' }, { c, 'z' }, { c, '0' }, { c, '1' }, { c, '2' }, \
	{ c, '3' }, { c, '4' }, { c, '5' }, { c, '6' }, { c, '7' }, \
	{ c, '8' }, { c, '9' }, { c, '+' }, { c, '/' }
static const char b64_pairs[4096][2] = {
	B64_ROW('A'), B64_ROW('B'), B64_ROW('C'), B64_ROW('D'),
	B64_ROW('E'), B64_ROW('F'), B64_ROW('G'), B64_ROW('H'),
	B64_ROW('I'), B64_ROW('J'), B64_ROW('K'), B64_ROW('L'),
	B64_ROW('M'), B64_ROW('N'), B64_ROW('O'), B64_ROW('P'),
	B64_ROW('Q'), B64_ROW('R'), B64_ROW('S'), B64_ROW('T'),
	B64_ROW('U'), B64_ROW('V'), B64_ROW('W'), B64_ROW('X'),
	B64_ROW('Y'), B64_ROW('Z'), B64_ROW('a'), B64_ROW('b'),
	B64_ROW('c'), B64_ROW('d'), B64_ROW('e'), B64_ROW('f'),
	B64_ROW('g'), B64_ROW('h'), B64_ROW('i'), B64_ROW('j'),
	B64_ROW('k'), B64_ROW('l'), B64_ROW('m'), B64_ROW('n'),
	B64_ROW('o'), B64_ROW('p'), B64_ROW('q'), B64_ROW('r'),
	B64_ROW('s'), B64_ROW('t'), B64_ROW('u'), B64_ROW('v'),
	B64_ROW('w'), B64_ROW('x'), B64_ROW('y'), B64_ROW('z'),
	B64_ROW('0'), B64_ROW('1'), B64_ROW('2'), B64_ROW('3'),
	B64_ROW('4'), B64_ROW('5'), B64_ROW('6'), B64_ROW('7'),
	B64_ROW('8'), B64_ROW('9'), B64_ROW('+'), B64_ROW('/')
};
#undef B64_ROW

size_t
eb_base64_len(size_t n)
{
	if (n > (SIZE_MAX - 1) / 4 * 3 - 3)
		return 0;
	return (n + 2) / 3 * 4;
}

void
eb_base64_put(const uint8_t *p, size_t n, char *s)
{
	size_t i = 0, o = 0;
	uint32_t v;

	for (; i + 2 < n; i += 3, o += 4) {
		char q[4];

		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		memcpy(q, b64_pairs[v >> 12], 2);
		memcpy(q + 2, b64_pairs[v & 4095], 2);
		memcpy(s + o, q, 4);
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = '=';
		s[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = b64_alphabet[(v >> 6) & 63];
		s[o++] = '=';
	}
	s[o] = '\0';
}
