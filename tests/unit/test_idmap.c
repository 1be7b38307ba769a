/*
 * tests/unit/test_idmap.c
 *    engine/server/idmap.{c,h}: the one table by aggregate id (the
 *    aggregate cache and ebidd's slots): find what was inserted, nothing
 *    else; removal; a walk that removes as it goes (how the slots and the
 *    cache are freed); ids that share a bucket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/server/idmap.h"

struct rec {
	int value;
	struct eb_idmap_node node;        /* not first: EB_IDMAP_RECORD */
};

static struct rec *
find(struct eb_idmap *m, const char *id)
{
	struct eb_idmap_node *n = eb_idmap_find(m, id);

	return n != NULL ? EB_IDMAP_RECORD(n, struct rec, node) : NULL;
}

static void
test_insert_find_remove(void **state)
{
	struct eb_idmap m;
	struct rec a = { .value = 1 }, b = { .value = 2 };

	(void)state;
	assert_int_equal(eb_idmap_init(&m, 4), EB_OK);
	assert_null(find(&m, "T-2026-0001"));
	eb_idmap_insert(&m, &a.node, "T-2026-0001");
	eb_idmap_insert(&m, &b.node, "S-2026-0001");
	assert_int_equal(m.n, 2);
	assert_ptr_equal(find(&m, "T-2026-0001"), &a);
	assert_ptr_equal(find(&m, "S-2026-0001"), &b);
	assert_string_equal(a.node.id, "T-2026-0001");
	assert_null(find(&m, "T-2026-000"));
	assert_null(find(&m, "T-2026-00011"));
	eb_idmap_remove(&m, &a.node);
	assert_int_equal(m.n, 1);
	assert_null(find(&m, "T-2026-0001"));
	assert_ptr_equal(find(&m, "S-2026-0001"), &b);
	eb_idmap_fini(&m);
}

static void
free_odd(struct eb_idmap_node *n, void *arg)
{
	struct eb_idmap *m = arg;
	struct rec *r = EB_IDMAP_RECORD(n, struct rec, node);

	if (r->value % 2 == 1) {
		eb_idmap_remove(m, n);
		free(r);
	}
}

static void
free_all(struct eb_idmap_node *n, void *arg)
{
	int *count = arg;

	(*count)++;
	free(EB_IDMAP_RECORD(n, struct rec, node));
}

/* 1,000 ids in 7 buckets: every bucket holds many; a walk frees half. */
static void
test_many_and_walk_removing(void **state)
{
	struct eb_idmap m;
	char id[32];
	int count = 0;

	(void)state;
	assert_int_equal(eb_idmap_init(&m, 7), EB_OK);
	for (int i = 0; i < 1000; i++) {
		struct rec *r = calloc(1, sizeof(*r));

		assert_non_null(r);
		r->value = i;
		snprintf(id, sizeof(id), "P-2026-%04d", i);
		eb_idmap_insert(&m, &r->node, id);
	}
	assert_int_equal(m.n, 1000);
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "P-2026-%04d", i);
		assert_non_null(find(&m, id));
		assert_int_equal(find(&m, id)->value, i);
	}
	eb_idmap_foreach(&m, free_odd, &m);
	assert_int_equal(m.n, 500);
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "P-2026-%04d", i);
		if (i % 2 == 1)
			assert_null(find(&m, id));
		else
			assert_non_null(find(&m, id));
	}
	eb_idmap_foreach(&m, free_all, &count);
	assert_int_equal(count, 500);
	eb_idmap_fini(&m);
	assert_int_equal(eb_idmap_init(&m, 0), EB_ERR_USAGE);
}

/* An id longer than the field is cut, as the id fields always were. */
static void
test_long_id_cut(void **state)
{
	struct eb_idmap m;
	struct rec a = { .value = 1 };
	char id[EB_ID_MAX + 10];

	(void)state;
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_int_equal(eb_idmap_init(&m, 16), EB_OK);
	eb_idmap_insert(&m, &a.node, id);
	assert_int_equal(strlen(a.node.id), EB_ID_MAX - 1);
	assert_ptr_equal(find(&m, a.node.id), &a);
	eb_idmap_fini(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_find_remove),
		cmocka_unit_test(test_many_and_walk_removing),
		cmocka_unit_test(test_long_id_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
