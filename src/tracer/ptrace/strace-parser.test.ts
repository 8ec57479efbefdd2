import { describe, expect, it } from 'vitest';
import { textToBytes } from '../../core/bytes-text.js';
import type { RawRecord } from '../raw-record.js';
import { TRACED_SYSCALLS } from './strace-backend.js';
import { DECODERS, parseIntExpr, parseReturn, StraceParser, type StraceParserOptions } from './strace-parser.js';

function parse(text: string, opts: Partial<StraceParserOptions> = {}): { records: RawRecord[]; parser: StraceParser } {
  const records: RawRecord[] = [];
  const parser = new StraceParser({ onRecord: (r) => records.push(r), ...opts });
  parser.write(text);
  parser.end();
  return { records, parser };
}

const of = <K extends RawRecord['kind']>(records: RawRecord[], kind: K) =>
  records.filter((r): r is Extract<RawRecord, { kind: K }> => r.kind === kind);

// ---------------------------------------------------------------------------
// Real output of strace 6.1 on this machine, with the backend's options, run
// as `env -i A=1 strace ... -- ./prog` (dynamic-loader lines left out).

// A thread that opens and reads a file, a forked child writing into a pipe
// the parent reads (unfinished/resumed in both), a shared writable mmap, a
// vfork child whose exec fails, and a child killed by SIGKILL.
const THREADS_SAMPLE = `11524 1795617300.631574 execve("./t", ["./t"], ["A=1"]) = 0
11524 1795617300.632244 close(0x3)      = 0
11524 1795617300.632800 clone3({flags=0x3d0f00, child_tid=0x7f50d39ef990, parent_tid=0x7f50d39ef990, exit_signal=0, stack=0x7f50d31ef000, stack_size=0x7fff80, tls=0x7f50d39ef6c0} => {parent_tid=[11525]}, 88) = 11525
11525 1795617300.632939 openat(-100, "/etc/hostname", 0) = 3
11525 1795617300.632980 read(0x3, 0x7f50d39eeec2, 0x5) = 0x3
11524 1795617300.658076 pipe2([4, 5], 0) = 0
11524 1795617300.658189 clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f50d39f0a10) = 11526
11524 1795617300.658353 read(0x4, 0x7ffe8bff03ee, 0x2 <unfinished ...>
11526 1795617300.661202 write(0x5, 0x563fec92f012, 0x2 <unfinished ...>
11524 1795617300.661287 <... read resumed>) = 0x2
11526 1795617300.661302 <... write resumed>) = 0x2
11526 1795617300.661473 +++ exited with 0 +++
11525 1795617300.733224 close(0x3)      = 0
11525 1795617300.733362 +++ exited with 0 +++
11524 1795617300.733373 openat(-100, "/etc/hostname", 0) = 3
11524 1795617300.733482 readv(0x3, 0x7ffe8bff03c0, 0x2) = 0x3
11524 1795617300.733551 openat(-100, "/tmp/st/m", 0x42, 0600) = 6
11524 1795617300.733626 ftruncate(0x6, 0x1000) = 0
11524 1795617300.733702 mmap(0, 0x1000, 0x3, 0x1, 0x6, 0) = 0x7f50d3be1000
11524 1795617300.733789 vfork( <unfinished ...>
11527 1795617300.733889 execve("/nonexist", ["x"], ["A=1"]) = -1 ENOENT (No such file or directory)
11524 1795617300.733980 <... vfork resumed>) = 11527
11527 1795617300.734028 +++ exited with 127 +++
11524 1795617300.734085 clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f50d39f0a10) = 11528
11528 1795617300.734464 +++ killed by SIGKILL +++
11524 1795617300.734666 +++ exited with 7 +++
`;

// Children that exit 3, die of SIGKILL and of SIGSEGV; the parent's clone is
// unfinished while a child's read starts.
const SIGNALS_SAMPLE = `11534 1795617300.753919 execve("./sig", ["./sig"], ["A=1"]) = 0
11534 1795617300.755082 pipe2([3, 4], 0) = 0
11534 1795617300.755122 clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f627c240a10) = 11536
11534 1795617300.755251 clone(child_stack=NULL, flags=0x1200000|17 <unfinished ...>
11536 1795617300.755367 read(0x3, 0x7fffe7627aa7, 0x1 <unfinished ...>
11534 1795617300.755452 <... clone resumed>, child_tidptr=0x7f627c240a10) = 11537
11534 1795617300.755470 clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f627c240a10) = 11538
11534 1795617300.755618 clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f627c240a10) = 11539
11538 1795617300.755837 +++ killed by SIGKILL +++
11539 1795617300.755935 --- SIGSEGV {si_signo=11, si_code=0xfffffffa, si_pid=11539, si_uid=0} ---
11539 1795617300.756007 +++ killed by SIGSEGV +++
11537 1795617300.775673 write(0x4, 0x55c8c01b6004, 0x1) = 0x1
11536 1795617300.775739 <... read resumed>) = 0x1
11537 1795617300.775844 +++ exited with 3 +++
11536 1795617300.775914 +++ exited with 0 +++
11534 1795617300.776027 +++ exited with 0 +++
`;

