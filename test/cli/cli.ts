// Runs the built CLI (`node dist/cli/main.js`, `npm run build` first) against
// a store: PGlite in a fresh data dir, or PostgreSQL in a fresh schema
// (KISEKI_TEST_POSTGRES, as the store suites; unset, the PostgreSQL half
// fails saying how to set it, unless KISEKI_SKIP_POSTGRES=1).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CLI } from '../capture/harness.js';
import { freshPgliteDir, freshPostgresSchema, POSTGRES_HELP, POSTGRES_URL, storeKinds, type StoreKind } from '../store/stores.js';

export { CLI };

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  kind: StoreKind;
  /** KISEKI_DATA_DIR: runs/ (trace files) and, for PGlite, db/. */
  dataDir: string;
  /** The --db value for this store (KISEKI_DB is set to it too). */
  db: string;
  env: NodeJS.ProcessEnv;
  kiseki(args: string[], opts?: { cwd?: string; env?: NodeJS.ProcessEnv }): CliResult;
  /** Runs and parses stdout as JSON; fails with the stderr when the command does. */
  json<T = unknown>(args: string[], opts?: { cwd?: string }): T;
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? process.cwd(), encoding: 'utf8', input: '', env: opts.env ?? process.env, timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function makeCliEnv(kind: StoreKind, name: string): Promise<CliEnv> {
  const dataDir = realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-cli-')));
  let db: string;
  if (kind === 'pglite') {
    // A copy of the migrated template: creating a PGlite database takes seconds.
    const tmpl = await freshPgliteDir();
    db = join(dataDir, 'db');
    cpSync(tmpl, db, { recursive: true });
    rmSync(tmpl, { recursive: true, force: true });
  } else {
    const schema = await freshPostgresSchema(`cli_${name}`);
    db = `${POSTGRES_URL}${POSTGRES_URL!.includes('?') ? '&' : '?'}schema=${schema}`;
  }
  mkdirSync(join(dataDir, 'runs'), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, KISEKI_DATA_DIR: dataDir, KISEKI_DB: db };
  const self: CliEnv = {
    kind, dataDir, db, env,
    kiseki: (args, o = {}) => runCli(args, { cwd: o.cwd, env: { ...env, ...o.env } }),
    json: <T>(args: string[], o: { cwd?: string } = {}) => {
      const r = self.kiseki([...args, '--json'], o);
      if (r.status !== 0) throw new Error(`kiseki ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
  };
  return self;
}

/** describe() the body once per store kind, each with its own store. */
export function describeCli(title: string, name: string, body: (get: () => CliEnv) => void): void {
  for (const kind of storeKinds()) {
    describe(`${title} [${kind}]`, () => {
      let env: CliEnv | undefined;
      beforeAll(async () => {
        env = await makeCliEnv(kind, name);
      });
      afterAll(() => {
        if (env) rmSync(env.dataDir, { recursive: true, force: true });
      });
      body(() => env!);
    });
  }
  if (!POSTGRES_URL && process.env.KISEKI_SKIP_POSTGRES !== '1') {
    describe(`${title} [postgres]`, () => {
      it('runs against PostgreSQL', () => {
        throw new Error(POSTGRES_HELP);
      });
    });
  }
}

export function workdir(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-clicase-')));
}
