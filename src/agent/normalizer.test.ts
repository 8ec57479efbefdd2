import { describe, expect, it } from 'vitest';
import { DEFAULT_ENV_ALLOW, DEFAULT_FILE_RULES } from '../core/defaults.js';
import type { EventOf, TraceEvent } from '../core/trace-event.js';
import { AT_FDCWD, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_RDONLY, O_TRUNC, O_WRONLY, type RawRecord } from '../tracer/raw-record.js';
import { EnvFilter, FileRules } from './file-rules.js';
import { Normalizer } from './normalizer.js';

type Rec = RawRecord extends infer R ? (R extends RawRecord ? Omit<R, 'tid' | 'ts'> : never) : never;

function harness(cwd = '/work') {
  const events: TraceEvent[] = [];
  const n = new Normalizer({
    host: 'h', bootId: 'b', rules: new FileRules(DEFAULT_FILE_RULES), env: new EnvFilter(DEFAULT_ENV_ALLOW),
    emit: (e) => events.push(e), isDirectory: (p) => p.endsWith('/dir'),
  });
  n.startRoot({ pid: 10, ppid: 1, ts: 1, cwd, startNs: '5', fds: [{ fd: 1, target: '/outer/log', flags: O_WRONLY }] });
  let ts = 1;
  const feed = (...recs: Rec[]) => { for (const r of recs) n.push({ tid: r.pid, ts: ++ts, ...r } as RawRecord); };
  const accesses = () => events.filter((e): e is EventOf<'file.access'> => e.type === 'file.access')
    .map((e) => `${e.proc.split(':')[2]}#${e.execSeq} ${e.read ? 'r' : '-'}${e.write ? 'w' : '-'} ${e.path} ${e.bytesRead}/${e.bytesWritten}`);
  return { n, events, feed, accesses };
}

const exec = (pid: number, path: string, argv = [path]): Rec => ({ kind: 'exec', pid, path, argv, ret: 0, env: ['OMP_NUM_THREADS=2', 'SECRET=x'] });
const open = (pid: number, path: string, flags: number, ret: number, dirfd = AT_FDCWD): Rec => ({ kind: 'open', pid, dirfd, path, flags, mode: 0o644, ret });
const io = (pid: number, fd: number, r: number, w: number): Rec => ({ kind: 'io', pid, fd, bytesRead: r, bytesWritten: w });