// A second thread execs /bin/true: strace reports the pid change, the
// leader's "superseded" line, and a meaningless return value.
const THREAD_EXEC_SAMPLE = `11547 1795617300.798451 execve("./te", ["./te"], ["A=1"]) = 0
11547 1795617300.800601 clone3({flags=0x3d0f00, child_tid=0x7fdde4193990, parent_tid=0x7fdde4193990, exit_signal=0, stack=0x7fdde3993000, stack_size=0x7fff80, tls=0x7fdde41936c0} => {parent_tid=[11548]}, 88) = 11548
11548 1795617300.802142 execve("/bin/true", ["true"], ["A=1"] <pid changed to 11547 ...>
11547 1795617300.802436 +++ superseded by execve in pid 11548 +++
11547 1795617300.802679 <... execve resumed>) = 9
11547 1795617300.802951 openat(-100, "/lib/x86_64-linux-gnu/libc.so.6", 0x80000) = 3
11547 1795617300.803921 +++ exited with 0 +++
`;

// Every other traced syscall, from one C program (real output).
const ALL_CALLS_SAMPLE = String.raw`8158  1795616955.386366 mkdir("/tmp/st/w", 0755) = 0
8158  1795616955.386539 chdir("/tmp/st/w") = 0
8158  1795616955.386576 openat(-100, ".", 0x10000) = 3
8158  1795616955.386614 fchdir(0x3)     = 0
8158  1795616955.386645 openat2(-100, "oa2", {flags=0x42, mode=0600, resolve=0}, 24) = 4
8158  1795616955.386768 creat("cr", 0644) = 5
8158  1795616955.386923 write(0x5, 0x562b1e61a017, 0x5) = 0x5
8158  1795616955.386966 pwrite64(0x5, 0x562b1e61a01d, 0x1, 0xa) = 0x1
8158  1795616955.387000 writev(0x5, 0x7ffdf743feb0, 0x1) = 0x2
8158  1795616955.387033 pwritev(0x5, 0x7ffdf743feb0, 0x1, 0) = 0x2
8158  1795616955.387065 openat(-100, "cr", 0) = 6
8158  1795616955.387103 pread64(0x6, 0x7ffdf743fe70, 0x3, 0) = 0x3
8158  1795616955.387136 preadv(0x6, 0x7ffdf743fe60, 0x1, 0) = 0x4
8158  1795616955.387169 pipe2([7, 8], 0) = 0
8158  1795616955.387212 pipe2([9, 11], 0x80000) = 0
8158  1795616955.387248 sendfile(0x4, 0x6, 0x7ffdf743fe50, 0x5) = 0x5
8158  1795616955.387293 copy_file_range(0x6, 0, 0x4, 0, 0x3, 0) = 0x3
8158  1795616955.387374 splice(0x6, 0, 0xd, 0, 0x4, 0) = 0x4
8158  1795616955.387469 tee(0xc, 0xf, 0x4, 0) = 0x4
8158  1795616955.387507 rename("cr", "cr2") = 0
8158  1795616955.387559 renameat(3, "cr2", -100, "cr3") = 0
8158  1795616955.387603 renameat2(-100, "cr3", -100, "cr4", 0) = 0
8158  1795616955.387646 link("cr4", "l1") = 0
8158  1795616955.387688 linkat(-100, "l1", 3, "l2", 0) = 0
8158  1795616955.387737 symlink("cr4", "s1") = 0
8158  1795616955.387863 symlinkat("../tgt", 3, "s2") = 0
8158  1795616955.387977 unlink("l1")    = 0
8158  1795616955.388016 unlinkat(3, "l2", 0) = 0
8158  1795616955.388053 mkdir("d1", 0700) = 0
8158  1795616955.388189 mkdirat(3, "d2", 0750) = 0
8158  1795616955.388316 rmdir("d1")     = 0
8158  1795616955.388530 unlinkat(-100, "d2", 0x200) = 0
8158  1795616955.388691 truncate("cr4", 100) = 0
8158  1795616955.388739 ftruncate(0x5, 0x32) = 0
8158  1795616955.388777 mmap(0, 0x1000, 0x3, 0x1, 0x5, 0) = -1 EACCES (Permission denied)
8158  1795616955.388833 dup(0x5)        = 0x10
8158  1795616955.388865 dup2(0x5, 0x1e) = 0x1e
8158  1795616955.388896 dup3(0x5, 0x1f, 0x80000) = 0x1f
8158  1795616955.388927 fcntl(0x5, 0, 0x28) = 0x28
8158  1795616955.388940 fcntl(0x5, 0x406, 0x32) = 0x32
8158  1795616955.388957 fcntl(0x5, 0x2, 0) = 0
8158  1795616955.388987 close_range(0x1e, 0xffffffff, 0) = 0
8158  1795616955.389020 openat(-100, "/nonexistent/x", 0) = -1 ENOENT (No such file or directory)
8158  1795616955.389059 close(0xffffffff) = -1 EBADF (Bad file descriptor)
8158  1795616955.389089 chdir("/nonexistent") = -1 ENOENT (No such file or directory)
8158  1795616955.389123 execveat(3, "nothere", ["nothere"], [], 0) = -1 ENOENT (No such file or directory)
8158  1795616955.389172 execve("/bin/echo", ["echo", "a\"b", "c\\d", "tab\there", "nl\nx", "\xff\xfe", "\xe3\x83\x87"], ["A=1", "B=\xff"]) = 0
8158  1795616955.390498 write(0x1, 0x55bfbd59c2f0, 0x1d) = 0x1d
8158  1795616955.390740 +++ exited with 0 +++
`;

