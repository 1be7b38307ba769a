/* eb_fail(e, 1, NULL, "A hint in a comment is none.", "m"); */
#include "protocol/err.h"

struct row {
	const char *hint;
};

static const struct row r = { .hint = "A member's hint." };
static const char hint[] = "An assigned " "hint.";

/* a helper of this file takes its hint second */
static int
helper(struct eb_error *e, const char *hint, const char *what)
{
	return eb_fail(e, 1, NULL, hint, "%s", what);
}

int
f(struct eb_error *e, char *buf, int x)
{
	eb_fail(e, 1, NULL, "A translated hint.", "m %d", x);
	eb_fail(e, 1, NULL, "Joined " "in two \"parts\".", "m");
	eb_fail(e, 1, NULL, x > 1 ? "The left arm." : "The right arm.", "m");
	helper(e, "Through the helper.", "w");
	eb_fail(e, 1, NULL, r.hint, "m");
	eb_fail(e, 1, NULL, NULL, "m");
	eb_fail(e, 1, NULL, buf, "m");
	eb_fail(e, 1, NULL, "Only 100% sure.", "m");
	eb_fail(e, 1, NULL, "Without translation.", "m");
	return eb_fail(e, 1, NULL, "A hint of more than 255 bytes is cut "
	    "by struct eb_error's hint[256], so that the desk would show a "
	    "sentence that never matches its translation; this one goes on "
	    "and on, and on again, until it has passed the limit of the "
	    "structure by a comfortable margin of bytes.",
	    "m");
}
