// One typed configuration: defaults, then the config file, then the
// environment, then command-line flags; validated once and frozen.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import {
  DEFAULT_ENV_ALLOW, DEFAULT_FILE_RULES, DEFAULT_HASH_MAX_BYTES, DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_LINGER_MS,
  DEFAULT_LOGIN_ATTEMPTS, DEFAULT_LOGIN_WINDOW_MINUTES, DEFAULT_SHARE_DAYS,
} from './defaults.js';
import { ConfigError } from './errors.js';

const FileRuleSchema = z.object({
  pattern: z.string().min(1),
  action: z.enum(['drop', 'software', 'data']),
}).strict();

/** LDAP simple bind: bind as `userDn` (with {username}), or search for the user with a service account first. */
const LdapSchema = z.object({
  url: z.string().min(1),
  /** e.g. "uid={username},ou=people,dc=example,dc=org"; when absent, search userBase with userFilter. */
  userDn: z.string().optional(),
  bindDn: z.string().optional(),
  bindPasswordFile: z.string().optional(),
  userBase: z.string().optional(),
  userFilter: z.string().optional(),
  /** posixGroup entries under here give the user's groups (memberUid = username). */
  groupBase: z.string().optional(),
  startTls: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
}).strict();

/** OpenID Connect (authorization code + PKCE); works with Keycloak's realm issuer URL. */
const OidcSchema = z.object({
  issuer: z.string().url(),
  clientId: z.string().min(1),
  clientSecretFile: z.string().optional(),
  scopes: z.string().optional(),
  /** Claim names: the login name, the POSIX uid and gid, the group names, numeric group ids. */
  usernameClaim: z.string().optional(),
  uidClaim: z.string().optional(),
  gidClaim: z.string().optional(),
  groupsClaim: z.string().optional(),
  gidsClaim: z.string().optional(),
  /** The button's label in the UI. */
  label: z.string().optional(),
}).strict();

const AuthSchema = z.object({
  /**
   * With no sign-in method configured, loopback clients act as the local
   * admin (one machine, embedded database). Set false to make loopback
   * clients sign in too.
   */
  trustLoopback: z.boolean(),
  idleTimeoutMinutes: z.number().int().positive(),
  /** Secure cookies: "auto" = when the server is reached over https or is not on loopback. */
  secureCookies: z.enum(['auto', 'always', 'never']),
  /** The server's address as browsers see it (behind a proxy): OIDC redirects and share links. */
  publicUrl: z.string().url().optional(),
  /** Group names whose members are system admins / group admins (of their own groups). */
  adminGroups: z.array(z.string()),
  groupAdminGroups: z.array(z.string()),
  /** Failed sign-ins allowed per user name and per client address in the window. */
  loginAttempts: z.number().int().positive(),
  loginWindowMinutes: z.number().int().positive(),
  /** Default and longest lifetime of a share link, days. */
  shareDays: z.number().positive(),
  shareMaxDays: z.number().positive(),
  ldap: LdapSchema.optional(),
  oidc: OidcSchema.optional(),
}).strict();

export type AuthConfig = z.infer<typeof AuthSchema>;
export type LdapConfig = z.infer<typeof LdapSchema>;
export type OidcConfig = z.infer<typeof OidcSchema>;

const ConfigSchema = z.object({
  dataDir: z.string().min(1),
  db: z.string().optional(),
  auth: AuthSchema,
  capture: z.object({
    backend: z.enum(['auto', 'ebpf', 'ptrace']),
    lingerMs: z.number().int().nonnegative(),
    envAllow: z.array(z.string()),
    /** Rules tried before the defaults, so an admin can override any default. */
    fileRules: z.array(FileRuleSchema),
    hashMaxBytes: z.number().int().nonnegative(),
  }).strict(),
}).strict();

export type KisekiConfig = Readonly<z.infer<typeof ConfigSchema>>;

/** What a config file may hold: every field optional. */
const FileSchema = z.object({
  dataDir: z.string().optional(),
  db: z.string().optional(),
  capture: z.object({
    backend: z.enum(['auto', 'ebpf', 'ptrace']).optional(),
    lingerMs: z.number().int().nonnegative().optional(),
    envAllow: z.array(z.string()).optional(),
    fileRules: z.array(FileRuleSchema).optional(),
    hashMaxBytes: z.number().int().nonnegative().optional(),
  }).strict().optional(),
  auth: AuthSchema.partial().strict().optional(),
}).strict();

export interface ConfigOverrides {
  configFile?: string;
  dataDir?: string;
  db?: string;
  backend?: 'auto' | 'ebpf' | 'ptrace';
  lingerMs?: number;
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'kiseki');
}

function defaultConfigFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'kiseki', 'config.toml');
}

function readConfigFile(path: string, required: boolean): z.infer<typeof FileSchema> {
  if (!existsSync(path)) {
    if (required) throw new ConfigError(`config file not found: ${path}`);
    return {};
  }
  let raw: unknown;
  try {
    raw = parseToml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new ConfigError(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function envBackend(env: NodeJS.ProcessEnv): ConfigOverrides['backend'] {
  const v = env.KISEKI_BACKEND;
  if (!v) return undefined;
  if (v !== 'auto' && v !== 'ebpf' && v !== 'ptrace') {
    throw new ConfigError(`KISEKI_BACKEND must be auto, ebpf or ptrace, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The [auth] section when nothing is configured: one machine, loopback trusted. */
export function authDefaults(): AuthConfig {
  return {
    trustLoopback: true,
    idleTimeoutMinutes: DEFAULT_IDLE_TIMEOUT_MINUTES,
    secureCookies: 'auto',
    adminGroups: [],
    groupAdminGroups: [],
    loginAttempts: DEFAULT_LOGIN_ATTEMPTS,
    loginWindowMinutes: DEFAULT_LOGIN_WINDOW_MINUTES,
    shareDays: DEFAULT_SHARE_DAYS,
    shareMaxDays: 365,
  };
}

export function loadConfig(flags: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): KisekiConfig {
  const explicitFile = flags.configFile ?? env.KISEKI_CONFIG;
  const file = readConfigFile(explicitFile ?? defaultConfigFile(env), explicitFile !== undefined);
  const merged = {
    dataDir: flags.dataDir ?? env.KISEKI_DATA_DIR ?? file.dataDir ?? defaultDataDir(env),
    db: flags.db ?? env.KISEKI_DB ?? file.db,
    auth: {
      ...authDefaults(),
      ...file.auth,
      ...(env.KISEKI_PUBLIC_URL ? { publicUrl: env.KISEKI_PUBLIC_URL } : {}),
    },
    capture: {
      backend: flags.backend ?? envBackend(env) ?? file.capture?.backend ?? 'auto',
      lingerMs: flags.lingerMs ?? envInt(env, 'KISEKI_LINGER_MS') ?? file.capture?.lingerMs ?? DEFAULT_LINGER_MS,
      envAllow: file.capture?.envAllow ?? DEFAULT_ENV_ALLOW,
      fileRules: [...(file.capture?.fileRules ?? []), ...DEFAULT_FILE_RULES],
      hashMaxBytes: envInt(env, 'KISEKI_HASH_MAX_BYTES') ?? file.capture?.hashMaxBytes ?? DEFAULT_HASH_MAX_BYTES,
    },
  };
  if (merged.db === undefined) delete (merged as { db?: string }).db;
  const parsed = ConfigSchema.parse(merged);
  return deepFreeze(parsed);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
