import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENDED_MARKER_KEEP_MS, hasOptedIn, optInMarker, retireOptInMarker } from './job-env.js';

const runDir = mkdtempSync(join(tmpdir(), 'kiseki-jobenv-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('opt-in markers', () => {
  it('a retired marker still says the job opted in (the agent may lag behind a short job), until later hooks sweep it', () => {
    const job = { scheduler: 'slurm', id: '42' };
    const old = { scheduler: 'slurm', id: '7' };
    mkdirSync(join(runDir, 'jobs'), { recursive: true });
    expect(hasOptedIn(runDir, job)).toBe(false);
    writeFileSync(optInMarker(runDir, job), '1\n');
    writeFileSync(`${optInMarker(runDir, old)}.ended`, '1\n');
    const now = Date.now();
    utimesSync(`${optInMarker(runDir, old)}.ended`, (now - ENDED_MARKER_KEEP_MS - 1000) / 1000, (now - ENDED_MARKER_KEEP_MS - 1000) / 1000);
    expect(hasOptedIn(runDir, job)).toBe(true);
    retireOptInMarker(runDir, job, now);
    expect(existsSync(optInMarker(runDir, job))).toBe(false);
    expect(hasOptedIn(runDir, job)).toBe(true);
    expect(readdirSync(join(runDir, 'jobs'))).toEqual(['slurm-42.ended']); // job 7's, older than the keep time, went
    retireOptInMarker(runDir, job, now + ENDED_MARKER_KEEP_MS + 1000);
    expect(hasOptedIn(runDir, job)).toBe(false);
  });
});
