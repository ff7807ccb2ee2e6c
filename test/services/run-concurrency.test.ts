import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI, iqa } from '../helpers/cli';
import { ffmpeg, tempDir } from '../helpers/media';
import { openProjectDb, projectDbPath } from '../../src-main/services/store/project-db';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/**
 * `refs` references with `perRef` distorted versions each (x264 at distinct qualities, so every file
 * has its own content), imported by the built CLI into a new project.
 */
function videoProject(refs: number, perRef: number, frames: number, size: string): string {
  const tmp = tempDir('run-conc');
  cleanups.push(tmp.cleanup);
  const media = join(tmp.dir, 'media');
  for (let r = 0; r < refs; r++) {
    const src = `testsrc2=size=${size}:rate=25,hue=h=${r * 61}`;
    const enc = ['-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast'];
    ffmpeg(['-f', 'lavfi', '-i', src, ...enc, '-qp', '0', join(media, 'ref', `src${r}.mp4`)]);
    for (let d = 0; d < perRef; d++) ffmpeg(['-f', 'lavfi', '-i', src, ...enc, '-crf', String(18 + 6 * d), join(media, 'dist', `src${r}_crf${18 + 6 * d}.mp4`)]);
  }
  const dir = join(tmp.dir, 'project');
  expect(iqa(['project', 'create', dir]).code).toBe(0);
  expect(iqa(['import', dir, media]).code).toBe(0);
  return dir;
}

function startRun(dir: string, metrics: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'run', dir, '--metrics', metrics, '--threads', '1', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Polls the project database (read-only, beside the writer) until `ready` holds or the child exits. */
async function waitFor(dir: string, child: ChildProcess, ready: (db: Database.Database) => boolean): Promise<void> {
  const db = new Database(projectDbPath(dir), { readonly: true });
  try {
    for (;;) {
      if (ready(db)) return;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error('the run ended before the condition held');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    db.close();
  }
}

const storedPairs = (db: Database.Database) => (db.prepare('SELECT COUNT(DISTINCT stimulus_id) AS n FROM metric_values').get() as { n: number }).n;
const runStatus = (dir: string) => {
  const db = new Database(projectDbPath(dir), { readonly: true });
  try {
    return db.prepare('SELECT status, error FROM metric_runs').get() as { status: string; error: string | null };
  } finally {
    db.close();
  }
};
const values = (dir: string) => {
  const db = new Database(projectDbPath(dir), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT s.path, m.metric_id, v.value, (SELECT COUNT(*) FROM frame_values f WHERE f.run_id = v.run_id AND f.stimulus_id = v.stimulus_id) AS frames
         FROM metric_values v JOIN stimuli s ON s.id = v.stimulus_id JOIN metric_runs m ON m.id = v.run_id ORDER BY s.path, m.metric_id`,
      )
      .all();
  } finally {
    db.close();
  }
};

describe('a metric run killed with SIGKILL', () => {
  it('is left running while its process lives, marked interrupted at the next open once it died, and a new run completes the rest', async () => {
    const dir = videoProject(1, 4, 100, '160x120');
    const { child, done } = startRun(dir, 'ssim-y');
    await waitFor(dir, child, (db) => storedPairs(db) >= 1);

    // Opening the project beside a live run does not take it for a crashed one.
    openProjectDb(dir).close();
    expect(runStatus(dir).status).toBe('running');

    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(runStatus(dir).status).toBe('running'); // nothing marks it until the project is opened

    const db = openProjectDb(dir);
    const stored = storedPairs(db);
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(stored).toBeLessThan(4);
    expect(db.prepare('SELECT status, finished_at, error FROM metric_runs').get()).toEqual({
      status: 'interrupted',
      finished_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      error: expect.stringContaining(`interrupted: process ${child.pid} on `),
    });
    db.close();

    const resumed = iqa(['run', dir, '--metrics', 'ssim-y', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ pairs: 4, computed: 4 - stored, skipped: stored, failed: [] });
    expect(runStatus(dir)).toEqual({ status: 'done', error: null });
  }, 240_000);
});

describe('two runs on one project at the same time', () => {
  it('compute every pair exactly once between them, with the results of a single run', async () => {
    const shared = videoProject(2, 4, 30, '96x64');
    const a = startRun(shared, 'psnr-y,ssim-y');
    const b = startRun(shared, 'psnr-y,ssim-y');
    const reports = await Promise.all([a.done, b.done]);
    for (const r of reports) expect(r.code, `a run's exit code (its stdout, which lists failed pairs: ${r.stdout}; its stderr: ${r.stderr})`).toBe(0);
    const [ra, rb] = reports.map((r) => JSON.parse(r.stdout) as { pairs: number; computed: number; skipped: number; failed: unknown[] });
    for (const r of [ra!, rb!]) {
      expect(r.pairs).toBe(8);
      expect(r.computed + r.skipped).toBe(8);
      expect(r.failed).toEqual([]);
    }
    // Each computation stores its pair's values once: 8 computations in all means none twice.
    expect(ra!.computed + rb!.computed).toBe(8);

    const db = openProjectDb(shared);
    expect(db.prepare('SELECT DISTINCT status FROM metric_runs').all()).toEqual([{ status: 'done' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM pair_claims').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM workers').get()).toEqual({ n: 0 });
    db.close();

    const single = videoProject(2, 4, 30, '96x64');
    const alone = iqa(['run', single, '--metrics', 'psnr-y,ssim-y', '--json']);
    expect(JSON.parse(alone.stdout)).toMatchObject({ pairs: 8, computed: 8 });
    expect(values(shared)).toEqual(values(single));
  }, 240_000);
});
