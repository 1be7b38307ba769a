# engine/server/server_privsep.cmake
#    ebidd's privilege separation (issue 21 point 1), added to the ebidd
#    target of server.cmake (fragments are sorted): the key process and its
#    channels (keyproc.c, frames of protocol/keyframe.c) and the network
#    process's drop (privdrop.c: user, no new privileges, the seccomp
#    allow-list of libseccomp).  docs/architecture.md, Privilege separation.
pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp)
target_sources(ebidd PRIVATE engine/server/keyproc.c engine/server/privdrop.c)
target_link_libraries(ebidd PRIVATE PkgConfig::LIBSECCOMP)
