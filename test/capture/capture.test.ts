// The capture suite: tiny real programs, one syscall pattern each, traced by
// the real `kiseki run` under each backend. Every case asserts the exact set
// of (program, path, read/write) facts, so both backends must agree.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { textToBytes } from '../../src/core/bytes-text.js';
import type { TraceEvent } from '../../src/core/trace-event.js';
import { accessFacts, buildPrograms, fileOps, ofType, PROGRAMS, trace, workdir, type Backend } from './harness.js';

const backends: Backend[] = ['ebpf', 'ptrace'];
const dataAccesses = (events: TraceEvent[]) => ofType(events, 'file.access').filter((e) => e.fileClass === 'data');
let bin: string;
beforeAll(() => {
  bin = buildPrograms();
});

describe.each(backends)('capture with %s', (backend) => {
  const run = (dir: string, argv: string[], opts?: Parameters<typeof trace>[3]) => {
    const t = trace(backend, dir, argv, opts);
    expect(t.result.stderr).toBe('');
    return t;
  };

  it('resolves a relative path after chdir', () => {
    const dir = workdir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub/in.txt'), 'input');
    const { events, result } = run(dir, [`${bin}/chdir-relative`]);
    expect(result.status).toBe(0);
    expect(accessFacts(events, { root: dir })).toEqual(['chdir-relative ./out.txt w', 'chdir-relative ./sub/in.txt r']);
  });

  it('resolves openat against its dirfd', () => {
    const dir = workdir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/in.txt'), 'input');
    const { events } = run(dir, [`${bin}/openat-dirfd`]);
    expect(accessFacts(events, { root: dir })).toEqual(['openat-dirfd ./data/in.txt r', 'openat-dirfd ./result.txt w']);
  });

  it('gives a redirection opened by the shell to the program that writes it', () => {
    const dir = workdir();
    const { events } = run(dir, ['/bin/sh', '-c', `${bin}/writer hi > out.txt`]);
    // The shell created and truncated out.txt; writer wrote into it.
    expect(accessFacts(events, { root: dir })).toEqual(['sh ./out.txt w', 'writer ./out.txt w']);
    const wrote = ofType(events, 'file.access').find((e) => e.path.endsWith('/out.txt') && e.bytesWritten > 0);
    expect(wrote?.bytesWritten).toBe(2);
  });

  it('follows dup2, F_DUPFD and close-on-exec into the exec\'d program', () => {
    const dir = workdir();
    const { events } = run(dir, [`${bin}/dup-exec`, `${bin}/writer`]);
    expect(accessFacts(events, { root: dir })).toEqual(['dup-exec ./dup-out.txt w', 'dup-exec ./hidden.txt w', 'writer ./dup-out.txt w']);
  });

  it('attributes a forked child without exec to the same program', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.txt'), 'x');
    const { events } = run(dir, [`${bin}/fork-no-exec`]);
    expect(accessFacts(events, { root: dir })).toEqual(['fork-no-exec ./child.txt w', 'fork-no-exec ./in.txt r']);
    expect(ofType(events, 'process.start')).toHaveLength(2);
  });

  it('counts a thread\'s I/O to its process and no new process', () => {
    const dir = workdir();
    const { events } = run(dir, [`${bin}/threads`]);
    expect(accessFacts(events, { root: dir })).toEqual(['threads ./main.txt w', 'threads ./thread.txt w']);
    expect(ofType(events, 'process.start')).toHaveLength(1);
  });

  it('records an atomic save: temporary file renamed over the original', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'doc.txt'), 'old');
    const { events } = run(dir, [`${bin}/atomic-save`]);
    expect(accessFacts(events, { root: dir })).toEqual(['atomic-save ./doc.txt.tmp w']);
    expect(fileOps(events, { root: dir })).toEqual(['rename ./doc.txt.tmp ./doc.txt']);
    const facts = ofType(events, 'file.facts').find((f) => f.path === join(dir, 'doc.txt'));
    expect(facts?.sha256).toBe('11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437'); // sha256("new")
  });

  it('records an in-place edit (sed -i) as read, temporary write and rename', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'f.txt'), 'alpha\n');
    const { events } = run(dir, ['sed', '-i', 's/alpha/beta/', 'f.txt']);
    const o = { root: dir, rename: [[/sed\w{6}$/, 'sedXXXXXX']] as Array<[RegExp, string]> };
    expect(accessFacts(events, o)).toEqual(['sed ./f.txt r', 'sed ./sedXXXXXX w']);
    expect(fileOps(events, o)).toEqual(['rename ./sedXXXXXX ./f.txt']);
  });

  it('records cp (copy_file_range) as one read and one write', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'a.txt'), 'copy me');
    const { events } = run(dir, ['cp', 'a.txt', 'b.txt']);
    expect(accessFacts(events, { root: dir })).toEqual(['cp ./a.txt r', 'cp ./b.txt w']);
    const moved = ofType(events, 'file.access').filter((e) => e.path.startsWith(dir)).map((e) => e.bytesRead + e.bytesWritten);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(14);
  });

  it('links a pipeline through the pipe: cat a | sort > b', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'a'), 'b\na\n');
    const { events } = run(dir, ['/bin/sh', '-c', 'cat a | sort > b']);
    expect(accessFacts(events, { root: dir })).toEqual(['cat ./a r', 'cat pipe w', 'sh ./b w', 'sort ./b w', 'sort pipe r']);
    const pipes = new Set(ofType(events, 'file.access').filter((e) => e.fileClass === 'pipe').map((e) => e.path));
    expect(pipes.size).toBe(1);
  });

  it('sees a write made only through a shared writable mapping', () => {
    const dir = workdir();
    const { events } = run(dir, [`${bin}/mmap-write`]);
    expect(accessFacts(events, { root: dir })).toEqual(['mmap-write ./mapped.bin w']);
    expect(dataAccesses(events)[0]?.mmapWrite).toBe(true);
  });

  it('marks O_APPEND writes as appends', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'log.txt'), 'first\n');
    const { events } = run(dir, [`${bin}/append`]);
    expect(accessFacts(events, { root: dir })).toEqual(['append ./log.txt w']);
    expect(dataAccesses(events)[0]).toMatchObject({ append: true, truncate: false, bytesWritten: 5 });
  });

  it('records truncate by path and by fd', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'by-path.txt'), 'abcdef');
    writeFileSync(join(dir, 'by-fd.txt'), 'abcdef');
    const { events } = run(dir, [`${bin}/truncate`]);
    expect(fileOps(events, { root: dir })).toEqual(['truncate ./by-fd.txt 1', 'truncate ./by-path.txt 2']);
    expect(accessFacts(events, { root: dir })).toEqual(['truncate ./by-fd.txt w']);
  });

  it('records a temporary file that was unlinked while open', () => {
    const dir = workdir();
    const { events } = run(dir, [`${bin}/unlinked-temp`]);
    expect(accessFacts(events, { root: dir })).toEqual(['unlinked-temp ./scratch.tmp rw']);
    expect(fileOps(events, { root: dir })).toEqual(['unlink ./scratch.tmp']);
    expect(ofType(events, 'file.facts').find((f) => f.path.endsWith('scratch.tmp'))?.exists).toBe(false);
  });

  it('records hard and symbolic links and reads through them', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'orig.txt'), 'original');
    const { events } = run(dir, [`${bin}/links`]);
    expect(fileOps(events, { root: dir })).toEqual(['link ./orig.txt ./hard.txt', 'symlink orig.txt ./soft.txt']);
    expect(accessFacts(events, { root: dir })).toEqual(['links ./hard.txt r', 'links ./soft.txt r']);
  });

  it('keeps file names with spaces, newline, quotes, UTF-8 and invalid bytes exact', () => {
    const dir = workdir();
    const names = [
      Buffer.from('with space.txt'), Buffer.from('new\nline.txt'), Buffer.from('q"u\'o`te.txt'),
      Buffer.from('データ.txt'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x74]), Buffer.from('tab\there.txt'),
      Buffer.from('<img src=x onerror=alert(1)>'),
    ];
    const { events, result } = run(dir, [`${bin}/make-named`, '-x', ...names.map((n) => n.toString('hex'))]);
    expect(result.status).toBe(0);
    const written = ofType(events, 'file.access').filter((e) => e.write).map((e) => textToBytes(e.path).toString('hex')).sort();
    expect(written).toEqual(names.map((n) => Buffer.concat([Buffer.from(`${dir}/`), n]).toString('hex')).sort());
  });

  it('keeps paths longer than 255 bytes whole', () => {
    const dir = workdir();
    const deep = join(dir, 'a'.repeat(120), 'b'.repeat(120), 'c'.repeat(120));
    mkdirSync(deep, { recursive: true });
    const target = join(deep, 'long-name-file.txt');
    expect(Buffer.byteLength(target)).toBeGreaterThan(360);
    const { events } = run(dir, [`${bin}/make-named`, target]);
    expect(dataAccesses(events).map((e) => e.path)).toEqual([target]);
  });

  it('records failed execs and keeps tracing the program that tried', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'not-executable.txt'), 'data');
    chmodSync(join(dir, 'not-executable.txt'), 0o644);
    const { events } = run(dir, [`${bin}/exec-fails`]);
    expect(ofType(events, 'process.exec_failed').map((e) => [e.path.slice(dir.length), e.errno])).toEqual([
      ['/does-not-exist', 2], ['/not-executable.txt', 13],
    ]);
    expect(accessFacts(events, { root: dir })).toEqual(['exec-fails ./after.txt w']);
  });

  it('follows a daemon that outlives its parent', () => {
    const dir = workdir();
    const { events, result } = run(dir, [`${bin}/daemonize`], { linger: 5000 });
    expect(result.status).toBe(0);
    expect(accessFacts(events, { root: dir })).toEqual(['daemonize ./daemon.txt w']);
    expect(ofType(events, 'run.end')[0]).toMatchObject({ complete: true, stillRunning: [] });
  });

  it('loses none of 10,000 small files, or says how many it lost', () => {
    const dir = workdir();
    const { events } = run(dir, [`${bin}/many-files`, '10000']);
    expect(readdirSync(join(dir, 'many'))).toHaveLength(10000);
    const writes = ofType(events, 'file.access').filter((e) => e.write && e.path.includes('/many/f'));
    const end = ofType(events, 'run.end')[0]!;
    if (end.lostEvents === 0) expect(writes).toHaveLength(10000);
    else expect(end.complete).toBe(false);
    expect(new Set(writes.map((w) => w.path)).size).toBe(writes.length);
  });

  it('sees a Python script read its input and write its output', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'table.csv'), 'a,b\n1,2\n');
    copyFileSync(join(PROGRAMS, 'csv-to-json.py'), join(dir, 'csv-to-json.py'));
    const { events, result } = run(dir, ['/usr/bin/python3', 'csv-to-json.py']);
    expect(result.status).toBe(0);
    // The script itself is data: it is what a reproduction needs.
    expect(accessFacts(events, { root: dir })).toEqual(['python3 ./csv-to-json.py r', 'python3 ./table.csv r', 'python3 ./table.json w']);
    const software = accessFacts(events, { root: dir, software: true }).filter((f) => f.includes('/usr/lib/python3'));
    expect(software.length).toBeGreaterThan(0);
  });

  it('records exec details: argv, cwd and allow-listed environment only', () => {
    const dir = workdir();
    const { events } = run(dir, [`${bin}/writer`, 'arg with space\n'], { env: { OMP_NUM_THREADS: '3', MY_SECRET: 's3cret' } });
    const exec = ofType(events, 'process.exec')[0]!;
    expect(exec.argv).toEqual([`${bin}/writer`, 'arg with space\n']);
    expect(exec.exe).toBe(`${bin}/writer`);
    expect(exec.cwd).toBe(dir);
    expect(exec.env.OMP_NUM_THREADS).toBe('3');
    expect(exec.env.MY_SECRET).toBeUndefined();
    expect(ofType(events, 'run.start')[0]).toMatchObject({ backend, argv: [`${bin}/writer`, 'arg with space\n'] });
  });
});
