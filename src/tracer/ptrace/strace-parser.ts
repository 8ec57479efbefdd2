// Streaming parser of `strace -f -ttt -X raw ...` output into RawRecords.
//
// Input is the text strace writes to its -o file, as produced by the options
// in strace-backend.ts (one line per event, every line starting with the tid
// and a `-ttt` timestamp). The parser is deliberately tolerant: a line it
// cannot understand becomes a `lost` record with a reason, it never throws.
//
// What it takes care of:
// - C-quoted strings with escapes (\n \t \" \\ \xNN \NNN ...), decoded to the
//   exact bytes and then to surrogate-escaped text (core/bytes-text); a `...`
//   after the closing quote means strace cut the string: `truncated: true`.
// - `<unfinished ...>` / `<... NAME resumed>` halves, joined per tid, and the
//   `<pid changed to N ...>` form strace uses when a non-leader thread execs.
// - Threads: clone/clone3 with CLONE_THREAD is not a fork; it maps the new
//   tid to the caller's tgid, and every later line of that tid gets pid = tgid.
//   Lines of a tid whose creating clone has not returned yet (strace prints
//   the child's first syscalls before the parent's clone result) are held
//   back until the clone result says whether it is a thread or a process.
// - `+++ exited with N +++` / `+++ killed by SIG +++` of a thread-group leader
//   become exit records with a wait(2)-style status (N << 8, or the signal
//   number, | 0x80 when a core was dumped); thread exits are dropped.
// - read/write-family byte counts become `io` records, optionally summed per
//   (pid, fd) until that pid emits any other record (or the stream ends).

import { constants as osConstants } from 'node:os';
import { bytesToText } from '../../core/bytes-text.js';
import { LineSplitter } from '../line-splitter.js';
import {
  AT_FDCWD,
  AT_REMOVEDIR,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  O_CLOEXEC,
  O_CREAT,
  O_TRUNC,
  O_WRONLY,
  PROT_WRITE,
  type RawRecord,
} from '../raw-record.js';

// ---------------------------------------------------------------------------
// Values printed by strace

/** One decoded strace value. */
export type Value =
  | { t: 'str'; bytes: Buffer; truncated: boolean }
  | { t: 'arr'; items: Arg[]; truncated: boolean }
  | { t: 'obj'; items: Arg[] }
  | { t: 'atom'; text: string };

/** One comma-separated position: `name=value`, or values such as `{..} => {..}`. */
export interface Arg {
  name?: string;
  values: Value[];
}

export class ParseError extends Error {}

const NAME_EQ = /[A-Za-z_][A-Za-z0-9_.]*=(?!>)/y;
const HEX = /^[0-9a-fA-F]$/;
const OCT = /^[0-7]$/;

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  v: 11,
  f: 12,
  a: 7,
  b: 8,
  e: 27,
  '"': 34,
  '\\': 92,
  "'": 39,
  '?': 63,
};

