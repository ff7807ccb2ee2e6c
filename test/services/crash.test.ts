import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI } from '../helpers/cli';
import { ffmpeg, tempDir } from '../helpers/media';
import { openProjectDb, projectDbPath } from '../../src-main/services/store/project-db';
import { listStimuli } from '../../src-main/services/store/stimuli-repo';
import { importMedia } from '../../src-main/services/import/import-media';
import { importOptionsSchema } from '../../src-main/common/contract';

// Enough files that the kill lands mid-import (20 reported of 60), few enough that re-importing the rest
// in-process stays well inside the ceiling on a machine with busy loops beside the suite (150 files took
// over 180 s there).
const FILES = 60;
const KILL_AFTER = 20;

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir('crash');
  // One ffmpeg run writes many distinct small PNGs (the test pattern moves every frame).
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=32x24:rate=25,noise=alls=40:allf=t', '-frames:v', String(FILES), join(tmp.dir, 'media', 'frame_%04d.png')]);
});
afterAll(() => tmp.cleanup());

describe('an import killed with SIGKILL', () => {
  it('leaves a sound database holding every file it reported as stored', async () => {
    const dir = join(tmp.dir, 'project');
    openProjectDb(dir, { create: true }).close();
    const child = spawn(process.execPath, [CLI, 'import', dir, join(tmp.dir, 'media')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const reported: string[] = [];
    let buffer = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const m = /^\[\d+\/\d+\] added (.+)$/.exec(line);
          if (m) reported.push(m[1]!);
        }
        if (reported.length >= KILL_AFTER && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(child.signalCode).toBe('SIGKILL');
    expect(reported.length).toBeGreaterThanOrEqual(KILL_AFTER);

    const raw = new Database(projectDbPath(dir));
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    raw.close();

    const db = openProjectDb(dir);
    const stored = listStimuli(db);
    const storedNames = new Set(stored.map((s) => `${s.name}.png`));
    for (const file of reported) expect(storedNames.has(file.split('/').pop()!)).toBe(true);
    expect(stored.length).toBeLessThan(FILES);
    expect(stored.every((s) => s.width === 32 && s.height === 24 && s.sha256.length === 64)).toBe(true);

    // The app keeps working: importing again completes the folder without duplicating anything.
    const report = await importMedia(db, dir, join(tmp.dir, 'media'), importOptionsSchema.parse({}));
    expect(report.unchanged).toBe(stored.length);
    expect(report.added).toBe(FILES - stored.length);
    expect(listStimuli(db)).toHaveLength(FILES);
    db.close();
  }, 300_000);
});
