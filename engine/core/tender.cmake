# eb_core_tender: the procurement tender state machine (engine/core/tender.c).
# Pure: libc, protocol's plain types and SHA-256, and the rule modules
# it calls (clearing, draw, evaluation).
add_library(eb_core_tender STATIC engine/core/tender.c)
target_link_libraries(eb_core_tender PUBLIC eb_core_cmd eb_core_subject eb_core_clearing eb_core_draw eb_core_evaluation eb_base)
