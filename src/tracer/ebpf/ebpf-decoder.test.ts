import { describe, expect, it } from 'vitest';
import { textToBytes } from '../../core/bytes-text.js';
import { LineSplitter } from '../line-splitter.js';
import { decodeLine, type LoaderLine } from './ebpf-decoder.js';

const hex = (b: Buffer | string) => (typeof b === 'string' ? Buffer.from(b) : b).toString('hex');
const line = (...fields: Array<string | number>) => fields.join('\t');

function record(l: LoaderLine) {
  if (l.type !== 'record') throw new Error(`expected a record, got ${l.type}`);
  return l.record;
}

describe('decodeLine: control lines', () => {
  it('decodes start', () => {
    expect(decodeLine(line('start', 1, 4242, 'raw'))).toEqual({ type: 'start', version: 1, rootPid: 4242, mode: 'raw' });
  });

  it('refuses a start line of another wire version, saying to rebuild', () => {
    const r = record(decodeLine(line('start', 2, 4242, 'raw'), { pid: 1, ts: 5 }));
    expect(r).toMatchObject({ kind: 'lost', count: 1, pid: 1, ts: 5 });
    expect(r.kind === 'lost' && r.reason).toMatch(/wire version 2.*build:ebpf/);
  });

  it('decodes end with an exit code, a signal, survivors', () => {
    expect(decodeLine(line('end', 3, '-', 0, '-'))).toEqual({ type: 'end', exitCode: 3, signal: null, lost: 0, alive: [] });
    expect(decodeLine(line('end', '-', 9, 12, '77,78'))).toEqual({ type: 'end', exitCode: null, signal: 9, lost: 12, alive: [77, 78] });
  });

  it('decodes error messages in hex', () => {
    expect(decodeLine(line('error', hex('cannot load: Operation not permitted')))).toEqual({
      type: 'error',
      message: 'cannot load: Operation not permitted',
    });
  });
});

describe('decodeLine: records', () => {
  const ts = 1_700_000_000_000_000;

  it('keeps newline, tab, 0xff and UTF-8 in paths exactly (surrogate-escaped)', () => {
    const raw = Buffer.concat([Buffer.from('/tmp/a\nb\tc'), Buffer.from([0xff, 0xfe]), Buffer.from('データ')]);
    const r = record(decodeLine(line('open', ts, 10, 11, -100, 0o101, 0o644, 3, 2049, 1234, 0, hex(raw))));
    expect(r).toEqual({
      kind: 'open', pid: 10, tid: 11, ts, dirfd: -100, path: '/tmp/a\nb\tc\udcff\udcfeデータ', flags: 0o101, mode: 0o644, ret: 3, dev: 2049, ino: 1234,
    });
    expect(r.kind === 'open' && textToBytes(r.path).equals(raw)).toBe(true);
  });

  it('leaves dev and ino out when the loader did not know them, and marks truncation', () => {
    const r = record(decodeLine(line('open', ts, 10, 10, 5, 0, 0, -2, '-', '-', 1, hex('x'))));
    expect(r).toEqual({ kind: 'open', pid: 10, tid: 10, ts, dirfd: 5, path: 'x', flags: 0, mode: 0, ret: -2, truncated: true });
  });

  it('decodes a successful exec with argv and environment lists', () => {
    const argv = ['sh', '-c', 'echo "a\tb"\n', ''];
    const env = ['A=1', 'B=\udcff'];
    const fields = [
      'exec', ts, 20, 20, 0, 1000, 1001, 0, 0, 123456789, 0, hex('/bin/sh'),
      argv.length, ...argv.map((a) => hex(textToBytes(a))), env.length, ...env.map((e) => hex(textToBytes(e))),
    ];
    expect(record(decodeLine(fields.join('\t')))).toEqual({
      kind: 'exec', pid: 20, tid: 20, ts, path: '/bin/sh', argv, env, ret: 0, uid: 1000, gid: 1001, euid: 0, egid: 0, startNs: 123456789,
    });
  });

  it('decodes a failed exec: no ids, no environment', () => {
    const r = record(decodeLine(line('exec', ts, 20, 21, -2, '-', '-', '-', '-', '-', 1, hex('/nope'), 2, hex('nope'), hex('x'), '-')));
    expect(r).toEqual({ kind: 'exec', pid: 20, tid: 21, ts, path: '/nope', argv: ['nope', 'x'], ret: -2, truncated: true });
  });

  it('decodes an empty argv', () => {
    const r = record(decodeLine(line('exec', ts, 20, 20, -14, '-', '-', '-', '-', '-', 0, '', 0, '-')));
    expect(r).toMatchObject({ kind: 'exec', path: '', argv: [], ret: -14 });
  });

  it.each<[string, Array<string | number>, object]>([
    ['fork', [30, 123, 1], { kind: 'fork', child: 30, childStartNs: 123, sharesFiles: true }],
    ['exit', [256], { kind: 'exit', status: 256 }],
    ['close', [3, 0], { kind: 'close', fd: 3, ret: 0 }],
    ['close_range', [3, 4294967295, 4, 0], { kind: 'close_range', first: 3, last: 4294967295, flags: 4, ret: 0 }],
    ['io', [3, 4096, 0], { kind: 'io', fd: 3, bytesRead: 4096, bytesWritten: 0 }],
    ['dup', [3, 10, 1], { kind: 'dup', oldfd: 3, ret: 10, cloexec: true }],
    ['set_cloexec', [10, 0, 0], { kind: 'set_cloexec', fd: 10, cloexec: false, ret: 0 }],
    ['pipe', [3, 4, 524288, 0], { kind: 'pipe', fds: [3, 4], flags: 524288, ret: 0 }],
    ['chdir', [0, 0, hex('/tmp')], { kind: 'chdir', path: '/tmp', ret: 0 }],
    ['fchdir', [5, -9], { kind: 'fchdir', fd: 5, ret: -9 }],
    ['rename', [-100, 7, 1, 0, 0, hex('a'), hex('b')], { kind: 'rename', olddirfd: -100, oldpath: 'a', newdirfd: 7, newpath: 'b', flags: 1, ret: 0 }],
    ['link', [-100, -100, 0, -17, 0, hex('a'), hex('b')], { kind: 'link', olddirfd: -100, oldpath: 'a', newdirfd: -100, newpath: 'b', flags: 0, ret: -17 }],
    ['symlink', [-100, 0, 0, hex('../t'), hex('l')], { kind: 'symlink', target: '../t', newdirfd: -100, linkpath: 'l', ret: 0 }],
    ['unlink', [-100, 512, 0, 0, hex('d')], { kind: 'unlink', dirfd: -100, path: 'd', flags: 512, ret: 0 }],
    ['mkdir', [-100, 493, 0, 1, hex('d')], { kind: 'mkdir', dirfd: -100, path: 'd', mode: 493, ret: 0, truncated: true }],
    ['truncate', [2, 0, 0, hex('f')], { kind: 'truncate', path: 'f', length: 2, ret: 0 }],
    ['ftruncate', [3, 1, 0], { kind: 'ftruncate', fd: 3, length: 1, ret: 0 }],
    ['transfer', ['copy_file_range', 3, 4, 7], { kind: 'transfer', call: 'copy_file_range', fdIn: 3, fdOut: 4, ret: 7 }],
    ['mmap', [3, 3, 1, 0], { kind: 'mmap', fd: 3, prot: 3, flags: 1, ret: 0 }],
    ['attach', ['slurm', 3741433545963, 1651, hex('/home/a')], { kind: 'attach', scheduler: 'slurm', startNs: 3741433545963, ppid: 1651, cwd: '/home/a' }],
    ['attach', ['pbs', 3741433545963, 1651, '-'], { kind: 'attach', scheduler: 'pbs', startNs: 3741433545963, ppid: 1651 }],
    ['lost', [5, 'ring_buffer_full'], { kind: 'lost', count: 5, reason: 'ring_buffer_full' }],
  ])('decodes %s', (kind, rest, expected) => {
    expect(record(decodeLine(line(kind, ts, 1, 2, ...rest)))).toEqual({ pid: 1, tid: 2, ts, ...expected });
  });
});

