# schema_events: every event kind the core folds is declared in
# protocol/xsd/events.xsd and <accepted><events> is closed (issue 13
# point 5; tests/unit/schema_events.sh, xmllint).  Owner: wire.
add_test(NAME schema_events
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/unit/schema_events.sh)
set_tests_properties(schema_events PROPERTIES LABELS unit TIMEOUT 120
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR}")
