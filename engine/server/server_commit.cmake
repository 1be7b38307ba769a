# engine/server/server_commit.cmake
#    Group commit (groupcommit.c: entries of any aggregate appended
#    together, docs/performance.md), added to the ebidd target of
#    server.cmake (included before this file: fragments are sorted).
target_sources(ebidd PRIVATE engine/server/groupcommit.c)
