/**
 * A small project for the sharded-run tests (issue 17): VIDEO_PAIRS video pairs (64x48, 3 to 5 frames,
 * lossless H.264, the distorted blurred) and IMAGE_PAIRS picture pairs, made with the real ffmpeg, and
 * a dump of every stored value (pooled and per frame) keyed by what it describes, not by row ids.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { CLI } from './cli';
import { join } from 'node:path';
import { ffmpeg, makePng } from './media';

export const VIDEO_PAIRS = 10;
export const IMAGE_PAIRS = 3;

export function makeShardMedia(root: string): void {
  for (let i = 0; i < VIDEO_PAIRS; i++) {
    const name = `v${String(i).padStart(2, '0')}`;
    // Frame counts differ so that the split balances work, not pair counts.
    const frames = String(3 + (i % 3));
    const src = `testsrc2=size=64x48:rate=10,hue=h=${i * 31}`;
    const x264 = ['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0'];
    ffmpeg(['-f', 'lavfi', '-i', src, '-frames:v', frames, ...x264, join(root, 'ref', `${name}.mp4`)]);
    ffmpeg(['-f', 'lavfi', '-i', `${src},gblur=sigma=${1 + (i % 4) * 0.5}`, '-frames:v', frames, ...x264, join(root, 'dist', `${name}_blur.mp4`)]);
  }
  for (let i = 0; i < IMAGE_PAIRS; i++) {
    const name = `p${i}`;
    makePng(join(root, 'ref', `${name}.png`), i);
    makePng(join(root, 'dist', `${name}_noise.png`), i, '64x48', 'noise=alls=20:allf=u');
  }
}

export interface ValueDump {
  /** "<stimulus path> <metric> <params> <pooling>" → value */
  pooled: Record<string, number | null>;
  /** "<stimulus path> <metric> <params>" → per-frame values */
  frames: Record<string, (number | null)[]>;
  /** Every stored row with its provenance, for "nothing changed" checks. */
  raw: string;
}

export function dumpValues(projectDir: string): ValueDump {
  const db = new Database(join(projectDir, 'iqa-project.sqlite'), { readonly: true });
  try {
    const pooled: ValueDump['pooled'] = {};
    for (const r of db
      .prepare('SELECT s.path, m.metric_id, m.params_key, v.pooling, v.value FROM metric_values v JOIN metric_runs m ON m.id = v.run_id JOIN stimuli s ON s.id = v.stimulus_id')
      .all() as { path: string; metric_id: string; params_key: string; pooling: string; value: number | null }[]) {
      pooled[`${r.path} ${r.metric_id} ${r.params_key} ${r.pooling}`] = r.value;
    }
    const frames: ValueDump['frames'] = {};
    for (const r of db
      .prepare('SELECT s.path, m.metric_id, m.params_key, f.frame, f.value FROM frame_values f JOIN metric_runs m ON m.id = f.run_id JOIN stimuli s ON s.id = f.stimulus_id ORDER BY s.path, m.metric_id, m.params_key, f.frame')
      .all() as { path: string; metric_id: string; params_key: string; frame: number; value: number | null }[]) {
      (frames[`${r.path} ${r.metric_id} ${r.params_key}`] ??= [])[r.frame] = r.value;
    }
    const raw = JSON.stringify([
      db.prepare('SELECT * FROM metric_runs ORDER BY id').all(),
      db.prepare('SELECT * FROM metric_values ORDER BY run_id, stimulus_id, channel, pooling').all(),
      db.prepare('SELECT * FROM frame_values ORDER BY run_id, stimulus_id, channel, frame').all(),
      db.prepare('SELECT * FROM shard_merges ORDER BY run_key, shard_index').all(),
    ]);
    return { pooled, frames, raw };
  } finally {
    db.close();
  }
}

/**
 * The built CLI as a child process, awaited (not spawnSync): the sharded tests run many commands in
 * one test body, and a held event loop keeps vitest's own RPC replies unread.
 */
export function iqaAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}
