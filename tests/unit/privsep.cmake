# Privilege separation (issue 21 point 1): the key process's frames
# (protocol/keyframe.c) and the network process's system-call filter
# (engine/server/privdrop.c, in a forked child; libseccomp).
eb_unit_test(NAME test_keyframe SOURCES tests/unit/test_keyframe.c LIBS eb_base)
eb_unit_test(NAME test_privdrop SOURCES tests/unit/test_privdrop.c
  ${CMAKE_SOURCE_DIR}/engine/server/privdrop.c ${CMAKE_SOURCE_DIR}/engine/server/config.c
  ${CMAKE_SOURCE_DIR}/engine/server/log.c ${CMAKE_SOURCE_DIR}/engine/server/clock.c
  LIBS eb_base PkgConfig::LIBSECCOMP)
