# OCSP (tests/integration/test_ocsp_live.sh): ebidd's OCSP client against
# a real `openssl ocsp` responder: cache, revocation at the request and at
# the signature's instant, timeout, soft fail, ocsp = aia.  Free ports.
add_test(NAME integration_ocsp_live
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_ocsp_live.sh)
set_tests_properties(integration_ocsp_live PROPERTIES
  LABELS integration TIMEOUT 300 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
