# engine/server/server_ops.cmake
#    ebidd's operations modules (issue 19), added to the ebidd target of
#    server.cmake (included before this file: fragments are sorted):
#    Prometheus metrics (metrics.c), systemd readiness and SIGHUP (service.c).
target_sources(ebidd PRIVATE engine/server/metrics.c engine/server/service.c)
target_compile_definitions(ebidd PRIVATE EB_VERSION="${PROJECT_VERSION}")
