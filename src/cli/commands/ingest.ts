// `kiseki ingest FILE.ndjson`: store a trace file `kiseki run` kept (the store
// was locked or down), or any trace file. If the run had stored part of its
// events before the store failed, only the rest is sent, numbered after the
// batches already there, so nothing is stored twice.
import type { Command } from 'commander';
import { aggregate } from '../../graph/index.js';
import { ingestBatches, readNdjsonLines } from '../../ingest/index.js';
import { CliError } from '../errors.js';
import { fmtCount, out, printJson, safe } from '../output.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';

interface IngestOptions extends StoreFlags {
  source?: string;
  json?: boolean;
}

const BATCH = 5000;

export function registerIngest(program: Command): void {
  withStoreOptions(program.command('ingest').description('store a trace file (NDJSON from kiseki run) in the store'))
    .argument('<file>', 'the NDJSON trace file')
    .option('--source <name>', 'ingest source name (default: run:<run id> from the file\'s run.start)')
    .option('--json', 'JSON for scripts')
    .action(async (file: string, opts: IngestOptions) => {
      const lines = await readNdjsonLines(file).catch((err: { code?: string; message: string }) => {
        throw new CliError(err.code ?? 'E_INGEST_IO', err.message);
      });
      let source = opts.source;
      if (!source) {
        const first = lines.find((l) => l.text.includes('"run.start"'));
        const m = first && /"runId"\s*:\s*"([^"]+)"/.exec(first.text);
        if (!m) throw new CliError('E_INGEST_BATCH', `${file}: no run.start event to name the source; pass --source NAME`, 2);
        source = `run:${m[1]}`;
      }
      const src = source;
      await withStore(opts, async (store) => {
        const { rows } = await store.db.query<{ next: number; events: number }>(
          'select coalesce(max(seq) + 1, 0)::int as next, coalesce(sum(event_count), 0)::int as events from ingest_batch where source = $1', [src]);
        const already = Number(rows[0]!.events);
        let seq = Number(rows[0]!.next);
        if (already > lines.length) {
          throw new CliError('E_INGEST_CONFLICT', `the store holds ${already} events of ${src}, more than the ${lines.length} in ${file}: not the same run`);
        }
        const rest = lines.slice(already);
        const batches = [];
        for (let i = 0; i < rest.length; i += BATCH) batches.push({ source: src, seq: seq++, events: rest.slice(i, i + BATCH).map((l) => l.text) });
        let stored = 0;
        let agg = null;
        if (batches.length > 0) {
          const r = await ingestBatches(store, batches);
          stored = r.batches.reduce((n, b) => n + (b.status === 'stored' ? b.events : 0), 0);
          agg = r.aggregated;
        } else {
          agg = await aggregate(store, { source: src }); // finish what a failed run left unaggregated
        }
        const result = { file, source: src, events: lines.length, alreadyStored: already, stored, aggregated: agg };
        if (opts.json) return printJson(result);
        if (stored === 0 && already === lines.length) out(`${safe(file)}: all ${fmtCount(lines.length)} events of ${src} were already stored`);
        else out(`${safe(file)}: ${fmtCount(stored)} events stored${already ? ` (${fmtCount(already)} were already there)` : ''} as ${src}`);
      });
    });
}
