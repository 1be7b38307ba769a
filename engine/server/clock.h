/*
 * engine/server/clock.h
 *    The one clock ebidd reads (docs/engineering-notes.md, Time).
 *
 *    system          the real time (CLOCK_REALTIME), never going back
 *                    within the process
 *    driven          time moves only when a test sets it
 *                    (POST /v1/test/clock); starts at the real time
 *    accelerated:F   starts at the real time and runs F times as fast
 *
 * A test clock is announced at start-up, in the health reply and in every
 * log entry (the entry's clock attribute), so a log made under a test
 * clock can never pass for a production one.  The instant a command is
 * stamped with comes from eb_clock_now(), never from libevent's cached
 * loop time.
 *
 * INTERFACE
 *    eb_clock_init()  - parse "system" / "driven" / "accelerated:F"
 *    eb_clock_now()   - ms UTC now
 *    eb_clock_set()   - move a test clock to an instant (never backwards)
 *    eb_clock_name()  - "system", "driven" or "accelerated"
 */
#ifndef EB_SERVER_CLOCK_H
#define EB_SERVER_CLOCK_H

#include <stdint.h>

#include "protocol/err.h"

enum eb_clock_mode { EB_CLOCK_SYSTEM, EB_CLOCK_DRIVEN, EB_CLOCK_ACCELERATED };

struct eb_clock {
	enum eb_clock_mode mode;
	int64_t factor;         /* accelerated only */
	int64_t base_real;      /* real ms at the last (re)base */
	int64_t base_virtual;   /* clock ms at the last (re)base */
	int64_t last;           /* the last instant returned */
};

/*
 * 'spec' NULL or "system", "driven", "accelerated:F" (F a whole number
 * from 1 to 1000000).  Returns EB_OK or EB_ERR_USAGE with 'err'.
 */
int eb_clock_init(struct eb_clock *c, const char *spec, struct eb_error *err)
    EB_MUSTCHECK;
/* Now, in ms UTC; never smaller than a previous result. */
int64_t eb_clock_now(struct eb_clock *c);
/*
 * Move a test clock to 'ms'.  EB_ERR_STATE on the system clock,
 * EB_ERR_TIME when 'ms' is before the clock's current instant.
 */
int eb_clock_set(struct eb_clock *c, int64_t ms, struct eb_error *err)
    EB_MUSTCHECK;
const char *eb_clock_name(const struct eb_clock *c);
/* The real time in ms (for logs), and a monotonic microsecond counter. */
int64_t eb_clock_real_ms(void);
int64_t eb_clock_mono_us(void);

#endif
