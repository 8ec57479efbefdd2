import type { Command } from 'commander';

/** Each command module registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

// Command modules pull in heavy dependencies (the web server, both database
// drivers). Loading only the one being run keeps `kiseki run`'s start-up,
// which delays the traced command, to what tracing itself needs.
const loaders: Record<string, () => Promise<RegisterCommand[]>> = {
  run: async () => [(await import('./run.js')).registerRun],
  jobs: async () => [(await import('./jobs.js')).registerJobs],
  search: async () => [(await import('./search.js')).registerSearch],
  show: async () => [(await import('./show.js')).registerShow],
  lineage: async () => [(await import('./lineage.js')).registerLineage],
  keep: async () => [(await import('./keep.js')).registerKeep],
  deletable: async () => [(await import('./keep.js')).registerDeletable],
  export: async () => [(await import('./export.js')).registerExport],
  ingest: async () => [(await import('./ingest.js')).registerIngest],
  serve: async () => [(await import('./serve.js')).registerServe],
  agent: async () => [(await import('./agent.js')).registerAgent],
  slurm: async () => [(await import('./slurm.js')).registerSlurm],
  pbs: async () => [(await import('./pbs.js')).registerPbs],
  login: async () => [(await import('./login.js')).registerLogin],
  logout: async () => [(await import('./login.js')).registerLogout],
  whoami: async () => [(await import('./login.js')).registerWhoami],
  token: async () => [(await import('./token.js')).registerToken],
  share: async () => [(await import('./share.js')).registerShare],
  visibility: async () => [(await import('./visibility.js')).registerVisibility],
  audit: async () => [(await import('./admin.js')).registerAudit],
  users: async () => [(await import('./admin.js')).registerUsers],
};

/** The commands to register: just `name`'s when it is one, else all (for help). */
export async function loadCommands(name: string | undefined): Promise<RegisterCommand[]> {
  const one = name !== undefined ? loaders[name] : undefined;
  if (one) return one();
  return (await Promise.all(Object.values(loaders).map((load) => load()))).flat();
}
