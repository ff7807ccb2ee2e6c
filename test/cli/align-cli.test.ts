/**
 * `iqa align` as a user runs it (the built CLI): the JSON shape the issue fixes, the human summary,
 * and argument errors.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFromFrames, makeMaster, range } from '../helpers/align-media';
import { iqa } from '../helpers/cli';
import { tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let ref: string;
let dist: string;

beforeAll(() => {
  tmp = tempDir('align-cli');
  const master = makeMaster(tmp.dir, 70);
  ref = makeFromFrames(join(tmp.dir, 'ref.mp4'), master, range(0, 60));
  // Starts 5 frames into the reference, and reference frame 40 is missing.
  dist = makeFromFrames(join(tmp.dir, 'dist.mp4'), master, range(5, 60).filter((k) => k !== 40), { crf: 30 });
});
afterAll(() => tmp.cleanup());

describe('iqa align', () => {
  it('prints one JSON object with offset, dropped, duplicated, fps and confidence', () => {
    const r = iqa(['align', '--ref', ref, '--dist', dist, '--max-offset', '10', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ offset: 5, dropped: [40], duplicated: [], fps: { ref: 30, dist: 30 }, aligned: false, maxOffset: 10 });
    expect(typeof out.confidence).toBe('number');
    expect(out.confidence).toBeGreaterThan(0.8);
    expect(out.confidence).toBeLessThanOrEqual(1);
    expect(out.policy).toEqual({ skipRef: 5, skipDist: 0, truncate: true, ignoreFps: false });
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['offset', 'dropped', 'duplicated', 'fps', 'confidence', 'notes', 'startTime']));
  });

  it('prints a summary with the metrics options that apply the offset', () => {
    const r = iqa(['align', '--ref', ref, '--dist', dist]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^not aligned \(confidence 0\.\d\d\): offset \+5, 1 dropped, 0 duplicated/);
    expect(r.stdout).toContain('dropped (reference frames): 40');
    expect(r.stdout).toContain('metrics options: --skip-ref 5 --truncate (not enough');
  });

  it('refuses a negative --max-offset with one line and exit code 2', () => {
    const r = iqa(['align', '--ref', ref, '--dist', dist, '--max-offset', '-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^iqa: .*max-offset.*whole number/);
  });

  it('fails with one line naming a missing file', () => {
    const r = iqa(['align', '--ref', ref, '--dist', join(tmp.dir, 'nope.mp4')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.mp4');
  });
});
