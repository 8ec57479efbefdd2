// Real-kernel tests: tiny C programs, compiled here with gcc, run under the
// real eBPF backend; the assertions are on the RawRecords it delivers.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { textToBytes } from '../../core/bytes-text.js';
import type { TraceOutcome } from '../backend.js';
import type { RawRecord } from '../raw-record.js';
import { ebpfBackend, loaderPath } from './ebpf-backend.js';

const isRoot = process.getuid?.() === 0;
const built = existsSync(loaderPath());
const skipReason = !isRoot ? 'not root' : !built ? `loader not built (${loaderPath()}): run npm run build:ebpf` : '';

type Of<K extends RawRecord['kind']> = Extract<RawRecord, { kind: K }>;

interface Run {
  records: RawRecord[];
  outcome: TraceOutcome;
  started: number | null;
}

async function run(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; lingerMs?: number; file?: string } = {}): Promise<Run> {
  const records: RawRecord[] = [];
  let started: number | null = null;
  const outcome = await ebpfBackend.trace({
    file: opts.file ?? argv[0]!,
    argv,
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? process.env,
    lingerMs: opts.lingerMs ?? 0,
    onRecord: (r) => records.push(r),
    onStarted: (pid) => {
      started = pid;
    },
  });
  return { records, outcome, started };
}

const of = <K extends RawRecord['kind']>(records: RawRecord[], kind: K): Of<K>[] =>
  records.filter((r): r is Of<K> => r.kind === kind);

/** The records after `r` (fd numbers are reused: the dynamic loader used them first). */
const after = (records: RawRecord[], r: RawRecord): RawRecord[] => records.slice(records.indexOf(r) + 1);