describe('strace parser on real strace output', () => {
  it('maps threads to their process, and forks, execs and exits to the right pids', () => {
    const { records, parser } = parse(THREADS_SAMPLE);
    expect(parser.lost).toBe(0);
    expect(parser.rootPid).toBe(11524);
    // The clone3 with CLONE_THREAD is not a fork; 11526..11528 are.
    expect(of(records, 'fork').map((f) => [f.pid, f.child])).toEqual([
      [11524, 11526],
      [11524, 11527],
      [11524, 11528],
    ]);
    // The thread's syscalls belong to the process, with the thread's tid.
    const threadOpen = of(records, 'open').find((r) => r.tid === 11525)!;
    expect(threadOpen).toMatchObject({ pid: 11524, path: '/etc/hostname', ret: 3 });
    expect(records.filter((r) => r.tid === 11525).every((r) => r.pid === 11524)).toBe(true);
    // wait(2)-style statuses; no exit record for the thread.
    expect(of(records, 'exit').map((e) => [e.pid, e.status])).toEqual([
      [11526, 0],
      [11527, 127 << 8],
      [11528, 9],
      [11524, 7 << 8],
    ]);
  });

  it('joins unfinished and resumed halves and reports the byte counts', () => {
    const { records } = parse(THREADS_SAMPLE, { coalesceIo: false });
    const io = of(records, 'io').map((r) => [r.pid, r.tid, r.fd, r.bytesRead, r.bytesWritten]);
    expect(io).toEqual([
      [11524, 11525, 3, 3, 0], // the thread's read
      [11524, 11524, 4, 2, 0], // the parent's read from the pipe (resumed first)
      [11526, 11526, 5, 0, 2], // the child's write into the pipe (resumed)
      [11524, 11524, 3, 3, 0], // readv
    ]);
    // The pipe's read is timestamped when it returned.
    const pipeRead = of(records, 'io').find((r) => r.fd === 4)!;
    expect(pipeRead.ts).toBe(1795617300661287);
  });

  it('puts a vfork child\'s failed exec after its fork record', () => {
    const { records } = parse(THREADS_SAMPLE);
    const i = records.findIndex((r) => r.kind === 'fork' && r.child === 11527);
    const j = records.findIndex((r) => r.kind === 'exec' && r.pid === 11527);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(j).toBeGreaterThan(i);
    expect(records[j]).toMatchObject({ path: '/nonexist', argv: ['x'], env: ['A=1'], ret: -2 });
  });

  it('keeps only shared writable mappings of files', () => {
    const { records } = parse(THREADS_SAMPLE);
    expect(of(records, 'mmap')).toEqual([
      { pid: 11524, kind: 'mmap', tid: 11524, ts: 1795617300733702, fd: 6, prot: 3, flags: 1, ret: 0 },
    ]);
  });

  it('gives exit statuses for exit codes and signals, ignoring signal lines', () => {
    const { records, parser } = parse(SIGNALS_SAMPLE);
    expect(parser.lost).toBe(0);
    expect(of(records, 'exit').map((e) => [e.pid, e.status])).toEqual([
      [11538, 9],
      [11539, 11],
      [11537, 3 << 8],
      [11536, 0],
      [11534, 0],
    ]);
    expect(of(records, 'fork').map((f) => f.child)).toEqual([11536, 11537, 11538, 11539]);
    expect(records.some((r) => r.kind === 'lost')).toBe(false);
  });

  it('handles an exec by a non-leader thread (pid changed)', () => {
    const { records, parser } = parse(THREAD_EXEC_SAMPLE);
    expect(parser.lost).toBe(0);
    const execs = of(records, 'exec');
    expect(execs.map((e) => [e.pid, e.path, e.ret])).toEqual([
      [11547, './te', 0],
      [11547, '/bin/true', 0],
    ]);
    expect(of(records, 'fork')).toHaveLength(0);
    expect(of(records, 'exit').map((e) => [e.pid, e.status])).toEqual([[11547, 0]]);
    expect(of(records, 'open').at(-1)).toMatchObject({ pid: 11547, tid: 11547 });
  });

  it('decodes every other traced syscall', () => {
    const { records, parser } = parse(ALL_CALLS_SAMPLE, { coalesceIo: false });
    expect(parser.lost).toBe(0);
    const strip = (r: RawRecord) => {
      const { pid: _p, tid: _t, ts: _ts, ...rest } = r as RawRecord & Record<string, unknown>;
      return rest;
    };
    const got = records.map(strip);
    expect(got).toEqual([
      { kind: 'mkdir', dirfd: -100, path: '/tmp/st/w', mode: 0o755, ret: 0 },
      { kind: 'chdir', path: '/tmp/st/w', ret: 0 },
      { kind: 'open', dirfd: -100, path: '.', flags: 0o200000, mode: 0, ret: 3 },
      { kind: 'fchdir', fd: 3, ret: 0 },
      { kind: 'open', dirfd: -100, path: 'oa2', flags: 0o102, mode: 0o600, ret: 4 },
      { kind: 'open', dirfd: -100, path: 'cr', flags: 0o1101, mode: 0o644, ret: 5 },
      { kind: 'io', fd: 5, bytesRead: 0, bytesWritten: 5 },
      { kind: 'io', fd: 5, bytesRead: 0, bytesWritten: 1 },
      { kind: 'io', fd: 5, bytesRead: 0, bytesWritten: 2 },
      { kind: 'io', fd: 5, bytesRead: 0, bytesWritten: 2 },
      { kind: 'open', dirfd: -100, path: 'cr', flags: 0, mode: 0, ret: 6 },
      { kind: 'io', fd: 6, bytesRead: 3, bytesWritten: 0 },
      { kind: 'io', fd: 6, bytesRead: 4, bytesWritten: 0 },
      { kind: 'pipe', fds: [7, 8], flags: 0, ret: 0 },
      { kind: 'pipe', fds: [9, 11], flags: 0o2000000, ret: 0 },
      { kind: 'transfer', call: 'sendfile', fdIn: 6, fdOut: 4, ret: 5 },
      { kind: 'io', fd: 6, bytesRead: 5, bytesWritten: 0 },
      { kind: 'io', fd: 4, bytesRead: 0, bytesWritten: 5 },
      { kind: 'transfer', call: 'copy_file_range', fdIn: 6, fdOut: 4, ret: 3 },
      { kind: 'io', fd: 6, bytesRead: 3, bytesWritten: 0 },
      { kind: 'io', fd: 4, bytesRead: 0, bytesWritten: 3 },
      { kind: 'transfer', call: 'splice', fdIn: 6, fdOut: 13, ret: 4 },
      { kind: 'io', fd: 6, bytesRead: 4, bytesWritten: 0 },
      { kind: 'io', fd: 13, bytesRead: 0, bytesWritten: 4 },
      { kind: 'transfer', call: 'tee', fdIn: 12, fdOut: 15, ret: 4 },
      { kind: 'io', fd: 12, bytesRead: 4, bytesWritten: 0 },
      { kind: 'io', fd: 15, bytesRead: 0, bytesWritten: 4 },
      { kind: 'rename', olddirfd: -100, oldpath: 'cr', newdirfd: -100, newpath: 'cr2', flags: 0, ret: 0 },
      { kind: 'rename', olddirfd: 3, oldpath: 'cr2', newdirfd: -100, newpath: 'cr3', flags: 0, ret: 0 },
      { kind: 'rename', olddirfd: -100, oldpath: 'cr3', newdirfd: -100, newpath: 'cr4', flags: 0, ret: 0 },
      { kind: 'link', olddirfd: -100, oldpath: 'cr4', newdirfd: -100, newpath: 'l1', flags: 0, ret: 0 },
      { kind: 'link', olddirfd: -100, oldpath: 'l1', newdirfd: 3, newpath: 'l2', flags: 0, ret: 0 },
      { kind: 'symlink', target: 'cr4', newdirfd: -100, linkpath: 's1', ret: 0 },
      { kind: 'symlink', target: '../tgt', newdirfd: 3, linkpath: 's2', ret: 0 },
      { kind: 'unlink', dirfd: -100, path: 'l1', flags: 0, ret: 0 },
      { kind: 'unlink', dirfd: 3, path: 'l2', flags: 0, ret: 0 },
      { kind: 'mkdir', dirfd: -100, path: 'd1', mode: 0o700, ret: 0 },
      { kind: 'mkdir', dirfd: 3, path: 'd2', mode: 0o750, ret: 0 },
      { kind: 'unlink', dirfd: -100, path: 'd1', flags: 0x200, ret: 0 },
      { kind: 'unlink', dirfd: -100, path: 'd2', flags: 0x200, ret: 0 },
      { kind: 'truncate', path: 'cr4', length: 100, ret: 0 },
      { kind: 'ftruncate', fd: 5, length: 50, ret: 0 },
      { kind: 'mmap', fd: 5, prot: 3, flags: 1, ret: -13 },
      { kind: 'dup', oldfd: 5, ret: 16, cloexec: false },
      { kind: 'dup', oldfd: 5, ret: 30, cloexec: false },
      { kind: 'dup', oldfd: 5, ret: 31, cloexec: true },
      { kind: 'dup', oldfd: 5, ret: 40, cloexec: false },
      { kind: 'dup', oldfd: 5, ret: 50, cloexec: true },
      { kind: 'set_cloexec', fd: 5, cloexec: false, ret: 0 },
      { kind: 'close_range', first: 30, last: 0xffffffff, flags: 0, ret: 0 },
      { kind: 'open', dirfd: -100, path: '/nonexistent/x', flags: 0, mode: 0, ret: -2 },
      { kind: 'close', fd: -1, ret: -9 },
      { kind: 'chdir', path: '/nonexistent', ret: -2 },
      { kind: 'exec', path: '/dev/fd/3/nothere', argv: ['nothere'], env: [], ret: -2 },
      {
        kind: 'exec',
        path: '/bin/echo',
        argv: ['echo', 'a"b', 'c\\d', 'tab\there', 'nl\nx', '\udcff\udcfe', 'デ'],
        env: ['A=1', 'B=\udcff'],
        ret: 0,
      },
      { kind: 'io', fd: 1, bytesRead: 0, bytesWritten: 29 },
      { kind: 'exit', status: 0 },
    ]);
  });

  it('gives the same records when fed one byte at a time', () => {
    const whole = parse(THREADS_SAMPLE + SIGNALS_SAMPLE).records;
    const records: RawRecord[] = [];
    const p = new StraceParser({ onRecord: (r) => records.push(r) });
    const bytes = Buffer.from(THREADS_SAMPLE + SIGNALS_SAMPLE, 'latin1');
    for (let i = 0; i < bytes.length; i++) p.write(bytes.subarray(i, i + 1));
    p.end();
    expect(records).toEqual(whole);
    expect(records.length).toBeGreaterThan(20);
  });
});

