// CLI errors: a stable code and an exit status. 2 = usage (bad flags or
// arguments), 1 = everything else (not found, store failures).
import { CommanderError } from 'commander';
import { KisekiError } from '../core/errors.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends KisekiError {
  constructor(code: string, message: string, readonly exitCode: number = EXIT_FAILURE) {
    super(code, message);
  }
}

export function usageError(message: string): CliError {
  return new CliError('E_USAGE', message, EXIT_USAGE);
}

export function notFound(message: string): CliError {
  return new CliError('E_NOT_FOUND', message, EXIT_FAILURE);
}

const USAGE_CODES = new Set(['E_USAGE', 'E_CONFIG', 'E_GRAPH_QUERY', 'E_STORE_CONFIG']);

/** The exit status for an error that reached the top. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : EXIT_USAGE;
  }
  if (err instanceof CliError) return err.exitCode;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && USAGE_CODES.has(code)) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** `kiseki: message [CODE]`, or nothing for errors commander has already printed. */
export function errorLine(err: unknown): string | undefined {
  if (err instanceof CommanderError) return undefined;
  const e = err as { code?: unknown; message?: string; name?: string };
  const code = typeof e.code === 'string' && e.code.startsWith('E_') ? ` [${e.code}]` : '';
  if (err instanceof Error && !(err instanceof KisekiError) && typeof e.code !== 'string') {
    return `kiseki: internal error: ${err.stack ?? err.message}`;
  }
  return `kiseki: ${e.message ?? String(err)}${code}`;
}
