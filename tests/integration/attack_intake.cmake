# Issue 20 points 2 and 10 through the real ebidd
# (tests/integration/test_attack_intake.sh): hostile XML shapes inside
# signed commands, the latency of a small command meanwhile, health and
# SIGTERM with a stuck worker, weak signatures.  Label "integration".
add_test(NAME integration_attack_intake
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_attack_intake.sh)
set_tests_properties(integration_attack_intake PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")

# Signs with a chosen signing-time attribute (no faketime here).
add_executable(sign_at tests/integration/sign_at.c)
target_link_libraries(sign_at PRIVATE PkgConfig::OPENSSL)
set_target_properties(sign_at PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration)
