import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { importMedia } from '../../src-main/services/import/import-media';
import { openProjectDb, type Db } from '../../src-main/services/store/project-db';
import { runProjectMetrics } from '../../src-main/services/metrics/run-project-metrics';
import { createFrameRunner, type FrameRunner } from '../../src-main/services/metrics/frame-pool';
import { ensureRun } from '../../src-main/services/store/metrics-repo';
import { LEASE_MS } from '../../src-main/services/store/run-leases';
import { listStimuli } from '../../src-main/services/store/stimuli-repo';
import { importOptionsSchema } from '../../src-main/common/contract';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { metricById } from '../../src-main/common/metric-registry';
import { APP_VERSION } from '../../src-main/common/version';
import { makeStudyFolder, tempDir } from '../helpers/media';

const psnr = { id: 'psnr-y', params: resolveMetricRequest({ id: 'psnr-y', params: {} }).params };

let runner: FrameRunner;
const cleanups: (() => void)[] = [];
beforeAll(() => {
  runner = createFrameRunner(1);
});
afterEach(() => cleanups.splice(0).forEach((c) => c()));
afterAll(() => runner.close());

/** A new project (the study folder, 6 pairs) and the psnr-y run that the test's claims will name. */
async function project(): Promise<{ db: Db; dir: string; runId: number; pairId: number }> {
  const tmp = tempDir('leases');
  const dir = join(tmp.dir, 'project');
  makeStudyFolder(join(tmp.dir, 'media'));
  const db = openProjectDb(dir, { create: true });
  cleanups.push(() => {
    db.close();
    tmp.cleanup();
  });
  await importMedia(db, dir, join(tmp.dir, 'media'), importOptionsSchema.parse({}));
  const runId = ensureRun(db, { metricId: psnr.id, metricVersion: metricById(psnr.id)!.version, params: psnr.params, engineVersion: APP_VERSION });
  const pairId = listStimuli(db).find((s) => s.name === 'src01_blur')!.id;
  return { db, dir, runId, pairId };
}

/** Another process's claim on a pair, as a worker on another host (so only its heartbeat tells if it lives). */
function foreignClaim(db: Db, runId: number, stimulusId: number, heartbeatMs: number, expiresMs: number): void {
  db.prepare("INSERT INTO workers (id, pid, host, started_at, heartbeat_ms) VALUES ('other', 1, 'another-host', 'then', ?)").run(heartbeatMs);
  db.prepare("INSERT INTO pair_claims (run_id, stimulus_id, worker_id, expires_ms) VALUES (?, ?, 'other', ?)").run(runId, stimulusId, expiresMs);
}

const stored = (db: Db, stimulusId: number) => db.prepare('SELECT 1 FROM metric_values WHERE stimulus_id = ?').get(stimulusId) !== undefined;

describe('pair claims', () => {
  it('takes over a claim whose lease expired with its silent worker', async () => {
    const { db, dir, runId, pairId } = await project();
    const now = Date.now();
    foreignClaim(db, runId, pairId, now - 2 * LEASE_MS, now - LEASE_MS);
    const report = await runProjectMetrics(db, dir, { metrics: [psnr] }, { runner });
    expect(report).toMatchObject({ computed: 6, skipped: 0, failed: [] });
    expect(db.prepare('SELECT COUNT(*) AS n FROM workers').get()).toEqual({ n: 0 }); // the dead worker was pruned
  });

  it('leaves a pair a live worker holds to it, and computes it once the claim is gone without values', async () => {
    const { db, dir, runId, pairId } = await project();
    const now = Date.now();
    foreignClaim(db, runId, pairId, now, now + LEASE_MS);
    let finished = false;
    const running = runProjectMetrics(db, dir, { metrics: [psnr] }, { runner }).finally(() => (finished = true));
    // Every other pair gets stored while the claimed one waits.
    await expect.poll(() => (db.prepare('SELECT COUNT(DISTINCT stimulus_id) AS n FROM metric_values').get() as { n: number }).n, { timeout: 120_000, interval: 20 }).toBe(5);
    expect(stored(db, pairId)).toBe(false);
    expect(finished).toBe(false);
    // The other process gives up the pair without storing it (say its computation failed).
    db.prepare("DELETE FROM workers WHERE id = 'other'").run();
    const report = await running;
    expect(report).toMatchObject({ computed: 6, skipped: 0, failed: [] });
    expect(stored(db, pairId)).toBe(true);
  });
});