describe('decodeLine: malformed lines become lost records, never exceptions', () => {
  const ctx = { pid: 99, ts: 1 };
  const reason = (l: string) => {
    const r = record(decodeLine(l, ctx));
    expect(r).toMatchObject({ kind: 'lost', count: 1, pid: 99, tid: 99, ts: 1 });
    return r.kind === 'lost' ? r.reason : '';
  };

  it.each<[string, string, RegExp]>([
    ['empty line', '', /unknown record kind ""/],
    ['unknown kind', 'frobnicate\t1\t2\t3', /unknown record kind "frobnicate"/],
    ['missing fields', 'close\t1\t2\t3\t4', /missing field ret/],
    ['extra fields', 'close\t1\t2\t3\t4\t0\t9', /1 unexpected extra field/],
    ['non-numeric', 'close\t1\t2\t3\tfour\t0', /fd is not an integer/],
    ['odd-length hex', 'chdir\t1\t2\t3\t0\t0\t2f7', /path is not hex/],
    ['uppercase/non-hex', 'chdir\t1\t2\t3\t0\t0\tzz', /path is not hex/],
    ['bad boolean', 'dup\t1\t2\t3\t3\t4\t2', /cloexec is not 0 or 1/],
    ['list count beyond the line', 'exec\t1\t2\t2\t0\t-\t-\t-\t-\t-\t0\t2f\t5\t61\t-', /argv count 5/],
    ['unsafe integer', 'io\t1\t2\t3\t4\t99999999999999999999\t0', /out of range/],
    ['unknown transfer call', 'transfer\t1\t2\t3\tsplat\t1\t2\t0', /unknown transfer call/],
    ['end with both code and signal', 'end\t1\t9\t0\t-', /exactly one/],
    ['end with bad survivors', 'end\t0\t-\t0\t1,x', /bad pid/],
  ])('%s', (_name, l, re) => {
    expect(reason(l)).toMatch(re);
  });

  it('shows at most 80 characters of a long bad line', () => {
    const r = reason(`bogus\t${'a'.repeat(500)}`);
    expect(r.length).toBeLessThan(200);
    expect(r).toContain('...');
  });

  it('defaults ts to now when not given', () => {
    const r = record(decodeLine('???', { pid: 3 }));
    expect(r.ts).toBeGreaterThan(Date.now() * 1000 - 60e6);
  });
});

describe('LineSplitter', () => {
  it('reassembles lines split across chunks and keeps an unterminated tail for finish()', () => {
    const s = new LineSplitter();
    const out: string[] = [];
    const on = (l: string) => out.push(l);
    s.push(Buffer.from('start\t1\t5\tr'), on);
    s.push(Buffer.from('aw\nclose\t1\t2\t3\t4\t0\nclo'), on);
    expect(out).toEqual(['start\t1\t5\traw', 'close\t1\t2\t3\t4\t0']);
    s.push(Buffer.from('se\t1'), on);
    s.finish(on);
    expect(out).toEqual(['start\t1\t5\traw', 'close\t1\t2\t3\t4\t0', 'close\t1']);
  });

  it('gives empty lines as empty strings', () => {
    const s = new LineSplitter();
    const out: string[] = [];
    s.push('\n\nx\n', (l) => out.push(l));
    expect(out).toEqual(['', '', 'x']);
  });
});
