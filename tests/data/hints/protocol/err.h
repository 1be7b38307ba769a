/* the fixture's eb_fail(): the hint is the 4th parameter */
int eb_fail(struct eb_error *e, int code, const char *reason,
    const char *hint, const char *fmt, ...);
