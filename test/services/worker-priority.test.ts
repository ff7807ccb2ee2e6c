import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { Piscina } from 'piscina';
import { workerFile } from '../../src-main/services/worker-files';
import { WORKER_NICE, yieldToEngineThread } from '../../src-main/workers/thread-priority';

/** The nice value of each thread of this process, from /proc (field 19 of stat, after the command name). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

describe('worker threads yield the CPU to the engine thread', () => {
  it.runIf(process.platform === 'linux')('lowers the priority of the worker thread only, never the engine thread', async () => {
    const pool = new Piscina({ filename: workerFile('compute.worker'), minThreads: 1, maxThreads: 1 });
    try {
      // Any task loads the worker module, which lowers its own thread's priority first.
      await pool.run({ kind: 'none', seq: 1 }).catch(() => undefined);
      const nices = threadNices();
      expect(nices.get(process.pid), 'the engine (main) thread').toBe(0);
      expect([...nices.values()].filter((n) => n === WORKER_NICE).length, 'threads at the workers\' nice value').toBeGreaterThanOrEqual(1);
    } finally {
      await pool.destroy();
    }
  });

  it('leaves other platforms alone (there the nice value is per process)', () => {
    expect(yieldToEngineThread('darwin')).toBe(false);
    expect(yieldToEngineThread('win32')).toBe(false);
  });
});