/** Recursive-descent scanner over the argument text of one syscall line. */
class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  skipSpaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  /** `(`...`)`, `[`...`]` or `{`...`}`; the cursor is on the opening char. */
  list(close: string): Arg[] {
    this.i++;
    const items: Arg[] = [];
    this.skipSpaces();
    if (this.s[this.i] === close) {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(this.arg(close));
      this.skipSpaces();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === close) {
        this.i++;
        return items;
      }
      throw new ParseError(c === undefined ? `missing '${close}'` : `unexpected '${c}' at ${this.i}`);
    }
  }

  arg(close: string): Arg {
    this.skipSpaces();
    const out: Arg = { values: [] };
    NAME_EQ.lastIndex = this.i;
    const m = NAME_EQ.exec(this.s);
    if (m) {
      out.name = m[0].slice(0, -1);
      this.i += m[0].length;
    }
    for (;;) {
      this.skipSpaces();
      const c = this.s[this.i];
      if (c === undefined) throw new ParseError(`missing '${close}'`);
      if (c === ',' || c === close) break;
      if (c === '"') out.values.push(this.string());
      else if (c === '[') out.values.push(this.array());
      else if (c === '~' && this.s[this.i + 1] === '[') {
        this.i++;
        out.values.push(this.array());
      } else if (c === '{') out.values.push({ t: 'obj', items: this.list('}') });
      else if (c === '/' && this.s[this.i + 1] === '*') {
        const end = this.s.indexOf('*/', this.i + 2);
        if (end < 0) throw new ParseError('unterminated comment');
        this.i = end + 2;
      } else out.values.push(this.atom(close));
    }
    return out;
  }

  array(): Value {
    const items = this.list(']');
    let truncated = false;
    const kept: Arg[] = [];
    for (const item of items) {
      const v = item.values[0];
      if (item.values.length === 1 && v?.t === 'atom' && v.text === '...') truncated = true;
      else kept.push(item);
    }
    if (this.s.startsWith('...', this.i)) {
      this.i += 3;
      truncated = true;
    }
    return { t: 'arr', items: kept, truncated };
  }

  atom(close: string): Value {
    const start = this.i;
    let depth = 0;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) break;
      if (c === '(') depth++;
      else if (c === ')' && depth > 0) depth--;
      else if (depth === 0 && (c === ',' || c === ' ' || c === close)) break;
      else if (c === '"' || c === '[' || c === '{') {
        if (depth === 0) break;
      }
      this.i++;
    }
    if (this.i === start) throw new ParseError(`unexpected '${this.s[start] ?? 'end of line'}' at ${start}`);
    return { t: 'atom', text: this.s.slice(start, this.i) };
  }

  string(): Value {
    const s = this.s;
    let i = this.i + 1;
    const bytes: number[] = [];
    for (;;) {
      // Copy a run of plain characters at once.
      let j = i;
      while (j < s.length) {
        const c = s.charCodeAt(j);
        if (c === 34 /* " */ || c === 92 /* \ */) break;
        j++;
      }
      for (let k = i; k < j; k++) bytes.push(s.charCodeAt(k) & 0xff);
      i = j;
      if (i >= s.length) throw new ParseError('unterminated string');
      if (s.charCodeAt(i) === 34) {
        i++;
        break;
      }
      // Backslash escape.
      const e = s[i + 1];
      if (e === undefined) throw new ParseError('unterminated string');
      if (e === 'x') {
        let k = i + 2;
        let hex = '';
        while (hex.length < 2 && HEX.test(s[k] ?? '')) hex += s[k++];
        if (hex.length === 0) throw new ParseError('bad \\x escape');
        bytes.push(parseInt(hex, 16));
        i = k;
      } else if (OCT.test(e)) {
        let k = i + 1;
        let oct = '';
        while (oct.length < 3 && OCT.test(s[k] ?? '')) oct += s[k++];
        bytes.push(parseInt(oct, 8) & 0xff);
        i = k;
      } else {
        bytes.push(SIMPLE_ESCAPES[e] ?? e.charCodeAt(0) & 0xff);
        i += 2;
      }
    }
    let truncated = false;
    if (s.startsWith('...', i)) {
      truncated = true;
      i += 3;
    }
    this.i = i;
    return { t: 'str', bytes: Buffer.from(bytes), truncated };
  }
}

