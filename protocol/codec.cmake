# eb_xml: the XML codec (untrusted bytes -> validated eb_doc, eb_doc -> XML)
# and the XML error document.  libxml2 is linked here and nowhere below
# protocol/; engine/core never links this library.  See protocol/README.md.
add_library(eb_xml STATIC protocol/xml.c protocol/errdoc.c)
target_link_libraries(eb_xml PUBLIC eb_base PkgConfig::LIBXML2)