describe('Normalizer', () => {
  it('attributes a redirection opened by the shell to the program that writes it', () => {
    const h = harness();
    h.feed(
      exec(10, '/bin/sh', ['sh', '-c', 'echo hi > out']),
      { kind: 'fork', pid: 10, child: 11 },
      open(11, 'out', O_WRONLY | O_CREAT | O_TRUNC, 3),
      { kind: 'dup', pid: 11, oldfd: 3, ret: 1, cloexec: false },
      { kind: 'close', pid: 11, fd: 3, ret: 0 },
      exec(11, '/bin/echo', ['echo', 'hi']),
      io(11, 1, 0, 3),
      { kind: 'exit', pid: 11, status: 0 },
    );
    // The shell's open truncated the file (a write); echo wrote the bytes.
    expect(h.accesses()).toEqual(['11#0 -w /work/out 0/0', '11#1 -w /work/out 0/3']);
    const execEv = h.events.find((e): e is EventOf<'process.exec'> => e.type === 'process.exec' && e.exe === '/bin/echo');
    expect(execEv?.env).toEqual({ OMP_NUM_THREADS: '2' });
    expect(execEv?.cwd).toBe('/work');
  });

  it('resolves relative paths after chdir and against a dirfd', () => {
    const h = harness();
    h.feed(
      { kind: 'chdir', pid: 10, path: '../data/./sub', ret: 0 },
      open(10, 'a.txt', O_RDONLY, 3),
      io(10, 3, 5, 0),
      { kind: 'close', pid: 10, fd: 3, ret: 0 },
      open(10, '/srv/x//y/', O_RDONLY | O_DIRECTORY, 4),
      open(10, '../b.txt', O_RDONLY, 5, 4),
      io(10, 5, 7, 0),
      { kind: 'fchdir', pid: 10, fd: 4, ret: 0 },
      open(10, 'c.txt', O_WRONLY | O_CREAT, 6),
      { kind: 'exit', pid: 10, status: 0 },
    );
    expect(h.accesses()).toEqual(['10#0 r- /data/sub/a.txt 5/0', '10#0 r- /srv/x/b.txt 7/0', '10#0 -w /srv/x/y/c.txt 0/0']);
  });

  it('closes close-on-exec fds at exec and keeps the others', () => {
    const h = harness();
    h.feed(
      open(10, '/d/keep', O_RDONLY, 3),
      open(10, '/d/gone', O_RDONLY | O_CLOEXEC, 4),
      exec(10, '/bin/prog'),
      io(10, 3, 1, 0),
      io(10, 4, 1, 0),
      { kind: 'exit', pid: 10, status: 3 << 8 },
    );
    expect(h.accesses()).toEqual(['10#0 r- /d/keep 0/0', '10#0 r- /d/gone 0/0', '10#1 r- /d/keep 1/0']);
    const exit = h.events.find((e) => e.type === 'process.exit');
    expect(exit).toMatchObject({ exitCode: 3, signal: null });
  });

  it('links the two ends of a pipe across processes under one name', () => {
    const h = harness();
    h.feed(
      { kind: 'pipe', pid: 10, fds: [3, 4], flags: 0, ret: 0 },
      { kind: 'fork', pid: 10, child: 11 },
      { kind: 'fork', pid: 10, child: 12 },
      { kind: 'dup', pid: 11, oldfd: 4, ret: 1, cloexec: false },
      io(11, 1, 0, 9),
      { kind: 'dup', pid: 12, oldfd: 3, ret: 0, cloexec: false },
      io(12, 0, 9, 0),
      { kind: 'exit', pid: 11, status: 0 },
      { kind: 'exit', pid: 12, status: 9 },
    );
    const pipes = h.events.filter((e): e is EventOf<'file.access'> => e.type === 'file.access' && e.fileClass === 'pipe');
    expect(pipes).toHaveLength(2);
    expect(pipes[0]!.path).toBe(pipes[1]!.path);
    expect(pipes.map((p) => [p.write, p.read])).toEqual([[true, false], [false, true]]);
    expect(h.events.filter((e) => e.type === 'process.exit').at(-1)).toMatchObject({ exitCode: null, signal: 9 });
  });

  it('holds records of a child that arrive before its fork, then replays them', () => {
    const h = harness();
    h.feed(open(20, '/d/early', O_RDONLY, 3), io(20, 3, 4, 0), { kind: 'fork', pid: 10, child: 20 }, { kind: 'exit', pid: 20, status: 0 });
    expect(h.accesses()).toEqual(['20#0 r- /d/early 4/0']);
    expect(h.n.finish()).toEqual(['h:b:10:5']);
  });

  it('emits writes to a temporary name before the rename that publishes it', () => {
    const h = harness();
    h.feed(
      open(10, 'f.tmp', O_WRONLY | O_CREAT | O_TRUNC, 3),
      io(10, 3, 0, 10),
      { kind: 'rename', pid: 10, olddirfd: AT_FDCWD, oldpath: 'f.tmp', newdirfd: AT_FDCWD, newpath: 'f', flags: 0, ret: 0 },
      io(10, 3, 0, 2),
      { kind: 'close', pid: 10, fd: 3, ret: 0 },
    );
    const order = h.events.filter((e) => e.type === 'file.access' || e.type === 'file.rename')
      .map((e) => (e.type === 'file.rename' ? `rename ${e.from} ${e.to}` : `${e.path} ${e.bytesWritten}`));
    expect(order).toEqual(['/work/f.tmp 10', 'rename /work/f.tmp /work/f', '/work/f 2']);
  });

  it('drops noise, marks software, skips directories opened without O_DIRECTORY', () => {
    const h = harness();
    h.feed(
      open(10, '/proc/self/status', O_RDONLY, 3), io(10, 3, 100, 0), { kind: 'close', pid: 10, fd: 3, ret: 0 },
      open(10, '/usr/lib/x86_64-linux-gnu/libc.so.6', O_RDONLY | O_CLOEXEC, 3), io(10, 3, 832, 0), { kind: 'close', pid: 10, fd: 3, ret: 0 },
      open(10, '/x/dir', O_RDONLY, 3), { kind: 'close', pid: 10, fd: 3, ret: 0 },
    );
    const acc = h.events.filter((e): e is EventOf<'file.access'> => e.type === 'file.access');
    expect(acc.map((a) => [a.path, a.fileClass])).toEqual([['/usr/lib/x86_64-linux-gnu/libc.so.6', 'software']]);
  });

  it('writes into an fd inherited from outside the trace name its file', () => {
    const h = harness();
    h.feed(io(10, 1, 0, 12), { kind: 'exit', pid: 10, status: 0 });
    expect(h.accesses()).toEqual(['10#0 -w /outer/log 0/12']);
  });
});

describe('Normalizer ordering across fork', () => {
  it('settles the parent\'s accesses at fork, before the child\'s (a shell redirect for a child)', () => {
    const h = harness();
    h.feed(
      exec(10, '/bin/sh', ['sh', 'script.sh']),
      open(10, 'mid', O_WRONLY | O_CREAT | O_TRUNC, 3),
      { kind: 'dup', pid: 10, oldfd: 3, ret: 1, cloexec: false },
      { kind: 'close', pid: 10, fd: 3, ret: 0 },
      { kind: 'fork', pid: 10, child: 11 },
      // strace can print the whole child before the parent's next line
      exec(11, '/usr/bin/sort', ['sort', 'in']),
      io(11, 1, 0, 4),
      { kind: 'exit', pid: 11, status: 0 },
      { kind: 'dup', pid: 10, oldfd: 9, ret: 1, cloexec: false },
    );
    expect(h.accesses()).toEqual(['10#1 -w /work/mid 0/0', '11#1 -w /work/mid 0/4']);
  });
});
