# The HTTP edges of issue 13 point 8 (tests/integration/test_http_edges.sh):
# every method on every endpoint family, 405 with Allow, HEAD, OPTIONS,
# unknown paths, the command's content type: each answer the XML error
# document, valid against protocol/xsd/ebid.xsd.  Label "integration".
add_test(NAME integration_http_edges
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/test_http_edges.sh)
set_tests_properties(integration_http_edges PROPERTIES
  LABELS integration TIMEOUT 600 RUN_SERIAL TRUE
  ENVIRONMENT "EBID_SRC=${CMAKE_SOURCE_DIR};EBID_BUILD=${CMAKE_BINARY_DIR}")