// ---------------------------------------------------------------------------
// Hand-made edge cases

const L = (tid: number, usec: number, body: string) => `${tid} 1700000000.${String(usec).padStart(6, '0')} ${body}\n`;

describe('strace parser: strings', () => {
  it('decodes C escapes, hex and octal bytes to the exact name', () => {
    const line = L(1, 1, String.raw`openat(-100, "/tmp/a\nb\"c\td\\e\xff\xfe\xe3\x83\x87 \377\0\1234\r\v\f", 0x241, 0644) = 3`);
    const { records } = parse(line);
    const open = of(records, 'open')[0]!;
    const want = Buffer.concat([
      Buffer.from('/tmp/a\nb"c\td\\e'),
      Buffer.from([0xff, 0xfe, 0xe3, 0x83, 0x87, 0x20, 0xff, 0x00]),
      Buffer.from('S4\r\v\f'),
    ]);
    expect(textToBytes(open.path).equals(want)).toBe(true);
    expect(open).toMatchObject({ dirfd: -100, flags: 0o1101, mode: 0o644, ret: 3 });
    expect(open.truncated).toBeUndefined();
  });

  it('keeps a 300-byte and a 4000-byte path whole', () => {
    const p300 = `/tmp/${'x'.repeat(295)}`;
    const p4000 = `/${Array.from({ length: 16 }, (_, i) => String(i % 10).repeat(250)).join('/')}`;
    expect(p4000.length).toBeGreaterThan(4000);
    const { records } = parse(L(1, 1, `open("${p300}", 0) = 3`) + L(1, 2, `unlink("${p4000}") = 0`));
    expect(of(records, 'open')[0]!.path).toBe(p300);
    expect(of(records, 'unlink')[0]!.path).toBe(p4000);
  });

  it('marks a string strace cut with "..." as truncated', () => {
    const { records } = parse(
      L(1, 1, 'openat(-100, "/tmp/aaaa"..., 0) = -1 ENAMETOOLONG (File name too long)') +
        L(1, 2, 'execve("/bin/x", ["x", "zzzz"...], ["A=1"]) = 0') +
        L(1, 3, 'execve("/bin/y", ["y", "q", ...], ["A=1"]) = 0'),
    );
    expect(of(records, 'open')[0]).toMatchObject({ path: '/tmp/aaaa', truncated: true, ret: -36 });
    const [x, y] = of(records, 'exec');
    expect(x).toMatchObject({ argv: ['x', 'zzzz'], truncated: true });
    expect(y).toMatchObject({ argv: ['y', 'q'], truncated: true });
  });

  it('marks every kind of record whose name strace cut', () => {
    const long = 'n'.repeat(50);
    const { records } = parse(
      L(1, 1, `chdir("/${long}"...) = -1 ENAMETOOLONG (File name too long)`) +
        L(1, 2, `rename("/a", "/${long}"...) = -1 ENAMETOOLONG (File name too long)`) +
        L(1, 3, `symlinkat("/${long}"..., -100, "/l") = -1 ENAMETOOLONG (File name too long)`) +
        L(1, 4, `unlink("/${long}"...) = -1 ENAMETOOLONG (File name too long)`) +
        L(1, 5, `mkdir("/${long}"..., 0755) = -1 ENAMETOOLONG (File name too long)`) +
        L(1, 6, `truncate("/${long}"..., 7) = -1 ENAMETOOLONG (File name too long)`) +
        L(1, 7, 'rename("/a", "/b") = 0'),
    );
    expect(records.map((r) => [r.kind, (r as { truncated?: boolean }).truncated])).toEqual([
      ['chdir', true],
      ['rename', true],
      ['symlink', true],
      ['unlink', true],
      ['mkdir', true],
      ['truncate', true],
      ['rename', undefined],
    ]);
  });

  it('leaves env undefined when strace printed only a count of variables', () => {
    const { records } = parse(L(1, 1, 'execve("/usr/bin/sh", ["sh", "-c", "exit 0"], 0x7ffc5af6ba80 /* 35 vars */) = 0'));
    const exec = of(records, 'exec')[0]!;
    expect(exec.argv).toEqual(['sh', '-c', 'exit 0']);
    expect(exec.env).toBeUndefined();
    expect(exec.truncated).toBeUndefined();
  });
});

