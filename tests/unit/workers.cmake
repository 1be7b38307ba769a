# engine/server/workers.c: the worker pool, its lanes and its wake-ups.
eb_unit_test(NAME test_workers SOURCES tests/unit/test_workers.c
  ${CMAKE_SOURCE_DIR}/engine/server/workers.c LIBS eb_base PkgConfig::LIBEVENT)
