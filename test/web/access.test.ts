// Users and access in the browser (issue 6): Debian's Chromium driven by
// playwright-core against a real server with sign-in configured — LDAP
// against a real slapd (test/auth/slapd-harness.ts) and OpenID Connect
// against a real oidc-provider (test/auth/oidc-harness.ts). Jobs are owned
// by alice (uid 2001, gid 3001) and bob (2002, 3002); eve is a plain member
// of alice's group, carol a system admin. Needs `npm run build:web` and
// /usr/bin/chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRuntime, type AuthRuntime } from '../../src/api/auth/auth-runtime.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { authDefaults } from '../../src/core/config.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startOidcProvider, type OidcHarness } from '../auth/oidc-harness.js';
import { slapdAvailable, startSlapd, type Slapd } from '../auth/slapd-harness.js';
import { SyntheticTrace } from '../store/synthetic-trace.js';
import { launchChromium, ROOT, tempDir, XSS_NAME, type GraphSnapshot } from './harness.js';

const SHOTS = join(ROOT, 'docs/screenshots');
const PW: Record<string, string> = { alice: 'alice-pw-1', bob: 'bob-pw-2', carol: 'carol-pw-3', dave: 'dave-pw-4', eve: 'eve-pw-5' };
const ALICE = { uid: 2001, gid: 3001, name: 'alice' };
const BOB = { uid: 2002, gid: 3002, name: 'bob' };

let slapd: Slapd;
let op: OidcHarness;
let store: Store;
let rt: AuthRuntime;
let server: RunningServer;
let browser: Browser;

interface Job { runId: string; id: number; out: string }
/** alice private, bob private, alice group, alice public, alice public with a hostile file name. */
const jobs: Record<'alicePrivate' | 'bobPrivate' | 'aliceGroup' | 'alicePublic' | 'xss', Job> = {} as never;

async function asLocal(method: string, path: string, body?: unknown, type = 'application/json'): Promise<Response> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${rt.localToken}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** One job of `user`: a shell reads an input and writes `out`. */
async function makeJob(user: { uid: number; gid: number; name: string }, out: string, visibility: 'private' | 'group' | 'public'): Promise<Job> {
  const dir = `/home/${user.name}/work`;
  const t = new SyntheticTrace(undefined, user);
  t.runStart(['sh', 'job.sh'], dir);
  const p = t.spawn(null, '/usr/bin/sh', ['sh', 'job.sh'], dir);
  t.read(p, `${dir}/input.txt`);
  t.write(p, `${dir}/${out}`);
  t.exit(p);
  t.runEnd();
  await asLocal('POST', `/ingest?source=${encodeURIComponent(`access-test:${t.runId}`)}&seq=0&wait=true`, t.ndjson(), 'application/x-ndjson');
  const hits = (await (await asLocal('GET', `/search?jobId=${t.runId}`)).json()) as { items: { id: number }[] };
  const id = hits.items[0]!.id;
  await asLocal('PUT', `/nodes/${id}/visibility`, { visibility, applyToFiles: true });
  return { runId: t.runId, id, out };
}

beforeAll(async () => {
  slapd = await startSlapd();
  op = await startOidcProvider({ accounts: [{ username: 'olivia', claims: { uid_number: 2002, gid_number: 3002, groups: ['proj-b'], name: 'Olivia SSO' } }], claimsInIdToken: true });
  store = await openStore({ db: join(tempDir('kiseki-web-access-'), 'db') });
  rt = createAuthRuntime({
    ...authDefaults(), ldap: slapd.config, oidc: { ...op.config, label: 'Test SSO' },
    adminGroups: ['kiseki-admins'], groupAdminGroups: ['kiseki-group-admins'], loginAttempts: 3,
  });
  server = await startServer({ store, port: 0, auth: rt, webDir: join(ROOT, 'dist/web') });
  jobs.alicePrivate = await makeJob(ALICE, 'ALICE-private-result.dat', 'private');
  jobs.bobPrivate = await makeJob(BOB, 'BOB-private-result.dat', 'private');
  jobs.aliceGroup = await makeJob(ALICE, 'ALICE-group-result.dat', 'group');
  jobs.alicePublic = await makeJob(ALICE, 'ALICE-public-result.dat', 'public');
  jobs.xss = await makeJob(ALICE, XSS_NAME, 'public');
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
  await op?.stop();
  await slapd?.stop();
});

