import { describe, expect, it } from 'vitest';
import { hookDeadline, hookScript } from './slurm.js';

const OPTS = { dir: '/etc/kiseki/slurm', spool: '/var/spool/kiseki', runDir: '/run/kiseki', optIn: ['comment=kiseki'], timeout: 7, slurmConf: "/opt/slurm/etc/it's.conf" };

describe('kiseki slurm install: the hook scripts', () => {
  it('run kiseki under timeout, log to hooks.log, and always exit 0', () => {
    const s = hookScript('prolog', OPTS, '/usr/bin/kiseki');
    expect(s).toMatch(/^#!\/bin\/sh\n/);
    expect(s).toContain('/usr/bin/timeout -k 2 7 /usr/bin/kiseki slurm hook prolog </dev/null >>\'/etc/kiseki/slurm/hooks.log\' 2>&1');
    expect(s.trimEnd().split('\n').at(-1)).toBe('exit 0');
    expect(s).toContain('KISEKI_HOOK=1 KISEKI_HOOK_TIMEOUT=7');
    // slurmctld gives PrologSlurmctld no SLURM_CONF: the script sets it (shell-quoted)
    expect(s).toContain(`SLURM_CONF='/opt/slurm/etc/it'\\''s.conf'`);
  });
  it('stop retrying 0.5 s before timeout kills them, counted from the process start', () => {
    expect(hookDeadline({ KISEKI_HOOK_TIMEOUT: '10' }, 100_000, 1)).toBe(100_000 - 1000 + 10_000 - 500);
    expect(hookDeadline({}, 100_000, 1)).toBe(Infinity);
  });
});
