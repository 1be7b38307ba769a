# eb_logdoc: an aggregate's log and its export format (protocol/logdoc.h).
add_library(eb_logdoc STATIC protocol/logdoc.c)
target_link_libraries(eb_logdoc PUBLIC eb_crypto eb_base)
