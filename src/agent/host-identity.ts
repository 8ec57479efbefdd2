import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { InheritedFd } from './normalizer.js';

export interface HostIdentity {
  host: string;
  bootId: string;
}

export function hostIdentity(): HostIdentity {
  let bootId = 'unknown-boot';
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux, or /proc hidden: process keys still hold host and pid+start.
  }
  return { host: hostname(), bootId };
}

const CLOCK_TICKS = 100;

/** A process's start in ns since boot (from /proc/PID/stat), if readable. */
export function processStartNs(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks === undefined ? undefined : String(BigInt(ticks) * BigInt(1e9 / CLOCK_TICKS));
  } catch {
    return undefined;
  }
}

/** What this process's fds 0-2 point at; the traced command inherits them. */
export function inheritedStdio(): InheritedFd[] {
  const out: InheritedFd[] = [];
  for (const fd of [0, 1, 2]) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
      const flags = parseInt(/^flags:\s*([0-7]+)/m.exec(info)?.[1] ?? '0', 8);
      out.push({ fd, target, flags });
    } catch {
      // fd closed: nothing inherited there.
    }
  }
  return out;
}
