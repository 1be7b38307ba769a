# ebid: the client tool every party uses (build/ebid).
add_executable(ebid tools/ebid.c)
target_link_libraries(ebid PRIVATE eb_client eb_fileio eb_crypto eb_xml eb_base
  $<$<TARGET_EXISTS:eb_verbs>:eb_verbs> $<$<TARGET_EXISTS:eb_console>:eb_console>)
# The verb families (tools/verbs.h) join ebid when their library exists.
target_compile_definitions(ebid PRIVATE $<$<TARGET_EXISTS:eb_verbs>:EB_HAVE_VERBS>
  $<$<TARGET_EXISTS:eb_console>:EB_HAVE_CONSOLE>)
set_target_properties(ebid PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
