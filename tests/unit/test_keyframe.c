/*
 * tests/unit/test_keyframe.c
 *    The frames between ebidd's network and key processes
 *    (protocol/keyframe.c): each request and reply shape round-trips;
 *    every malformed header or payload is refused with its reason and no
 *    part (the fuzz target checks the same invariants on random bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/keyframe.h"

/* header + payload in 'out'; returns the frame's length */
static size_t
frame(uint8_t *out, uint8_t type, uint8_t status, const struct eb_buf *b)
{
	eb_kf_header_write(out, type, status, (uint32_t)b->len);
	if (b->len > 0)
		memcpy(out + EB_KF_HEADER, b->data, b->len);
	return EB_KF_HEADER + b->len;
}

static int
parse(const uint8_t *f, int reply, struct eb_kf_part *parts, size_t *n,
    struct eb_error *e)
{
	struct eb_kf_header h;
	int rc;

	eb_error_clear(e);
	*n = 0;
	if ((rc = eb_kf_header_parse(f, reply, &h, e)) != EB_OK)
		return rc;
	return eb_kf_parts(&h, reply, f + EB_KF_HEADER, parts, n, e);
}

static void
test_stamp_round_trip(void **state)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_kf_part parts[EB_KF_PARTS_MAX] = { { .p = NULL } };
	struct eb_error e;
	uint8_t digest[32], f[256];
	size_t n;

	(void)state;
	memset(digest, 0x5a, sizeof(digest));
	assert_int_equal(eb_kf_put(&b, digest, 32), EB_OK);
	assert_int_equal(eb_kf_put_u64(&b, 1767225600123ULL), EB_OK);
	assert_int_equal(eb_kf_put_u64(&b, 42), EB_OK);
	frame(f, EB_KF_STAMP, EB_KF_OK, &b);
	assert_int_equal(parse(f, 0, parts, &n, &e), EB_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(parts[0].p, digest, 32);
	assert_int_equal(eb_kf_u64(&parts[1]), 1767225600123ULL);
	assert_int_equal(eb_kf_u64(&parts[2]), 42);
	eb_buf_free(&b);
}

static void
test_error_reply_round_trip(void **state)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_kf_part parts[EB_KF_PARTS_MAX];
	struct eb_error e, back;
	uint8_t f[1024];
	size_t n;

	(void)state;
	eb_fail(&e, EB_ERR_CRYPTO, "decrypt-failed", "A hint.",
	    "the tag does not match");
	assert_int_equal(eb_kf_error_put(&b, &e), EB_OK);
	frame(f, EB_KF_OPEN_BID, EB_KF_FAILED, &b);
	assert_int_equal(parse(f, 1, parts, &n, &back), EB_OK);
	assert_int_equal(n, 4);
	eb_kf_error_parse(parts, &back);
	assert_int_equal(back.code, EB_ERR_CRYPTO);
	assert_string_equal(back.reason, "decrypt-failed");
	assert_string_equal(back.primary, "the tag does not match");
	assert_string_equal(back.hint, "A hint.");
	/* a request never carries the failed status */
	assert_int_equal(parse(f, 0, parts, &n, &back), EB_ERR_FORMAT);
	eb_buf_free(&b);
}

static void
expect_refused(const uint8_t *f, int reply, int code, const char *reason)
{
	struct eb_kf_part parts[EB_KF_PARTS_MAX];
	struct eb_error e;
	size_t n = 99;

	assert_int_equal(parse(f, reply, parts, &n, &e), code);
	assert_string_equal(e.reason, reason);
	assert_int_equal(n, 0);
}

static void
test_refusals(void **state)
{
	struct eb_buf b = EB_BUF_INIT;
	uint8_t f[256];

	(void)state;
	/* bad magic */
	assert_int_equal(eb_kf_put(&b, "x", 1), EB_OK);
	frame(f, EB_KF_SIGN, EB_KF_OK, &b);
	f[0] = 'X';
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	/* unknown type; READY is never a request */
	frame(f, 99, EB_KF_OK, &b);
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	frame(f, EB_KF_READY, EB_KF_OK, &b);
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	/* a length past the type's bound, before any byte is read */
	eb_kf_header_write(f, EB_KF_SIGN, EB_KF_OK, 0xffffffffu);
	expect_refused(f, 0, EB_ERR_LIMIT, "key-frame-too-large");
	eb_kf_header_write(f, EB_KF_OPEN_END, EB_KF_OK, 13);
	expect_refused(f, 0, EB_ERR_LIMIT, "key-frame-too-large");
	/* a part longer than the frame */
	eb_buf_reset(&b);
	assert_int_equal(eb_kf_put(&b, "abcdef", 6), EB_OK);
	b.len = 5;
	frame(f, EB_KF_SIGN, EB_KF_OK, &b);
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	/* a digest of 31 bytes */
	eb_buf_reset(&b);
	memset(f + 100, 1, 32);
	assert_int_equal(eb_kf_put(&b, f + 100, 31), EB_OK);
	assert_int_equal(eb_kf_put_u64(&b, 1), EB_OK);
	assert_int_equal(eb_kf_put_u64(&b, 2), EB_OK);
	frame(f, EB_KF_STAMP, EB_KF_OK, &b);
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	/* too few parts; a trailing length of 2 bytes */
	eb_buf_reset(&b);
	assert_int_equal(eb_kf_put_u64(&b, 7), EB_OK);
	frame(f, EB_KF_OPEN_BID, EB_KF_OK, &b);
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	assert_int_equal(eb_buf_append(&b, "\0\0", 2), EB_OK);
	frame(f, EB_KF_OPEN_BID, EB_KF_OK, &b);
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	/* a custodian without its certificate */
	eb_buf_reset(&b);
	assert_int_equal(eb_kf_put(&b, "T", 1), EB_OK);
	assert_int_equal(eb_kf_put_u64(&b, 1), EB_OK);
	assert_int_equal(eb_kf_put_u64(&b, 2), EB_OK);
	assert_int_equal(eb_kf_put_u64(&b, 1), EB_OK);
	assert_int_equal(eb_kf_put(&b, "c1", 2), EB_OK);
	assert_int_equal(eb_kf_put(&b, "DER", 3), EB_OK);
	assert_int_equal(eb_kf_put(&b, "c2", 2), EB_OK);
	frame(f, EB_KF_OPENING_KEY, EB_KF_OK, &b);
	expect_refused(f, 0, EB_ERR_FORMAT, "key-frame-invalid");
	eb_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stamp_round_trip),
		cmocka_unit_test(test_error_reply_round_trip),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
