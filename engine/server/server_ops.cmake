# engine/server/server_ops.cmake
#    ebidd's operations modules (issue 19), added to the ebidd target of
#    server.cmake (included before this file: fragments are sorted):
#    Prometheus metrics (metrics.c), systemd readiness and SIGHUP (service.c),
#    the board's OCDS open data (board_ocds.c, with tools/ocds.c: the same
#    mapping as ebid-audit export --ocds).
target_sources(ebidd PRIVATE engine/server/metrics.c engine/server/service.c
  engine/server/board_ocds.c)
target_link_libraries(ebidd PRIVATE eb_ocds)
target_compile_definitions(ebidd PRIVATE EB_VERSION="${PROJECT_VERSION}")
