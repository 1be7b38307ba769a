# The shared fixture of the register aggregates' unit tests
# (tests/unit/flow_fixture.{c,h}): fx_el() and fx_run().
add_library(eb_flow_fixture STATIC tests/unit/flow_fixture.c)
target_link_libraries(eb_flow_fixture PUBLIC eb_core_cmd eb_base PkgConfig::CMOCKA)
