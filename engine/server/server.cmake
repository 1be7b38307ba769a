# ebidd: the HTTPS (mutual TLS) server.  See engine/server/README.md and
# docs/server.md.  The aggregate kinds it serves are linked here as
# engine/core/flows.c registers them.
# The public board's pages: XSLT 1.0 by libxslt (engine/server/board.c).
pkg_check_modules(LIBXSLT REQUIRED IMPORTED_TARGET libxslt)
add_executable(ebidd
  engine/server/main.c engine/server/config.c engine/server/clock.c
  engine/server/log.c engine/server/tls.c engine/server/http.c engine/server/replyxml.c engine/server/conns.c
  engine/server/handlers.c engine/server/upload.c engine/server/envstore.c engine/server/envelopes_http.c engine/server/aggs.c engine/server/commands.c engine/server/system.c engine/server/idmap.c engine/server/timers.c engine/server/opening.c engine/server/opening_key.c engine/server/appointments.c engine/server/monitoring.c engine/server/registry.c engine/server/board_sanctions.c engine/server/reads.c engine/server/export.c engine/server/heads.c engine/server/directory.c engine/server/receipts.c engine/server/recovery.c
  engine/server/watch.c engine/server/notify.c engine/server/states.c engine/server/rebuild.c engine/server/board.c
  engine/server/workers.c)
target_link_libraries(ebidd PRIVATE eb_store eb_core_flows eb_opening eb_logdoc eb_crypto eb_xml eb_pagefn
  eb_core_cmd eb_base
  PkgConfig::LIBEVENT PkgConfig::OPENSSL PkgConfig::LIBPQ PkgConfig::LIBXSLT
  Threads::Threads)
set_target_properties(ebidd PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# OCSP (issue 21 point 3): the asynchronous client of the centre's
# responder (ocspclient.h) over protocol/ocsp.c.
target_sources(ebidd PRIVATE engine/server/ocspclient.c)
target_link_libraries(ebidd PRIVATE eb_ocsp)
