// Synthetic TraceEvent streams that look like real `kiseki run` traces, for
// the store, ingest and graph suites (no tracer needed).
import { randomUUID } from 'node:crypto';
import { TRACE_FORMAT, type TraceEvent } from '../../src/core/trace-event.js';

export interface Proc {
  ref: string;
  execSeq: number;
}

export class SyntheticTrace {
  readonly events: TraceEvent[] = [];
  private static made = 0;
  // Each trace gets its own time span and pids, as real runs do.
  private clock = 1_700_000_000_000_000 + SyntheticTrace.made * 1_000_000_000;
  private nextPid = 1000 + SyntheticTrace.made * 1000;
  readonly host = 'node1';
  readonly bootId = 'boot-1';

  constructor(readonly runId: string = randomUUID(), readonly user = { uid: 1000, gid: 1000, name: 'alice' }) {
    SyntheticTrace.made++;
  }

  tick(us = 10): number {
    this.clock += us;
    return this.clock;
  }

  runStart(argv: string[], cwd = '/home/alice/work'): this {
    this.events.push({
      type: 'run.start', format: TRACE_FORMAT, ts: this.tick(), runId: this.runId, host: this.host, bootId: this.bootId,
      backend: 'ptrace', argv, cwd, uid: this.user.uid, gid: this.user.gid, user: this.user.name, job: { scheduler: 'local', id: this.runId },
    });
    return this;
  }

  /** fork (from parent, or the root when null) and optionally exec. */
  spawn(parent: Proc | null, exe?: string, argv?: string[], cwd = '/home/alice/work'): Proc {
    const pid = this.nextPid++;
    const startNs = String(this.tick() * 1000);
    const ref = `${this.host}:${this.bootId}:${pid}:${startNs}`;
    this.events.push({
      type: 'process.start', ts: this.tick(), proc: ref, parent: parent?.ref ?? null, parentExecSeq: parent ? parent.execSeq : null,
      host: this.host, bootId: this.bootId, pid, ppid: parent ? Number(parent.ref.split(':')[2]) : 1, startNs, cwd,
    });
    const p: Proc = { ref, execSeq: 0 };
    if (exe) this.exec(p, exe, argv ?? [exe], cwd);
    return p;
  }

  exec(p: Proc, exe: string, argv: string[], cwd = '/home/alice/work', extra: { uid?: number; euid?: number } = {}): Proc {
    p.execSeq++;
    this.events.push({ type: 'process.exec', ts: this.tick(), proc: p.ref, execSeq: p.execSeq, exe, argv, cwd, env: { PATH: '/usr/bin' }, ...extra });
    return p;
  }

  access(p: Proc, path: string, o: Partial<{ read: boolean; write: boolean; create: boolean; truncate: boolean; append: boolean; fileClass: 'data' | 'software' | 'pipe'; bytes: number }>): this {
    const ts = this.tick();
    const write = o.write ?? false;
    this.events.push({
      type: 'file.access', ts, tsEnd: this.tick(5), proc: p.ref, execSeq: p.execSeq, path, fileClass: o.fileClass ?? (path.startsWith('pipe:') ? 'pipe' : 'data'),
      read: o.read ?? false, write, create: o.create ?? write, truncate: o.truncate ?? (write && !o.append), append: o.append ?? false,
      bytesRead: o.read ? o.bytes ?? 100 : 0, bytesWritten: write ? o.bytes ?? 100 : 0, mmapWrite: false,
    });
    return this;
  }

  read(p: Proc, path: string, fileClass?: 'data' | 'software' | 'pipe'): this {
    return this.access(p, path, { read: true, ...(fileClass ? { fileClass } : {}) });
  }

  write(p: Proc, path: string, o: { append?: boolean; truncate?: boolean; create?: boolean } = {}): this {
    return this.access(p, path, { write: true, ...o });
  }

  rename(p: Proc, from: string, to: string): this {
    this.events.push({ type: 'file.rename', ts: this.tick(), proc: p.ref, execSeq: p.execSeq, from, to });
    return this;
  }

  unlink(p: Proc, path: string): this {
    this.events.push({ type: 'file.unlink', ts: this.tick(), proc: p.ref, execSeq: p.execSeq, path, directory: false });
    return this;
  }

  link(p: Proc, target: string, path: string, symbolic = false): this {
    this.events.push({ type: 'file.link', ts: this.tick(), proc: p.ref, execSeq: p.execSeq, target, path, symbolic });
    return this;
  }

  exit(p: Proc, exitCode = 0): this {
    this.events.push({ type: 'process.exit', ts: this.tick(), proc: p.ref, exitCode, signal: null });
    return this;
  }

  facts(path: string, f: { exists?: boolean; size?: number; sha256?: string } = {}): this {
    this.events.push({ type: 'file.facts', ts: this.tick(), path, exists: f.exists ?? true, ...(f.size !== undefined ? { size: f.size } : {}), ...(f.sha256 ? { sha256: f.sha256 } : {}) });
    return this;
  }

