export { connectCassandra, cassandraReady, type CassandraSettings } from './client';
export { migrate, schemaStatus, loadMigrations, splitStatements, assertKeyspace, MIGRATIONS_DIR, type Migration, type SchemaStatus } from './migrations';
export { parseReplication, replicationCql, type Replication } from './replication';
export { AccountStore, type AccountRecord, type ScramCredential, type ScramMechanism } from './accounts';
export { ArchiveStore, bucketOf, BUCKET_MS, type ArchivedRow, type WriteResult, type PageQuery } from './archive';
