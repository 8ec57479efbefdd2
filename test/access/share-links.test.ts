// Share links over real HTTP: a valid link shows exactly its scope (one job,
// or one file's lineage), read-only, without an account; a tampered,
// expired or revoked link is refused with a clear message.
import { expect, it } from 'vitest';
import { describeAccess } from './access-harness.js';

const shareOf = (token: string) => ({ 'x-kiseki-share': token });

describeAccess('share links', (ctx) => {
  it("a job link shows that job and nothing else, read-only, and counts its uses", async () => {
    const w = await ctx.world();
    const made = await ctx.as('alice', 'POST', '/api/v1/shares', { json: { node: w.alice.private.job, days: 7, label: 'paper X reviewers' } });
    expect(made.status).toBe(201);
    expect(made.body.url).toBe(`${ctx.url}/s/${made.body.token}`);
    expect(made.body.info).toMatchObject({ scope: 'job', node: w.alice.private.job, label: 'paper X reviewers', createdBy: 'alice', uses: 0 });
    const days = (Date.parse(made.body.info.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const h = shareOf(made.body.token);
    const me = await ctx.as('anonymous', 'GET', '/api/v1/auth/session', { headers: h });
    expect(me.body).toMatchObject({ signedIn: false, via: 'share', role: 'share', share: { scope: 'job', node: w.alice.private.job, createdBy: 'alice' } });
    const search = await ctx.as('anonymous', 'GET', '/api/v1/search', { headers: h });
    expect(search.body.items.map((j: any) => j.id)).toEqual([w.alice.private.job]);
    expect((await ctx.as('anonymous', 'GET', `/api/v1/jobs/${w.alice.private.job}/graph`, { headers: h })).status).toBe(200);
    expect((await ctx.as('anonymous', 'GET', `/api/v1/nodes/${w.alice.private.file}`, { headers: h })).body.node.path).toBe(w.alice.private.path);
    // Nothing outside the scope, not even alice's public job.
    for (const f of [w.alice.public, w.alice.group, w.bob]) {
      expect((await ctx.as('anonymous', 'GET', `/api/v1/nodes/${f.job}`, { headers: h })).status).toBe(404);
      expect((await ctx.as('anonymous', 'GET', `/api/v1/nodes/${f.file}`, { headers: h })).status).toBe(404);
    }
    const files = await ctx.as('anonymous', 'GET', '/api/v1/entities?type=file&pageSize=200', { headers: h });
    expect(files.text).toContain(w.alice.private.path);
    for (const f of [w.alice.public, w.alice.group, w.bob]) expect(files.text).not.toContain(f.path);
    // Read-only.
    const post = await ctx.as('anonymous', 'POST', `/api/v1/nodes/${w.alice.private.job}/annotations`, { json: { value: 'x' }, headers: h });
    expect([post.status, post.body.error.code]).toEqual([403, 'E_SHARE_READ_ONLY']);
    const list = await ctx.as('alice', 'GET', '/api/v1/shares');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].uses).toBeGreaterThanOrEqual(6);
    expect(list.text).not.toContain(made.body.token);
    // Links are their maker's: bob sees none, admins see all.
    expect((await ctx.as('bob', 'GET', '/api/v1/shares')).body.items).toEqual([]);
    expect((await ctx.as('bob', 'GET', '/api/v1/shares?all=true')).status).toBe(403);
    expect((await ctx.as('carol', 'GET', '/api/v1/shares?all=true')).body.items).toHaveLength(1);
  });

  it("a file link shows the file's lineage: what it came from, not its siblings' other jobs", async () => {
    const w = await ctx.world();
    const made = await ctx.as('alice', 'POST', '/api/v1/shares', { json: { node: w.alice.group.file } });
    expect(made.body.info.scope).toBe('lineage');
    const h = shareOf(made.body.token);
    const l = await ctx.as('anonymous', 'GET', `/api/v1/lineage?node=${w.alice.group.file}&direction=up`, { headers: h });
    expect(l.status).toBe(200);
    const ids = l.body.nodes.map((n: any) => n.id);
    expect(ids).toEqual(expect.arrayContaining([w.alice.group.file, w.alice.group.process, w.alice.group.job]));
    expect(l.text).toContain(`input-alice-group.csv`);
    expect((await ctx.as('anonymous', 'GET', `/api/v1/nodes/${w.alice.public.file}`, { headers: h })).status).toBe(404);
  });

  it('a tampered, expired or revoked link is refused with a clear message', async () => {
    const w = await ctx.world();
    const made = await ctx.as('alice', 'POST', '/api/v1/shares', { json: { node: w.alice.private.job } });
    const token: string = made.body.token;
    const expectRefused = async (t: string, status: number, code: string, message: RegExp) => {
      const r = await ctx.as('anonymous', 'GET', '/api/v1/search', { headers: shareOf(t) });
      expect([r.status, r.body.error?.code]).toEqual([status, code]);
      expect(r.body.error.message).toMatch(message);
    };
    // Tampered: a changed signature, and a payload pointing at bob's job with the old signature.
    const [head, payload, sig] = token.split('.') as [string, string, string];
    await expectRefused(`${head}.${payload}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`, 401, 'E_SHARE_INVALID', /not valid/);
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), node: w.bob.job }), 'utf8').toString('base64url');
    await expectRefused(`${head}.${forged}.${sig}`, 401, 'E_SHARE_INVALID', /not valid/);
    await expectRefused('garbage', 401, 'E_SHARE_INVALID', /not valid/);
    // Expired: a link for one second.
    const short = await ctx.as('alice', 'POST', '/api/v1/shares', { json: { node: w.alice.private.job, days: 1 / 86_400 } });
    expect(short.status).toBe(201);
    await new Promise((r) => setTimeout(r, 2100));
    await expectRefused(short.body.token, 410, 'E_SHARE_EXPIRED', /expired/);
    // Revoked: only by its maker (or an admin).
    expect((await ctx.as('bob', 'DELETE', `/api/v1/shares/${made.body.info.id}`)).status).toBe(404);
    expect((await ctx.as('alice', 'DELETE', `/api/v1/shares/${made.body.info.id}`)).status).toBe(204);
    await expectRefused(token, 410, 'E_SHARE_REVOKED', /revoked/);
    // Longer than the server allows.
    const long = await ctx.as('alice', 'POST', '/api/v1/shares', { json: { node: w.alice.private.job, days: 1000 } });
    expect([long.status, long.body.error.code]).toEqual([400, 'E_BAD_PARAMETER']);
  });

  it("a link never shows more than its maker may see now", async () => {
    const w = await ctx.world();
    // dave (group admin of proj-a) shares alice's private job; then loses his role.
    const made = await ctx.as('dave', 'POST', '/api/v1/shares', { json: { node: w.alice.private.job } });
    expect(made.status).toBe(201);
    const h = shareOf(made.body.token);
    expect((await ctx.as('anonymous', 'GET', `/api/v1/nodes/${w.alice.private.job}`, { headers: h })).status).toBe(200);
    expect((await ctx.as('carol', 'PATCH', '/api/v1/users/dave', { json: { role: 'member' } })).status).toBe(200);
    expect((await ctx.as('anonymous', 'GET', `/api/v1/nodes/${w.alice.private.job}`, { headers: h })).status).toBe(404);
  });
}, 'access-share-links');
