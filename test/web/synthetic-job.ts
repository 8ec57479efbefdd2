// A big synthetic job for the web benchmark (and the graph's size tests):
// valid TraceEvents, as `kiseki run` would write them.
import { SyntheticTrace } from '../store/synthetic-trace.js';

/**
 * A job of `pipelines` chains of `steps` program runs; each run reads two
 * fresh inputs and the previous step's output, and writes two files. Nodes:
 * job + user + shell + runs + 2 inputs and 2 outputs per run ≈ 5 per run.
 */
export function syntheticJob(nodes: number): { ndjson: string; runId: string } {
  const runs = Math.max(1, Math.round((nodes - 3) / 5));
  const steps = 10;
  const pipelines = Math.ceil(runs / steps);
  const dir = '/scratch/bench';
  const t = new SyntheticTrace(undefined, { uid: 1000, gid: 1000, name: 'bench' });
  t.runStart(['bash', 'many.sh'], dir);
  const sh = t.spawn(null, '/usr/bin/bash', ['bash', 'many.sh'], dir);
  let made = 0;
  for (let p = 0; p < pipelines && made < runs; p++) {
    let prev: string | null = null;
    for (let s = 0; s < steps && made < runs; s++, made++) {
      const step = t.spawn(sh, `/opt/tools/step${s}`, [`step${s}`, `--pipeline=${p}`], dir);
      t.read(step, `${dir}/in/p${p}_s${s}_a.dat`);
      t.read(step, `${dir}/in/p${p}_s${s}_b.dat`);
      if (prev) t.read(step, prev);
      t.write(step, `${dir}/out/p${p}_s${s}.dat`);
      t.write(step, `${dir}/log/p${p}_s${s}.log`);
      t.exit(step);
      prev = `${dir}/out/p${p}_s${s}.dat`;
    }
  }
  t.exit(sh);
  t.runEnd();
  return { ndjson: t.ndjson(), runId: t.runId };
}
