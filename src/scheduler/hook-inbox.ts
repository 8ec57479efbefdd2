// Where a node's scheduler hook leaves its job record: a file in the agent's
// inbox (<spool>/inbox), written whole (temp file + rename) so the agent
// never reads half of one. The agent ships it with the node's other events.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventOf } from '../core/trace-event.js';

export class HookInboxError extends Error {
  readonly code = 'E_HOOK_NO_INBOX';
}

export function writeInbox(spool: string, info: EventOf<'job.info'>, kind: string): string {
  const dir = join(spool, 'inbox');
  if (!existsSync(dir)) throw new HookInboxError(`no agent inbox at ${dir}: is kiseki agent running with --spool ${spool}?`);
  const f = join(dir, `${Date.now()}-${info.job.scheduler}-${info.job.id.replace(/[^\w.-]/g, '_')}-${kind}.json`);
  writeFileSync(`${f}.tmp`, JSON.stringify(info), { mode: 0o600 });
  renameSync(`${f}.tmp`, f);
  return f;
}
