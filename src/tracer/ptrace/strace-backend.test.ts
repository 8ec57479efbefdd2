// The ptrace backend under real strace, with tiny C programs compiled here.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { textToBytes } from '../../core/bytes-text.js';
import type { TraceOutcome, TraceRequest } from '../backend.js';
import { O_CREAT, O_TRUNC, O_WRONLY, type RawRecord } from '../raw-record.js';
import { findTracee, planCommand, ptraceBackend, straceInfo, type StraceInfo } from './strace-backend.js';

const PROGRAMS: Record<string, string> = {
  // Copies argv[1] to argv[2] in 100-byte reads.
  copy: `
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int in = open(argv[1], O_RDONLY), out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char buf[100]; ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
  close(in); close(out);
  return 0;
}`,
  // One child execs sh -c 'exit 3', one dies of SIGKILL; exits with argv[1].
  procs: `
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  pid_t a = fork();
  if (a == 0) { execl("/bin/sh", "sh", "-c", "exit 3", (char *)0); _exit(99); }
  waitpid(a, 0, 0);
  pid_t b = fork();
  if (b == 0) { kill(getpid(), SIGKILL); pause(); }
  waitpid(b, 0, 0);
  return argc > 1 ? atoi(argv[1]) : 0;
}`,
  // Two execs that fail (missing file, not executable), then a file.
  execfail: `
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  execl(argv[1], "missing", (char *)0);
  execl(argv[2], "not-executable", (char *)0);
  close(open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644));
  return 0;
}`,
  // Two threads each write a file; the main thread writes one too.
  threads: `
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static const char *dir;
static void *work(void *arg) {
  char p[4096]; snprintf(p, sizeof p, "%s/thread-%ld.txt", dir, (long)arg);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "thread", 6); usleep(20000); close(fd);
  return 0;
}
int main(int argc, char **argv) {
  dir = argv[1];
  pthread_t t1, t2;
  pthread_create(&t1, 0, work, (void *)1L);
  pthread_create(&t2, 0, work, (void *)2L);
  pthread_join(t1, 0); pthread_join(t2, 0);
  char p[4096]; snprintf(p, sizeof p, "%s/main.txt", dir);
  close(open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  return 0;
}`,
  // Creates the file named by argv[1], or by the hex bytes in argv[2] after -x.
  mk: `
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char name[8192]; const char *p = argv[1];
  if (strcmp(argv[1], "-x") == 0) {
    size_t n = strlen(argv[2]) / 2;
    for (size_t i = 0; i < n; i++) sscanf(argv[2] + 2 * i, "%2hhx", &name[i]);
    name[n] = 0; p = name;
  }
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 1;
  write(fd, "x", 1); close(fd);
  return 0;
}`,
  // Writes its fds (except the one listing them) to argv[1].
  fds: `
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  DIR *d = opendir("/proc/self/fd"); struct dirent *e; char out[4096] = ""; int self = dirfd(d);
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || atoi(e->d_name) == self) continue;
    snprintf(out + strlen(out), sizeof out - strlen(out), "%s ", e->d_name);
  }
  closedir(d);
  FILE *f = fopen(argv[1], "w"); fputs(out, f); fclose(f);
  return 0;
}`,
  // Writes argv[0], the cwd, $PATH and $KISEKI_PROBE to argv[1], one per line.
  whoami: `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char cwd[4096]; getcwd(cwd, sizeof cwd);
  const char *path = getenv("PATH"), *probe = getenv("KISEKI_PROBE");
  FILE *f = fopen(argv[1], "w");
  fprintf(f, "%s\\n%s\\n%s\\n%s\\n", argv[0], cwd, path ? path : "(unset)", probe ? probe : "(unset)");
  fclose(f);
  return 0;
}`,
  // Copies stdin to stdout, then writes all 256 byte values to stdout.
  echo: `
#include <unistd.h>
int main(void) {
  char buf[4096]; ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) write(1, buf, n);
  unsigned char all[256]; for (int i = 0; i < 256; i++) all[i] = i;
  write(1, all, sizeof all);
  return 0;
}`,
  // Leaves two children behind: one writes argv[1] when SIGTERM comes, one
  // ignores SIGTERM. Exits 4 at once.
  daemons: `
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
static const char *file;
static void on_term(int s) { (void)s; close(open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)); _exit(5); }
int main(int argc, char **argv) {
  file = argv[1];
  if (fork() == 0) { signal(SIGTERM, on_term); for (;;) pause(); }
  if (fork() == 0) { signal(SIGTERM, SIG_IGN); for (;;) pause(); }
  usleep(50000);
  return 4;
}`,
  // Plays strace at startup: a dead, unreaped helper child (never exec'd)
  // and a traced child that exec'd sleep. Prints the traced child's pid.
  tracer: `
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  if (fork() == 0) _exit(0); /* stays a zombie: never reaped */
  pid_t t = fork();
  if (t == 0) { ptrace(PTRACE_TRACEME, 0, 0, 0); execl("/bin/sleep", "sleep", "5", (char *)0); _exit(1); }
  int st; waitpid(t, &st, 0); /* the exec stop */
  ptrace(PTRACE_CONT, t, 0, 0);
  printf("%d\\n", t); fflush(stdout);
  sleep(5);
  kill(t, SIGKILL);
  return 0;
}`,
  // Waits for SIGINT (a terminal's Ctrl-C), then writes argv[2] and exits 0.
  ctrlc: `
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
static volatile sig_atomic_t got;
static void on_int(int s) { (void)s; got = 1; }
int main(int argc, char **argv) {
  signal(SIGINT, on_int);
  close(open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644));
  while (!got) pause();
  close(open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644));
  return 0;
}`,
};

