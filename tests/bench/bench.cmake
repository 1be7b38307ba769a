# The limit-measuring programs of tests/bench/run (not CTests).
# https_baseline: the bare libevent HTTPS server (same certificates and TLS
# set-up as ebidd) that ebid-load keepalive is compared with.
# Owner: performance engineer.
add_executable(https_baseline tests/bench/https_baseline.c)
target_link_libraries(https_baseline PRIVATE PkgConfig::LIBEVENT PkgConfig::OPENSSL)
set_target_properties(https_baseline PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
