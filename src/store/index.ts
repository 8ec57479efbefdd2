export type { Db, Queryable, QueryResult } from './db.js';
export { StoreError } from './errors.js';
export { openStore, isPostgresUrl, type Store, type OpenStoreOptions } from './open-store.js';
export { migrate, loadMigrations, migrationsDir, type Migration } from './migrate.js';
export { dataDir, defaultPgliteDir } from './data-dir.js';
export { toStoredPath, fromStoredPath, escapePath, unescapePath, pathKey, type StoredPath } from './path-text.js';
export { resetStore, countRows, STORE_TABLES } from './reset.js';
export { lockPglite, pgliteLockHolder, LOCK_FILE, type PgliteLock } from './pglite-lock.js';