  runEnd(exitCode = 0): this {
    this.events.push({ type: 'run.end', ts: this.tick(), runId: this.runId, exitCode, signal: null, lostEvents: 0, stillRunning: [], complete: true });
    return this;
  }

  ndjson(): string {
    return this.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  }
}

/** `bash job.sh` running `cat a | sort > b` (a must be among b's ancestors). */
export function catSortPipeline(dir = '/home/alice/work'): SyntheticTrace {
  const t = new SyntheticTrace();
  t.runStart(['bash', 'job.sh'], dir);
  const bash = t.spawn(null, '/usr/bin/bash', ['bash', 'job.sh'], dir);
  t.read(bash, '/usr/lib/x86_64-linux-gnu/libc.so.6', 'software');
  t.read(bash, `${dir}/job.sh`);
  const cat = t.spawn(bash, '/usr/bin/cat', ['cat', 'a'], dir);
  const sort = t.spawn(bash, '/usr/bin/sort', ['sort'], dir);
  t.read(cat, `${dir}/a`);
  t.access(cat, 'pipe:[4242]', { write: true, fileClass: 'pipe' });
  t.exit(cat);
  t.access(sort, 'pipe:[4242]', { read: true, fileClass: 'pipe' });
  t.write(sort, `${dir}/b`);
  t.exit(sort);
  t.exit(bash);
  t.facts(`${dir}/b`, { size: 100 });
  t.runEnd();
  return t;
}

/** `sed -i f`: sed reads f, writes a temporary file, renames it over f. */
export function sedInPlace(dir = '/home/alice/work'): SyntheticTrace {
  const t = new SyntheticTrace();
  t.runStart(['sed', '-i', 's/x/y/', 'f'], dir);
  const sed = t.spawn(null, '/usr/bin/sed', ['sed', '-i', 's/x/y/', 'f'], dir);
  t.read(sed, `${dir}/f`);
  t.write(sed, `${dir}/sedAbc123`);
  t.rename(sed, `${dir}/sedAbc123`, `${dir}/f`);
  t.exit(sed);
  t.runEnd();
  return t;
}

/** `gen > tmp; mv tmp final`. */
export function mvTmpFinal(dir = '/home/alice/work'): SyntheticTrace {
  const t = new SyntheticTrace();
  t.runStart(['sh', 'make-final.sh'], dir);
  const sh = t.spawn(null, '/bin/sh', ['sh', 'make-final.sh'], dir);
  t.read(sh, `${dir}/make-final.sh`);
  const gen = t.spawn(sh, '/usr/local/bin/gen', ['gen', 'in.dat'], dir);
  t.read(gen, `${dir}/in.dat`);
  t.write(gen, `${dir}/tmp`);
  t.exit(gen);
  const mv = t.spawn(sh, '/usr/bin/mv', ['mv', 'tmp', 'final'], dir);
  t.rename(mv, `${dir}/tmp`, `${dir}/final`);
  t.exit(mv);
  t.exit(sh);
  t.runEnd();
  return t;
}

/** `bash pipeline.sh`: step1 in.csv > s1; step2 s1 > s2; step3 s2 params.txt > out. */
export function threeStepPipeline(dir = '/home/alice/work'): SyntheticTrace {
  const t = new SyntheticTrace();
  t.runStart(['bash', 'pipeline.sh'], dir);
  const bash = t.spawn(null, '/usr/bin/bash', ['bash', 'pipeline.sh'], dir);
  t.read(bash, '/usr/lib/x86_64-linux-gnu/libc.so.6', 'software');
  t.read(bash, `${dir}/pipeline.sh`);
  const s1 = t.spawn(bash, '/opt/tools/step1', ['step1', 'in.csv'], dir);
  t.read(s1, '/usr/lib/x86_64-linux-gnu/libc.so.6', 'software');
  t.read(s1, `${dir}/in.csv`);
  t.write(s1, `${dir}/s1.dat`);
  t.exit(s1);
  const s2 = t.spawn(bash, '/opt/tools/step2', ['step2', 's1.dat'], dir);
  t.read(s2, `${dir}/s1.dat`);
  t.write(s2, `${dir}/s2.dat`);
  t.exit(s2);
  const s3 = t.spawn(bash, '/opt/tools/step3', ['step3', 's2.dat'], dir);
  t.read(s3, `${dir}/s2.dat`);
  t.read(s3, `${dir}/params.txt`);
  t.write(s3, `${dir}/out.dat`);
  t.exit(s3);
  // unrelated: a log nobody reads, and a scratch file removed at the end
  const s4 = t.spawn(bash, '/opt/tools/step4', ['step4'], dir);
  t.read(s4, `${dir}/other.csv`);
  t.write(s4, `${dir}/scratch.tmp`);
  t.write(s4, `${dir}/log.txt`);
  t.unlink(s4, `${dir}/scratch.tmp`);
  t.exit(s4);
  t.exit(bash);
  t.runEnd();
  return t;
}
