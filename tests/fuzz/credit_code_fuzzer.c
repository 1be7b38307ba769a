/*
 * tests/fuzz/credit_code_fuzzer.c
 *    Fuzz the unified social credit code check (eb_subject_code_valid,
 *    engine/core/subject.h), the parser behind register-subject's
 *    code="..." (GB 32100-2015: 18 characters of the 31-character
 *    alphabet 0-9 A-H J-N P-R T-U W-Y, the last one a check digit).
 *
 *    Checks beyond "no crash", against an oracle written from the standard
 *    rather than from the code: weights are 3^i mod 31 computed here (the
 *    code keeps a table), the alphabet is tested by exclusion (no I, O, S,
 *    V, Z, no lower case).  And the round trip: the first 17 input bytes
 *    mapped into the alphabet, completed with the oracle's check digit,
 *    are valid; every other 18th character makes the code invalid.
 *
 * Owner: the fuzzing engineer.  Corpus: tests/fuzz/credit_code_corpus/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/subject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value of character 'c' in the code's alphabet, or -1. */
static int
value_of(char c)
{
	int v;

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c < 'A' || c > 'Y' || c == 'I' || c == 'O' || c == 'S' ||
	    c == 'V')
		return -1;
	v = 10 + (c - 'A');
	/* the letters skipped before c shift its value down */
	v -= (c > 'I') + (c > 'O') + (c > 'S') + (c > 'V');
	return v;
}

static char
char_of(int v)
{
	for (char c = '0'; c <= 'Z'; c++)
		if (value_of(c) == v)
			return c;
	abort();
}

/* The check digit of 17 characters (all in the alphabet). */
static int
check_value(const char *s)
{
	int sum = 0, w = 1;

	for (int i = 0; i < 17; i++) {
		sum += value_of(s[i]) * w;
		w = w * 3 % 31;
	}
	return (31 - sum % 31) % 31;
}

static int
oracle(const char *s, size_t len)
{
	if (len != 18)
		return 0;
	for (size_t i = 0; i < 18; i++)
		if (value_of(s[i]) < 0)
			return 0;
	return value_of(s[17]) == check_value(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, code[19];

	if (size > 64)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (eb_subject_code_valid(s) != oracle(s, strlen(s)))
		abort();
	free(s);

	/* round trip: any 17 characters of the alphabet plus their check */
	if (size < 17)
		return 0;
	for (int i = 0; i < 17; i++)
		code[i] = char_of(data[i] % 31);
	code[18] = '\0';
	for (int v = 0; v < 31; v++) {
		code[17] = char_of(v);
		if (eb_subject_code_valid(code) != (v == check_value(code)))
			abort();
	}
	return 0;
}
