// The workloads of the capture benchmark. Each one is a bash snippet run in
// its own folder; `prepare` (untimed) puts the folder back in its starting
// state before every measured run, and `check` reads what the run left and
// returns a short summary that must be the same traced and untraced.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCProject, generateTree } from './generate.js';

export const WORKLOAD_DIR = dirname(fileURLToPath(import.meta.url));
export const PYTHON = '/usr/bin/python3'; // not the pyenv shim that PATH may start with

export type Kind = 'compute' | 'io';

export interface Workload {
  name: string;
  /** What the table calls it. */
  label: string;
  /** compute-bound (target ≤ 1 %) or build/import/IO-heavy (target ≤ 10 %). */
  kind: Kind;
  /** One line: what runs and on what input. */
  describe(quick: boolean): string;
  /** Executables or files that must exist; a workload that lacks them is skipped. */
  requires: string[];
  /** Once per bench: create inputs in `dir`. */
  setup(dir: string, quick: boolean): void;
  /** Before every run, untimed. */
  prepare(dir: string): void;
  /** The timed bash snippet, run with `dir` as its cwd. Its stdout/stderr go to files. */
  script(quick: boolean): string;
  /** After every run: a summary of the result, or throws if the result is wrong. */
  check(dir: string): string;
}

function sh(cmd: string, cwd: string): string {
  const r = spawnSync('bash', ['-c', cmd], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}: ${r.stderr.slice(-500)}`);
  return r.stdout;
}

function read(dir: string, file: string): string {
  const p = join(dir, file);
  if (!existsSync(p)) throw new Error(`${file} missing`);
  return readFileSync(p, 'utf8');
}

function copyInput(name: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(WORKLOAD_DIR, name), join(dir, name));
}

const TREE = { dirs: 180, perDir: 100 };
const TREE_QUICK = { dirs: 30, perDir: 100 };

export const WORKLOADS: Workload[] = [
  {
    name: 'qe',
    label: 'Quantum ESPRESSO pw.x',
    kind: 'compute',
    describe: (q) => `\`pw.x -in si.scf.in\`: bulk Si, 2 atoms, LDA (Si.pz-vbc.UPF from quantum-espresso-data), ecutwfc 40 Ry, ${q ? '4×4×4' : '10×10×10'} shifted k-grid, SCF to 1e-10`,
    requires: ['/usr/bin/pw.x', '/usr/share/espresso/pseudo/Si.pz-vbc.UPF'],
    setup(dir, quick) {
      copyInput('si.scf.in', dir);
      if (quick) sh("sed -i 's/10 10 10 1 1 1/4 4 4 1 1 1/' si.scf.in", dir);
    },
    prepare(dir) { rmSync(join(dir, 'out'), { recursive: true, force: true }); rmSync(join(dir, 'pw.out'), { force: true }); },
    script: () => 'pw.x -in si.scf.in > pw.out',
    check(dir) {
      const out = read(dir, 'pw.out');
      const e = /^!\s+total energy\s+=\s+(-?[\d.]+) Ry/m.exec(out);
      if (!e || !/convergence has been achieved/.test(out)) throw new Error('pw.x did not converge');
      return `E=${e[1]} Ry`;
    },
  },
  {
    name: 'lammps',
    label: 'LAMMPS LJ melt',
    kind: 'compute',
    describe: (q) => `\`lmp -in in.melt\`: Lennard-Jones melt (LAMMPS' examples/melt), ${q ? '4,000 atoms, 100 steps' : '32,000 atoms, 400 steps'}, dump every 100 steps`,
    requires: ['/usr/bin/lmp'],
    setup(dir) { copyInput('in.melt', dir); },
    prepare(dir) { for (const f of ['dump.melt', 'log.lammps', 'lmp.out']) rmSync(join(dir, f), { force: true }); },
    script: (q) => `lmp -in in.melt -var n ${q ? 10 : 20} -var steps ${q ? 100 : 400} -log log.lammps > lmp.out`,
    check(dir) {
      const log = read(dir, 'log.lammps');
      const lines = log.split('\n');
      const loop = lines.findIndex((l) => l.startsWith('Loop time'));
      if (loop < 1) throw new Error('LAMMPS did not finish its run');
      return `last thermo: ${lines[loop - 1]!.trim().split(/\s+/).slice(0, 3).join(' ')}`;
    },
  },
  {
    name: 'torch',
    label: 'PyTorch MLP training (CPU)',
    kind: 'compute',
    describe: (q) => `\`python3 train_mlp.py ${q ? 30 : 150}\`: 256-256-256-1 MLP, Adam, batch 128, synthetic data, ${q ? 30 : 150} steps, saves mlp.pt (Debian python3-torch)`,
    requires: [PYTHON],
    setup(dir) { copyInput('train_mlp.py', dir); },
    prepare(dir) { rmSync(join(dir, 'mlp.pt'), { force: true }); rmSync(join(dir, 'train.out'), { force: true }); },
    script: (q) => `${PYTHON} train_mlp.py ${q ? 30 : 150} > train.out`,
    check(dir) {
      const out = read(dir, 'train.out');
      const m = /^final loss ([\d.]+)$/m.exec(out);
      if (!m || !existsSync(join(dir, 'mlp.pt'))) throw new Error('training did not finish');
      return `loss ${m[1]}`;
    },
  },
  {
    name: 'make',
    label: 'make -j2 (C project)',
    kind: 'io',
    describe: (q) => `\`make -j2\` of a generated C project: ${q ? 20 : 60} units × 12 functions + main, one header, gcc -O2 -g, then link`,
    requires: ['/usr/bin/make', '/usr/bin/gcc'],
    setup(dir, quick) { generateCProject(join(dir, 'project'), quick ? 20 : 60); },
    prepare(dir) { rmSync(join(dir, 'project', 'build'), { recursive: true, force: true }); },
    script: () => 'make -C project -j2 -s > make.out 2>&1',
    check(dir) {
      const out = sh('./project/build/app', dir).trim();
      if (!/^checksum [0-9a-f]{16}$/.test(out)) throw new Error(`app printed ${out}`);
      return out;
    },
  },
  {
    name: 'imports',
    label: 'Python import-heavy',
    kind: 'io',
    describe: (q) => `\`python3 imports.py\` ${q ? 'once' : '3 times'}: ~70 stdlib modules (asyncio, email, xml, unittest, decimal, sqlite3, ssl, …) + numpy + torch, ~1,000 modules in sys.modules`,
    requires: [PYTHON],
    setup(dir) { copyInput('imports.py', dir); },
    prepare(dir) { rmSync(join(dir, 'imports.out'), { force: true }); },
    script: (q) => `for i in ${q ? '1' : '1 2 3'}; do ${PYTHON} imports.py; done > imports.out`,
    check(dir) {
      const lines = read(dir, 'imports.out').trim().split('\n');
      if (!lines.length || lines.some((l) => !/^\d+ modules torch$/.test(l))) throw new Error(`imports printed ${lines.join(' | ')}`);
      return lines[0]!;
    },
  },
  {
    name: 'tar',
    label: 'tar czf of a file tree',
    kind: 'io',
    describe: (q) => {
      const t = q ? TREE_QUICK : TREE;
      return `\`tar czf\` 3 times of a generated tree: ${t.dirs * t.perDir} text files of 200 B – 4 KB in ${t.dirs} folders`;
    },
    requires: ['/usr/bin/tar', '/usr/bin/gzip'],
    setup(dir, quick) {
      const t = quick ? TREE_QUICK : TREE;
      generateTree(join(dir, 'tree'), t.dirs, t.perDir);
    },
    prepare(dir) { for (const i of [1, 2, 3]) rmSync(join(dir, `tree${i}.tar.gz`), { force: true }); },
    script: () => 'for i in 1 2 3; do tar czf tree$i.tar.gz tree || exit; done',
    check(dir) {
      const n = sh('for i in 1 2 3; do tar tzf tree$i.tar.gz | grep -vc /$; done', dir).trim().split('\n');
      if (new Set(n).size !== 1) throw new Error(`archives differ: ${n.join(', ')} files`);
      return `${n[0]} files`;
    },
  },
];
