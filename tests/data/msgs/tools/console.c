/* tests/data/msgs/tools/console.c: the fixture's figures (README.md) */
static const struct msg_value {
	const char *name, *family, *path, *attr, *as;
} msg_values[] = {
	{ "amount", "form", "", "amount", "fen" },
	{ "when", "sale", "auction", "ends", "at" },
	{ "state", "sale", "", "state", "token" },
	{ "state", "tender", "", "state", "token" },
	/* named by no message */
	{ "spare", "sale", "terms", "deposit", "fen" },
	/* a kind the stylesheet does not show */
	{ "odd", "sale", "terms", "increment", "text" },
	/* not five literals */
	{ "short", "sale" },
};
