import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { exportJobProvJson, exportLineageProvJson } from '../../graph/export/index.js';
import { LOCAL_ADMIN } from '../../graph/index.js';
import { CliError } from '../errors.js';
import { fmtCount, safe } from '../output.js';
import { resolveArg } from '../resolve-arg.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';
import type { ApiClient } from '../remote/api-client.js';
import { resolveRemote } from '../remote/resolve.js';
import { remoteFor, withServerOption } from '../remote/server-mode.js';

interface ExportOptions extends StoreFlags {
  server?: string;
  format: 'prov-json';
  output?: string;
  software?: boolean;
  quiet?: boolean;
}

export function registerExport(program: Command): void {
  withServerOption(withStoreOptions(program.command('export').description('export provenance for other tools: a whole job, or the lineage of a file')))
    .argument('<job|path>', 'a job id (or its first characters): the whole job; a file path: the file and everything it came from')
    .addOption(new Option('--format <format>', 'output format').choices(['prov-json']).makeOptionMandatory())
    .option('-o, --output <file>', 'write here instead of standard output')
    .option('--software', 'include system software (libraries, system programs)')
    .option('-q, --quiet', 'no summary on stderr')
    .action(async (arg: string, opts: ExportOptions) => {
      const api = remoteFor(opts);
      if (api) return remoteExport(api, arg, opts);
      await withStore(opts, async (store) => {
        const r = await resolveArg(store, arg);
        const o = { includeSoftware: opts.software ?? false };
        let x;
        if (r.kind === 'job') x = await exportJobProvJson(store, LOCAL_ADMIN, r.id, o);
        else {
          const { rows } = await store.db.query<{ kind: string }>('select kind from node where id = $1', [r.id]);
          x = rows[0]?.kind === 'job' ? await exportJobProvJson(store, LOCAL_ADMIN, r.id, o) : await exportLineageProvJson(store, LOCAL_ADMIN, r.id, o);
        }
        writeExport(x.document, opts, { scope: x.scope.kind, nodes: x.nodes, relations: x.relations, truncated: x.truncated });
      });
    });
}

/** The document to --output or standard output, and the summary line. */
function writeExport(document: unknown, opts: ExportOptions, x: { scope: string; nodes: number; relations: number; truncated: boolean }): void {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (opts.output) {
    try {
      writeFileSync(opts.output, text);
    } catch (err) {
      throw new CliError('E_EXPORT_WRITE', `cannot write ${opts.output}: ${(err as Error).message}`);
    }
  } else process.stdout.write(text);
  if (x.truncated) process.stderr.write('kiseki: the lineage was too big to export whole; the document is partial\n');
  if (!opts.quiet && opts.output) {
    process.stderr.write(`kiseki: ${x.scope === 'job' ? 'job' : 'lineage'}: ${fmtCount(x.nodes)} nodes, ${fmtCount(x.relations)} relations → ${safe(opts.output)}\n`);
  }
}

const RELATION_KINDS = ['used', 'wasGeneratedBy', 'wasInvalidatedBy', 'wasInformedBy', 'wasStartedBy', 'wasAssociatedWith', 'wasDerivedFrom'];

/** `export` through the server: the server makes the document (and audits the export). */
async function remoteExport(api: ApiClient, arg: string, opts: ExportOptions): Promise<void> {
  const r = await resolveRemote(api, arg);
  const job = r.nodeKind === 'job';
  const { json: doc, headers } = await api.request<Record<string, Record<string, unknown> | undefined>>('GET', '/api/v1/export/prov-json', {
    query: { ...(job ? { job: r.id } : { node: r.id }), includeSoftware: opts.software ?? false },
  });
  const count = (k: string) => Object.keys(doc[k] ?? {}).length;
  writeExport(doc, opts, {
    scope: job ? 'job' : 'lineage', nodes: count('entity') + count('activity') + count('agent'),
    relations: RELATION_KINDS.reduce((n, k) => n + count(k), 0), truncated: headers.get('x-kiseki-truncated') === 'true',
  });
}
