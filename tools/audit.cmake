# ebid-audit: export, verify and replay logs (tools/ebid-audit.c).
add_library(eb_audit STATIC tools/audit_log.c tools/audit_checks.c tools/audit_timeline.c tools/audit_heads.c tools/audit_db.c tools/audit_canon.c)
target_link_libraries(eb_audit PUBLIC eb_fileio eb_logdoc eb_opening eb_core_flows eb_crypto eb_xml eb_base PkgConfig::LIBPQ)
add_executable(ebid-audit tools/ebid-audit.c)
target_link_libraries(ebid-audit PRIVATE eb_audit eb_ocds eb_client eb_fileio)
target_compile_definitions(ebid-audit PRIVATE
  EB_XSD_DEFAULT="${EB_XSD_DIR}/ebid.xsd")
set_target_properties(ebid-audit PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# The tampering battery run by the integration test on a real exported log.
add_executable(audit_tamper tests/integration/audit_tamper.c)
target_link_libraries(audit_tamper PRIVATE eb_audit PkgConfig::CMOCKA)
set_target_properties(audit_tamper PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration)
