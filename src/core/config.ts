// One typed configuration: defaults, then the config file, then the
// environment, then command-line flags; validated once and frozen.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import {
  DEFAULT_ENV_ALLOW, DEFAULT_FILE_RULES, DEFAULT_HASH_MAX_BYTES, DEFAULT_LINGER_MS,
} from './defaults.js';
import { ConfigError } from './errors.js';

const FileRuleSchema = z.object({
  pattern: z.string().min(1),
  action: z.enum(['drop', 'software', 'data']),
}).strict();

const ConfigSchema = z.object({
  dataDir: z.string().min(1),
  db: z.string().optional(),
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

export function loadConfig(flags: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): KisekiConfig {
  const explicitFile = flags.configFile ?? env.KISEKI_CONFIG;
  const file = readConfigFile(explicitFile ?? defaultConfigFile(env), explicitFile !== undefined);
  const merged = {
    dataDir: flags.dataDir ?? env.KISEKI_DATA_DIR ?? file.dataDir ?? defaultDataDir(env),
    db: flags.db ?? env.KISEKI_DB ?? file.db,
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
