# tests/integration/service.cmake
#    ebidd as a service: JSON log lines, systemd readiness, SIGHUP log
#    rotation (tests/integration/test_service.sh).
add_test(NAME integration_service
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_service.sh)
set_tests_properties(integration_service PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
