-- schema/0006_app_reads_migrations.sql
--    The running server may connect as a member of ebid_app and leave the
--    migrations to the owner (`ebidd --migrate`, migrate_db): it then
--    checks at start that every schema/NNNN_*.sql file has been applied,
--    which needs to read schema_migrations (engine/store/migrate.c).

GRANT SELECT ON schema_migrations TO ebid_app;
