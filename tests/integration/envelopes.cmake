# Large bids' envelopes served to auditors (tests/integration/test_envelopes.sh):
# GET /v1/envelopes/SHA256, refusals, ebid-audit export --fetch-envelopes
# and verify, an altered envelope refused.  Free ports.
add_test(NAME integration_envelopes
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_envelopes.sh)
set_tests_properties(integration_envelopes PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
