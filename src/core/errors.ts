/** Base class: every Kiseki error has a stable machine-readable code. */
export class KisekiError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConfigError extends KisekiError {
  constructor(message: string) {
    super('E_CONFIG', message);
  }
}

export class CommandNotFoundError extends KisekiError {
  constructor(readonly command: string) {
    super('E_COMMAND_NOT_FOUND', `${command}: command not found`);
  }
}

export class BackendUnavailableError extends KisekiError {
  constructor(backend: string, reason: string) {
    super('E_BACKEND_UNAVAILABLE', `the ${backend} backend cannot run here: ${reason}`);
  }
}
