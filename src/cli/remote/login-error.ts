// What the sign-in route's refusals mean for the person at the terminal.
import { CliError } from '../errors.js';
import { RemoteError } from './api-client.js';

/** The sign-in errors in words that say what to do. */
export function loginError(err: unknown, server: string): unknown {
  if (!(err instanceof RemoteError)) return err;
  if (err.code === 'E_AUTH_BAD_CREDENTIALS') return new CliError(err.code, 'wrong user name or password');
  if (err.code === 'E_AUTH_THROTTLED') {
    const wait = err.retryAfter ?? Number(/(\d+) s/.exec(err.message)?.[1] ?? NaN);
    return new CliError(err.code, `too many failed sign-ins: wait ${Number.isFinite(wait) ? `${wait} s` : 'a while'} before trying again`);
  }
  if (err.code === 'E_AUTH_METHOD') {
    return new CliError(err.code, `${server} does not sign in with a password; sign in in its web page, make an API token there, and give it to: kiseki login --token-stdin --server ${server}`);
  }
  return err;
}
