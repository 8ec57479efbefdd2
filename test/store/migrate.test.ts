import { expect, it } from 'vitest';
import { dataDir, defaultPgliteDir, loadMigrations, openStore, StoreError } from '../../src/store/index.js';
import { freshPostgresSchema, POSTGRES_URL, describeStores } from './stores.js';

describeStores('store', (ctx) => {
  it('has every migration applied, in order', async () => {
    const { rows } = await ctx.store.db.query<{ version: number; name: string }>('select version, name from schema_migrations order by version');
    expect(rows.map((r) => [Number(r.version), r.name])).toEqual(loadMigrations().map((m) => [m.version, m.name]));
    const { rows: trgm } = await ctx.store.db.query<{ s: number }>(`select similarity('results.csv', 'result.csv') as s`);
    expect(Number(trgm[0]!.s)).toBeGreaterThan(0.5); // pg_trgm is there
  });

  it('two processes opening a new database at once apply each migration once', async () => {
    if (ctx.target.kind !== 'postgres') return; // PGlite: one process per folder, by design
    const schema = await freshPostgresSchema('migrate_race');
    const stores = await Promise.all([0, 1, 2].map(() => openStore({ db: POSTGRES_URL!, schema })));
    const { rows } = await stores[0]!.db.query<{ n: number }>('select count(*)::int as n from schema_migrations');
    expect(rows[0]!.n).toBe(loadMigrations().length);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses a database whose applied migration text differs', async () => {
    const opts = { db: ctx.target.db, ...(ctx.target.schema ? { schema: ctx.target.schema } : {}) };
    await ctx.store.db.query(`update schema_migrations set checksum = 'edited' where version = 1`);
    await ctx.closeForChild();
    await expect(openStore(opts)).rejects.toThrow(/001-initial differs from the one this database was made with/);
    const raw = await openStore({ ...opts, migrate: false });
    await raw.db.query('update schema_migrations set checksum = null where version = 1'); // unknown: filled in on open
    await raw.close();
    await ctx.reopen();
    const { rows } = await ctx.store.db.query<{ c: string }>('select checksum as c from schema_migrations where version = 1');
    expect(rows[0]!.c).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a database newer than it knows', async () => {
    const opts = { db: ctx.target.db, ...(ctx.target.schema ? { schema: ctx.target.schema } : {}) };
    await ctx.store.db.query(`insert into schema_migrations (version, name) values (999, 'from-the-future')`);
    await ctx.closeForChild(); // one PGlite per folder at a time
    await expect(openStore(opts)).rejects.toThrow(/newer than this Kiseki knows/);
    const raw = await openStore({ ...opts, migrate: false });
    await raw.db.query('delete from schema_migrations where version = 999');
    await raw.close();
    await ctx.reopen();
  });
}, 'migrate');

it('puts the embedded database under XDG_DATA_HOME, else ~/.local/share', () => {
  expect(dataDir({ XDG_DATA_HOME: '/x/data' })).toBe('/x/data/kiseki');
  expect(defaultPgliteDir({ XDG_DATA_HOME: '/x/data' })).toBe('/x/data/kiseki/db');
  expect(dataDir({ XDG_DATA_HOME: 'relative' })).toMatch(/\.local\/share\/kiseki$/);
  expect(dataDir({})).toMatch(/\.local\/share\/kiseki$/);
});

it('reports a bad schema name or an unreachable server as StoreError', async () => {
  await expect(openStore({ db: 'memory:', schema: 'x; drop table y' })).rejects.toBeInstanceOf(StoreError);
  await expect(openStore({ db: 'postgres://127.0.0.1:1/none' })).rejects.toMatchObject({ code: 'E_STORE_OPEN' });
});
