#!/usr/bin/env node
// `npm run bench`: runs every `bench:<name>` script of package.json whose
// bench/<name>.ts exists, one after the other (so a colleague's new bench is
// picked up by adding its script). Arguments after `--` go to each of them.
// Exits non-zero if any failed, after running the others.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const names = Object.keys(pkg.scripts ?? {})
  .filter((s) => /^bench:[\w-]+$/.test(s))
  .filter((s) => existsSync(join(root, 'bench', `${s.slice('bench:'.length)}.ts`)));
let failed = 0;
for (const name of names) {
  console.error(`\n=== npm run ${name} ===`);
  const extra = process.argv.slice(2);
  const r = spawnSync('npm', ['run', name, ...(extra.length ? ['--', ...extra] : [])], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${name} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
