# eb_store: ebidd's PostgreSQL store (async libpq in the libevent loop,
# migrations, the hash-chained append).  See engine/store/README.md.
add_library(eb_store STATIC
  engine/store/store.c engine/store/migrate.c)
target_link_libraries(eb_store PUBLIC eb_base PkgConfig::LIBPQ PkgConfig::LIBEVENT)