interface Watched { page: Page; ctx: BrowserContext; dialogs: string[]; errors: string[] }

/** A fresh browser context (no cookies), with every alert and page error recorded. */
async function newPage(): Promise<Watched> {
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 1000 }, locale: 'en-US' });
  const page = await ctx.newPage();
  const w: Watched = { page, ctx, dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  return w;
}

function clean(w: Watched): void {
  expect(w.dialogs, 'no alert/confirm/prompt ran').toEqual([]);
  expect(w.errors, 'no page errors').toEqual([]);
}

async function jobIdsShown(page: Page): Promise<string[]> {
  await page.waitForSelector('[data-testid="job-results"]:not([aria-busy="true"]), [data-testid="empty"]');
  await page.waitForSelector('[data-testid="loading"]', { state: 'detached' });
  return page.locator('[data-testid="job-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-job-id') ?? '').sort());
}

const firstRow = (page: Page) => page.locator('[data-testid="job-row"]').first().getAttribute('data-job-id');

async function signIn(page: Page, user: string, password = PW[user]!): Promise<void> {
  await page.click('[data-testid="sign-in"]');
  await page.fill('[data-testid="signin-username"]', user);
  await page.fill('[data-testid="signin-password"]', password);
  await page.click('[data-testid="signin-submit"]');
}

async function signedInAs(page: Page, user: string): Promise<void> {
  await expect.poll(() => page.locator('[data-testid="user-name"]').textContent().catch(() => null), { timeout: 20_000 }).toBe(user);
}

async function drawn(page: Page): Promise<GraphSnapshot> {
  await page.waitForFunction(() => (window.__kisekiGraph?.stats.length ?? 0) > 0, undefined, { timeout: 60_000 });
  return page.evaluate(() => window.__kisekiGraph!.snapshot());
}

const labels = (s: GraphSnapshot) => s.nodes.map((n) => n.fullLabel ?? n.label);