describe('strace parser: numbers and results', () => {
  it('parses flag expressions, octal modes and symbols', () => {
    expect(parseIntExpr('0x1200000|17')).toBe(0x1200011n);
    expect(parseIntExpr('0644')).toBe(0o644n);
    expect(parseIntExpr('-100')).toBe(-100n);
    expect(parseIntExpr('AT_FDCWD')).toBe(-100n);
    expect(parseIntExpr('O_WRONLY|O_CREAT|O_TRUNC')).toBe(0o1101n);
    expect(parseIntExpr('0')).toBe(0n);
    expect(parseIntExpr('SOMETHING_ELSE')).toBeNull();
  });

  it('turns results into numbers and errors into -errno', () => {
    expect(parseReturn(' = 3')).toBe(3);
    expect(parseReturn('      = 0x340')).toBe(0x340);
    expect(parseReturn(' = -1 ENOENT (No such file or directory)')).toBe(-2);
    expect(parseReturn(' = -1 EACCES (Permission denied)')).toBe(-13);
    expect(parseReturn(' = ? ERESTARTSYS (To be restarted if SA_RESTART is set)')).toBe(-512);
    expect(parseReturn(' = -1 (errno 95)')).toBe(-95);
    expect(parseReturn(' = ?')).toBeNull();
  });

  it('understands symbolic output too (strace without -X raw)', () => {
    const { records } = parse(L(1, 1, 'openat(AT_FDCWD, "out", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3'));
    expect(of(records, 'open')[0]).toMatchObject({ dirfd: -100, flags: 0o1101, mode: 0o666, ret: 3 });
  });

  it('skips failed reads and counts a zero-byte read', () => {
    const { records } = parse(
      L(1, 1, 'read(0x3, 0x7ffe, 0x100) = -1 EAGAIN (Resource temporarily unavailable)') +
        L(1, 2, 'read(0x3, 0x7ffe, 0x100) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)') +
        L(1, 3, 'read(0x3, 0x7ffe, 0x100) = 0'),
      { coalesceIo: false },
    );
    expect(of(records, 'io').map((r) => r.bytesRead)).toEqual([0]);
  });
});

