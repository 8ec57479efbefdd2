// `kiseki run` must be invisible to the command: same stdin, stdout, stderr,
// exit status and signals as when a shell runs it, a terminal when there is
// one, and a shell's message when the command does not exist.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, trace, workdir, type Backend } from './harness.js';

const backends: Backend[] = ['ebpf', 'ptrace'];

describe.each(backends)('pass-through with %s', (backend) => {
  it('passes the exit code through', () => {
    const { result } = trace(backend, workdir(), ['/bin/sh', '-c', 'exit 7']);
    expect(result.status).toBe(7);
  });

  it('dies of the signal that killed the command', () => {
    const { result, events } = trace(backend, workdir(), ['/bin/sh', '-c', 'kill -TERM $$']);
    expect(result.signal).toBe('SIGTERM');
    expect(events.find((e) => e.type === 'run.end')).toMatchObject({ signal: 15, exitCode: null });
  });

  it('leaves stdin, stdout and stderr to the command, byte for byte', () => {
    const input = 'line one\nline two\n\u00ff\n';
    const { result } = trace(backend, workdir(), ['/bin/sh', '-c', 'cat; echo to-stderr >&2'], { input });
    expect(result.stdout).toBe(input);
    expect(result.stderr).toBe('to-stderr\n');
  });

  it('gives an interactive program its terminal', () => {
    // python's pty module gives kiseki a real terminal, as a user's shell would.
    const script = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv('${process.execPath}', ['node', '${CLI}', 'run', '-q', '--no-store', '--backend', '${backend}', '--out', '${join(workdir(), 'pty.ndjson')}', '--',
             '/bin/sh', '-c', 'if [ -t 0 ] && [ -t 1 ]; then echo TTY; fi; read answer; echo "GOT:$answer"'])
out = b''
deadline = time.time() + 60
sent = False
while time.time() < deadline:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if b'TTY' in out and not sent:
        os.write(fd, b'forty-two\\n')
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('TTY');
    expect(r.stdout).toContain('GOT:forty-two');
  });
});

describe('a command that cannot run', () => {
  it('fails as a shell would when the command does not exist', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', '--', 'no-such-command-xyz'], { encoding: 'utf8' });
    expect(r.status).toBe(127);
    expect(r.stderr).toBe('kiseki: no-such-command-xyz: command not found\n');
  });

  it('fails with 126 when the file is not executable', () => {
    const file = join(workdir(), 'data.txt');
    writeFileSync(file, 'not a program', { mode: 0o644 });
    const r = spawnSync(process.execPath, [CLI, 'run', '--', file], { encoding: 'utf8' });
    expect(r.status).toBe(126);
    expect(r.stderr).toBe(`kiseki: ${file}: Permission denied\n`);
  });

  it('says once which backend it chose and why', () => {
    const dir = workdir();
    const r = spawnSync(process.execPath, [CLI, 'run', '--no-store', '--out', join(dir, 'x.ndjson'), '--', '/bin/true'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^kiseki: tracing with (eBPF|ptrace)/);
    expect(lines).toHaveLength(2);
  });
});
