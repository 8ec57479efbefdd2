#!/usr/bin/env node
// `npm run build:ebpf`: builds build/ebpf/kiseki-ebpf with make. When the
// tools or the kernel BTF it needs are missing, it says so in one line and
// exits 0: the eBPF backend is then unavailable, the ptrace backend still works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src', 'tracer', 'ebpf');

function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

function unavailable(why) {
  console.log(`kiseki: eBPF backend will be unavailable: ${why} (the ptrace backend still works)`);
  process.exit(0);
}

const missing = [];
if (!has('make')) missing.push('make');
if (!has('clang')) missing.push('clang');
if (!has('cc')) missing.push('cc');
if (!has('bpftool', ['version'])) missing.push('bpftool');
const headers = ['/usr/include/bpf/libbpf.h', '/usr/include/gelf.h', '/usr/include/zlib.h'];
const pkgs = { '/usr/include/bpf/libbpf.h': 'libbpf-dev', '/usr/include/gelf.h': 'libelf-dev', '/usr/include/zlib.h': 'zlib1g-dev' };
for (const h of headers) if (!existsSync(h)) missing.push(pkgs[h]);
if (missing.length) {
  unavailable(`missing ${missing.join(', ')} (apt-get install clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make)`);
}
if (!existsSync('/sys/kernel/btf/vmlinux')) {
  unavailable('this kernel has no BTF (/sys/kernel/btf/vmlinux), needed to generate vmlinux.h');
}

const jobs = String(Math.max(1, Math.min(4, (await import('node:os')).availableParallelism?.() ?? 2)));
const r = spawnSync('make', ['-s', '-j', jobs, '-C', srcDir], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  // The tools are there, so this is a real error (in the sources or the
  // toolchain), not a machine without eBPF: fail loudly.
  process.stderr.write(r.stderr ?? '');
  console.error(`kiseki: building the eBPF loader failed (make exited with ${r.status ?? r.signal})`);
  process.exit(1);
}
if (r.stderr) process.stderr.write(r.stderr);
