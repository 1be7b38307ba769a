# eb_verbs: the verb families of `ebid` (tools/verbs.c).
add_library(eb_verbs STATIC tools/verbs.c tools/bigbid.c tools/progress.c)
target_link_libraries(eb_verbs PUBLIC eb_core_sale eb_client eb_fileio eb_opening eb_crypto eb_xml eb_base)
target_compile_definitions(eb_verbs PRIVATE
  EB_XSD_DEFAULT="${EB_XSD_DIR}/ebid.xsd")
