/*
 * engine/server/clock.c
 *    The clock modes of clock.h.
 *
 * INTERFACE: see clock.h.
 */
#include <string.h>
#include <time.h>

#include "engine/server/clock.h"
#include "protocol/doc.h"

int64_t
eb_clock_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
eb_clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
eb_clock_init(struct eb_clock *c, const char *spec, struct eb_error *err)
{
	memset(c, 0, sizeof(*c));
	c->base_real = c->base_virtual = c->last = eb_clock_real_ms();
	c->factor = 1;
	if (spec == NULL || strcmp(spec, "system") == 0) {
		c->mode = EB_CLOCK_SYSTEM;
	} else if (strcmp(spec, "driven") == 0) {
		c->mode = EB_CLOCK_DRIVEN;
	} else if (strncmp(spec, "accelerated:", 12) == 0) {
		int64_t f;
		if (eb_parse_i64(spec + 12, &f) != EB_OK || f < 1 ||
		    f > 1000000)
			return eb_fail(err, EB_ERR_USAGE, "bad-test-clock",
			    "Write --test-clock=accelerated:FACTOR with a whole "
			    "FACTOR from 1 to 1000000.",
			    "bad acceleration factor in \"%s\"", spec);
		c->mode = EB_CLOCK_ACCELERATED;
		c->factor = f;
	} else {
		return eb_fail(err, EB_ERR_USAGE, "bad-test-clock",
		    "Use --test-clock=driven or --test-clock=accelerated:FACTOR.",
		    "unknown clock \"%s\"", spec);
	}
	return EB_OK;
}

int64_t
eb_clock_now(struct eb_clock *c)
{
	int64_t t;

	switch (c->mode) {
	case EB_CLOCK_DRIVEN:
		t = c->base_virtual;
		break;
	case EB_CLOCK_ACCELERATED:
		t = c->base_virtual + (eb_clock_real_ms() - c->base_real) *
		    c->factor;
		break;
	default:
		t = eb_clock_real_ms();
		break;
	}
	if (t < c->last)
		t = c->last;
	c->last = t;
	return t;
}

int
eb_clock_set(struct eb_clock *c, int64_t ms, struct eb_error *err)
{
	int64_t now;

	if (c->mode == EB_CLOCK_SYSTEM)
		return eb_fail(err, EB_ERR_STATE, "system-clock",
		    "Start ebidd with --test-clock=driven to drive its clock.",
		    "the clock is the system clock and cannot be set");
	now = eb_clock_now(c);
	if (ms < now)
		return eb_fail(err, EB_ERR_TIME, "clock-backwards",
		    "Give an instant at or after the clock's current time.",
		    "a test clock never goes back");
	c->base_real = eb_clock_real_ms();
	c->base_virtual = c->last = ms;
	return EB_OK;
}

const char *
eb_clock_name(const struct eb_clock *c)
{
	switch (c->mode) {
	case EB_CLOCK_DRIVEN: return "driven";
	case EB_CLOCK_ACCELERATED: return "accelerated";
	default: return "system";
	}
}
