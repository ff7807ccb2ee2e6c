/** `iqa metrics` on a damaged video: refused by default, computed and marked with --accept-decode-errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { iqa } from '../helpers/cli';
import { tempDir } from '../helpers/media';
import { makeDamagedClip } from '../helpers/damaged-media';

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let ref: string;
let broken: string;
beforeAll(() => {
  tmp = tempDir('decode-cli');
  env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
  ref = join(tmp.dir, 'clip.mp4');
  broken = makeDamagedClip(ref, 32);
});
afterAll(() => tmp.cleanup());

describe('iqa metrics on a damaged video', () => {
  it('fails with one line naming the file and the frame, and prints no score', () => {
    const r = iqa(['metrics', '--ref', ref, '--dist', broken, '--metrics', 'psnr-y', '--json', '--threads', '0'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`iqa: ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged: the decoder reported an error at frame \\d+ `));
  });

  it('computes every frame with --accept-decode-errors', () => {
    const r = iqa(['metrics', '--ref', ref, '--dist', broken, '--metrics', 'psnr-y', '--json', '--threads', '0', '--accept-decode-errors'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ frames: 32 });
  });
});