describe('strace parser: processes', () => {
  it('joins unfinished/resumed pairs of two pids that interleave', () => {
    const text =
      L(100, 1, 'clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f) = 101') +
      L(100, 2, 'openat(-100, "/data/a", 0x241, 0644 <unfinished ...>') +
      L(101, 3, 'openat(-100, "/data/b",  <unfinished ...>') +
      L(100, 4, '<... openat resumed>) = 3') +
      L(101, 5, '<... openat resumed>0) = -1 ENOENT (No such file or directory)') +
      L(101, 6, 'write(0x1, 0x5600, 0x10 <unfinished ...>') +
      L(100, 7, 'write(0x3, 0x5601, 0x20 <unfinished ...>') +
      L(101, 8, '<... write resumed>) = 0x10') +
      L(100, 9, '<... write resumed>) = 0x20');
    const { records, parser } = parse(text, { coalesceIo: false });
    expect(parser.lost).toBe(0);
    expect(of(records, 'open').map((r) => [r.pid, r.path, r.flags, r.ret, r.ts])).toEqual([
      [100, '/data/a', 0o1101, 3, 1700000000000004],
      [101, '/data/b', 0, -2, 1700000000000005],
    ]);
    expect(of(records, 'io').map((r) => [r.pid, r.fd, r.bytesWritten])).toEqual([
      [101, 1, 0x10],
      [100, 3, 0x20],
    ]);
  });

  it('holds a child\'s lines until its parent\'s clone returns', () => {
    const text =
      L(10, 1, 'clone(child_stack=NULL, flags=0x1200000|17 <unfinished ...>') +
      L(11, 2, 'openat(-100, "/early", 0) = 3') +
      L(11, 3, '+++ exited with 0 +++') +
      L(10, 4, '<... clone resumed>, child_tidptr=0x7f) = 11');
    const { records } = parse(text);
    expect(records.map((r) => [r.kind, r.pid])).toEqual([
      ['fork', 10],
      ['open', 11],
      ['exit', 11],
    ]);
  });

  it('holds a thread\'s lines and gives them the thread group id', () => {
    const text =
      L(20, 1, 'clone3({flags=0x3d0f00, exit_signal=0, stack=0x7f} <unfinished ...>') +
      L(21, 2, 'openat(-100, "/t", 0) = 3') +
      L(20, 3, '<... clone3 resumed> => {parent_tid=[21]}, 88) = 21') +
      L(21, 4, 'clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f) = 22') +
      L(22, 5, '+++ exited with 0 +++') +
      L(21, 6, '+++ exited with 0 +++') +
      L(20, 7, '+++ exited with 0 +++');
    const { records } = parse(text);
    expect(records.map((r) => [r.kind, r.pid, r.tid])).toEqual([
      ['open', 20, 21],
      ['fork', 20, 21],
      ['exit', 22, 22],
      ['exit', 20, 20],
    ]);
  });

  it('marks CLONE_FILES children as sharing the fd table', () => {
    const { records } = parse(L(1, 1, 'clone(child_stack=0x7f, flags=0x400|0x100|17) = 2') + L(1, 2, 'vfork() = 3'));
    expect(of(records, 'fork').map((f) => [f.child, f.sharesFiles])).toEqual([
      [2, true],
      [3, undefined],
    ]);
  });

  it('reads exited, killed and core-dumped statuses', () => {
    const text =
      L(1, 1, 'clone(child_stack=NULL, flags=0x1200000|17) = 2') +
      L(1, 2, 'clone(child_stack=NULL, flags=0x1200000|17) = 3') +
      L(1, 3, 'clone(child_stack=NULL, flags=0x1200000|17) = 4') +
      L(2, 4, '--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=1, si_uid=0} ---') +
      L(2, 5, '+++ killed by SIGTERM +++') +
      L(3, 6, '+++ killed by SIGSEGV (core dumped) +++') +
      L(4, 7, '+++ killed by SIGRT_2 +++') +
      L(1, 8, '+++ exited with 3 +++');
    const { records } = parse(text);
    expect(of(records, 'exit').map((e) => [e.pid, e.status])).toEqual([
      [2, 15],
      [3, 0x80 | 11],
      [4, 34],
      [1, 3 << 8],
    ]);
  });
});

