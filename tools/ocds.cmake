# OCDS open data from a log (tools/ocds.c): ebid-audit export --ocds and
# the public board's /public/ocds/ (engine/server/board_ocds.c).
add_library(eb_ocds STATIC tools/ocds.c)
target_link_libraries(eb_ocds PUBLIC eb_logdoc eb_core_flows eb_xml eb_base)
