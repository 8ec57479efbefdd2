// `kiseki visibility set`: who may see a job, program run or file version.
// Only its owner, an admin of its group, or an admin may change it; the
// server checks that (403 otherwise) and audits the change.
import { Argument, type Command } from 'commander';
import { positiveInt } from '../options.js';
import { out, printJson, safe } from '../output.js';
import { resolveRemote } from '../remote/resolve.js';
import { requireServer, withServerOnly } from '../remote/server-mode.js';

export function registerVisibility(program: Command): void {
  const vis = program.command('visibility').description('who may see provenance: private, group or public (needs a server)');
  withServerOnly(vis.command('set').description('set the visibility of a job, a file version or a program run'))
    .argument('<node>', 'a job id (or its first characters), a file path, or a node id')
    .addArgument(new Argument('<visibility>', 'private: you, your group\'s admins and admins; group: also your group; public: anyone').choices(['private', 'group', 'public']))
    .option('--apply-to-files', 'for a job: also its program runs and the file versions it made')
    .option('--file-version <n>', 'this version of the file (default: the newest)', positiveInt('--file-version'))
    .option('--json', 'JSON for scripts')
    .action(async (arg: string, visibility: string, opts: { server?: string; applyToFiles?: boolean; fileVersion?: number; json?: boolean }) => {
      const api = requireServer(opts);
      const r = await resolveRemote(api, arg, opts.fileVersion !== undefined ? { version: opts.fileVersion } : {});
      const res = await api.put<{ id: number; visibility: string; updated: number }>(`/api/v1/nodes/${r.id}/visibility`, {
        visibility, ...(opts.applyToFiles ? { applyToFiles: true } : {}),
      });
      if (opts.json) return printJson(res);
      out(`${safe(r.what)} is now ${res.visibility}${opts.applyToFiles ? ` (${res.updated} nodes changed)` : ''}`);
    });
}
