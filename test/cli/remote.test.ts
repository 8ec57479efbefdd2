// The CLI against a real server (over real HTTP, in this process) with real
// LDAP sign-in (slapd): `kiseki login` / `logout` / `whoami`, the query
// commands in remote mode (jobs, search, show, lineage, export) showing each
// person what the server lets them see, `visibility set`, `token`, `share`,
// and the admin commands. The CLI runs as the built binary
// (dist/cli/main.js; `npm run build:ts` first) with its own
// XDG_CONFIG_HOME per person, spawned asynchronously: the server answers
// from this process's event loop.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuthRuntime, type AuthRuntime } from '../../src/api/auth/auth-runtime.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { authDefaults } from '../../src/core/config.js';
import { call } from '../api/harness.js';
import { freePort, startSlapd, USERS as LDAP_USERS, type Slapd } from '../auth/slapd-harness.js';
import { describeStores } from '../store/stores.js';
import { SyntheticTrace } from '../store/synthetic-trace.js';
import { CLI } from './cli.js';

const PW: Record<string, string> = Object.fromEntries(LDAP_USERS.map((u) => [u.name, u.password]));

interface Run { status: number | null; stdout: string; stderr: string }

interface Job { job: number; jobRef: string; path: string }

describeStores('kiseki CLI against a server', (sctx) => {
  let slapd: Slapd;
  let rt: AuthRuntime;
  let server: RunningServer;
  const homes: string[] = [];
  const log: string[] = [];

  beforeAll(async () => {
    slapd = await startSlapd();
    rt = createAuthRuntime({ ...authDefaults(), ldap: slapd.config, adminGroups: ['kiseki-admins'], groupAdminGroups: ['kiseki-group-admins'] });
    server = await startServer({ store: sctx.store, port: 0, auth: rt, log: (l) => log.push(l) });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await slapd?.stop();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  /** A fresh home for one person: XDG_CONFIG_HOME (credentials) and a data dir with no store in it. */
  function person(): { home: string; env: NodeJS.ProcessEnv; creds: string } {
    const home = realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-remote-')));
    homes.push(home);
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), KISEKI_DATA_DIR: join(home, 'data'), HOME: home };
    for (const k of ['KISEKI_DB', 'KISEKI_SERVER', 'KISEKI_TOKEN', 'KISEKI_CONFIG']) delete env[k];
    return { home, env, creds: join(home, 'config', 'kiseki', 'credentials.json') };
  }

  function kiseki(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [CLI, ...args], { env, cwd: env.HOME, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      p.on('error', reject);
      p.on('close', (status) => resolve({ status, stdout, stderr }));
      p.stdin.end(input);
    });
  }

  /** Signs `who` in through the CLI (the password on standard input, as a script would give it). */
  async function login(who: string): Promise<{ env: NodeJS.ProcessEnv; creds: string; home: string }> {
    const p = person();
    const r = await kiseki(['login', '--server', server.url], p.env, `${who}\n${PW[who]}\n`);
    expect(r.stderr + r.stdout, `login ${who}`).toContain(`as ${who}`);
    expect(r.status).toBe(0);
    return p;
  }

  const local = { authorization: '' };
  async function makeJob(owner: { uid: number; gid: number; name: string }, tag: string, visibility: 'private' | 'group' | 'public', alsoReads: string[] = []): Promise<Job> {
    local.authorization = `Bearer ${rt.localToken}`;
    // A job id (the run's UUID) that starts with a letter: a node id given as `show 12` must not be taken for a job id prefix.
    let runId = randomUUID();
    while (!/^[a-f]/.test(runId)) runId = randomUUID();
    const t = new SyntheticTrace(runId, owner);
    const dir = `/home/${owner.name}/${tag}`;
    const path = `${dir}/${tag}.out`;
    t.runStart(['bash', `${tag}.sh`], dir);
    const sh = t.spawn(null, '/usr/bin/bash', ['bash', `${tag}.sh`], dir);
    t.read(sh, `${dir}/${tag}-input.csv`);
    for (const r of alsoReads) t.read(sh, r);
    t.write(sh, path);
    t.exit(sh);
    t.runEnd();
    const r = await call<any>(server.url, 'POST', `/api/v1/ingest?source=${encodeURIComponent(`run:${t.runId}`)}&seq=0&wait=true`, {
      body: t.ndjson(), headers: { ...local, 'content-type': 'application/x-ndjson' },
    });
    if (r.status !== 202) throw new Error(`ingest: ${r.status} ${r.text}`);
    const job = Number((await sctx.store.db.query<{ node_id: number }>('select node_id from job where job_ref = $1', [t.runId])).rows[0]!.node_id);
    const v = await call(server.url, 'PUT', `/api/v1/nodes/${job}/visibility`, { json: { visibility, applyToFiles: true }, headers: local });
    if (v.status !== 200) throw new Error(`visibility: ${v.status} ${v.text}`);
    return { job, jobRef: t.runId, path };
  }

  /** alice's private job (ALICEPRIV), her public job (ALICEPUB) that read the private job's output, bob's private job (BOBPRIV). */
  async function world(): Promise<{ alice: Job; alicePublic: Job; bob: Job }> {
    const alice = { uid: 2001, gid: 3001, name: 'alice' };
    const bob = { uid: 2002, gid: 3002, name: 'bob' };
    const priv = await makeJob(alice, 'ALICEPRIV', 'private');
    return { alice: priv, alicePublic: await makeJob(alice, 'ALICEPUB', 'public', [priv.path]), bob: await makeJob(bob, 'BOBPRIV', 'private') };
  }

  /** Every file under a home (the credentials folder included), to look for the password. */
  function allText(home: string): string {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) out.push(readFileSync(p, 'utf8'));
      }
    };
    walk(home);
    return out.join('\n');
  }

  it('login: a wrong password is refused; the right one keeps an API token (0600 in a 0700 folder, no password anywhere); whoami', async () => {
    const p = person();
    const bad = await kiseki(['login', '--server', server.url], p.env, `alice\nnot-her-password\n`);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('wrong user name or password');
    expect(() => statSync(p.creds)).toThrow();

    const r = await kiseki(['login', '--server', server.url], p.env, `alice\n${PW.alice}\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`signed in to ${server.url} as alice (member)`);
    expect(statSync(p.creds).mode & 0o777).toBe(0o600);
    expect(statSync(join(p.home, 'config', 'kiseki')).mode & 0o777).toBe(0o700);
    const creds = JSON.parse(readFileSync(p.creds, 'utf8'));
    expect(creds).toMatchObject({ server: server.url, user: 'alice', token: expect.stringMatching(/^ksu_/), tokenId: expect.any(Number) });
    // The token was named after this machine, and works.
    const tokens = await call<any>(server.url, 'GET', '/api/v1/tokens', { headers: { authorization: `Bearer ${creds.token}` } });
    expect(tokens.body.items[0].name).toMatch(/^kiseki CLI on /);

    const who = await kiseki(['whoami'], p.env);
    expect(who.status, who.stderr).toBe(0);
    expect(who.stdout).toContain(`alice (Alice Example) on ${server.url}`);
    expect(who.stdout).toContain('role: member');
    expect(who.stdout).toContain('uid: 2001');

    // Signing in again replaces the token; the old one is revoked, not left valid.
    const again = await kiseki(['login', '--user', 'alice'], p.env, `${PW.alice}\n`);
    expect(again.status, again.stderr).toBe(0);
    const replaced = await call<any>(server.url, 'GET', '/api/v1/search', { headers: { authorization: `Bearer ${creds.token}` } });
    expect([replaced.status, replaced.body.error.code]).toEqual([401, 'E_AUTH_TOKEN']);
    expect(JSON.parse(readFileSync(p.creds, 'utf8')).token).not.toBe(creds.token);

    for (const text of [bad.stdout, bad.stderr, r.stdout, r.stderr, again.stdout, again.stderr, who.stdout, allText(p.home), log.join('\n')]) {
      expect(text).not.toContain(PW.alice);
      expect(text).not.toContain('not-her-password');
    }
  }, 180_000);

  it('jobs, search, show, lineage, export: alice sees her private job and not bob\'s; bob the other way round', async () => {
    const w = await world();
    const alice = await login('alice');
    const bob = await login('bob');

    const jobs = await kiseki(['jobs'], alice.env);
    expect(jobs.status, jobs.stderr).toBe(0);
    expect(jobs.stdout).toContain(w.alice.jobRef);
    expect(jobs.stdout).toContain(w.alicePublic.jobRef);
    expect(jobs.stdout).not.toContain(w.bob.jobRef);
    expect(jobs.stdout).toMatch(/JOB\s+USER\s+STARTED \(UTC\)/); // the direct mode's table

    const bobJobs = await kiseki(['jobs', '--json'], bob.env);
    const ids = JSON.parse(bobJobs.stdout).items.map((j: { jobId: string }) => j.jobId);
    expect(ids).toContain(w.bob.jobRef);
    expect(ids).toContain(w.alicePublic.jobRef); // public: anyone
    expect(ids).not.toContain(w.alice.jobRef);
    // The direct mode's JSON shape (times in µs).
    expect(JSON.parse(bobJobs.stdout).items[0]).toMatchObject({ startTs: expect.any(Number), jobId: expect.any(String) });

    const search = await kiseki(['search', '--file', '*.out'], alice.env);
    expect(search.stdout).toContain(w.alice.jobRef);
    expect(search.stdout).not.toContain(w.bob.jobRef);
    const bobSearch = await kiseki(['search', '--file', 'ALICEPRIV'], bob.env);
    expect(bobSearch.status).toBe(0);
    expect(bobSearch.stdout).toContain('no matching jobs');
    const files = await kiseki(['search', '--files', '--file', '*.out'], alice.env);
    expect(files.stdout).toContain(w.alice.path);
    expect(files.stdout).not.toContain(w.bob.path);

    const show = await kiseki(['show', w.alice.jobRef], alice.env);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toContain(`job ${w.alice.jobRef}`);
    expect(show.stdout).toContain(w.alice.path);
    const showFile = await kiseki(['show', w.alice.path], alice.env);
    expect(showFile.stdout).toContain(`file ${w.alice.path} (v1)`);

    // bob: alice's private job is "not found", by job id, by node id and by path.
    for (const arg of [w.alice.jobRef, String(w.alice.job), w.alice.path]) {
      const r = await kiseki(['show', arg], bob.env);
      expect(r.status, arg).not.toBe(0);
      expect(r.stderr).toMatch(/not one you may see|no such/);
      expect(r.stderr).toContain('[E_NOT_FOUND]');
      expect(r.stdout).not.toContain('ALICEPRIV');
    }
    const bobShow = await kiseki(['show', w.bob.jobRef], bob.env);
    expect(bobShow.status, bobShow.stderr).toBe(0);
    expect(bobShow.stdout).toContain(w.bob.path);

    const lin = await kiseki(['lineage', w.alice.path], alice.env);
    expect(lin.status, lin.stderr).toBe(0);
    expect(lin.stdout).toContain(`file ${w.alice.path} (v1)  — comes from:`);
    expect(lin.stdout).toContain('ALICEPRIV-input.csv');
    const bobLin = await kiseki(['lineage', w.alice.path], bob.env);
    expect(bobLin.status).not.toBe(0);
    expect(bobLin.stdout).toBe('');
    // Redaction: bob sees that alice's public file came from an input he may not see, without its name.
    const pubLin = await kiseki(['lineage', w.alicePublic.path], bob.env);
    expect(pubLin.status, pubLin.stderr).toBe(0);
    expect(pubLin.stdout).toContain('ALICEPUB-input.csv');
    expect(pubLin.stdout).toMatch(/… and 1 more inputs you may not see/);
    expect(pubLin.stdout).not.toContain('ALICEPRIV');
    const aliceLin = await kiseki(['lineage', w.alicePublic.path], alice.env);
    expect(aliceLin.stdout).toContain(w.alice.path);
    const pubJson = JSON.parse((await kiseki(['lineage', w.alicePublic.path, '--json'], bob.env)).stdout);
    expect(JSON.stringify(pubJson)).not.toContain('ALICEPRIV');

    const exp = await kiseki(['export', w.alice.jobRef, '--format', 'prov-json'], alice.env);
    expect(exp.status, exp.stderr).toBe(0);
    expect(JSON.parse(exp.stdout).entity).toBeDefined();
    expect(exp.stdout).toContain('ALICEPRIV.out');
    const bobExp = await kiseki(['export', w.alice.jobRef, '--format', 'prov-json'], bob.env);
    expect(bobExp.status).not.toBe(0);
    expect(bobExp.stdout).toBe('');

    // --help says which mode applies.
    const help = await kiseki(['jobs', '--help'], alice.env);
    expect(help.stdout).toMatch(/Where it reads: with --server URL, \$KISEKI_SERVER, or after `kiseki login`/);
  }, 180_000);

  it('the access rules through the CLI: show and visibility set, for each role × visibility of alice\'s jobs', async () => {
    const alice = { uid: 2001, gid: 3001, name: 'alice' };
    const jobs = {
      private: await makeJob(alice, 'MATRIXPRIV', 'private'),
      group: await makeJob(alice, 'MATRIXGROUP', 'group'),
      public: await makeJob(alice, 'MATRIXPUB', 'public'),
    };
    const anonymous = person();
    const envs: Record<string, NodeJS.ProcessEnv> = { anonymous: { ...anonymous.env, KISEKI_SERVER: server.url } };
    for (const who of ['alice', 'bob', 'carol', 'dave', 'eve']) envs[who] = (await login(who)).env;
    // Who sees (S) and who may change (M): alice owns them; dave is a group admin of her group
    // (proj-a), eve a plain member of it, carol an admin, bob in another group.
    const expected: Record<string, Record<keyof typeof jobs, 'M' | 'S' | '-'>> = {
      alice: { private: 'M', group: 'M', public: 'M' },
      carol: { private: 'M', group: 'M', public: 'M' },
      dave: { private: 'M', group: 'M', public: 'M' },
      eve: { private: '-', group: 'S', public: 'S' },
      bob: { private: '-', group: '-', public: 'S' },
      anonymous: { private: '-', group: '-', public: 'S' },
    };
    const got: Record<string, Record<string, string>> = {};
    // One viewer per process at a time, the viewers side by side (each CLI run is a Node start-up).
    await Promise.all(Object.entries(expected).map(async ([who, row]) => {
      got[who] = {};
      for (const vis of Object.keys(row) as (keyof typeof jobs)[]) {
        const j = jobs[vis];
        const show = await kiseki(['show', j.jobRef], envs[who]!);
        const set = await kiseki(['visibility', 'set', j.jobRef, vis], envs[who]!);
        const cell = set.status === 0 ? 'M' : show.status === 0 ? 'S' : '-';
        got[who]![vis] = cell;
        // What is refused says why, with the server's code.
        if (cell === 'S') expect(set.stderr).toContain(who === 'anonymous' ? 'sign in to change data (kiseki login) [E_AUTH_REQUIRED]' : '[E_FORBIDDEN]');
        if (cell === '-') {
          expect(show.stderr).toContain('[E_NOT_FOUND]');
          expect(set.stderr).toContain('[E_NOT_FOUND]');
          expect(show.stdout + show.stderr).not.toContain(j.path);
        }
      }
    }));
    expect(got).toEqual(expected);
  }, 300_000);

  it('visibility set: refused to someone who may not change the node (the server\'s 403 message); done by its owner', async () => {
    const w = await world();
    const alice = await login('alice');
    const bob = await login('bob');
    // bob sees alice's public job but may not change it.
    const refused = await kiseki(['visibility', 'set', w.alicePublic.jobRef, 'private'], bob.env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/kiseki: .*only .*\[E_FORBIDDEN\]/);
    const ok = await kiseki(['visibility', 'set', w.alice.jobRef, 'public', '--apply-to-files'], alice.env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`job ${w.alice.jobRef} is now public`);
    // Now bob sees it.
    const seen = await kiseki(['show', w.alice.jobRef], bob.env);
    expect(seen.status, seen.stderr).toBe(0);
  }, 180_000);

  it('tokens: create (password asked), list, revoke; a revoked token is refused with a clear message', async () => {
    await world();
    const alice = await login('alice');
    const made = await kiseki(['token', 'create', 'nightly export', '--expires-days', '30'], alice.env, `${PW.alice}\n`);
    expect(made.status, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^ksu_/);
    expect(made.stderr).not.toContain(PW.alice);

    const list = await kiseki(['token', 'list', '--json'], alice.env);
    const items = JSON.parse(list.stdout).items as { id: number; name: string; expiresAt: string | null }[];
    const mine = items.find((t) => t.name === 'nightly export')!;
    expect(mine.expiresAt).not.toBeNull();
    const table = await kiseki(['token', 'list'], alice.env);
    expect(table.stdout).toMatch(/ID\s+NAME\s+CREATED/);
    expect(table.stdout).not.toContain('ksu_');

    // The script's token works through KISEKI_TOKEN ...
    const script = { ...alice.env, KISEKI_TOKEN: token };
    expect((await kiseki(['whoami'], script)).stdout).toContain('alice');
    const rev = await kiseki(['token', 'revoke', String(mine.id)], alice.env);
    expect(rev.status, rev.stderr).toBe(0);
    // ... and not once revoked.
    const refused = await kiseki(['jobs'], script);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('kiseki: this API token was revoked; sign in again: kiseki login [E_AUTH_TOKEN]');

    const wrongPw = await kiseki(['token', 'create', 'x'], alice.env, 'nope\n');
    expect(wrongPw.status).not.toBe(0);
    expect(wrongPw.stderr).toContain('wrong user name or password');
  }, 180_000);

  it('share create prints a URL that opens the job without an account; list and revoke', async () => {
    const w = await world();
    const alice = await login('alice');
    const made = await kiseki(['share', 'create', w.alice.jobRef, '--days', '7', '--label', 'reviewers'], alice.env);
    expect(made.status, made.stderr).toBe(0);
    const url = made.stdout.trim();
    expect(url, made.stderr).toMatch(new RegExp(`^${server.url}/s/\\S+$`));
    const token = url.slice(url.lastIndexOf('/s/') + 3);
    const opened = await call<any>(server.url, 'GET', `/api/v1/nodes/${w.alice.job}`, { headers: { 'x-kiseki-share': token } });
    expect(opened.status, opened.text).toBe(200);

    const list = await kiseki(['share', 'list'], alice.env);
    expect(list.stdout, list.stderr).toContain('reviewers');
    const id = JSON.parse((await kiseki(['share', 'list', '--json'], alice.env)).stdout).items[0].id as string;
    const revoked = await kiseki(['share', 'revoke', id], alice.env);
    expect(revoked.status, revoked.stderr).toBe(0);
    const after = await call<any>(server.url, 'GET', `/api/v1/nodes/${w.alice.job}`, { headers: { 'x-kiseki-share': token } });
    expect(after.status, after.text).toBeGreaterThanOrEqual(400);

    // bob may not share alice's job (he cannot see it: not found).
    const bob = await login('bob');
    const no = await kiseki(['share', 'create', w.alice.jobRef], bob.env);
    expect(no.status, no.stdout).not.toBe(0);
    expect(no.stderr).toContain('[E_NOT_FOUND]');
  }, 180_000);

  it('audit and users: for admins (carol); refused to members', async () => {
    await world();
    const carol = await login('carol');
    const alice = await login('alice');
    const audit = await kiseki(['audit', '--action', 'login', '--actor', 'alice'], carol.env);
    expect(audit.status, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/login\s+alice/);
    const users = await kiseki(['users', 'list'], carol.env);
    expect(users.stdout).toMatch(/carol\s+Carol Example\s+admin/);
    const role = await kiseki(['users', 'role', 'alice', 'group_admin'], carol.env);
    expect(role.stdout).toContain('alice is now group_admin');
    const refused = await kiseki(['users', 'list'], alice.env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('[E_FORBIDDEN]');
    const badRole = await kiseki(['users', 'role', 'alice', 'king'], carol.env);
    expect(badRole.status).toBe(2);
  }, 180_000);

  it('logout revokes the token on the server and removes the file', async () => {
    await world();
    const alice = await login('alice');
    const { token } = JSON.parse(readFileSync(alice.creds, 'utf8'));
    const r = await kiseki(['logout'], alice.env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('the token is revoked');
    expect(() => statSync(alice.creds)).toThrow();
    const after = await call<any>(server.url, 'GET', '/api/v1/search', { headers: { authorization: `Bearer ${token}` } });
    expect([after.status, after.body.error.code]).toEqual([401, 'E_AUTH_TOKEN']);
    // Signed out, the commands no longer go to the server: they say what is needed.
    const who = await kiseki(['whoami'], alice.env);
    expect(who.status).not.toBe(0);
    expect(who.stderr).toContain('kiseki login --server URL');
  }, 180_000);

  it('errors: an unreachable server, a throttled sign-in (says how long), an OIDC token given on stdin', async () => {
    await world();
    const p = person();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await kiseki(['login', '--server', closed], p.env, 'alice\nx\n');
    expect(down.status).not.toBe(0);
    expect(down.stderr).toBe(`kiseki: cannot reach the Kiseki server at ${closed}: connection refused (is \`kiseki serve\` running there?) [E_SERVER_UNREACHABLE]\n`);

    // dave fails until the server throttles his name.
    for (let i = 0; i < rt.config.loginAttempts; i++) {
      await call(server.url, 'POST', '/api/v1/auth/login', { json: { username: 'dave', password: 'wrong' } });
    }
    const throttled = await kiseki(['login', '--server', server.url, '--user', 'dave'], p.env, `${PW.dave}\n`);
    expect(throttled.status).not.toBe(0);
    expect(throttled.stderr).toMatch(/too many failed sign-ins: wait \d+ s before trying again \[E_AUTH_THROTTLED\]/);

    // A token made elsewhere (the web page, for OpenID Connect users) is checked, then kept.
    const made = await call<any>(server.url, 'POST', '/api/v1/auth/login', { json: { username: 'bob', password: PW.bob, token: { name: 'web' } } });
    const kept = await kiseki(['login', '--server', server.url, '--token-stdin'], p.env, `${made.body.token}\n`);
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stdout).toContain('as bob');
    const bogus = await kiseki(['login', '--server', server.url, '--token-stdin'], person().env, 'ksu_not-a-token\n');
    expect(bogus.status).not.toBe(0);
    expect(bogus.stderr).toContain('the server refused this token: unknown API token');
  }, 180_000);
}, 'cli-remote');
