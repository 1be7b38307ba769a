# engine/server/log.c: the line of a message put together by hand
# (eb_log_msg, the request lines) is the line eb_log_write gives for "%s".
eb_unit_test(NAME test_log SOURCES tests/unit/test_log.c
  ${CMAKE_SOURCE_DIR}/engine/server/log.c ${CMAKE_SOURCE_DIR}/engine/server/clock.c
  LIBS eb_base)
