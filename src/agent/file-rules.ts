import picomatch from 'picomatch';
import type { FileRule, FileRuleAction } from '../core/defaults.js';

/** Classifies absolute paths by the first matching rule; unmatched is data. */
export class FileRules {
  private readonly matchers: Array<{ test: (p: string) => boolean; action: FileRuleAction }>;
  private readonly cache = new Map<string, FileRuleAction>();

  constructor(rules: readonly FileRule[]) {
    this.matchers = rules.map((r) => ({ test: picomatch(r.pattern, { dot: true }), action: r.action }));
  }

  classify(path: string): FileRuleAction {
    let action = this.cache.get(path);
    if (action === undefined) {
      action = this.matchers.find((m) => m.test(path))?.action ?? 'data';
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(path, action);
    }
    return action;
  }
}

/** Keeps only the environment variables whose names match the allow-list. */
export class EnvFilter {
  private readonly test: (name: string) => boolean;

  constructor(patterns: readonly string[]) {
    this.test = patterns.length ? picomatch([...patterns]) : () => false;
  }

  pick(entries: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of entries) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const name = entry.slice(0, eq);
      if (this.test(name)) out[name] = entry.slice(eq + 1);
    }
    return out;
  }
}
