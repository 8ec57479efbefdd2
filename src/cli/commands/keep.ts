import type { Command } from 'commander';
import { deletable, keepSet, LOCAL_ADMIN, type FileRef } from '../../graph/index.js';
import { fmtBytes, fmtCount, out, printJson, safe, table } from '../output.js';
import { resolveArg } from '../resolve-arg.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';

interface KeepOptions extends StoreFlags {
  json?: boolean;
  software?: boolean;
}

const fileRows = (fs: FileRef[]) => fs.map((f) => [f.path, f.version, fmtBytes(f.size), f.sha256?.slice(0, 12) ?? '']);

export function registerKeep(program: Command): void {
  withStoreOptions(program.command('keep').description('what to keep to make a file again: its source inputs, the programs and the job scripts'))
    .argument('<path...>', 'one or more files')
    .option('--software', 'also list the libraries and other system files')
    .option('--json', 'JSON for scripts')
    .action(async (args: string[], opts: KeepOptions) => {
      await withStore(opts, async (store) => {
        const refs = [];
        for (const a of args) refs.push((await resolveArg(store, a)).id);
        const k = await keepSet(store, LOCAL_ADMIN, refs);
        if (opts.json) return printJson(k);
        const section = (title: string, fs: FileRef[]) => {
          out(`${title} (${fmtCount(fs.length)}):`);
          if (fs.length) out(table(['  PATH', 'VERSION', 'SIZE', 'SHA256'], fileRows(fs).map((r) => [`  ${safe(String(r[0]))}`, ...r.slice(1)])));
        };
        section('inputs', k.inputs);
        section('programs', k.programs);
        section('scripts', k.scripts);
        if (opts.software) section('libraries and system files', k.libraries);
        else out(`libraries and system files: ${fmtCount(k.libraries.length)} (--software to list them)`);
      });
    });
}

interface DeletableOptions extends StoreFlags {
  job?: string;
  under?: string;
  json?: boolean;
}

export function registerDeletable(program: Command): void {
  withStoreOptions(program.command('deletable').description('files nothing kept depends on (kept: the final products, files nothing reads)'))
    .option('--job <id>', 'only files this job read or wrote')
    .option('--under <folder>', 'only files under this folder')
    .option('--json', 'JSON for scripts')
    .action(async (opts: DeletableOptions) => {
      await withStore(opts, async (store) => {
        const scope: Parameters<typeof deletable>[2] = {};
        if (opts.job) scope.job = (await resolveArg(store, opts.job)).id;
        if (opts.under) scope.pathPrefix = (await import('node:path')).resolve(opts.under);
        const d = await deletable(store, LOCAL_ADMIN, scope);
        if (opts.json) return printJson(d);
        out(`kept (${fmtCount(d.kept.length)}):`);
        for (const f of d.kept) out(`  ${safe(f.path)}`);
        out(`needed to make them again (${fmtCount(d.needed.length)}):`);
        for (const f of d.needed) out(`  ${safe(f.path)}`);
        out(`deletable (${fmtCount(d.deletable.length)}):`);
        for (const f of d.deletable) out(`  ${safe(f.path)}  ${fmtBytes(f.size)}`);
      });
    });
}
