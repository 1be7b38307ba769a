# eb_opening: the system commands of the sealed-bid opening (protocol/opening.h).
add_library(eb_opening STATIC protocol/opening.c)
target_link_libraries(eb_opening PUBLIC eb_crypto eb_xml eb_base)