let bin: string;
let info: StraceInfo;

beforeAll(async () => {
  const i = await straceInfo();
  if (typeof i === 'string') throw new Error(i);
  info = i;
  bin = mkdtempSync(join(tmpdir(), 'kiseki-ptrace-bin-'));
  for (const [name, src] of Object.entries(PROGRAMS)) {
    const c = join(bin, `${name}.c`);
    writeFileSync(c, `#include <string.h>\n${src}\n`);
    const r = spawnSync('gcc', ['-O0', '-pthread', '-o', join(bin, name), c], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gcc ${name}: ${r.stderr}`);
  }
});

const scratch = () => realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-ptrace-')));

interface Run {
  records: RawRecord[];
  outcome: TraceOutcome;
  started: number[];
  /** Records delivered before onStarted was called. */
  early: number;
}

async function run(argv: string[], opts: Partial<TraceRequest> & { file?: string } = {}): Promise<Run> {
  const records: RawRecord[] = [];
  const started: number[] = [];
  let early = 0;
  const outcome = await ptraceBackend.trace({
    file: opts.file ?? argv[0]!,
    argv,
    cwd: opts.cwd ?? tmpdir(),
    env: opts.env ?? process.env,
    lingerMs: opts.lingerMs ?? 5000,
    onStarted: (pid) => {
      started.push(pid);
      opts.onStarted?.(pid);
    },
    onRecord: (r) => {
      if (started.length === 0) early++;
      records.push(r);
    },
  });
  return { records, outcome, started, early };
}

const of = <K extends RawRecord['kind']>(records: RawRecord[], kind: K) =>
  records.filter((r): r is Extract<RawRecord, { kind: K }> => r.kind === kind);

/** Bytes read and written through the fd an open of `path` returned, until its close. */
function bytesVia(records: RawRecord[], path: string): { read: number; written: number } {
  let fd = -1;
  let pid = -1;
  let read = 0;
  let written = 0;
  for (const r of records) {
    if (r.kind === 'open' && r.path === path && r.ret >= 0) {
      fd = r.ret;
      pid = r.pid;
    } else if (fd >= 0 && r.pid === pid) {
      if (r.kind === 'io' && r.fd === fd) {
        read += r.bytesRead;
        written += r.bytesWritten;
      } else if (r.kind === 'close' && r.fd === fd) {
        fd = -1;
      }
    }
  }
  return { read, written };
}

describe('ptrace backend', () => {
  it('is available here', async () => {
    const a = await ptraceBackend.available();
    expect(a).toEqual({ ok: true, reason: expect.stringMatching(/^strace \d+\.\d+ with --seccomp-bpf$/) });
  });

  it('reports open, read, write and close with the right byte counts', async () => {
    const dir = scratch();
    const input = join(dir, 'in.bin');
    const output = join(dir, 'out.bin');
    writeFileSync(input, Buffer.alloc(12345, 7));
    const { records, outcome, started, early } = await run([join(bin, 'copy'), input, output]);
    expect(outcome).toMatchObject({ exitCode: 0, signal: null, lost: 0 });
    expect(started).toEqual([outcome.rootPid]);
    expect(early).toBe(0);
    expect(bytesVia(records, input)).toEqual({ read: 12345, written: 0 });
    expect(bytesVia(records, output)).toEqual({ read: 0, written: 12345 });
    const out = of(records, 'open').find((r) => r.path === output)!;
    expect(out.flags & (O_WRONLY | O_CREAT | O_TRUNC)).toBe(O_WRONLY | O_CREAT | O_TRUNC);
    expect(out.pid).toBe(outcome.rootPid);
    expect(of(records, 'close').filter((c) => c.pid === outcome.rootPid && c.fd === out.ret && c.ret === 0).length).toBeGreaterThan(0);
  });

  it('follows fork, exec and exit, with wait-style statuses', async () => {
    const { records, outcome } = await run([join(bin, 'procs'), '0']);
    const root = outcome.rootPid;
    expect(outcome).toMatchObject({ exitCode: 0, signal: null });
    const forks = of(records, 'fork');
    expect(forks.map((f) => f.pid)).toEqual([root, root]);
    const [shPid, killedPid] = forks.map((f) => f.child);
    const sh = of(records, 'exec').find((e) => e.pid === shPid)!;
    expect(sh).toMatchObject({ path: '/bin/sh', argv: ['sh', '-c', 'exit 3'], ret: 0 });
    expect(sh.env).toContain(`PATH=${process.env.PATH}`);
    const exits = new Map(of(records, 'exit').map((e) => [e.pid, e.status]));
    expect(exits.get(shPid!)).toBe(3 << 8);
    expect(exits.get(killedPid!)).toBe(9);
    expect(exits.get(root)).toBe(0);
    // Order: a child's fork record comes before anything the child did.
    const forkAt = records.findIndex((r) => r.kind === 'fork' && r.child === shPid);
    expect(records.findIndex((r) => r.pid === shPid)).toBeGreaterThan(forkAt);
  });

  it('calls onStarted with the pid that runs the command, even under load', async () => {
    // strace forks a short-lived helper before the command: it must never be
    // taken for the root. Many concurrent runs make that race likely.
    for (let batch = 0; batch < 4; batch++) {
      const runs = await Promise.all(Array.from({ length: 8 }, () => run(['/bin/true'])));
      for (const r of runs) {
        const exec = of(r.records, 'exec')[0]!;
        expect(r.started).toEqual([exec.pid]);
        expect(r.outcome.rootPid).toBe(exec.pid);
      }
    }
  });

  it('reports the root\'s exit code and the signal that killed it', async () => {
    const exited = await run(['/bin/sh', '-c', 'exit 3']);
    expect(exited.outcome).toMatchObject({ exitCode: 3, signal: null });
    const killed = await run(['/bin/sh', '-c', 'kill -KILL $$']);
    expect(killed.outcome).toMatchObject({ exitCode: null, signal: 9 });
    expect(of(killed.records, 'exit')).toEqual([expect.objectContaining({ pid: killed.outcome.rootPid, status: 9 })]);
  });

  it('records failed execs with -errno and keeps tracing', async () => {
    const dir = scratch();
    const plain = join(dir, 'plain.txt');
    writeFileSync(plain, 'data', { mode: 0o644 });
    const after = join(dir, 'after.txt');
    const { records, outcome } = await run([join(bin, 'execfail'), join(dir, 'missing'), plain, after]);
    const failed = of(records, 'exec').filter((e) => e.ret < 0);
    expect(failed.map((e) => [e.path, e.argv, e.ret])).toEqual([
      [join(dir, 'missing'), ['missing'], -2],
      [plain, ['not-executable'], -13],
    ]);
    expect(failed.every((e) => e.pid === outcome.rootPid)).toBe(true);
    expect(of(records, 'open').some((o) => o.path === after && o.ret >= 0)).toBe(true);
  });

  it('does not report threads as processes and gives their calls the process id', async () => {
    const dir = scratch();
    const { records, outcome } = await run([join(bin, 'threads'), dir]);
    const root = outcome.rootPid;
    expect(of(records, 'fork')).toEqual([]);
    const opens = of(records, 'open').filter((o) => o.path.startsWith(dir));
    expect(opens.map((o) => o.path).sort()).toEqual([join(dir, 'main.txt'), join(dir, 'thread-1.txt'), join(dir, 'thread-2.txt')]);
    expect(opens.every((o) => o.pid === root)).toBe(true);
    const threadTids = new Set(opens.filter((o) => o.path.includes('thread-')).map((o) => o.tid));
    expect(threadTids.size).toBe(2);
    expect(threadTids.has(root)).toBe(false);
    expect(bytesVia(records, join(dir, 'thread-1.txt'))).toEqual({ read: 0, written: 6 });
    expect(of(records, 'exit').map((e) => e.pid)).toEqual([root]);
  });

  it('keeps a 300-byte and a 4000-byte path whole', async () => {
    const dir = scratch();
    const deep300 = join(dir, 'd'.repeat(200));
    mkdirSync(deep300);
    const p300 = join(deep300, 'f'.repeat(300 - deep300.length - 1));
    expect(Buffer.byteLength(p300)).toBe(300);
    let deep = dir;
    while (deep.length < 3700) deep = join(deep, 'e'.repeat(250));
    mkdirSync(deep, { recursive: true });
    const p4000 = join(deep, 'g'.repeat(4000 - deep.length - 1));
    expect(Buffer.byteLength(p4000)).toBe(4000);
    for (const p of [p300, p4000]) {
      const { records, outcome } = await run([join(bin, 'mk'), p]);
      expect(outcome.exitCode).toBe(0);
      const open = of(records, 'open').find((o) => o.pid === outcome.rootPid && o.ret >= 0 && o.path.startsWith(dir))!;
      expect(open.path).toBe(p);
      expect(open.truncated).toBeUndefined();
    }
  });

  it('keeps a name with newline, quote, tab, backslash, UTF-8 and 0xff bytes exact', async () => {
    const dir = scratch();
    const name = Buffer.concat([
      Buffer.from('n\nq"t\ts\\u'),
      Buffer.from('データ'),
      Buffer.from([0xff, 0xfe, 0x01, 0x7f]),
      Buffer.from('.txt'),
    ]);
    const full = Buffer.concat([Buffer.from(`${dir}/`), name]);
    const { records, outcome } = await run([join(bin, 'mk'), '-x', full.toString('hex')]);
    expect(outcome.exitCode).toBe(0);
    const open = of(records, 'open').find((o) => o.path.startsWith(dir))!;
    expect(textToBytes(open.path).toString('hex')).toBe(full.toString('hex'));
  });

  it('gives the command no file descriptor beyond the caller\'s stdio', async () => {
    const dir = scratch();
    const list = join(dir, 'fds.txt');
    const { outcome } = await run([join(bin, 'fds'), list]);
    expect(outcome.exitCode).toBe(0);
    const read = () => readFileSync(list, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b);
    const traced = read();
    // The same program started by node directly: the fds any child of this
    // process inherits (the test runner may itself pass some down).
    const direct = spawnSync(join(bin, 'fds'), [list], { stdio: 'inherit' });
    expect(direct.status).toBe(0);
    const untraced = read();
    expect(untraced).toEqual(expect.arrayContaining([0, 1, 2].filter((fd) => existsSync(`/proc/self/fd/${fd}`))));
    expect(traced).toEqual(untraced);
  });

  it('runs the command in its cwd and environment, keeping argv[0] and PATH', async () => {
    const dir = scratch();
    const out = join(dir, 'who.txt');
    const env = { ...process.env, KISEKI_PROBE: 'probe value', PATH: `/nowhere:${process.env.PATH ?? ''}` };
    // A bare name, as a shell would run it from PATH.
    const a = await run(['whoami', out], { file: join(bin, 'whoami'), cwd: dir, env });
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 4)).toEqual(['whoami', dir, env.PATH, 'probe value']);
    expect(of(a.records, 'exec')[0]).toMatchObject({ path: join(bin, 'whoami'), argv: ['whoami', out] });
    // A relative name with a slash.
    const rel = join(dir, 'sub');
    mkdirSync(rel);
    spawnSync('cp', [join(bin, 'whoami'), join(rel, 'w')]);
    await run(['./sub/w', out], { file: join(rel, 'w'), cwd: dir, env });
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('./sub/w');
    // An argv[0] unrelated to the file name.
    await run(['custom-name', out], { file: join(bin, 'whoami'), cwd: dir, env });
    const seen = readFileSync(out, 'utf8').split('\n')[0];
    expect(seen).toBe(info.argv0Option ? 'custom-name' : join(bin, 'whoami'));
  });

  it('leaves stdin and stdout to the command, byte for byte', async () => {
    const dir = scratch();
    const input = Buffer.concat([Buffer.from('line one\n'), Buffer.from([0, 0xff, 0x80, 0x0a]), Buffer.alloc(70000, 0x41)]);
    writeFileSync(join(dir, 'in'), input);
    const runner = join(dir, 'runner.mts');
    const backendUrl = new URL('./strace-backend.ts', import.meta.url).href;
    writeFileSync(
      runner,
      `import { ptraceBackend } from ${JSON.stringify(backendUrl)};
let n = 0;
const o = await ptraceBackend.trace({ file: process.argv[2], argv: [process.argv[2]], cwd: process.cwd(), env: process.env,
  lingerMs: 1000, onRecord: () => { n++; } });
process.stderr.write(JSON.stringify({ ...o, n }));
`,
    );
    const inFd = openSync(join(dir, 'in'), 'r');
    const outFd = openSync(join(dir, 'out'), 'w');
    const here = fileURLToPath(new URL('../../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', runner, join(bin, 'echo')], {
      cwd: here,
      stdio: [inFd, outFd, 'pipe'],
    });
    closeSync(inFd);
    closeSync(outFd);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(0);
    const summary = JSON.parse(stderr) as TraceOutcome & { n: number };
    expect(summary).toMatchObject({ exitCode: 0, lost: 0 });
    expect(summary.n).toBeGreaterThan(3);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(readFileSync(join(dir, 'out')).equals(Buffer.concat([input, all]))).toBe(true);
  });

  it('stops following leftover children after the linger, and reports how they ended', async () => {
    const dir = scratch();
    const termFile = join(dir, 'got-term');
    const t0 = Date.now();
    const { records, outcome } = await run([join(bin, 'daemons'), termFile], { lingerMs: 300 });
    const took = Date.now() - t0;
    expect(outcome).toMatchObject({ exitCode: 4, signal: null });
    expect(took).toBeLessThan(5000);
    const [polite, stubborn] = of(records, 'fork').map((f) => f.child);
    const exits = new Map(of(records, 'exit').map((e) => [e.pid, e.status]));
    expect(exits.get(polite!)).toBe(5 << 8); // its SIGTERM handler ran, traced:
    expect(of(records, 'open').some((o) => o.pid === polite && o.path === termFile)).toBe(true);
    expect(exits.get(stubborn!)).toBe(9); // ignored SIGTERM, got SIGKILL
  });

  it('keeps tracing when strace itself gets the terminal\'s SIGINT', async () => {
    const dir = scratch();
    const ready = join(dir, 'ready');
    const after = join(dir, 'after-int');
    let sent = false;
    const { records, outcome } = await run([join(bin, 'ctrlc'), ready, after], {
      onStarted: (pid) => {
        // A Ctrl-C reaches every process of the foreground group: strace
        // (the command's tracer) and the command.
        const tracer = Number(/^TracerPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
        const poll = setInterval(() => {
          if (!existsSync(ready)) return;
          clearInterval(poll);
          process.kill(tracer, 'SIGINT');
          process.kill(pid, 'SIGINT');
          sent = true;
        }, 10);
      },
    });
    expect(sent).toBe(true);
    expect(outcome).toMatchObject({ exitCode: 0, signal: null });
    expect(of(records, 'open').some((o) => o.path === after && o.ret >= 0)).toBe(true);
  });
});

describe('findTracee', () => {
  it('finds the traced, exec\'d child and never a dead helper', async () => {
    const fake = spawn(join(bin, 'tracer'), [], { stdio: ['ignore', 'pipe', 'inherit'] });
    const traced = await new Promise<number>((res) => fake.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim()))));
    try {
      const cmdline = readFileSync(`/proc/${fake.pid}/cmdline`);
      expect(findTracee(fake.pid!, cmdline)).toBe(traced);
      // Without the traced child, the zombie helper must not be taken.
      process.kill(traced, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      expect(findTracee(fake.pid!, cmdline)).toBeNull();
    } finally {
      fake.kill('SIGKILL');
    }
  });
});

describe('planCommand', () => {
  const file = '/opt/tools/bin/prog';
  it('passes the file when argv[0] is the file', () => {
    expect(planCommand({ argv0Option: false }, { file, argv: [file, 'a'], cwd: '/' })).toEqual({ args: ['--', file, 'a'], argv0Lost: false });
  });
  it('lets strace find a bare name in the file\'s folder', () => {
    expect(planCommand({ argv0Option: false }, { file, argv: ['prog', 'a'], cwd: '/' })).toEqual({
      args: ['--', 'prog', 'a'],
      straceSearchPath: '/opt/tools/bin',
      argv0Lost: false,
    });
  });
  it('passes a relative name that resolves to the file', () => {
    expect(planCommand({ argv0Option: false }, { file, argv: ['./bin/prog'], cwd: '/opt/tools' })).toEqual({ args: ['--', './bin/prog'], argv0Lost: false });
  });
  it('uses --argv0 when strace has it, and says when argv[0] is lost otherwise', () => {
    expect(planCommand({ argv0Option: true }, { file, argv: ['-bash', 'x'], cwd: '/' }).args).toEqual(['--argv0=-bash', '--', file, 'x']);
    expect(planCommand({ argv0Option: false }, { file, argv: ['-bash', 'x'], cwd: '/' })).toEqual({ args: ['--', file, 'x'], argv0Lost: true });
  });
});
