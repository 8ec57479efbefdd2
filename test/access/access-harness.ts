// The access suites' world: a real slapd (test/auth/slapd-harness.ts), a
// real server over HTTP with LDAP sign-in configured (so loopback is NOT
// trusted), on PGlite and PostgreSQL, and jobs of alice (uid 2001, group
// proj-a 3001) at each visibility plus a private job of bob (2002, proj-b).
// People: carol is a system admin (kiseki-admins), dave a group admin of
// proj-a (kiseki-group-admins), eve a plain member of proj-a.
import { afterAll, beforeAll } from 'vitest';
import { createAuthRuntime, type AuthRuntime } from '../../src/api/auth/auth-runtime.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { authDefaults, type AuthConfig } from '../../src/core/config.js';
import { call, type Reply } from '../api/harness.js';
import { startSlapd, type Slapd } from '../auth/slapd-harness.js';
import { describeStores, type StoreContext } from '../store/stores.js';
import { SyntheticTrace } from '../store/synthetic-trace.js';

export type Vis = 'private' | 'group' | 'public';
export const VISES: Vis[] = ['private', 'group', 'public'];

export interface JobFixture {
  owner: string;
  visibility: Vis;
  job: number;
  jobRef: string;
  process: number;
  /** The file version the job wrote. */
  file: number;
  /** Its path: other viewers must never see it. */
  path: string;
}

export interface World {
  alice: Record<Vis, JobFixture>;
  bob: JobFixture;
}

export interface AccessContext extends StoreContext {
  readonly url: string;
  readonly server: RunningServer;
  readonly auth: AuthRuntime;
  readonly slapd: Slapd;
  /** Server log lines (checked for secrets). */
  readonly log: string[];
  /** Signs everyone in (an API token each) and ingests the jobs. Tables are emptied before each test, so call it in the test. */
  world(): Promise<World>;
  /** Calls as someone: their API token; "local" = this machine's secret (admin); "anonymous" = nothing. */
  as<T = any>(who: string, method: string, path: string, init?: { json?: unknown; body?: string; headers?: Record<string, string> }): Promise<Reply<T>>;
  login(who: string, password?: string, token?: boolean): Promise<Reply>;
}

export const PASSWORDS: Record<string, string> = { alice: 'alice-pw-1', bob: 'bob-pw-2', carol: 'carol-pw-3', dave: 'dave-pw-4', eve: 'eve-pw-5' };

export function describeAccess(title: string, body: (ctx: AccessContext) => void, fileName: string, auth: Partial<AuthConfig> = {}): void {
  describeStores(title, (sctx) => {
    let server: RunningServer | undefined;
    let slapd: Slapd | undefined;
    let rt: AuthRuntime | undefined;
    const tokens = new Map<string, string>();
    const log: string[] = [];
    const ctx = Object.create(sctx, {
      url: { get: () => server!.url },
      server: { get: () => server! },
      auth: { get: () => rt! },
      slapd: { get: () => slapd! },
      log: { get: () => log },
    }) as AccessContext;

    ctx.as = (who, method, path, init = {}) => {
      const headers: Record<string, string> = { ...init.headers };
      if (who === 'local') headers.authorization = `Bearer ${rt!.localToken}`;
      else if (who !== 'anonymous') {
        const t = tokens.get(who);
        if (!t) throw new Error(`${who} has not signed in`);
        headers.authorization = `Bearer ${t}`;
      }
      return call(server!.url, method, path, { ...(init.json !== undefined ? { json: init.json } : {}), ...(init.body !== undefined ? { body: init.body } : {}), headers });
    };
    ctx.login = (who, password = PASSWORDS[who]!, token = true) =>
      call(server!.url, 'POST', '/api/v1/auth/login', { json: { username: who, password, ...(token ? { token: { name: 'test' } } : {}) } });

    ctx.world = async () => {
      tokens.clear();
      for (const who of Object.keys(PASSWORDS)) {
        const r = await ctx.login(who);
        if (r.status !== 200) throw new Error(`login ${who}: ${r.status} ${r.text}`);
        tokens.set(who, r.body.token);
      }
      const make = async (owner: { uid: number; gid: number; name: string }, vis: Vis): Promise<JobFixture> => {
        const t = new SyntheticTrace(undefined, owner);
        const dir = `/home/${owner.name}/work-${vis}`;
        const path = `${dir}/SECRET-${owner.name}-${vis}.out`;
        t.runStart(['bash', `job-${vis}.sh`], dir);
        const sh = t.spawn(null, '/usr/bin/bash', ['bash', `job-${vis}.sh`], dir);
        t.read(sh, `${dir}/input-${owner.name}-${vis}.csv`);
        t.write(sh, path);
        t.exit(sh);
        t.runEnd();
        const r = await ctx.as('local', 'POST', `/api/v1/ingest?source=${encodeURIComponent(`run:${t.runId}`)}&seq=0&wait=true`, {
          headers: { 'content-type': 'application/x-ndjson' }, body: t.ndjson(),
        });
        if (r.status !== 202) throw new Error(`ingest: ${r.status} ${r.text}`);
        const db = sctx.store.db;
        const f = await db.query<{ id: number; job_id: number }>(
          `select n.id, n.job_id from node n join file_version fv on fv.node_id = n.id join path p on p.id = fv.path_id where p.path = $1`, [path]);
        const job = Number(f.rows[0]!.job_id);
        const p = await db.query<{ id: number }>(`select id from node where kind = 'process' and job_id = $1`, [job]);
        const jr = await db.query<{ job_ref: string }>('select job_ref from job where node_id = $1', [job]);
        const v = await ctx.as('local', 'PUT', `/api/v1/nodes/${job}/visibility`, { json: { visibility: vis, applyToFiles: true } });
        if (v.status !== 200) throw new Error(`visibility: ${v.status} ${v.text}`);
        return { owner: owner.name, visibility: vis, job, jobRef: jr.rows[0]!.job_ref, process: Number(p.rows[0]!.id), file: Number(f.rows[0]!.id), path };
      };
      const alice = { uid: 2001, gid: 3001, name: 'alice' };
      const a: Partial<Record<Vis, JobFixture>> = {};
      for (const v of VISES) a[v] = await make(alice, v);
      return { alice: a as Record<Vis, JobFixture>, bob: await make({ uid: 2002, gid: 3002, name: 'bob' }, 'private') };
    };

    beforeAll(async () => {
      slapd = await startSlapd();
      rt = createAuthRuntime({
        ...authDefaults(), ldap: slapd.config, adminGroups: ['kiseki-admins'], groupAdminGroups: ['kiseki-group-admins'], ...auth,
      });
      server = await startServer({ store: sctx.store, port: 0, auth: rt, log: (l) => log.push(l) });
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await slapd?.stop();
    });

    body(ctx);
  }, fileName);
}
