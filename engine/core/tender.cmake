# eb_core_tender: the procurement tender state machine (engine/core/tender.c
# and its tender_<concept>.c files, which share the private tender_int.h).
# Pure: libc, protocol's plain types and SHA-256, and the rule modules
# it calls (clearing, draw, evaluation).
add_library(eb_core_tender STATIC
  engine/core/tender.c
  engine/core/tender_who.c
  engine/core/tender_register.c
  engine/core/tender_bidding.c
  engine/core/tender_opening.c
  engine/core/tender_draw.c
  engine/core/tender_evaluation.c
  engine/core/tender_confirm.c
  engine/core/tender_exits.c
  engine/core/tender_apply.c
  engine/core/tender_records.c
  engine/core/tender_view.c)
target_link_libraries(eb_core_tender PUBLIC eb_core_cmd eb_core_subject eb_core_clearing eb_core_draw eb_core_evaluation eb_base)
