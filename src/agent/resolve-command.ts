import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import which from 'which';
import { KisekiError } from '../core/errors.js';

export class CommandError extends KisekiError {
  constructor(readonly command: string, message: string, readonly exitCode: 126 | 127) {
    super(exitCode === 127 ? 'E_COMMAND_NOT_FOUND' : 'E_COMMAND_NOT_EXECUTABLE', `${command}: ${message}`);
  }
}

/**
 * Finds the executable as a POSIX shell would: names with a slash are paths,
 * others are looked up in PATH. Fails with the shell's exit codes
 * (127 not found, 126 not executable).
 */
export function resolveCommand(command: string, cwd: string, env: NodeJS.ProcessEnv): string {
  if (command.includes('/')) {
    const path = resolve(cwd, command);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new CommandError(command, 'No such file or directory', 127);
    }
    if (isDir) throw new CommandError(command, 'Is a directory', 126);
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw new CommandError(command, 'Permission denied', 126);
    }
    return path;
  }
  const found = which.sync(command, { nothrow: true, path: env.PATH ?? '/usr/bin:/bin' });
  if (!found) throw new CommandError(command, 'command not found', 127);
  return resolve(cwd, found);
}
