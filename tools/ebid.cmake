# ebid: the client tool every party uses (build/ebid).
add_executable(ebid tools/ebid.c)
target_link_libraries(ebid PRIVATE eb_client eb_crypto eb_xml eb_base)
set_target_properties(ebid PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
