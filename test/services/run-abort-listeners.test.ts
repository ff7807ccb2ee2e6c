import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dispatch } from '../../src-main/host/dispatch';
import { Engine } from '../../src-main/services/engine';
import { makePng, tempDir } from '../helpers/media';

const PAIRS = 15;
let tmp: { dir: string; cleanup: () => void };
let engine: Engine;

async function call<T>(name: string, input: unknown): Promise<T> {
  const reply = await dispatch(engine.handlers, name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
  return reply.value as T;
}

beforeAll(() => {
  tmp = tempDir('abort-listeners');
  mkdirSync(join(tmp.dir, 'media', 'ref'), { recursive: true });
  mkdirSync(join(tmp.dir, 'media', 'dist'), { recursive: true });
  for (let i = 0; i < PAIRS; i++) {
    const name = `p${String(i).padStart(2, '0')}`;
    makePng(join(tmp.dir, 'media', 'ref', `${name}.png`), i, '32x24');
    makePng(join(tmp.dir, 'media', 'dist', `${name}_blur.png`), i, '32x24', 'gblur=sigma=2');
  }
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
});
afterAll(() => {
  engine?.close();
  tmp.cleanup();
});

describe('the cancel signal of a project run', () => {
  it('a run of fifteen pairs through the engine leaves no abort listener behind (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const dir = join(tmp.dir, 'project');
      await call('projects.create', { dir });
      const { jobId: importJob } = await call<{ jobId: string }>('import.start', { projectDir: dir, source: join(tmp.dir, 'media') });
      await engine.jobs.wait(importJob);
      const { jobId } = await call<{ jobId: string }>('metrics.run', { projectDir: dir, metrics: [{ id: 'psnr' }] });
      const report = (await engine.jobs.wait(jobId)) as { computed: number; failed: unknown[] };
      expect(report).toMatchObject({ computed: PAIRS, failed: [] });
      // Warnings are emitted on the next tick: one more turn of the event loop before looking.
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
    // A ceiling for fifteen imports and runs on a loaded 2-core machine, not an expectation.
  }, 300_000);
});