const PROGRAMS: Record<string, string> = {
  // Reads argv[1] in 7-byte chunks, writes it to argv[2] in two writes.
  rw: `
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char buf[65536]; int n = 0, k;
  int in = open(argv[1], O_RDONLY);
  while ((k = read(in, buf + n, 7)) > 0) n += k;
  close(in);
  int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0640);
  write(out, buf, n / 2);
  write(out, buf + n / 2, n - n / 2);
  close(out);
  return 0;
}`,
  // Opens argv[1] and closes it.
  openpath: `
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv) { int fd = open(argv[1], O_RDONLY); if (fd < 0) return 1; close(fd); return 0; }`,
  // Two children: one execs sh -c 'exit 3', one is killed by SIGKILL.
  procs: `
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
  pid_t a = fork();
  if (a == 0) { execl("/bin/sh", "sh", "-c", "exit 3", (char *)0); _exit(99); }
  pid_t b = fork();
  if (b == 0) { raise(SIGKILL); _exit(98); }
  int s1, s2;
  waitpid(a, &s1, 0); waitpid(b, &s2, 0);
  return (WIFEXITED(s1) && WEXITSTATUS(s1) == 3 && WIFSIGNALED(s2) && WTERMSIG(s2) == SIGKILL) ? 0 : 1;
}`,
  // A clone(CLONE_FILES) child and a vfork child, both exiting at once.
  clonefiles: `
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
  pid_t p = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
  if (p == 0) _exit(0);
  waitpid(p, 0, 0);
  pid_t v = vfork();
  if (v == 0) _exit(7);
  waitpid(v, 0, 0);
  return 0;
}`,
  // A failed exec, then a normal exit.
  execfail: `
#include <unistd.h>
int main(void) {
  char *argv[] = { "prog", "arg\\n1", 0 };
  execv("/nonexistent/dir/prog", argv);
  return 0;
}`,
  // Three threads write one file each; the main thread writes one too.
  threads: `
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *work(void *arg) {
  char name[32]; snprintf(name, sizeof name, "t%ld.txt", (long)arg);
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "thread", 6); close(fd);
  return 0;
}
int main(void) {
  pthread_t t[3];
  for (long i = 0; i < 3; i++) pthread_create(&t[i], 0, work, (void *)i);
  for (int i = 0; i < 3; i++) pthread_join(t[i], 0);
  int fd = open("main.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "m", 1); close(fd);
  return 0;
}`,
  // The main thread leaves first; the other thread ends the process with 5.
  outlive: `
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
static void *work(void *arg) {
  (void)arg; usleep(100000);
  int fd = open("late.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "late", 4);
  exit(5);
}
int main(void) { pthread_t t; pthread_create(&t, 0, work, 0); pthread_exit(0); }`,
  // Prints the fds it has above 2 and whether its signal state is default.
  inherit: `
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
int main(void) {
  printf("fds:");
  for (int fd = 3; fd < 1024; fd++) if (fcntl(fd, F_GETFD) >= 0) printf(" %d", fd);
  int sigs[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTERM, SIGHUP, SIGPIPE };
  int dfl = 1;
  for (int i = 0; i < 6; i++) { struct sigaction sa; sigaction(sigs[i], 0, &sa); if (sa.sa_handler != SIG_DFL) dfl = 0; }
  sigset_t mask; sigprocmask(SIG_SETMASK, 0, &mask);
  for (int s = 1; s < 32; s++) if (sigismember(&mask, s)) dfl = 0;
  printf(" signals:%s\\n", dfl ? "default" : "CHANGED");
  return 0;
}`,
  // The namespace and fd-table calls, one each, with known arguments.
  ops: `
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
  int p[2]; pipe2(p, O_CLOEXEC);
  write(p[1], "12345", 5);
  char b[8]; read(p[0], b, 5);
  int f = open("a.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(f, "abcdefgh", 8);
  dup2(f, p[1]);                      /* p[1] had 5 bytes written: flushed first */
  int d = fcntl(f, F_DUPFD_CLOEXEC, 20);
  fcntl(d, F_SETFD, 0);
  rename("a.txt", "b.txt");
  link("b.txt", "c.txt");
  symlink("../target", "s.lnk");
  unlink("c.txt");
  mkdir("dir", 0750);
  int dfd = open("dir", O_RDONLY | O_DIRECTORY);
  fchdir(dfd);
  chdir("..");
  rmdir("dir");
  truncate("b.txt", 6);
  ftruncate(f, 4);
  int g = open("copy.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  lseek(f, 0, SEEK_SET);
  copy_file_range(f, 0, g, 0, 4, 0);
  lseek(f, 0, SEEK_SET);
  sendfile(g, f, 0, 3);
  void *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
  void *m2 = mmap(0, 4096, PROT_READ, MAP_PRIVATE, f, 0);  /* not a write mapping: no record */
  (void)m; (void)m2;
  syscall(SYS_close_range, 20, 20, 0);
  return 0;
}`,
  // Writes 5 bytes on an fd it keeps open, then execs /bin/true.
  execio: `
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  int fd = open("kept.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "hello", 5);
  execl("/bin/true", "true", (char *)0);
  return 1;
}`,
  // 20 fds above 63 (more than the kernel side's list holds) and 10 below,
  // each written i+1 bytes; close_range(100, 130); then exit or exec.
  highfds: `
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char buf[64]; memset(buf, 'x', sizeof buf);
  int f = open("high.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (int i = 0; i < 20; i++) { int d = fcntl(f, F_DUPFD, 100 + 3 * i); write(d, buf, i + 1); }
  for (int i = 0; i < 10; i++) { int d = fcntl(f, F_DUPFD, 30 + i); write(d, buf, 40 + i); }
  syscall(SYS_close_range, 100, 130, 0);
  if (strcmp(argv[1], "exec") == 0) execl("/bin/true", "true", (char *)0);
  return 0;
}`,
  // open+close of one file, argv[1] times.
  manyopen: `
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  for (int i = 0; i < n; i++) { int fd = open("/etc/hostname", O_RDONLY); close(fd); }
  return 0;
}`,
  // The parent exits at once; the child writes a file 300 ms later.
  daemon: `
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  if (fork() != 0) return 0;
  usleep(300000);
  int fd = open("daemon.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "d", 1); close(fd);
  return 0;
}`,
};

let bin = '';
const prog = (name: string) => join(bin, name);

function workdir(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-ebpf-case-')));
}

