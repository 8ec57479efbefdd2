// dist/ works without src/: the build copies the store's migrations.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/core/package-root.js';

it('dist/store/migrations holds every migration, and a dist without src/ finds them', () => {
  const root = packageRoot();
  const src = readdirSync(join(root, 'src', 'store', 'migrations')).filter((f) => f.endsWith('.sql')).sort();
  expect(readdirSync(join(root, 'dist', 'store', 'migrations')).sort()).toEqual(src);
  const pkg = mkdtempSync(join(tmpdir(), 'kiseki-dist-'));
  try {
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
    const r = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import { migrationsDir, loadMigrations } from ${JSON.stringify(join(pkg, 'dist', 'store', 'migrate.js'))};
       console.log(JSON.stringify({ dir: migrationsDir(), n: loadMigrations().length }));`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ dir: join(pkg, 'dist', 'store', 'migrations'), n: src.length });
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});
