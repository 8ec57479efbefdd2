#!/usr/bin/env node
// Copies the non-TypeScript files the built code reads at run time into
// dist/, so dist/ works without src/: the store's SQL migrations.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'store', 'migrations');
const to = join(root, 'dist', 'store', 'migrations');
rmSync(to, { recursive: true, force: true }); // a migration removed from src must not linger
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith('.sql')).sort();
for (const f of files) copyFileSync(join(from, f), join(to, f));
console.log(`copy-assets: ${files.length} migration(s) -> dist/store/migrations`);
