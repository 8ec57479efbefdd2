// The eBPF backend: build/ebpf/kiseki-ebpf (loader.c + kiseki.bpf.c) loads a
// CO-RE BPF program, starts the command and writes one line per record on
// fd 3; ebpf-decoder.ts turns the lines into RawRecords. See
// docs/ebpf-backend.md for the probes, the wire format and the limits.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants as fsc, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { textToBytes } from '../../core/bytes-text.js';
import { packageRoot } from '../../core/package-root.js';
import type { Availability, TraceOutcome, TraceRequest, TracerBackend } from '../backend.js';
import { DeferredLines } from '../deferred-lines.js';
import { decodeLine, type EndLine } from './ebpf-decoder.js';

/** Where `npm run build:ebpf` puts the loader. */
export function loaderPath(): string {
  return process.env.KISEKI_EBPF_LOADER ?? join(packageRoot(), 'build', 'ebpf', 'kiseki-ebpf');
}

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

/** Effective capabilities of this process (from /proc/self/status). */
function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

function hasCap(caps: bigint, cap: number): boolean {
  return ((caps >> BigInt(cap)) & 1n) === 1n;
}

let availableCache: Promise<Availability> | undefined;

async function available(): Promise<Availability> {
  availableCache ??= Promise.resolve().then(checkAvailable);
  return availableCache;
}

function checkAvailable(): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: 'eBPF tracing needs Linux' };
  const caps = effectiveCaps();
  const privileged =
    process.getuid?.() === 0 || hasCap(caps, CAP_SYS_ADMIN) || (hasCap(caps, CAP_BPF) && hasCap(caps, CAP_PERFMON));
  if (!privileged) return { ok: false, reason: 'needs root (or CAP_BPF and CAP_PERFMON)' };
  if (!existsSync('/sys/kernel/btf/vmlinux')) {
    return { ok: false, reason: 'the kernel has no BTF (/sys/kernel/btf/vmlinux; needs CONFIG_DEBUG_INFO_BTF=y)' };
  }
  const bin = loaderPath();
  try {
    accessSync(bin, fsc.X_OK);
  } catch {
    return { ok: false, reason: `the loader is not built (${bin}): run \`npm run build:ebpf\`` };
  }
  // Every probe is a BTF tracepoint (tp_btf), so tracefs is not needed. A
  // real load and attach tells whether this kernel accepts the program
  // (verifier, lockdown, seccomp'd containers...): about 50 ms.
  const probe = spawnSync(bin, ['--check'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'ignore', 'pipe'] });
  if (probe.status !== 0) {
    const why =
      (probe.stderr ?? '')
        .split('\n')
        .map((l) => l.replace(/^kiseki-ebpf: /, '').trim())
        .find((l) => l !== '') ?? (probe.error ? probe.error.message : `exit status ${probe.status}`);
    return { ok: false, reason: `eBPF tracing does not work here: ${why}` };
  }
  return { ok: true, reason: 'BPF program loads; kernel with BTF' };
}

/** For tests: forget the cached availability. */
export function resetEbpfCache(): void {
  availableCache = undefined;
}

function hex(text: string): string {
  return textToBytes(text).toString('hex');
}

function trace(request: TraceRequest): Promise<TraceOutcome> {
  return new Promise<TraceOutcome>((resolvePromise, rejectPromise) => {
    const linger = Number.isFinite(request.lingerMs) ? Math.max(0, Math.round(request.lingerMs)) : 0x7fffffff;
    // File and argv travel in hex: they are bytes (surrogate-escaped text),
    // which node would otherwise re-encode as UTF-8.
    const args = ['--linger-ms', String(linger), '--hex-args', '--', hex(request.file), ...request.argv.map(hex)];
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(request.env)) if (v !== undefined) env[k] = v;

    const child = spawn(loaderPath(), args, {
      cwd: request.cwd,
      env,
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    });
    const stream = child.stdio[3] as Readable;

    let rootPid: number | null = null;
    let end: EndLine | null = null;
    let loaderError: string | null = null;
    let malformed = 0;
    let callbackError: unknown = null;
    let spawnError: Error | null = null;

    const onLine = (line: string) => {
      const d = decodeLine(line, { pid: rootPid ?? 0 });
      switch (d.type) {
        case 'start':
          rootPid = d.rootPid;
          try {
            request.onStarted?.(d.rootPid);
          } catch (err) {
            callbackError ??= err;
          }
          return;
        case 'end':
          end = d;
          return;
        case 'error':
          loaderError = d.message;
          return;
        case 'record':
          if (d.record.kind === 'lost' && d.record.reason.startsWith('malformed')) malformed += d.record.count;
          try {
            request.onRecord(d.record);
          } catch (err) {
            callbackError ??= err;
          }
      }
    };

    const lines = new DeferredLines(onLine);
    stream.on('data', (chunk: Buffer) => lines.push(chunk));
    stream.on('error', (err) => {
      spawnError ??= err;
    });
    child.on('error', (err) => {
      spawnError ??= err;
    });
    // 'close' comes after the process exited and fd 3 reached EOF.
    child.on('close', (code, signal) => {
      lines.finish();
      if (spawnError && rootPid === null) {
        const e = spawnError as NodeJS.ErrnoException;
        const where = e.code === 'ENOENT' && !existsSync(request.cwd) ? `: the working directory ${request.cwd} does not exist` : '';
        return rejectPromise(new Error(`cannot start ${loaderPath()}: ${e.message}${where}`, { cause: e }));
      }
      if (callbackError) return rejectPromise(callbackError);
      const final = end as EndLine | null;
      if (!final) {
        const how = loaderError ?? (signal ? `killed by ${signal}` : `exit status ${code}`);
        return rejectPromise(new Error(`kiseki-ebpf failed: ${how}`));
      }
      resolvePromise({
        rootPid: rootPid ?? 0,
        exitCode: final.exitCode,
        signal: final.signal,
        lost: final.lost + malformed,
      });
    });
  });
}

export const ebpfBackend: TracerBackend = {
  name: 'ebpf',
  available,
  trace,
};
