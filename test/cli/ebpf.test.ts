// The same lineage answer with the eBPF backend (root only, as in CI).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCliEnv, workdir, type CliEnv } from './cli.js';

describe('kiseki run --backend ebpf, then lineage', () => {
  let cli: CliEnv;
  beforeAll(async () => {
    cli = await makeCliEnv('pglite', 'ebpf');
  });
  afterAll(() => rmSync(cli.dataDir, { recursive: true, force: true }));

  it('cat a | sort > b: a is among b\'s ancestors', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'a'), 'b\na\n');
    const r = cli.kiseki(['run', '--backend', 'ebpf', '--', 'sh', '-c', 'cat a | sort > b'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^kiseki: tracing with ebpf/im);
    expect(r.stderr).toMatch(/events stored; see: kiseki show [0-9a-f]{8}  \|  kiseki lineage b$/m);
    const l = cli.json<{ nodes: { path?: string }[] }>(['lineage', 'b', '--up'], { cwd: dir });
    expect(l.nodes.map((n) => n.path)).toContain(join(dir, 'a'));
  });
});
