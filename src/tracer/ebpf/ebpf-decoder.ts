// Turns the lines kiseki-ebpf writes on fd 3 into RawRecords. This is the
// only place that knows the wire format; docs/ebpf-backend.md describes it.
//
// One line per record, fields separated by TAB, the kind first. Numbers are
// decimal, `-` stands for "unknown", byte strings are lowercase hex (so any
// byte, newline and tab included, survives), lists are a count followed by
// that many hex fields. A line that does not parse becomes a `lost` record
// saying why: decoding never throws.

import { bytesToText } from '../../core/bytes-text.js';
import type { RawRecord, TransferRecord } from '../raw-record.js';

export const WIRE_VERSION = 1;

export interface StartLine {
  type: 'start';
  version: number;
  rootPid: number;
  /** How the loader hooks the syscalls: 'raw' or 'each'. */
  mode: string;
}

export interface EndLine {
  type: 'end';
  /** Exit code of the root process, or null when a signal ended it. */
  exitCode: number | null;
  signal: number | null;
  /** Records the kernel side could not deliver. */
  lost: number;
  /** Traced processes still running when tracing stopped. */
  alive: number[];
}

export interface ErrorLine {
  type: 'error';
  message: string;
}

export interface RecordLine {
  type: 'record';
  record: RawRecord;
}

export type LoaderLine = StartLine | EndLine | ErrorLine | RecordLine;

/** pid and time to put on `lost` records made for lines that do not parse. */
export interface DecodeContext {
  pid: number;
  /** Microseconds since the Unix epoch; defaults to now. */
  ts?: number;
}

class DecodeError extends Error {}

const INT = /^-?[0-9]+$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

class Fields {
  private i = 1;
  constructor(private readonly f: string[]) {}

  private next(name: string): string {
    const v = this.f[this.i++];
    if (v === undefined) throw new DecodeError(`missing field ${name}`);
    return v;
  }