/** Parse `NAME(ARGS) = RET` (the part after the pid and timestamp). */
export function parseSyscall(text: string): { name: string; args: Arg[]; rest: string } {
  const m = /^([A-Za-z_][A-Za-z0-9_#]*)\(/.exec(text);
  if (!m) throw new ParseError('not a syscall line');
  const sc = new Scanner(text);
  sc.i = m[1]!.length;
  const args = sc.list(')');
  return { name: m[1]!, args, rest: text.slice(sc.i) };
}

// ---------------------------------------------------------------------------
// Numbers, errno and signal names

// Symbolic names the parser understands even without `-X raw` (the backend
// always passes -X raw, so these only matter for hand-written input).
const SYMBOLS: Record<string, bigint> = {
  NULL: 0n,
  AT_FDCWD: -100n,
  F_DUPFD: 0n,
  F_SETFD: 2n,
  F_DUPFD_CLOEXEC: 1030n,
  FD_CLOEXEC: 1n,
  CLONE_VM: 0x100n,
  CLONE_FS: 0x200n,
  CLONE_FILES: 0x400n,
  CLONE_SIGHAND: 0x800n,
  CLONE_VFORK: 0x4000n,
  CLONE_PARENT: 0x8000n,
  CLONE_THREAD: 0x10000n,
  CLONE_SYSVSEM: 0x40000n,
  CLONE_SETTLS: 0x80000n,
  CLONE_PARENT_SETTID: 0x100000n,
  CLONE_CHILD_CLEARTID: 0x200000n,
  CLONE_CHILD_SETTID: 0x1000000n,
  SIGCHLD: 17n,
  AT_REMOVEDIR: 0x200n,
  O_RDONLY: 0n,
  O_WRONLY: 1n,
  O_RDWR: 2n,
  O_CREAT: 0o100n,
  O_EXCL: 0o200n,
  O_TRUNC: 0o1000n,
  O_APPEND: 0o2000n,
  O_CLOEXEC: 0o2000000n,
};

/** `0x1200000|17`, `-100`, `0644`, `AT_FDCWD` -> bigint; null if not numeric. */
export function parseIntExpr(text: string): bigint | null {
  let acc = 0n;
  let any = false;
  for (const raw of text.split('|')) {
    const term = raw.trim();
    let v: bigint;
    if (/^-?0x[0-9a-f]+$/i.test(term)) {
      v = term.startsWith('-') ? -BigInt(term.slice(1)) : BigInt(term);
    } else if (/^-?0[0-7]+$/.test(term)) {
      const neg = term.startsWith('-');
      v = BigInt('0o' + term.slice(neg ? 2 : 1));
      if (neg) v = -v;
    } else if (/^-?\d+$/.test(term)) {
      v = BigInt(term);
    } else if (term in SYMBOLS) {
      v = SYMBOLS[term]!;
    } else {
      return null;
    }
    acc = any ? acc | v : v;
    any = true;
  }
  return any ? acc : null;
}

const ERRNO: Record<string, number> = {
  ...(osConstants.errno as unknown as Record<string, number>),
  // Kernel-internal codes strace can show for interrupted calls.
  ERESTARTSYS: 512,
  ERESTARTNOINTR: 513,
  ERESTARTNOHAND: 514,
  ENOIOCTLCMD: 515,
  ERESTART_RESTARTBLOCK: 516,
  EPROBE_DEFER: 517,
  EOPENSTALE: 518,
  ENOPARAM: 519,
  EBADHANDLE: 521,
  ENOTSYNC: 522,
  EBADCOOKIE: 523,
  ENOTSUPP: 524,
  ETOOSMALL: 525,
  ESERVERFAULT: 526,
  EBADTYPE: 527,
  EJUKEBOX: 528,
  EIOCBQUEUED: 529,
  ERECALLCONFLICT: 530,
};

export function errnoNumber(name: string): number | undefined {
  return ERRNO[name];
}

const SIGNALS: Record<string, number> = {
  ...(osConstants.signals as unknown as Record<string, number>),
  SIGIOT: 6,
  SIGPOLL: 29,
  SIGCLD: 17,
};

export function signalNumber(name: string): number | undefined {
  if (name in SIGNALS) return SIGNALS[name];
  const rt = /^SIGRT_(\d+)$/.exec(name);
  if (rt) return 32 + Number(rt[1]);
  if (name === 'SIGRTMIN') return 32;
  const num = /^SIG(\d+)$/.exec(name);
  if (num) return Number(num[1]);
  return undefined;
}

/**
 * The text after `) ` of a finished syscall: `= 3`, `= 0x340`,
 * `= -1 ENOENT (No such file or directory)`, `= ? ERESTARTSYS (...)`, `= ?`.
 * Returns null when strace could not tell the result.
 */
export function parseReturn(rest: string): number | null {
  const m = /^\s*=\s*(.*)$/s.exec(rest);
  if (!m) throw new ParseError(`no return value in '${rest.slice(0, 40)}'`);
  const r = m[1]!;
  let e = /^-1 (E[A-Z0-9_]+)\b/.exec(r);
  if (e) {
    const n = ERRNO[e[1]!];
    return n === undefined ? -1 : -n;
  }
  e = /^-1 \(errno (\d+)\)/.exec(r);
  if (e) {
    const n = Number(e[1]);
    return n > 0 && n < 4096 ? -n : null;
  }
  e = /^\? (E[A-Z0-9_]+)\b/.exec(r);
  if (e) {
    const n = ERRNO[e[1]!];
    return n === undefined ? null : -n;
  }
  if (r.startsWith('?')) return null;
  const num = /^(-?0x[0-9a-f]+|-?\d+)/i.exec(r);
  if (!num) throw new ParseError(`bad return value '${r.slice(0, 40)}'`);
  return Number(parseIntExpr(num[1]!));
}

// ---------------------------------------------------------------------------
// Argument accessors

function first(arg: Arg | undefined): Value | undefined {
  return arg?.values[0];
}

function bigArg(args: Arg[], i: number, what: string): bigint {
  const v = first(args[i]);
  if (v?.t === 'atom') {
    const n = parseIntExpr(v.text);
    if (n !== null) return n;
  }
  throw new ParseError(`argument ${i + 1} (${what}) is not a number`);
}

const int32 = (b: bigint) => Number(BigInt.asIntN(32, b));
const uint32 = (b: bigint) => Number(BigInt.asUintN(32, b));
const int64 = (b: bigint) => Number(BigInt.asIntN(64, b));

function fdArg(args: Arg[], i: number): number {
  return int32(bigArg(args, i, 'fd'));
}

function flagsArg(args: Arg[], i: number): number {
  return uint32(bigArg(args, i, 'flags'));
}

interface Text {
  text: string;
  truncated: boolean;
}

/** A file name argument; a pointer strace could not read becomes ''. */
function pathArg(args: Arg[], i: number): Text {
  const v = first(args[i]);
  if (v?.t === 'str') return { text: bytesToText(v.bytes), truncated: v.truncated };
  if (v?.t === 'atom') return { text: '', truncated: false };
  throw new ParseError(`argument ${i + 1} is not a string`);
}

function fieldOf(v: Value | undefined, name: string): Value | undefined {
  if (v?.t !== 'obj') return undefined;
  return v.items.find((a) => a.name === name)?.values[0];
}

function namedArg(args: Arg[], name: string): Value | undefined {
  return args.find((a) => a.name === name)?.values[0];
}

function bigOf(v: Value | undefined): bigint | null {
  return v?.t === 'atom' ? parseIntExpr(v.text) : null;
}

function stringArray(v: Value | undefined): { items: string[]; truncated: boolean } | undefined {
  if (v?.t !== 'arr') return undefined;
  let truncated = v.truncated;
  const items: string[] = [];
  for (const item of v.items) {
    const x = item.values[0];
    if (x?.t === 'str') {
      items.push(bytesToText(x.bytes));
      if (x.truncated) truncated = true;
    } else {
      truncated = true; // an element strace could not fetch
    }
  }
  return { items, truncated };
}

// ---------------------------------------------------------------------------
// Syscall decoders

/** A record without its pid (filled in once the tid's process is known). */
type Draft = RawRecord extends infer R ? (R extends RawRecord ? Omit<R, 'pid'> : never) : never;

/** What one finished syscall means. */
type Outcome =
  | { type: 'records'; records: Draft[] }
  | { type: 'clone'; child: number; flags: bigint | null; vfork: boolean }
  | null;

interface Call {
  name: string;
  args: Arg[];
  ret: number;
  tid: number;
  ts: number;
}

const CLONE_THREAD = 0x10000n;
const CLONE_FILES = 0x400n;
const F_DUPFD = 0;
const F_SETFD = 2;
const F_DUPFD_CLOEXEC = 1030;

type Decoder = (c: Call) => Outcome;

const rec = (record: Draft): Outcome => ({ type: 'records', records: [record] });

/** The record, with `truncated: true` when strace cut one of its names. */
function named(record: Draft, ...names: Text[]): Outcome {
  if (names.some((n) => n.truncated)) (record as { truncated?: boolean }).truncated = true;
  return rec(record);
}

function io(c: Call, dir: 'r' | 'w'): Outcome {
  if (c.ret < 0) return null;
  return rec({
    kind: 'io',
    tid: c.tid,
    ts: c.ts,
    fd: fdArg(c.args, 0),
    bytesRead: dir === 'r' ? c.ret : 0,
    bytesWritten: dir === 'w' ? c.ret : 0,
  });
}

/**
 * copy_file_range, sendfile, splice, tee: a transfer record naming the two
 * fds, and (raw-record.ts asks for it) the bytes as io records: read on the
 * input fd, written on the output fd.
 */
function transfer(c: Call, call: 'copy_file_range' | 'sendfile' | 'splice' | 'tee', inIdx: number, outIdx: number): Outcome {
  const fdIn = fdArg(c.args, inIdx);
  const fdOut = fdArg(c.args, outIdx);
  const records: Draft[] = [{ kind: 'transfer', tid: c.tid, ts: c.ts, call, fdIn, fdOut, ret: c.ret }];
  if (c.ret >= 0) {
    records.push({ kind: 'io', tid: c.tid, ts: c.ts, fd: fdIn, bytesRead: c.ret, bytesWritten: 0 });
    records.push({ kind: 'io', tid: c.tid, ts: c.ts, fd: fdOut, bytesRead: 0, bytesWritten: c.ret });
  }
  return { type: 'records', records };
}

function open(c: Call, dirfd: number, pathIdx: number, flags: number, mode: number): Outcome {
  const p = pathArg(c.args, pathIdx);
  return rec({
    kind: 'open',
    tid: c.tid,
    ts: c.ts,
    dirfd,
    path: p.text,
    flags,
    mode,
    ret: c.ret,
    ...(p.truncated ? { truncated: true } : {}),
  });
}

function optionalMode(args: Arg[], i: number): number {
  return args.length > i ? uint32(bigArg(args, i, 'mode')) : 0;
}

function exec(c: Call, dirfd: number, pathIdx: number): Outcome {
  const p = pathArg(c.args, pathIdx);
  let path = p.text;
  // execveat relative to a directory fd: name it the way the kernel does
  // (bprm->filename), which is also what the eBPF backend sees.
  if (dirfd !== AT_FDCWD && !path.startsWith('/')) path = path === '' ? `/dev/fd/${dirfd}` : `/dev/fd/${dirfd}/${path}`;
  const argv = stringArray(first(c.args[pathIdx + 1]));
  const env = stringArray(first(c.args[pathIdx + 2]));
  const truncated = p.truncated || (argv?.truncated ?? false) || (env?.truncated ?? false);
  return rec({
    kind: 'exec',
    tid: c.tid,
    ts: c.ts,
    path,
    argv: argv?.items ?? [],
    ...(env ? { env: env.items } : {}),
    ret: c.ret,
    ...(truncated ? { truncated: true } : {}),
  });
}

function rename(c: Call, od: number, oi: number, nd: number, ni: number, flags: number, kind: 'rename' | 'link'): Outcome {
  const o = pathArg(c.args, oi);
  const n = pathArg(c.args, ni);
  return named({ kind, tid: c.tid, ts: c.ts, olddirfd: od, oldpath: o.text, newdirfd: nd, newpath: n.text, flags, ret: c.ret }, o, n);
}

function unlink(c: Call, dirfd: number, pathIdx: number, flags: number): Outcome {
  const p = pathArg(c.args, pathIdx);
  return named({ kind: 'unlink', tid: c.tid, ts: c.ts, dirfd, path: p.text, flags, ret: c.ret }, p);
}

function mkdir(c: Call, dirfd: number, pathIdx: number): Outcome {
  const p = pathArg(c.args, pathIdx);
  return named({ kind: 'mkdir', tid: c.tid, ts: c.ts, dirfd, path: p.text, mode: uint32(bigArg(c.args, pathIdx + 1, 'mode')), ret: c.ret }, p);
}

function symlink(c: Call, newdirfd: number, linkIdx: number): Outcome {
  const t = pathArg(c.args, 0);
  const l = pathArg(c.args, linkIdx);
  return named({ kind: 'symlink', tid: c.tid, ts: c.ts, target: t.text, newdirfd, linkpath: l.text, ret: c.ret }, t, l);
}

function dup(c: Call, cloexec: boolean): Outcome {
  return rec({ kind: 'dup', tid: c.tid, ts: c.ts, oldfd: fdArg(c.args, 0), ret: c.ret, cloexec });
}

function clone(c: Call, flags: bigint | null, vfork = false): Outcome {
  if (c.ret <= 0) return null;
  return { type: 'clone', child: c.ret, flags, vfork };
}

function mmap(c: Call): Outcome {
  const prot = uint32(bigArg(c.args, 2, 'prot'));
  const flags = uint32(bigArg(c.args, 3, 'flags'));
  const fd = fdArg(c.args, 4);
  const type = flags & 0xf;
  if (fd < 0 || !(prot & PROT_WRITE) || (type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE)) return null;
  return rec({ kind: 'mmap', tid: c.tid, ts: c.ts, fd, prot, flags, ret: c.ret < 0 ? c.ret : 0 });
}

function pipe(c: Call, withFlags: boolean): Outcome {
  const v = first(c.args[0]);
  let fds: [number, number] = [-1, -1];
  if (v?.t === 'arr' && v.items.length === 2) {
    const a = bigOf(v.items[0]!.values[0]);
    const b = bigOf(v.items[1]!.values[0]);
    if (a !== null && b !== null) fds = [int32(a), int32(b)];
  }
  return rec({ kind: 'pipe', tid: c.tid, ts: c.ts, fds, flags: withFlags ? flagsArg(c.args, 1) : 0, ret: c.ret });
}

/** Decoders by syscall name; every name the backend traces has one. */
export const DECODERS: Record<string, Decoder> = {
  fork: (c) => clone(c, null),
  vfork: (c) => clone(c, null, true),
  clone: (c) => clone(c, bigOf(namedArg(c.args, 'flags'))),
  clone3: (c) => clone(c, bigOf(fieldOf(first(c.args[0]), 'flags'))),
  execve: (c) => exec(c, AT_FDCWD, 0),
  execveat: (c) => exec(c, fdArg(c.args, 0), 1),

  open: (c) => open(c, AT_FDCWD, 0, flagsArg(c.args, 1), optionalMode(c.args, 2)),
  openat: (c) => open(c, fdArg(c.args, 0), 1, flagsArg(c.args, 2), optionalMode(c.args, 3)),
  openat2: (c) => {
    const how = first(c.args[2]);
    const flags = bigOf(fieldOf(how, 'flags'));
    const mode = bigOf(fieldOf(how, 'mode'));
    return open(c, fdArg(c.args, 0), 1, flags === null ? 0 : uint32(flags), mode === null ? 0 : uint32(mode));
  },
  creat: (c) => open(c, AT_FDCWD, 0, O_CREAT | O_WRONLY | O_TRUNC, uint32(bigArg(c.args, 1, 'mode'))),
  close: (c) => rec({ kind: 'close', tid: c.tid, ts: c.ts, fd: fdArg(c.args, 0), ret: c.ret }),
  close_range: (c) =>
    rec({
      kind: 'close_range',
      tid: c.tid,
      ts: c.ts,
      first: uint32(bigArg(c.args, 0, 'first')),
      last: uint32(bigArg(c.args, 1, 'last')),
      flags: flagsArg(c.args, 2),
      ret: c.ret,
    }),
  dup: (c) => dup(c, false),
  dup2: (c) => dup(c, false),
  dup3: (c) => dup(c, (flagsArg(c.args, 2) & O_CLOEXEC) !== 0),
  fcntl: (c) => fcntl(c),
  fcntl64: (c) => fcntl(c),

  read: (c) => io(c, 'r'),
  readv: (c) => io(c, 'r'),
  pread64: (c) => io(c, 'r'),
  preadv: (c) => io(c, 'r'),
  preadv2: (c) => io(c, 'r'),
  write: (c) => io(c, 'w'),
  writev: (c) => io(c, 'w'),
  pwrite64: (c) => io(c, 'w'),
  pwritev: (c) => io(c, 'w'),
  pwritev2: (c) => io(c, 'w'),
  copy_file_range: (c) => transfer(c, 'copy_file_range', 0, 2),
  sendfile: (c) => transfer(c, 'sendfile', 1, 0),
  sendfile64: (c) => transfer(c, 'sendfile', 1, 0),
  splice: (c) => transfer(c, 'splice', 0, 2),
  tee: (c) => transfer(c, 'tee', 0, 1),

  pipe: (c) => pipe(c, false),
  pipe2: (c) => pipe(c, true),
  chdir: (c) => {
    const p = pathArg(c.args, 0);
    return named({ kind: 'chdir', tid: c.tid, ts: c.ts, path: p.text, ret: c.ret }, p);
  },
  fchdir: (c) => rec({ kind: 'fchdir', tid: c.tid, ts: c.ts, fd: fdArg(c.args, 0), ret: c.ret }),

  rename: (c) => rename(c, AT_FDCWD, 0, AT_FDCWD, 1, 0, 'rename'),
  renameat: (c) => rename(c, fdArg(c.args, 0), 1, fdArg(c.args, 2), 3, 0, 'rename'),
  renameat2: (c) => rename(c, fdArg(c.args, 0), 1, fdArg(c.args, 2), 3, flagsArg(c.args, 4), 'rename'),
  link: (c) => rename(c, AT_FDCWD, 0, AT_FDCWD, 1, 0, 'link'),
  linkat: (c) => rename(c, fdArg(c.args, 0), 1, fdArg(c.args, 2), 3, flagsArg(c.args, 4), 'link'),
  symlink: (c) => symlink(c, AT_FDCWD, 1),
  symlinkat: (c) => symlink(c, fdArg(c.args, 1), 2),
  unlink: (c) => unlink(c, AT_FDCWD, 0, 0),
  unlinkat: (c) => unlink(c, fdArg(c.args, 0), 1, flagsArg(c.args, 2)),
  rmdir: (c) => unlink(c, AT_FDCWD, 0, AT_REMOVEDIR),
  mkdir: (c) => mkdir(c, AT_FDCWD, 0),
  mkdirat: (c) => mkdir(c, fdArg(c.args, 0), 1),
  truncate: (c) => {
    const p = pathArg(c.args, 0);
    return named({ kind: 'truncate', tid: c.tid, ts: c.ts, path: p.text, length: int64(bigArg(c.args, 1, 'length')), ret: c.ret }, p);
  },
  truncate64: (c) => DECODERS.truncate!(c),
  ftruncate: (c) => rec({ kind: 'ftruncate', tid: c.tid, ts: c.ts, fd: fdArg(c.args, 0), length: int64(bigArg(c.args, 1, 'length')), ret: c.ret }),
  ftruncate64: (c) => DECODERS.ftruncate!(c),
  mmap: mmap,
  mmap2: mmap,
};

function fcntl(c: Call): Outcome {
  const cmd = int32(bigArg(c.args, 1, 'cmd'));
  if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC) return dup(c, cmd === F_DUPFD_CLOEXEC);
  if (cmd === F_SETFD) {
    const arg = bigArg(c.args, 2, 'arg');
    return rec({ kind: 'set_cloexec', tid: c.tid, ts: c.ts, fd: fdArg(c.args, 0), cloexec: (arg & 1n) === 1n, ret: c.ret });
  }
  return null;
}

// ---------------------------------------------------------------------------
// The streaming parser

export interface StraceParserOptions {
  onRecord(record: RawRecord): void;
  /**
   * Sum read/write byte counts per (pid, fd) and emit them as one `io` record
   * just before the next other record of that pid (or at the end). Default true.
   */
  coalesceIo?: boolean;
  /**
   * The tid strace started (the root). Default: the tid of the first line.
   */
  rootPid?: number;
  /**
   * How many events to hold for a tid whose creating clone has not been seen
   * before giving up and treating it as a process of its own.
   */
  maxHeldPerTid?: number;
}

interface Pending {
  name: string;
  head: string;
  tid: number;
}

const LINE = /^(?:\[pid\s+)?(\d+)\]?\s+(\d+)(?:\.(\d+))?\s(.*)$/s;
const UNFINISHED = ' <unfinished ...>';
const PID_CHANGED = /^(.*) <pid changed to (\d+) \.\.\.>$/s;
const RESUMED = /^<\.\.\. ([A-Za-z_][A-Za-z0-9_#]*) resumed>(.*)$/s;
const EXITED = /^\+\+\+ exited with (\d+) \+\+\+$/;
const KILLED = /^\+\+\+ killed by (SIG[A-Z0-9_]+)( \(core dumped\))? \+\+\+$/;
const SUPERSEDED = /^\+\+\+ superseded by execve in pid (\d+) \+\+\+$/;

export class StraceParser {
  /** Records lost so far (each also sent as a `lost` record). */
  lost = 0;
  /** Lines seen so far. */
  lines = 0;
  private root: number | null;
  private readonly onRecord: (r: RawRecord) => void;
  private readonly coalesce: boolean;
  private readonly maxHeld: number;
  private readonly splitter = new LineSplitter();
  private readonly onLine = (line: string) => this.line(line);
  private readonly tgidOf = new Map<number, number>();
  private readonly held = new Map<number, ((tgid: number) => void)[]>();
  private readonly pending = new Map<number, Pending>();
  /** Execs by a non-leader thread, keyed by the pid they took over. */
  private readonly pidChanged = new Map<number, Pending>();
  private readonly ioByPid = new Map<number, Map<number, RawRecord & { kind: 'io' }>>();
  private lastTs = 0;

  constructor(opts: StraceParserOptions) {
    this.onRecord = opts.onRecord;
    this.coalesce = opts.coalesceIo ?? true;
    this.maxHeld = opts.maxHeldPerTid ?? 100_000;
    this.root = opts.rootPid ?? null;
    if (this.root !== null) this.tgidOf.set(this.root, this.root);
  }

  /** The root's pid: the one given, or the tid of the first line. */
  get rootPid(): number | null {
    return this.root;
  }

  /** Feed a chunk of strace output (bytes are taken as latin1: strace escapes all non-ASCII). */
  write(chunk: Buffer | string): void {
    this.splitter.push(chunk, this.onLine);
  }

  /** End of input: finish what can be finished, flush everything held. */
  end(): void {
    this.splitter.finish(this.onLine);
    for (const [tid, p] of this.pending) this.loss(tid, this.lastTs, `${p.name}: unfinished, never resumed`);
    for (const [tid, p] of this.pidChanged) this.loss(tid, this.lastTs, `${p.name}: pid changed, never resumed`);
    this.pending.clear();
    this.pidChanged.clear();
    for (const tid of [...this.held.keys()]) {
      this.tgidOf.set(tid, tid);
      this.release(tid);
    }
    for (const pid of [...this.ioByPid.keys()]) this.flushIo(pid);
  }

  /** One line of strace output, without its newline. */
  line(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    this.lines++;
    const m = LINE.exec(text);
    if (!m) {
      this.loss(0, this.lastTs, `unrecognized line: ${preview(text)}`);
      return;
    }
    const tid = Number(m[1]);
    const ts = Number(m[2]) * 1_000_000 + (m[3] ? Number(m[3].padEnd(6, '0').slice(0, 6)) : 0);
    this.lastTs = ts;
    if (this.root === null) {
      this.root = tid;
      this.tgidOf.set(tid, tid);
    }
    const body = m[4]!;
    try {
      this.body(tid, ts, body);
    } catch (err) {
      const why = err instanceof ParseError ? err.message : String(err);
      this.loss(tid, ts, `${why}: ${preview(body)}`);
    }
  }

  private body(tid: number, ts: number, body: string): void {
    if (body.startsWith('---')) return; // signal delivery: not a record
    if (body.startsWith('+++')) return this.processLine(tid, ts, body);
    if (body.startsWith('<...')) {
      const r = RESUMED.exec(body);
      if (!r) throw new ParseError('bad resumed line');
      const name = r[1]!;
      let p: Pending | undefined;
      let execDone = false;
      if ((name === 'execve' || name === 'execveat') && this.pidChanged.has(tid)) {
        p = this.pidChanged.get(tid);
        this.pidChanged.delete(tid);
        execDone = true;
      } else {
        p = this.pending.get(tid);
        this.pending.delete(tid);
      }
      if (!p) throw new ParseError(`${name} resumed without its start`);
      if (p.name !== name) throw new ParseError(`${name} resumed but ${p.name} was unfinished`);
      return this.finished(tid, ts, p.head + r[2]!, execDone);
    }
    if (body.endsWith(UNFINISHED)) {
      const head = body.slice(0, -UNFINISHED.length);
      const name = /^([A-Za-z_][A-Za-z0-9_#]*)\(/.exec(head)?.[1];
      if (!name) throw new ParseError('bad unfinished line');
      if (this.pending.has(tid)) this.loss(tid, ts, `${this.pending.get(tid)!.name}: unfinished, superseded by another call`);
      this.pending.set(tid, { name, head, tid });
      return;
    }
    const pc = PID_CHANGED.exec(body);
    if (pc) {
      const head = pc[1]!;
      const newPid = Number(pc[2]);
      const name = /^([A-Za-z_][A-Za-z0-9_#]*)\(/.exec(head)?.[1];
      if (!name) throw new ParseError('bad pid-changed line');
      this.pidChanged.set(newPid, { name, head, tid });
      return;
    }
    if (body.includes(' <detached ...>')) {
      throw new ParseError('strace detached before the call returned');
    }
    this.finished(tid, ts, body, false);
  }

  /** A complete `NAME(ARGS) = RET` line. */
  private finished(tid: number, ts: number, text: string, execDone: boolean): void {
    const { name, args, rest } = parseSyscall(text);
    const decoder = DECODERS[name];
    if (!decoder) return; // a syscall we do not trace: nothing to say
    const ret = execDone ? 0 : parseReturn(rest);
    if (ret === null) {
      this.loss(tid, ts, `${name}: result unknown`);
      return;
    }
    const outcome = decoder({ name, args, ret, tid, ts });
    if (!outcome) return;
    if (outcome.type === 'records') {
      for (const draft of outcome.records) this.dispatch(tid, (pid) => this.emit({ pid, ...draft } as RawRecord));
      return;
    }
    const { child, flags, vfork } = outcome;
    this.dispatch(tid, (pid) => {
      const thread = flags !== null && (flags & CLONE_THREAD) !== 0n;
      if (thread) {
        this.tgidOf.set(child, pid);
      } else {
        const shares = !vfork && flags !== null && (flags & CLONE_FILES) !== 0n;
        this.emit({ kind: 'fork', pid, tid, ts, child, ...(shares ? { sharesFiles: true } : {}) });
        this.tgidOf.set(child, child);
      }
      this.release(child);
    });
  }

  /** `+++ exited/killed/superseded +++` lines. */
  private processLine(tid: number, ts: number, body: string): void {
    let status: number | null = null;
    const ex = EXITED.exec(body);
    if (ex) status = (Number(ex[1]) & 0xff) << 8;
    const k = KILLED.exec(body);
    if (k) {
      const sig = signalNumber(k[1]!);
      if (sig === undefined) throw new ParseError(`unknown signal ${k[1]}`);
      status = sig | (k[2] ? 0x80 : 0);
    }
    if (status !== null) {
      const st = status;
      this.pending.delete(tid);
      this.dispatch(tid, (pid) => {
        if (pid === tid) {
          this.emit({ kind: 'exit', pid, tid, ts, status: st });
          for (const [t, g] of this.tgidOf) if (g === pid) this.tgidOf.delete(t);
        }
        this.tgidOf.delete(tid);
      });
      return;
    }
    const sup = SUPERSEDED.exec(body);
    if (sup) {
      // `tid` (the leader) is replaced by the exec'ing thread, which now
      // carries the leader's pid; the thread's own tid is gone.
      this.pending.delete(tid);
      const former = Number(sup[1]);
      if (former !== tid) this.tgidOf.delete(former);
      return;
    }
    throw new ParseError('unrecognized +++ line');
  }

  /** Run `action` with the tid's process id, now or once it is known. */
  private dispatch(tid: number, action: (pid: number) => void): void {
    const pid = this.tgidOf.get(tid);
    if (pid !== undefined) {
      action(pid);
      return;
    }
    let queue = this.held.get(tid);
    if (!queue) this.held.set(tid, (queue = []));
    queue.push(action);
    if (queue.length > this.maxHeld) {
      this.tgidOf.set(tid, tid);
      this.release(tid);
    }
  }

  private release(tid: number): void {
    const queue = this.held.get(tid);
    if (!queue) return;
    this.held.delete(tid);
    for (const action of queue) action(this.tgidOf.get(tid) ?? tid);
  }

  private emit(record: RawRecord): void {
    if (record.kind === 'io' && this.coalesce) {
      let byFd = this.ioByPid.get(record.pid);
      if (!byFd) this.ioByPid.set(record.pid, (byFd = new Map()));
      const sum = byFd.get(record.fd);
      if (sum) {
        sum.bytesRead += record.bytesRead;
        sum.bytesWritten += record.bytesWritten;
        sum.ts = record.ts;
      } else {
        byFd.set(record.fd, { ...record });
      }
      return;
    }
    // A transfer names fds without changing the fd table: no need to flush.
    if (record.kind !== 'transfer') this.flushIo(record.pid);
    if (record.kind === 'lost') this.lost += record.count;
    this.onRecord(record);
  }

  private flushIo(pid: number): void {
    const byFd = this.ioByPid.get(pid);
    if (!byFd) return;
    this.ioByPid.delete(pid);
    for (const r of byFd.values()) this.onRecord(r);
  }

  private loss(tid: number, ts: number, reason: string): void {
    const pid = this.tgidOf.get(tid) ?? tid;
    this.emit({ kind: 'lost', pid, tid, ts, count: 1, reason });
  }
}

function preview(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
