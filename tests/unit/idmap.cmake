# engine/server/idmap.c: the table by aggregate id (ebidd's cache, slots).
eb_unit_test(NAME test_idmap SOURCES tests/unit/test_idmap.c
  ${CMAKE_SOURCE_DIR}/engine/server/idmap.c LIBS eb_base)
