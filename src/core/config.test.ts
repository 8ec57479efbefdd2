import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

function tempFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiseki-config-'));
  const path = join(dir, 'config.toml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('layers file, environment and flags in that order, and freezes the result', () => {
    const file = tempFile('dataDir = "/from/file"\n[capture]\nbackend = "ptrace"\nlingerMs = 5\n');
    const env = { HOME: '/home/x', KISEKI_CONFIG: file, KISEKI_LINGER_MS: '7' };
    const cfg = loadConfig({ backend: 'ebpf' }, env);
    expect(cfg.dataDir).toBe('/from/file');
    expect(cfg.capture.backend).toBe('ebpf');
    expect(cfg.capture.lingerMs).toBe(7);
    expect(Object.isFrozen(cfg.capture.fileRules)).toBe(true);
    expect(() => { (cfg.capture as { lingerMs: number }).lingerMs = 1; }).toThrow();
  });

  it('uses XDG_DATA_HOME for the embedded database folder', () => {
    const cfg = loadConfig({}, { HOME: '/home/x', XDG_DATA_HOME: '/xdg', XDG_CONFIG_HOME: '/nonexistent' });
    expect(cfg.dataDir).toBe('/xdg/kiseki');
    expect(loadConfig({}, { HOME: '/home/x', XDG_CONFIG_HOME: '/nonexistent' }).dataDir).toBe('/home/x/.local/share/kiseki');
  });

  it('puts admin file rules before the defaults', () => {
    const file = tempFile('[[capture.fileRules]]\npattern = "/etc/**"\naction = "data"\n');
    const cfg = loadConfig({ configFile: file }, { HOME: '/h' });
    expect(cfg.capture.fileRules[0]).toEqual({ pattern: '/etc/**', action: 'data' });
  });

  it('names the bad field of a config file', () => {
    const file = tempFile('[capture]\nbackend = "magic"\n');
    expect(() => loadConfig({ configFile: file }, { HOME: '/h' })).toThrow(/capture\.backend/);
    expect(() => loadConfig({ configFile: '/no/such.toml' }, { HOME: '/h' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { HOME: '/h', XDG_CONFIG_HOME: '/n', KISEKI_LINGER_MS: 'soon' })).toThrow(/KISEKI_LINGER_MS/);
  });
});
