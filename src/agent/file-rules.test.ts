import { describe, expect, it } from 'vitest';
import { DEFAULT_ENV_ALLOW, DEFAULT_FILE_RULES } from '../core/defaults.js';
import { EnvFilter, FileRules } from './file-rules.js';

describe('FileRules with the defaults', () => {
  const rules = new FileRules(DEFAULT_FILE_RULES);
  it.each([
    ['/proc/self/maps', 'drop'],
    ['/sys/devices/system/cpu/online', 'drop'],
    ['/dev/null', 'drop'],
    ['/dev/shm/buffer', 'data'],
    ['/etc/ld.so.cache', 'drop'],
    ['/usr/lib/locale/C.utf8/LC_CTYPE', 'drop'],
    ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'software'],
    ['/home/a/venv/lib/python3.11/site-packages/numpy/__init__.py', 'software'],
    ['/home/a/build/libfoo.so', 'software'],
    ['/usr/bin/python3', 'software'],
    ['/home/a/data/input.csv', 'data'],
    ['/tmp/.hidden/out.txt', 'data'],
  ])('%s is %s', (path, action) => {
    expect(rules.classify(path)).toBe(action);
  });

  it('lets an earlier rule override a default', () => {
    const custom = new FileRules([{ pattern: '/etc/project/**', action: 'data' }, ...DEFAULT_FILE_RULES]);
    expect(custom.classify('/etc/project/params.yaml')).toBe('data');
    expect(custom.classify('/etc/passwd')).toBe('software');
  });
});

describe('EnvFilter', () => {
  it('keeps allow-listed names and drops secrets', () => {
    const f = new EnvFilter(DEFAULT_ENV_ALLOW);
    expect(f.pick(['OMP_NUM_THREADS=4', 'SLURM_JOB_ID=17', 'AWS_SECRET_ACCESS_KEY=x', 'PATH=/bin:/usr/bin', 'noequals', 'X=a=b']))
      .toEqual({ OMP_NUM_THREADS: '4', SLURM_JOB_ID: '17', PATH: '/bin:/usr/bin' });
  });
});