  int(name: string): number {
    const v = this.next(name);
    if (!INT.test(v)) throw new DecodeError(`${name} is not an integer: ${JSON.stringify(v.slice(0, 40))}`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new DecodeError(`${name} is out of range: ${v}`);
    return n;
  }

  optInt(name: string): number | undefined {
    if (this.f[this.i] === '-') {
      this.i++;
      return undefined;
    }
    return this.int(name);
  }

  bool(name: string): boolean {
    const v = this.next(name);
    if (v !== '0' && v !== '1') throw new DecodeError(`${name} is not 0 or 1: ${JSON.stringify(v.slice(0, 40))}`);
    return v === '1';
  }

  word(name: string): string {
    return this.next(name);
  }

  text(name: string): string {
    const v = this.next(name);
    if (!HEX.test(v)) throw new DecodeError(`${name} is not hex`);
    return bytesToText(Buffer.from(v, 'hex'));
  }

  optText(name: string): string | undefined {
    if (this.f[this.i] === '-') {
      this.i++;
      return undefined;
    }
    return this.text(name);
  }

  list(name: string): string[] {
    const n = this.int(`${name} count`);
    if (n < 0 || n > this.f.length - this.i) throw new DecodeError(`${name} count ${n} does not match the line`);
    const out: string[] = [];
    for (let k = 0; k < n; k++) out.push(this.text(`${name}[${k}]`));
    return out;
  }

  optList(name: string): string[] | undefined {
    if (this.f[this.i] === '-') {
      this.i++;
      return undefined;
    }
    return this.list(name);
  }

  end(): void {
    if (this.i !== this.f.length) throw new DecodeError(`${this.f.length - this.i} unexpected extra field(s)`);
  }
}

const RECORD_KINDS = new Set<string>([
  'fork', 'exec', 'exit', 'open', 'close', 'close_range', 'io', 'dup', 'set_cloexec', 'pipe', 'chdir', 'fchdir',
  'rename', 'link', 'symlink', 'unlink', 'mkdir', 'truncate', 'ftruncate', 'transfer', 'mmap', 'attach', 'lost',
]);

const TRANSFER_CALLS = new Set<TransferRecord['call']>(['copy_file_range', 'sendfile', 'splice', 'tee']);

function decodeRecord(kind: string, r: Fields): RawRecord {
  if (!RECORD_KINDS.has(kind)) throw new DecodeError(`unknown record kind ${JSON.stringify(kind.slice(0, 40))}`);
  const ts = r.int('ts');
  const pid = r.int('pid');
  const tid = r.int('tid');
  const base = { pid, tid, ts };
  switch (kind) {
    case 'fork': {
      const child = r.int('child');
      const childStartNs = r.optInt('childStartNs');
      const sharesFiles = r.bool('sharesFiles');
      return { kind: 'fork', ...base, child, ...(childStartNs !== undefined && { childStartNs }), sharesFiles };
    }
    case 'exec': {
      const ret = r.int('ret');
      const uid = r.optInt('uid');
      const gid = r.optInt('gid');
      const euid = r.optInt('euid');
      const egid = r.optInt('egid');
      const startNs = r.optInt('startNs');
      const truncated = r.bool('truncated');
      const path = r.text('path');
      const argv = r.list('argv');
      const env = r.optList('env');
      return {
        kind: 'exec',
        ...base,
        path,
        argv,
        ...(env !== undefined && { env }),
        ret,
        ...(uid !== undefined && { uid }),
        ...(gid !== undefined && { gid }),
        ...(euid !== undefined && { euid }),
        ...(egid !== undefined && { egid }),
        ...(startNs !== undefined && { startNs }),
        ...(truncated && { truncated }),
      };
    }
    case 'exit':
      return { kind: 'exit', ...base, status: r.int('status') };
    case 'open': {
      const dirfd = r.int('dirfd');
      const flags = r.int('flags');
      const mode = r.int('mode');
      const ret = r.int('ret');
      const dev = r.optInt('dev');
      const ino = r.optInt('ino');
      const truncated = r.bool('truncated');
      const path = r.text('path');
      return {
        kind: 'open',
        ...base,
        dirfd,
        path,
        flags,
        mode,
        ret,
        ...(dev !== undefined && { dev }),
        ...(ino !== undefined && { ino }),
        ...(truncated && { truncated }),
      };
    }
    case 'close':
      return { kind: 'close', ...base, fd: r.int('fd'), ret: r.int('ret') };
    case 'close_range':
      return { kind: 'close_range', ...base, first: r.int('first'), last: r.int('last'), flags: r.int('flags'), ret: r.int('ret') };
    case 'io':
      return { kind: 'io', ...base, fd: r.int('fd'), bytesRead: r.int('bytesRead'), bytesWritten: r.int('bytesWritten') };
    case 'dup':
      return { kind: 'dup', ...base, oldfd: r.int('oldfd'), ret: r.int('ret'), cloexec: r.bool('cloexec') };
    case 'set_cloexec':
      return { kind: 'set_cloexec', ...base, fd: r.int('fd'), cloexec: r.bool('cloexec'), ret: r.int('ret') };
    case 'pipe': {
      const fd0 = r.int('fd0');
      const fd1 = r.int('fd1');
      return { kind: 'pipe', ...base, fds: [fd0, fd1], flags: r.int('flags'), ret: r.int('ret') };
    }
    case 'chdir': {
      const ret = r.int('ret');
      const truncated = r.bool('truncated');
      return { kind: 'chdir', ...base, path: r.text('path'), ret, ...(truncated && { truncated }) };
    }
    case 'fchdir':
      return { kind: 'fchdir', ...base, fd: r.int('fd'), ret: r.int('ret') };
    case 'rename':
    case 'link': {
      const olddirfd = r.int('olddirfd');
      const newdirfd = r.int('newdirfd');
      const flags = r.int('flags');
      const ret = r.int('ret');
      const truncated = r.bool('truncated');
      const oldpath = r.text('oldpath');
      const newpath = r.text('newpath');
      return { kind, ...base, olddirfd, oldpath, newdirfd, newpath, flags, ret, ...(truncated && { truncated }) };
    }
    case 'symlink': {
      const newdirfd = r.int('newdirfd');
      const ret = r.int('ret');
      const truncated = r.bool('truncated');
      const target = r.text('target');
      const linkpath = r.text('linkpath');
      return { kind: 'symlink', ...base, target, newdirfd, linkpath, ret, ...(truncated && { truncated }) };
    }
    case 'unlink': {
      const dirfd = r.int('dirfd');
      const flags = r.int('flags');
      const ret = r.int('ret');
      const truncated = r.bool('truncated');
      return { kind: 'unlink', ...base, dirfd, path: r.text('path'), flags, ret, ...(truncated && { truncated }) };
    }
    case 'mkdir': {
      const dirfd = r.int('dirfd');
      const mode = r.int('mode');
      const ret = r.int('ret');
      const truncated = r.bool('truncated');
      return { kind: 'mkdir', ...base, dirfd, path: r.text('path'), mode, ret, ...(truncated && { truncated }) };
    }
    case 'truncate': {
      const length = r.int('length');
      const ret = r.int('ret');
      const truncated = r.bool('truncated');
      return { kind: 'truncate', ...base, path: r.text('path'), length, ret, ...(truncated && { truncated }) };
    }
    case 'ftruncate':
      return { kind: 'ftruncate', ...base, fd: r.int('fd'), length: r.int('length'), ret: r.int('ret') };
    case 'transfer': {
      const call = r.word('call');
      if (!TRANSFER_CALLS.has(call as TransferRecord['call'])) throw new DecodeError(`unknown transfer call ${JSON.stringify(call)}`);
      return {
        kind: 'transfer',
        ...base,
        call: call as TransferRecord['call'],
        fdIn: r.int('fdIn'),
        fdOut: r.int('fdOut'),
        ret: r.int('ret'),
      };
    }
    case 'mmap':
      return { kind: 'mmap', ...base, fd: r.int('fd'), prot: r.int('prot'), flags: r.int('flags'), ret: r.int('ret') };
    case 'attach': {
      const scheduler = r.word('scheduler');
      if (scheduler !== 'slurm' && scheduler !== 'pbs') throw new DecodeError(`unknown scheduler ${JSON.stringify(scheduler.slice(0, 20))}`);
      const startNs = r.int('startNs');
      const ppid = r.int('ppid');
      const cwd = r.optText('cwd');
      return { kind: 'attach', ...base, scheduler, startNs, ppid, ...(cwd !== undefined && { cwd }) };
    }
    case 'lost': {
      const count = r.int('count');
      return { kind: 'lost', ...base, count, reason: r.word('reason') };
    }
    default:
      throw new DecodeError(`unknown record kind ${JSON.stringify(kind.slice(0, 40))}`);
  }
}

function decodeControl(kind: string, r: Fields): LoaderLine | undefined {
  switch (kind) {
    case 'start': {
      const version = r.int('version');
      if (version !== WIRE_VERSION) throw new DecodeError(`wire version ${version}, expected ${WIRE_VERSION}: rebuild with npm run build:ebpf`);
      return { type: 'start', version, rootPid: r.int('rootPid'), mode: r.word('mode') };
    }
    case 'end': {
      const exitCode = r.optInt('exitCode') ?? null;
      const signal = r.optInt('signal') ?? null;
      const lost = r.int('lost');
      const aliveField = r.word('alive');
      const alive: number[] = [];
      if (aliveField !== '-') {
        for (const p of aliveField.split(',')) {
          if (!/^[0-9]+$/.test(p)) throw new DecodeError(`bad pid in alive list: ${JSON.stringify(p.slice(0, 20))}`);
          alive.push(Number(p));
        }
      }
      if ((exitCode === null) === (signal === null)) throw new DecodeError('end needs exactly one of exit code and signal');
      return { type: 'end', exitCode, signal, lost, alive };
    }
    case 'error':
      return { type: 'error', message: r.text('message') };
    default:
      return undefined;
  }
}

/** Decodes one line (without its newline). Never throws. */
export function decodeLine(line: string, ctx: DecodeContext = { pid: 0 }): LoaderLine {
  const fields = line.split('\t');
  const kind = fields[0] ?? '';
  const r = new Fields(fields);
  try {
    const out = decodeControl(kind, r) ?? { type: 'record' as const, record: decodeRecord(kind, r) };
    r.end();
    return out;
  } catch (e) {
    const why = e instanceof DecodeError ? e.message : String(e);
    const shown = line.length > 80 ? `${line.slice(0, 80)}...` : line;
    return {
      type: 'record',
      record: {
        kind: 'lost',
        pid: ctx.pid,
        tid: ctx.pid,
        ts: ctx.ts ?? Date.now() * 1000,
        count: 1,
        reason: `malformed kiseki-ebpf line (${why}): ${JSON.stringify(shown)}`,
      },
    };
  }
}