describe.skipIf(!slapdAvailable())('web UI: users and access', () => {
  it('anonymous visitors see public jobs only, and are offered the sign-in form (password and SSO)', async () => {
    const w = await newPage();
    await w.page.goto(server.url);
    expect(await jobIdsShown(w.page)).toEqual([jobs.alicePublic.runId, jobs.xss.runId].sort());
    await expect.poll(() => w.page.getAttribute('[data-testid="user-menu"]', 'data-role')).toBe('anonymous');
    await w.page.click('[data-testid="sign-in"]');
    await w.page.waitForSelector('[data-testid="signin-username"]');
    expect(await w.page.textContent('[data-testid="signin-oidc"]')).toBe('Sign in with Test SSO');
    await w.page.locator('[data-testid="signin-dialog"]').screenshot({ path: join(SHOTS, 'access-signin.png') });
    // No edit controls for anonymous visitors.
    expect(await w.page.locator('[data-testid="visibility-settings"]').count()).toBe(0);
    // Every new label is in Japanese too.
    await w.page.keyboard.press('Escape');
    await w.page.click('[data-testid="lang-ja"]');
    expect(await w.page.textContent('[data-testid="sign-in"]')).toBe('サインイン');
    expect(await w.page.textContent('[data-testid="user-menu"]')).not.toMatch(/Sign in/);
    await w.page.click('[data-testid="lang-en"]');
    clean(w);
    await w.ctx.close();
  });

  it('alice sees her private job and not bob\'s; bob the reverse; signing out makes the page anonymous again', async () => {
    for (const [user, mine, theirs] of [['alice', jobs.alicePrivate, jobs.bobPrivate], ['bob', jobs.bobPrivate, jobs.alicePrivate]] as const) {
      const w = await newPage();
      await w.page.goto(server.url);
      await jobIdsShown(w.page);
      await signIn(w.page, user);
      await signedInAs(w.page, user);
      expect(await w.page.textContent('[data-testid="user-role"]')).toBe('member');
      const shown = await jobIdsShown(w.page);
      expect(shown).toContain(mine.runId);
      expect(shown).not.toContain(theirs.runId);
      expect(shown).toContain(jobs.alicePublic.runId);
      // The session cookie is HttpOnly: the page's scripts cannot read it.
      expect(await w.page.evaluate(() => document.cookie)).not.toContain('kiseki_session');
      expect((await w.ctx.cookies()).find((c) => c.name === 'kiseki_session')?.httpOnly).toBe(true);

      await w.page.click('[data-testid="sign-out"]');
      await expect.poll(() => w.page.getAttribute('[data-testid="user-menu"]', 'data-role')).toBe('anonymous');
      expect(await jobIdsShown(w.page)).toEqual([jobs.alicePublic.runId, jobs.xss.runId].sort());
      expect((await w.ctx.cookies()).find((c) => c.name === 'kiseki_session')).toBeUndefined();
      clean(w);
      await w.ctx.close();
    }
  });

  it('a wrong password gets a plain message, and repeated failures the throttling message', async () => {
    const w = await newPage();
    await w.page.goto(server.url);
    await signIn(w.page, 'mallory', 'guess-1');
    await w.page.waitForSelector('[data-testid="signin-error"]');
    expect(await w.page.textContent('[data-testid="signin-error"]')).toBe('Wrong user name or password.');
    for (const guess of ['guess-2', 'guess-3']) {
      await w.page.fill('[data-testid="signin-password"]', guess);
      await w.page.click('[data-testid="signin-submit"]');
      await w.page.waitForSelector('[data-testid="signin-error"]');
    }
    // The fourth try, even with any password, is refused before the directory is asked.
    await w.page.fill('[data-testid="signin-password"]', 'guess-4');
    await w.page.click('[data-testid="signin-submit"]');
    await expect.poll(() => w.page.textContent('[data-testid="signin-error"]')).toMatch(/^Too many failed sign-ins\. Wait \d+ seconds, then try again\.$/);
    clean(w);
    await w.ctx.close();
  });

  it('edit controls (annotations, visibility, share) are there for the owner and a group admin, not for a member of the same group', async () => {
    const owner = await newPage();
    await owner.page.goto(`${server.url}/?job=${jobs.aliceGroup.id}`);
    await jobIdsShown(owner.page);
    await signIn(owner.page, 'alice');
    await signedInAs(owner.page, 'alice');
    await owner.page.goto(`${server.url}/?job=${jobs.aliceGroup.id}&node=${jobs.aliceGroup.id}`);
    await owner.page.waitForSelector('[data-testid="details-dialog"] [data-testid="details-share"]');
    expect(await owner.page.locator('[data-testid="details-visibility"]').count()).toBe(1);
    expect(await owner.page.locator('[data-testid="visibility-settings"]').count()).toBe(1);
    // A change goes through with the session's CSRF token.
    await owner.page.fill('[data-testid="new-value"]', 'checked by alice');
    await owner.page.click('[data-testid="add-item"]');
    await owner.page.waitForSelector('[data-testid="annotation"] [data-testid="item-value"]');
    expect(await owner.page.inputValue('[data-testid="annotation"] [data-testid="item-value"]')).toBe('checked by alice');
    clean(owner);
    await owner.ctx.close();

    const member = await newPage();
    await member.page.goto(server.url);
    await jobIdsShown(member.page);
    await signIn(member.page, 'eve');
    await signedInAs(member.page, 'eve');
    expect(await jobIdsShown(member.page)).toContain(jobs.aliceGroup.runId);
    await member.page.goto(`${server.url}/?job=${jobs.aliceGroup.id}&node=${jobs.aliceGroup.id}`);
    await member.page.waitForSelector('[data-testid="details-dialog"] [data-testid="annotations"][data-readonly="true"]');
    expect(await member.page.textContent('[data-testid="annotations"]')).toContain('checked by alice');
    expect(await member.page.locator('[data-testid="details-visibility"], [data-testid="details-share"], [data-testid="add-item"], [data-testid="new-value"]').count()).toBe(0);
    await member.page.click('[data-testid="details-cancel"]');
    await member.page.waitForSelector('[data-testid="provenance"]');
    expect(await member.page.locator('[data-testid="visibility-settings"]').count()).toBe(0);
    clean(member);
    await member.ctx.close();

    // dave administers alice's group (kiseki-group-admins): he may manage her private job.
    const groupAdmin = await newPage();
    await groupAdmin.page.goto(server.url);
    await jobIdsShown(groupAdmin.page);
    await signIn(groupAdmin.page, 'dave');
    await signedInAs(groupAdmin.page, 'dave');
    expect(await groupAdmin.page.textContent('[data-testid="user-role"]')).toBe('group admin');
    await groupAdmin.page.goto(`${server.url}/?job=${jobs.alicePrivate.id}&node=${jobs.alicePrivate.id}`);
    await groupAdmin.page.waitForSelector('[data-testid="details-dialog"] [data-testid="details-share"]');
    expect(await groupAdmin.page.locator('[data-testid="details-visibility"], [data-testid="new-value"]').count()).toBe(2);
    clean(groupAdmin);
    await groupAdmin.ctx.close();
  });

  let shareUrl = '';
  it("alice's share link opens without an account and shows only its job, read-only", async () => {
    const w = await newPage();
    await w.page.goto(server.url);
    await jobIdsShown(w.page);
    await signIn(w.page, 'alice');
    await signedInAs(w.page, 'alice');
    await w.page.goto(`${server.url}/?job=${jobs.alicePrivate.id}&node=${jobs.alicePrivate.id}`);
    await w.page.click('[data-testid="details-share"]');
    await w.page.fill('[data-testid="share-days"]', '3');
    await w.page.fill('[data-testid="share-label"]', 'reviewers of paper X');
    await w.page.click('[data-testid="share-create"]');
    await w.page.waitForSelector('[data-testid="share-url"]');
    shareUrl = await w.page.inputValue('[data-testid="share-url"]');
    expect(shareUrl).toMatch(new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/s/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    await w.page.waitForSelector('[data-testid="share-row"][data-state="active"]');
    expect(await w.page.textContent('[data-testid="share-row"]')).toContain('reviewers of paper X');
    await w.page.locator('[data-testid="share-dialog"]').screenshot({ path: join(SHOTS, 'access-share-dialog.png') });
    clean(w);
    await w.ctx.close();

    const reviewer = await newPage();
    await reviewer.page.goto(shareUrl);
    await reviewer.page.waitForSelector('[data-testid="share-banner"]');
    expect(await reviewer.page.textContent('[data-testid="share-banner"]')).toMatch(/^Shared by alice, read-only, expires \d{4}\/\d\d\/\d\d /);
    const g = await drawn(reviewer.page);
    expect(labels(g).some((l) => l.endsWith('ALICE-private-result.dat'))).toBe(true);
    expect(labels(g).some((l) => /BOB|group-result|public-result/.test(l))).toBe(false);
    await reviewer.page.screenshot({ path: join(SHOTS, 'access-share-view.png') });
    // No sign-in, no settings, no search on a share page.
    expect(await reviewer.page.locator('[data-testid="user-menu"], [data-testid="search"], [data-testid="generate-link"]').count()).toBe(0);
    // The job's details: read-only.
    const job = g.nodes.find((n) => n.kind === 'job')!;
    const p = (await reviewer.page.evaluate((id) => window.__kisekiGraph!.rendered!(id), job.id))!;
    const box = (await reviewer.page.locator('[data-testid="graph-canvas"] canvas').boundingBox())!;
    await reviewer.page.mouse.click(box.x + p.x, box.y + p.y);
    await reviewer.page.waitForSelector('[data-testid="details-dialog"] [data-testid="annotations"][data-readonly="true"]');
    expect(await reviewer.page.locator('[data-testid="details-visibility"], [data-testid="details-share"], [data-testid="new-value"]').count()).toBe(0);
    // Without the link, the same browser sees only public jobs.
    await reviewer.page.goto(server.url);
    expect(await jobIdsShown(reviewer.page)).toEqual([jobs.alicePublic.runId, jobs.xss.runId].sort());
    clean(reviewer);
    await reviewer.ctx.close();
  });

  it("a file's share link shows that file's lineage", async () => {
    const graph = (await (await asLocal('GET', `/jobs/${jobs.bobPrivate.id}/graph`)).json()) as { nodes: { id: number; kind: string; label: string; path?: string }[] };
    const out = graph.nodes.find((n) => n.kind === 'file' && (n.path ?? n.label).endsWith('BOB-private-result.dat'))!;
    const w = await newPage();
    await w.page.goto(server.url);
    await jobIdsShown(w.page);
    await signIn(w.page, 'bob');
    await signedInAs(w.page, 'bob');
    await w.page.goto(`${server.url}/?job=${jobs.bobPrivate.id}&node=${out.id}`);
    await w.page.click('[data-testid="details-share"]');
    await w.page.click('[data-testid="share-create"]');
    const url = await (await w.page.waitForSelector('[data-testid="share-url"]')).inputValue();
    await w.ctx.close();

    const reviewer = await newPage();
    await reviewer.page.goto(url);
    await reviewer.page.waitForSelector('[data-testid="provenance"][data-scope="lineage"]');
    expect(await reviewer.page.textContent('[data-testid="share-banner"]')).toContain('Shared by bob');
    const g = await drawn(reviewer.page);
    expect(labels(g).some((l) => l.endsWith('BOB-private-result.dat'))).toBe(true);
    expect(labels(g).some((l) => l.endsWith('/home/bob/work/input.txt'))).toBe(true);
    expect(labels(g).some((l) => /ALICE/.test(l))).toBe(false);
    clean(reviewer);
    await reviewer.ctx.close();
  });

  it('a tampered, an expired and a revoked link each get their own full-page message', async () => {
    const [head, payload, sig] = shareUrl.split('/s/')[1]!.split('.') as [string, string, string];
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    const expired = (await (await asLocal('POST', '/shares', { node: jobs.alicePublic.id, days: 1 / 86_400 })).json()) as { url: string };

    const w = await newPage();
    await w.page.goto(`${server.url}/s/${head}.${payload}.${flipped}`);
    await w.page.waitForSelector('[data-testid="share-error"]');
    expect(await w.page.getAttribute('[data-testid="share-error"]', 'data-code')).toBe('E_SHARE_INVALID');
    expect(await w.page.textContent('[data-testid="share-error"] h2')).toBe('This link is not valid');

    await new Promise((r) => setTimeout(r, 2500));
    await w.page.goto(expired.url);
    await w.page.waitForSelector('[data-testid="share-error"]');
    expect(await w.page.getAttribute('[data-testid="share-error"]', 'data-code')).toBe('E_SHARE_EXPIRED');
    expect(await w.page.textContent('[data-testid="share-error"] h2')).toBe('This link has expired');

    // alice revokes her link in Settings.
    const owner = await newPage();
    await owner.page.goto(server.url);
    await jobIdsShown(owner.page);
    await signIn(owner.page, 'alice');
    await signedInAs(owner.page, 'alice');
    await owner.page.click('[data-testid="open-settings"]');
    await owner.page.waitForSelector('[data-testid="settings"] [data-testid="share-row"][data-state="active"]');
    await owner.page.click('[data-testid="share-row"][data-state="active"] [data-testid="share-revoke"]');
    await owner.page.waitForSelector('[data-testid="share-row"][data-state="revoked"]');
    clean(owner);
    await owner.ctx.close();

    await w.page.goto(shareUrl);
    await w.page.waitForSelector('[data-testid="share-error"]');
    expect(await w.page.getAttribute('[data-testid="share-error"]', 'data-code')).toBe('E_SHARE_REVOKED');
    expect(await w.page.textContent('[data-testid="share-error"] h2')).toBe('This link has been revoked');
    expect(await w.page.locator('[data-testid="graph-canvas"]').count()).toBe(0);
    clean(w);
    await w.ctx.close();
  });

  it('a file named like HTML stays text', async () => {
    const w = await newPage();
    await w.page.goto(`${server.url}/?job=${jobs.xss.id}&view=list`);
    await expect.poll(() => w.page.getByText(XSS_NAME, { exact: false }).count()).toBeGreaterThan(0);
    expect(await w.page.locator('img[src="x"]').count()).toBe(0);
    clean(w);
    await w.ctx.close();
  });

  it('when the session ends under the page, it says so and offers the sign-in form', async () => {
    const w = await newPage();
    await w.page.goto(server.url);
    await jobIdsShown(w.page);
    await signIn(w.page, 'alice');
    await signedInAs(w.page, 'alice');
    // The page is quiet (graph drawn, no request on its way) before the session goes.
    await drawn(w.page);
    await w.page.waitForLoadState('networkidle');
    await store.db.query(`delete from app_session where user_id = (select id from app_user where username = 'alice')`);
    // Any call now: choosing another job asks for its graph.
    const first = await firstRow(w.page);
    const other = (await jobIdsShown(w.page)).find((id) => id !== first)!;
    await w.page.click(`[data-testid="job-row"][data-job-id="${other}"]`);
    await w.page.waitForSelector('[data-testid="signin-notice"]');
    expect(await w.page.textContent('[data-testid="signin-notice"]')).toBe('Your session has ended (signed out, or idle too long). Sign in again.');
    await expect.poll(() => w.page.getAttribute('[data-testid="user-menu"]', 'data-role')).toBe('anonymous');
    await w.page.fill('[data-testid="signin-username"]', 'alice');
    await w.page.fill('[data-testid="signin-password"]', PW.alice!);
    await w.page.click('[data-testid="signin-submit"]');
    await signedInAs(w.page, 'alice');
    expect(await jobIdsShown(w.page)).toContain(jobs.alicePrivate.runId);
    clean(w);
    await w.ctx.close();
  });

  it('Settings: API tokens are shown once, work, and can be revoked', async () => {
    const w = await newPage();
    await w.page.goto(server.url);
    await jobIdsShown(w.page);
    await signIn(w.page, 'alice');
    await signedInAs(w.page, 'alice');
    await w.page.click('[data-testid="open-settings"]');
    await w.page.waitForSelector('[data-testid="tokens-panel"]');
    expect(await w.page.locator('[data-testid="users-panel"], [data-testid="audit-panel"]').count()).toBe(0);
    await w.page.fill('[data-testid="token-name"]', 'laptop CLI');
    await w.page.click('[data-testid="token-create"]');
    const token = await (await w.page.waitForSelector('[data-testid="token-secret"]')).inputValue();
    expect(token).toMatch(/^ksu_/);
    await w.page.waitForSelector('[data-testid="token-row"][data-revoked="no"]');
    const who = async () => (await fetch(`${server.url}/api/v1/auth/session`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await who()).toBe(200);
    await w.page.click('[data-testid="token-revoke"]');
    await w.page.waitForSelector('[data-testid="token-row"][data-revoked="yes"]');
    expect(await who()).toBe(401);
    clean(w);
    await w.ctx.close();
  });

  it('Settings for an admin: users (change a role) and the audit log (filters, pages)', async () => {
    // Enough events of one kind for two pages.
    for (let i = 0; i < 23; i++) await asLocal('POST', '/tokens', { name: `bulk ${i}` });
    const w = await newPage();
    await w.page.goto(server.url);
    await jobIdsShown(w.page);
    await signIn(w.page, 'carol');
    await signedInAs(w.page, 'carol');
    expect(await w.page.textContent('[data-testid="user-role"]')).toBe('system admin');
    // An admin sees every job.
    expect(await jobIdsShown(w.page)).toEqual(Object.values(jobs).map((j) => j.runId).sort());
    await w.page.click('[data-testid="open-settings"]');
    await w.page.waitForSelector('[data-testid="users-panel"] [data-testid="user-row"][data-user="bob"]');
    await w.page.selectOption('[data-testid="user-row"][data-user="bob"] [data-testid="user-role-select"]', 'group_admin');
    await expect.poll(() => w.page.inputValue('[data-testid="user-row"][data-user="bob"] [data-testid="user-role-select"]')).toBe('group_admin');

    await w.page.waitForSelector('[data-testid="audit-row"]');
    await w.page.selectOption('[data-testid="audit-action"]', 'login');
    await w.page.fill('[data-testid="audit-actor"]', 'mallory');
    await w.page.click('[data-testid="audit-apply"]');
    await expect.poll(async () => (await w.page.locator('[data-testid="audit-row"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-action')}:${e.getAttribute('data-outcome')}`))).sort())
      .toEqual(['login:denied', 'login:failed', 'login:failed', 'login:failed']);

    await w.page.selectOption('[data-testid="audit-action"]', 'user.role');
    await w.page.fill('[data-testid="audit-actor"]', '');
    await w.page.click('[data-testid="audit-apply"]');
    await expect.poll(() => w.page.locator('[data-testid="audit-row"]').allTextContents()).toEqual([expect.stringContaining('user:bob')]);

    await w.page.selectOption('[data-testid="audit-action"]', 'token.create');
    await w.page.click('[data-testid="audit-apply"]');
    await expect.poll(() => w.page.textContent('[data-testid="audit-pager"] [data-testid="pager-range"]')).toMatch(/^1 – 20 of 2\d$/);
    await w.page.click('[data-testid="audit-pager"] [data-testid="pager-next"]');
    await expect.poll(() => w.page.textContent('[data-testid="audit-pager"] [data-testid="pager-range"]')).toMatch(/^21 – 2\d of 2\d$/);
    await w.page.screenshot({ path: join(SHOTS, 'access-settings.png'), fullPage: true });
    clean(w);
    await w.ctx.close();
  });

  it('OpenID Connect: Cancel at the provider comes back with the reason; "Sign in with Test SSO" goes to the provider and back to the same page, signed in', async () => {
    const w = await newPage();
    await w.page.goto(`${server.url}/?job=${jobs.bobPrivate.id}`);
    await jobIdsShown(w.page);
    await w.page.click('[data-testid="sign-in"]');
    await w.page.click('[data-testid="signin-oidc"]');
    await w.page.waitForSelector('button:has-text("Cancel")');
    await w.page.click('button:has-text("Cancel")');
    await w.page.waitForSelector('[data-testid="signin-error"]');
    expect(await w.page.textContent('[data-testid="signin-error"]')).toMatch(/^Sign-in failed: .+/);
    expect(w.page.url()).not.toContain('signin_error');
    await w.page.keyboard.press('Escape');

    await w.page.goto(`${server.url}/?job=${jobs.bobPrivate.id}`);
    await jobIdsShown(w.page);
    await w.page.click('[data-testid="sign-in"]');
    await w.page.click('[data-testid="signin-oidc"]');
    await w.page.waitForSelector('input[name="username"]:not([data-testid])');
    await w.page.fill('input[name="username"]', 'olivia');
    await w.page.fill('input[name="password"]', 'password');
    await w.page.click('button:has-text("Sign in")');
    await signedInAs(w.page, 'olivia');
    expect(new URL(w.page.url()).search).toBe(`?job=${jobs.bobPrivate.id}`);
    // uid 2002 from the claims: olivia owns bob's jobs here.
    expect(await jobIdsShown(w.page)).toContain(jobs.bobPrivate.runId);
    await w.page.click('[data-testid="sign-out"]');
    await expect.poll(() => w.page.getAttribute('[data-testid="user-menu"]', 'data-role')).toBe('anonymous');
    clean(w);
    await w.ctx.close();
  });
});
