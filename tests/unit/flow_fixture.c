/*
 * tests/unit/flow_fixture.c
 *    The shared fixture of the aggregates' unit tests: see flow_fixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/flow_fixture.h"

struct eb_doc *
fx_el(struct eb_doc *parent, const char *name, ...)
{
	struct eb_doc *d = parent ? eb_doc_add(parent, name) :
	    eb_doc_new(name);
	const char *k, *v;
	va_list ap;

	va_start(ap, name);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		eb_doc_set_attr(d, k, v);
	}
	va_end(ap);
	return d;
}

int
fx_run(const struct eb_flow_ops *ops, void *st, const struct eb_cmd *cmd,
    struct eb_doc **out, struct eb_error *err)
{
	struct eb_doc *ev = NULL;
	int rc;

	eb_error_clear(err);
	rc = ops->decide(st, cmd, &ev, err);
	if (rc == EB_OK) {
		assert_non_null(ev);
		assert_int_equal(ops->apply(st, ev, err), EB_OK);
	} else
		assert_null(ev);
	if (out != NULL)
		*out = ev;
	else
		eb_doc_free(ev);
	return rc;
}
