# opening_bench: opening N sealed 100 KiB bids on 1 and 2 threads against
# the summed crypto cost (tests/bench/run phase "opening"; not a CTest).
add_executable(opening_bench tests/bench/opening_bench.c)
target_link_libraries(opening_bench PRIVATE eb_opening eb_testpki Threads::Threads)
target_compile_definitions(opening_bench PRIVATE EB_SRC_DIR="${CMAKE_SOURCE_DIR}")
set_target_properties(opening_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bench)
