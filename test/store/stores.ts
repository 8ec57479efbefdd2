// Runs a suite against both databases: PGlite (embedded) and PostgreSQL.
// PostgreSQL comes from KISEKI_TEST_POSTGRES (e.g.
// postgres:///kiseki_test?host=/var/run/postgresql); unset, the PostgreSQL
// half FAILS saying how to set it, unless KISEKI_SKIP_POSTGRES=1.
// Each test file gets its own PGlite folder (copied from a template made
// once, since creating a PGlite database takes seconds) and its own
// PostgreSQL schema; tables are emptied before each test.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { loadMigrations, openStore, resetStore, type Store } from '../../src/store/index.js';
import { openPostgres } from '../../src/store/postgres-db.js';

export type StoreKind = 'pglite' | 'postgres';

export const POSTGRES_URL = process.env.KISEKI_TEST_POSTGRES;
const SKIP_POSTGRES = process.env.KISEKI_SKIP_POSTGRES === '1';
export const POSTGRES_HELP =
  'KISEKI_TEST_POSTGRES is not set: the store suites also run against PostgreSQL. Set it, e.g. ' +
  "KISEKI_TEST_POSTGRES='postgres:///kiseki_test?host=/var/run/postgresql' (scripts/setup --test creates that database), " +
  'or set KISEKI_SKIP_POSTGRES=1 to run PGlite only.';

/** A PGlite folder with the current migrations applied, made once per schema version. */
async function pgliteTemplate(): Promise<string> {
  const h = createHash('sha256');
  for (const m of loadMigrations()) h.update(m.sql);
  const dir = join(tmpdir(), `kiseki-pglite-template-${h.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  const work = mkdtempSync(join(tmpdir(), 'kiseki-pglite-tmpl-'));
  const s = await openStore({ db: work });
  await s.close();
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another run made it first
  }
  return dir;
}

/** A fresh PGlite folder for one test file. */
export async function freshPgliteDir(): Promise<string> {
  const tmpl = await pgliteTemplate();
  const dir = mkdtempSync(join(tmpdir(), 'kiseki-pglite-'));
  cpSync(tmpl, dir, { recursive: true });
  return dir;
}

/** A clean PostgreSQL schema for one test file; returns its name. */
export async function freshPostgresSchema(name: string): Promise<string> {
  const schema = `kt_${name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 60);
  const db = await openPostgres(POSTGRES_URL!, { max: 1 });
  try {
    await db.exec(`drop schema if exists ${schema} cascade`);
  } finally {
    await db.close();
  }
  return schema;
}

export interface StoreTarget {
  kind: StoreKind;
  /** How to open another Store on the same database (a second process would use the same). */
  db: string;
  schema?: string;
}

export function storeKinds(): StoreKind[] {
  return POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export async function makeTarget(kind: StoreKind, name: string): Promise<StoreTarget> {
  if (kind === 'pglite') return { kind, db: await freshPgliteDir() };
  return { kind, db: POSTGRES_URL!, schema: await freshPostgresSchema(name) };
}

export function openTarget(t: StoreTarget): Promise<Store> {
  return openStore({ db: t.db, ...(t.schema ? { schema: t.schema } : {}) });
}

export interface StoreContext {
  readonly store: Store;
  readonly target: StoreTarget;
  /** Close and reopen (e.g. to let a child process use a PGlite folder). */
  reopen(): Promise<void>;
  closeForChild(): Promise<void>;
}

/** describe() the body once per database, with a shared store emptied before each test. */
export function describeStores(title: string, body: (ctx: StoreContext) => void, fileName = title): void {
  for (const kind of storeKinds()) {
    describe(`${title} [${kind}]`, () => {
      let store: Store | undefined;
      let target: StoreTarget;
      const ctx: StoreContext = {
        get store() {
          if (!store) throw new Error('store not open');
          return store;
        },
        get target() {
          return target;
        },
        async reopen() {
          await store?.close();
          store = await openTarget(target);
        },
        async closeForChild() {
          await store?.close();
          store = undefined;
        },
      };
      beforeAll(async () => {
        target = await makeTarget(kind, basename(fileName));
        store = await openTarget(target);
      });
      beforeEach(async () => {
        if (!store) store = await openTarget(target);
        await resetStore(store.db);
      });
      afterAll(async () => {
        await store?.close();
        if (kind === 'pglite' && target) rmSync(target.db, { recursive: true, force: true });
      });
      body(ctx);
    });
  }
  if (!POSTGRES_URL && !SKIP_POSTGRES) {
    describe(`${title} [postgres]`, () => {
      it('runs against PostgreSQL', () => {
        throw new Error(POSTGRES_HELP);
      });
    });
  }
}
