// CPU time of this process and of the PostgreSQL backends serving it: a
// figure that, unlike wall time, does not depend much on what else runs on
// a shared machine.
import { readFileSync } from 'node:fs';
import type { Db } from '../src/store/db.js';

const TICK_MS = 10; // USER_HZ = 100 on Linux

function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  } catch {
    return 0;
  }
}

export interface CpuMark {
  node: NodeJS.CpuUsage;
  pg: Map<number, number>;
}

async function backends(db: Db): Promise<number[]> {
  if (db.kind !== 'postgres') return [];
  const { rows } = await db.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'`);
  return rows.map((r) => Number(r.pid));
}

export async function cpuMark(db: Db): Promise<CpuMark> {
  const pg = new Map<number, number>();
  for (const pid of await backends(db)) pg.set(pid, ticksOf(pid));
  return { node: process.cpuUsage(), pg };
}

/** CPU milliseconds since `m`: this process, and the database backends (0 on PGlite: it runs in this process). */
export async function cpuSince(db: Db, m: CpuMark): Promise<{ nodeMs: number; pgMs: number }> {
  const u = process.cpuUsage(m.node);
  let pg = 0;
  for (const pid of await backends(db)) pg += ticksOf(pid) - (m.pg.get(pid) ?? 0);
  return { nodeMs: (u.user + u.system) / 1000, pgMs: pg * TICK_MS };
}