describe('strace parser: losses and I/O sums', () => {
  it('turns lines it cannot parse into lost records and goes on', () => {
    const text =
      L(1, 1, 'openat(-100, "/a", 0) = 3') +
      'this is not strace output\n' +
      L(1, 2, 'openat(-100, "/b", 0') + // no closing parenthesis, no result
      L(1, 3, '<... read resumed>) = 0x1') + // resumed without its start
      L(1, 4, 'openat(-100, "/c", 0) = ?') + // result unknown
      L(1, 5, 'openat(-100, "/d", 0) = 4');
    const { records, parser } = parse(text);
    expect(of(records, 'open').map((r) => r.path)).toEqual(['/a', '/d']);
    const lost = of(records, 'lost');
    expect(lost).toHaveLength(4);
    expect(parser.lost).toBe(4);
    expect(lost[0]!.reason).toMatch(/unrecognized line/);
    expect(lost[2]!.reason).toMatch(/read resumed without its start/);
    expect(lost[3]!.reason).toMatch(/result unknown/);
    expect(lost.every((l) => l.count === 1)).toBe(true);
  });

  it('counts a call left unfinished at the end as lost, but not one cut by the process dying', () => {
    const text =
      L(1, 1, 'clone(child_stack=NULL, flags=0x1200000|17) = 2') +
      L(2, 2, 'read(0x0, 0x7ffe, 0x100 <unfinished ...>') +
      L(2, 3, '+++ killed by SIGKILL +++') +
      L(1, 4, 'read(0x0, 0x7ffe, 0x100 <unfinished ...>');
    const { records, parser } = parse(text);
    expect(parser.lost).toBe(1);
    expect(of(records, 'lost')[0]).toMatchObject({ pid: 1, reason: expect.stringMatching(/read: unfinished/) });
  });

  it('sums reads and writes per fd until the process does something else', () => {
    const text =
      L(1, 1, 'openat(-100, "/in", 0) = 3') +
      L(1, 2, 'read(0x3, 0x7ffe, 0x1000) = 0x1000') +
      L(1, 3, 'write(0x1, 0x7ffe, 0x1000) = 0x1000') +
      L(1, 4, 'read(0x3, 0x7ffe, 0x1000) = 0x10') +
      L(1, 5, 'write(0x1, 0x7ffe, 0x10) = 0x10') +
      L(1, 6, 'read(0x3, 0x7ffe, 0x1000) = 0') +
      L(1, 7, 'close(0x3) = 0');
    const summed = parse(text).records;
    expect(summed.map((r) => r.kind)).toEqual(['open', 'io', 'io', 'close']);
    expect(of(summed, 'io').map((r) => [r.fd, r.bytesRead, r.bytesWritten, r.ts])).toEqual([
      [3, 0x1010, 0, 1700000000000006],
      [1, 0, 0x1010, 1700000000000005],
    ]);
    const single = parse(text, { coalesceIo: false }).records;
    expect(of(single, 'io')).toHaveLength(5);
  });
});

describe('strace parser: coverage', () => {
  it('has a decoder for every syscall the backend traces', () => {
    const missing = TRACED_SYSCALLS.filter((s) => !(s in DECODERS));
    expect(missing).toEqual([]);
  });
});