describe.skipIf(skipReason !== '')(`eBPF backend on the real kernel${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'kiseki-ebpf-progs-'));
    for (const [name, src] of Object.entries(PROGRAMS)) {
      writeFileSync(join(bin, `${name}.c`), src);
      const r = spawnSync('gcc', ['-O0', '-pthread', '-o', join(bin, name), join(bin, `${name}.c`)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`gcc ${name}: ${r.stderr}`);
    }
  });

  it('is available here', async () => {
    expect(await ebpfBackend.available()).toMatchObject({ ok: true });
  });

  it('gives open, io and close records with exact byte counts, in order, with dev and ino', async () => {
    const dir = workdir();
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    const data = 'x'.repeat(1000) + 'tail';
    writeFileSync(input, data);
    const { records, outcome, started } = await run([prog('rw'), input, output], { cwd: dir });
    expect(outcome).toMatchObject({ exitCode: 0, signal: null, lost: 0 });
    expect(started).toBe(outcome.rootPid);

    const mine = records.filter((r) => r.pid === outcome.rootPid);
    const openIn = of(mine, 'open').find((r) => r.path === input)!;
    expect(openIn).toMatchObject({ dirfd: -100, flags: 0, ret: expect.any(Number) });
    expect(openIn.ret).toBeGreaterThanOrEqual(3);
    const st = statSync(input);
    expect([openIn.dev, openIn.ino]).toEqual([st.dev, st.ino]);

    const fd = openIn.ret;
    const rest = after(mine, openIn);
    const io = of(rest, 'io').find((r) => r.fd === fd)!;
    const close = of(rest, 'close').find((r) => r.fd === fd)!;
    expect(io).toMatchObject({ bytesRead: data.length, bytesWritten: 0 });
    expect(close).toMatchObject({ ret: 0 });
    expect(mine.indexOf(io)).toBeLessThan(mine.indexOf(close));
    // exactly one io record for the input: summed in the kernel, not per read()
    expect(of(rest.slice(0, rest.indexOf(close)), 'io').filter((r) => r.fd === fd)).toHaveLength(1);

    const openOut = of(mine, 'open').find((r) => r.path === output)!;
    expect(openOut).toMatchObject({ flags: 0o1101, mode: 0o640 });
    const ioOut = of(after(mine, openOut), 'io').find((r) => r.fd === openOut.ret)!;
    expect(ioOut).toMatchObject({ bytesRead: 0, bytesWritten: data.length });
  });

  it('brings a path of 300+ bytes and one of ~4000 bytes through whole', async () => {
    const dir = workdir();
    const long = join(dir, 'a'.repeat(120), 'b'.repeat(120), 'c'.repeat(120), 'file.txt');
    mkdirSync(join(long, '..'), { recursive: true });
    writeFileSync(long, 'x');
    let huge = dir;
    while (huge.length + 51 <= 3800) huge = join(huge, 'd'.repeat(50));
    mkdirSync(huge, { recursive: true });
    huge = join(huge, 'f'.repeat(4000 - huge.length - 1));
    writeFileSync(huge, 'y');
    expect(Buffer.byteLength(long)).toBeGreaterThan(360);
    expect(Buffer.byteLength(huge)).toBe(4000);

    for (const p of [long, huge]) {
      const { records, outcome } = await run([prog('openpath'), p]);
      expect(outcome.exitCode).toBe(0);
      const open = of(records, 'open').filter((r) => r.ret >= 0 && !r.path.startsWith('/etc/') && !r.path.startsWith('/lib'));
      expect(open.map((r) => r.path)).toEqual([p]);
      expect(open[0]!.truncated).toBeUndefined();
    }
  });

  it('keeps odd bytes in argv (newline, tab, invalid UTF-8) and an argv[0] that differs from the file', async () => {
    const argv = ['my-sh', '-c', 'exit 0', 'new\nline', 'tab\there', 'bad\udcff\udcfe', 'データ'];
    const { records, outcome } = await run(argv, { file: '/bin/sh' });
    expect(outcome.exitCode).toBe(0);
    const exec = of(records, 'exec')[0]!;
    expect(exec).toMatchObject({ pid: outcome.rootPid, path: '/bin/sh', argv, ret: 0, uid: 0, euid: 0 });
    expect(textToBytes(exec.argv[5]!)).toEqual(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]));
    expect(exec.startNs).toBeGreaterThan(0);
  });

  it('passes the environment and reports it whole in the exec record, with a wall-clock time', async () => {
    const env = { PATH: '/usr/bin:/bin', KISEKI_T: 'a\tb c=d' };
    const before = Date.now() * 1000;
    const { records } = await run(['/bin/true'], { env });
    const afterUs = Date.now() * 1000;
    const exec = of(records, 'exec')[0]!;
    expect(exec.env).toEqual(['PATH=/usr/bin:/bin', 'KISEKI_T=a\tb c=d']);
    expect(exec.truncated).toBeUndefined();
    expect(exec.ts).toBeGreaterThanOrEqual(before);
    expect(exec.ts).toBeLessThanOrEqual(afterUs);
  });

  it('cuts an environment over 16 KiB and says so', async () => {
    const env = { PATH: '/usr/bin:/bin', BIG: 'v'.repeat(20000), AFTER: 'x' };
    const { records } = await run(['/bin/true', 'arg'], { env });
    const exec = of(records, 'exec')[0]!;
    expect(exec).toMatchObject({ argv: ['/bin/true', 'arg'], truncated: true });
    expect(exec.env![0]).toBe('PATH=/usr/bin:/bin');
    expect(exec.env![1]!.length).toBe(16384 - 'PATH=/usr/bin:/bin'.length - 1);
    expect(exec.env).toHaveLength(2);
  });

  it('counts and reports records lost when the ring buffer overflows', async () => {
    const { records, outcome } = await run([prog('manyopen'), '20000'], {
      env: { ...process.env, KISEKI_EBPF_RINGBUF_BYTES: '8192' },
    });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.lost).toBeGreaterThan(0);
    const lost = of(records, 'lost');
    expect(lost.every((l) => l.reason === 'ring_buffer_full')).toBe(true);
    expect(lost.reduce((n, l) => n + l.count, 0)).toBe(outcome.lost);
    // what arrived plus what was lost is everything: 20000 opens and closes
    const mine = records.filter((r) => (r.kind === 'open' && r.path === '/etc/hostname') || (r.kind === 'close' && r.pid === outcome.rootPid));
    expect(mine.length).toBeLessThan(40000);
  });

  it('reports fork, exec and exit with wait statuses (exit 3; SIGKILL)', async () => {
    const { records, outcome } = await run([prog('procs')]);
    expect(outcome).toMatchObject({ exitCode: 0, signal: null });
    const root = outcome.rootPid;
    const forks = of(records, 'fork');
    expect(forks).toHaveLength(2);
    for (const f of forks) {
      expect(f).toMatchObject({ pid: root, sharesFiles: false });
      expect(f.childStartNs).toBeGreaterThan(0);
    }
    const [a, b] = forks.map((f) => f.child);
    const execA = of(records, 'exec').find((r) => r.pid === a)!;
    expect(execA).toMatchObject({ path: '/bin/sh', argv: ['sh', '-c', 'exit 3'], ret: 0 });
    expect(execA.startNs).toBe(forks[0]!.childStartNs);
    const exits = new Map(of(records, 'exit').map((r) => [r.pid, r.status]));
    expect(exits.get(a!)).toBe(3 << 8);
    expect(exits.get(b!)).toBe(9);
    expect(exits.get(root)).toBe(0);
    // the exit of a process is its last record
    const lastOfB = records.filter((r) => r.pid === b).pop();
    expect(lastOfB?.kind).toBe('exit');
  });

  it('tells a child sharing the fd table (CLONE_FILES) from a vfork child', async () => {
    const { records, outcome } = await run([prog('clonefiles')]);
    expect(outcome.exitCode).toBe(0);
    const forks = of(records, 'fork');
    expect(forks.map((f) => f.sharesFiles)).toEqual([true, false]);
    const exits = new Map(of(records, 'exit').map((e) => [e.pid, e.status]));
    expect(forks.map((f) => exits.get(f.child))).toEqual([0, 7 << 8]);
  });

  it('reports a failed exec with its path, argv and -errno, and keeps tracing', async () => {
    const { records, outcome } = await run([prog('execfail')]);
    expect(outcome.exitCode).toBe(0);
    const execs = of(records, 'exec');
    expect(execs).toHaveLength(2);
    expect(execs[1]).toMatchObject({ pid: outcome.rootPid, path: '/nonexistent/dir/prog', argv: ['prog', 'arg\n1'], ret: -2 });
    expect(execs[1]!.env).toBeUndefined();
    expect(of(records, 'exit')).toHaveLength(1);
  });

  it('does not report threads as forks, and gives their I/O to the process', async () => {
    const dir = workdir();
    const { records, outcome } = await run([prog('threads')], { cwd: dir });
    expect(outcome.exitCode).toBe(0);
    expect(of(records, 'fork')).toHaveLength(0);
    const opens = of(records, 'open').filter((r) => /^(t\d|main)\.txt$/.test(r.path));
    expect(opens.map((r) => r.path).sort()).toEqual(['main.txt', 't0.txt', 't1.txt', 't2.txt']);
    for (const o of opens) expect(o.pid).toBe(outcome.rootPid);
    expect(opens.filter((o) => o.tid !== o.pid)).toHaveLength(3);
    const written = of(records, 'io').reduce((n, r) => n + r.bytesWritten, 0);
    expect(written).toBe(3 * 6 + 1);
    expect(of(records, 'exit')).toEqual([expect.objectContaining({ pid: outcome.rootPid, status: 0 })]);
  });

  it('reports one exit, with the right status, when a thread outlives the main thread', async () => {
    const dir = workdir();
    const { records, outcome } = await run([prog('outlive')], { cwd: dir });
    expect(outcome).toMatchObject({ exitCode: 5, signal: null });
    const exits = of(records, 'exit');
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ pid: outcome.rootPid, status: 5 << 8 });
    expect(exits[0]!.tid).not.toBe(outcome.rootPid);
    // the late thread's write was flushed before the exit record
    const open = of(records, 'open').find((r) => r.path === 'late.txt')!;
    const io = of(after(records, open), 'io').find((r) => r.fd === open.ret)!;
    expect(io.bytesWritten).toBe(4);
    expect(records.indexOf(io)).toBeLessThan(records.indexOf(exits[0]!));
  });

  it('passes exit codes and signals through', async () => {
    expect((await run(['/bin/sh', '-c', 'exit 3'])).outcome).toMatchObject({ exitCode: 3, signal: null });
    expect((await run(['/bin/sh', '-c', 'kill -9 $$'])).outcome).toMatchObject({ exitCode: null, signal: 9 });
    expect((await run(['/bin/sh', '-c', 'kill -TERM $$'])).outcome).toMatchObject({ exitCode: null, signal: 15 });
  });

  it('reports the fd-table and namespace calls with their arguments', async () => {
    const dir = workdir();
    const { records, outcome } = await run([prog('ops')], { cwd: dir });
    expect(outcome.exitCode).toBe(0);
    const mine = records.filter((r) => r.pid === outcome.rootPid && r.kind !== 'exec');
    const pipe = of(mine, 'pipe')[0]!;
    expect(pipe).toMatchObject({ flags: 0o2000000, ret: 0 });
    const [r, w] = pipe.fds;
    const fopen = of(mine, 'open').find((o) => o.path === 'a.txt')!;
    const f = fopen.ret;
    // dup2 over the pipe's write end: its 5 bytes are flushed before the dup
    const dup2 = of(mine, 'dup').find((d) => d.oldfd === f && d.ret === w)!;
    expect(dup2).toMatchObject({ cloexec: false });
    const flushed = of(after(mine, pipe), 'io').find((i) => i.fd === w)!;
    expect(flushed).toMatchObject({ bytesRead: 0, bytesWritten: 5 });
    expect(mine.indexOf(flushed)).toBeLessThan(mine.indexOf(dup2));
    expect(of(mine, 'dup').find((d) => d.oldfd === f && d.ret === 20)).toMatchObject({ cloexec: true });
    expect(of(mine, 'set_cloexec')).toEqual([expect.objectContaining({ fd: 20, cloexec: false, ret: 0 })]);
    expect(of(mine, 'rename')).toEqual([expect.objectContaining({ olddirfd: -100, oldpath: 'a.txt', newdirfd: -100, newpath: 'b.txt', flags: 0, ret: 0 })]);
    expect(of(mine, 'link')).toEqual([expect.objectContaining({ oldpath: 'b.txt', newpath: 'c.txt', ret: 0 })]);
    expect(of(mine, 'symlink')).toEqual([expect.objectContaining({ target: '../target', newdirfd: -100, linkpath: 's.lnk', ret: 0 })]);
    expect(of(mine, 'unlink').map((u) => [u.path, u.flags, u.ret])).toEqual([['c.txt', 0, 0], ['dir', 0x200, 0]]);
    expect(of(mine, 'mkdir')).toEqual([expect.objectContaining({ dirfd: -100, path: 'dir', mode: 0o750, ret: 0 })]);
    const dfd = of(mine, 'open').find((o) => o.path === 'dir')!.ret;
    expect(of(mine, 'fchdir')).toEqual([expect.objectContaining({ fd: dfd, ret: 0 })]);
    expect(of(mine, 'chdir')).toEqual([expect.objectContaining({ path: '..', ret: 0 })]);
    expect(of(mine, 'truncate')).toEqual([expect.objectContaining({ path: 'b.txt', length: 6, ret: 0 })]);
    expect(of(mine, 'ftruncate')).toEqual([expect.objectContaining({ fd: f, length: 4, ret: 0 })]);
    const g = of(mine, 'open').find((o) => o.path === 'copy.txt')!.ret;
    expect(of(mine, 'transfer').map((t) => [t.call, t.fdIn, t.fdOut, t.ret])).toEqual([['copy_file_range', f, g, 4], ['sendfile', f, g, 3]]);
    expect(of(mine, 'mmap')).toEqual([expect.objectContaining({ fd: f, prot: 3, flags: 1, ret: 0 })]);
    expect(of(mine, 'close_range')).toEqual([expect.objectContaining({ first: 20, last: 20, flags: 0, ret: 0 })]);
    // bytes: pipe read end 5 read; f: 8 written + 7 read by the transfers; copy.txt 7 written
    const bytes = (fd: number) => of(after(mine, pipe), 'io').filter((i) => i.fd === fd).reduce((a, i) => [a[0]! + i.bytesRead, a[1]! + i.bytesWritten], [0, 0]);
    expect(bytes(r)).toEqual([5, 0]);
    expect(bytes(f)).toEqual([7, 8]);
    expect(bytes(g)).toEqual([0, 7]);
  });

  it('flushes the byte counts of open fds before the exec record', async () => {
    const dir = workdir();
    const { records } = await run([prog('execio')], { cwd: dir });
    const open = of(records, 'open').find((o) => o.path === 'kept.txt')!;
    const io = of(after(records, open), 'io').find((i) => i.fd === open.ret)!;
    const exec = of(records, 'exec').find((e) => e.path === '/bin/true')!;
    expect(io).toMatchObject({ pid: open.pid, bytesWritten: 5 });
    expect(records.indexOf(io)).toBeLessThan(records.indexOf(exec));
  });

  it.each(['exit', 'exec'])('flushes the counters of many fds, high and low, at close_range and %s', async (how) => {
    const dir = workdir();
    const { records, outcome } = await run([prog('highfds'), how], { cwd: dir });
    expect(outcome.exitCode).toBe(0);
    const open = of(records, 'open').find((o) => o.path === 'high.txt')!;
    const rest = after(records, open);
    const cr = of(rest, 'close_range')[0]!;
    const end = how === 'exit' ? of(rest, 'exit')[0]! : of(rest, 'exec')[0]!;
    const io = of(rest, 'io').filter((i) => i.pid === open.pid && records.indexOf(i) < records.indexOf(end));
    const expected = new Map<number, number>();
    for (let i = 0; i < 20; i++) expected.set(100 + 3 * i, i + 1);
    for (let i = 0; i < 10; i++) expected.set(30 + i, 40 + i);
    expect(new Map(io.map((i) => [i.fd, i.bytesWritten]))).toEqual(expected);
    expect(io).toHaveLength(30); // one record per fd
    // fds 100..130 are flushed before the close_range record, the others after it
    for (const i of io) expect(records.indexOf(i) < records.indexOf(cr)).toBe(i.fd >= 100 && i.fd <= 130);
  });

  it('keeps tracing a descendant for the linger time, not after it', async () => {
    const dir = workdir();
    const short = await run([prog('daemon')], { cwd: dir, lingerMs: 0 });
    expect(of(short.records, 'fork')).toHaveLength(1);
    expect(of(short.records, 'open').find((o) => o.path === 'daemon.txt')).toBeUndefined();
    const long = await run([prog('daemon')], { cwd: dir, lingerMs: 5000 });
    const child = of(long.records, 'fork')[0]!.child;
    expect(of(long.records, 'open').find((o) => o.path === 'daemon.txt')).toMatchObject({ pid: child });
    expect(of(long.records, 'exit').find((e) => e.pid === child)).toMatchObject({ status: 0 });
  });

  it('leaves stdin, stdout and stderr to the command byte for byte, and no other fd', () => {
    const dir = workdir();
    const runner = join(dir, 'runner.mts');
    const backendUrl = new URL('./ebpf-backend.ts', import.meta.url).href;
    writeFileSync(
      runner,
      `import { ebpfBackend } from ${JSON.stringify(backendUrl)};
const [file, ...argv] = process.argv.slice(2);
const out = await ebpfBackend.trace({ file, argv: [file, ...argv], cwd: process.cwd(), env: process.env, lingerMs: 0, onRecord: () => {} });
process.exitCode = out.exitCode ?? 128 + (out.signal ?? 0);
`,
    );
    const stdoutFile = join(dir, 'stdout.bin');
    const outFd = openSync(stdoutFile, 'w');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', runner, '/bin/sh', '-c', `cat; printf 'x\\000y\\377\\n'; echo to-stderr >&2; ${prog('inherit')}; exit 4`],
      { cwd: fileURLToPath(new URL('../../..', import.meta.url)), input: 'line one\n\u00e9\n', stdio: ['pipe', outFd, 'pipe'] },
    );
    closeSync(outFd);
    expect(r.stderr.toString()).toBe('to-stderr\n');
    expect(r.status).toBe(4);
    expect(readFileSync(stdoutFile)).toEqual(
      Buffer.concat([Buffer.from('line one\n\u00e9\n'), Buffer.from([0x78, 0, 0x79, 0xff, 0x0a]), Buffer.from('fds: signals:default\n')]),
    );
  });
});

describe.skipIf(skipReason !== '')(`kiseki-ebpf loader${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  function startLoader(args: string[]) {
    const child = spawn(loaderPath(), args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    const waiters: Array<() => void> = [];
    (child.stdio[3] as Readable).on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      waiters.splice(0).forEach((w) => w());
    });
    const waitFor = async (pred: (l: string) => boolean) => {
      while (!lines.some(pred)) await new Promise<void>((res) => waiters.push(res));
      return lines.find(pred)!;
    };
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    return { child, lines, waitFor, exited };
  }

  it('ignores SIGINT itself and forwards SIGTERM to the command', async () => {
    const l = startLoader(['--', '/bin/sleep', 'sleep', '30']);
    await l.waitFor((x) => x.startsWith('start\t'));
    l.child.kill('SIGINT');
    await new Promise((res) => setTimeout(res, 200));
    expect(l.child.exitCode).toBeNull();
    l.child.kill('SIGTERM');
    expect(await l.exited).toBe(0);
    expect(l.lines.at(-1)).toBe('end\t-\t15\t0\t-');
  });

  it('reports the processes still alive when the linger runs out', async () => {
    const l = startLoader(['--linger-ms', '100', '--', '/bin/sh', 'sh', '-c', 'sleep 2 & exit 0']);
    const start = await l.waitFor((x) => x.startsWith('start\t'));
    expect(await l.exited).toBe(0);
    const fork = l.lines.find((x) => x.startsWith('fork\t'))!.split('\t');
    expect(fork[3]).toBe(start.split('\t')[2]);
    expect(l.lines.at(-1)).toBe(`end\t0\t-\t0\t${fork[4]}`);
  });

  it('says why in an error line when it cannot run the command at all', async () => {
    const l = startLoader(['--hex-args', '--', 'zz']);
    expect(await l.exited).toBe(2);
    expect(l.lines).toHaveLength(1);
    expect(l.lines[0]).toMatch(/^error\t[0-9a-f]+$/);
    expect(Buffer.from(l.lines[0]!.split('\t')[1]!, 'hex').toString()).toContain('bad hex');
  });

  it('exits 127 with a message when exec fails in the child', async () => {
    const l = startLoader(['--', '/nonexistent/x']);
    let stderr = '';
    l.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    expect(await l.exited).toBe(0);
    expect(l.lines.at(-1)).toBe('end\t127\t-\t0\t-');
    expect(stderr).toBe('kiseki: /nonexistent/x: No such file or directory\n');
  });
});
