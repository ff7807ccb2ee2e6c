/**
 * `iqa view PROJECT STIMULUS` (cli/view-command.ts): checks the project and the stimulus through the
 * contract, then serves the UI like `iqa web` and prints an address whose fragment opens that project's
 * viewer of that stimulus (common/ui-route.ts); the project's folder is allowed to the page. A stimulus
 * given by id, name or path is the same one; an unknown one or a reference is one line and no host.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stimulus } from '../../src-main/common/domain';
import { parseUiRoute } from '../../src-main/common/ui-route';
import { findStimulus } from '../../src-main/cli/view-command';
import { addressWithRoute, browserCommand } from '../../src-main/host/web-main';
import { iqa } from '../helpers/cli';
import { callApi, startIqaView } from '../helpers/browser';
import { ffmpeg, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let dir: string;
let stimuli: Stimulus[];

beforeAll(() => {
  tmp = tempDir('view-cli');
  env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models'), IQA_ROOTS: join(tmp.dir, 'elsewhere') };
  const media = join(tmp.dir, 'media');
  mkdirSync(join(media, 'ref'), { recursive: true });
  mkdirSync(join(media, 'dist'), { recursive: true });
  const src = 'testsrc2=size=96x64:rate=25';
  const enc = ['-frames:v', '12', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast'];
  ffmpeg(['-f', 'lavfi', '-i', src, ...enc, '-qp', '0', join(media, 'ref', 'clip.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', src, ...enc, '-crf', '35', join(media, 'dist', 'clip_crf35.mp4')]);
  dir = join(tmp.dir, 'project');
  expect(iqa(['project', 'create', dir], env).code).toBe(0);
  expect(iqa(['import', dir, media], env).code).toBe(0);
  stimuli = JSON.parse(iqa(['stimuli', dir, '--json'], env).stdout) as Stimulus[];
});
afterAll(() => tmp.cleanup());

describe('iqa view', () => {
  it("prints an address that opens the project's viewer of the stimulus, and the host lets the page use the project", async () => {
    const dist = stimuli.find((s) => s.name === 'clip_crf35')!;
    const view = await startIqaView([dir, 'clip_crf35', '--no-open'], env);
    try {
      expect(parseUiRoute(new URL(view.url).hash)).toEqual({ project: dir, stimulus: dist.id });
      expect(new URL(view.url).hash).toMatch(/^#token=[^&]+&/);
      await expect.poll(() => view.out()).toContain(`the viewer of clip_crf35 (stimulus ${dist.id}) against clip`);
      // IQA_ROOTS names another folder: the project and its media are allowed all the same.
      const listed = await callApi<Stimulus[]>(view, 'stimuli.list', { projectDir: dir });
      expect(listed.map((s) => s.id).sort()).toEqual(stimuli.map((s) => s.id).sort());
      const pixels = await callApi<{ frame: number; width: number }>(view, 'viewer.framePixels', { projectDir: dir, stimulusId: dist.id, frame: 3 });
      expect(pixels).toMatchObject({ frame: 3, width: 96 });
      await expect(callApi(view, 'stimuli.list', { projectDir: tmp.dir })).rejects.toThrow(/not inside|outside|allowed|--root/);
    } finally {
      await view.stop();
    }
  });

  it('takes the stimulus by id, name or path (relative to the project or to the current folder)', () => {
    const dist = stimuli.find((s) => s.name === 'clip_crf35')!;
    expect(dist.path).toBe('../media/dist/clip_crf35.mp4');
    for (const arg of [String(dist.id), 'clip_crf35', '../media/dist/clip_crf35.mp4', join(tmp.dir, 'media/dist/clip_crf35.mp4')]) {
      expect(findStimulus(stimuli, arg, dir, dir).id, arg).toBe(dist.id);
    }
    expect(findStimulus(stimuli, 'media/dist/clip_crf35.mp4', dir, tmp.dir).id).toBe(dist.id);
  });

  it("puts the route beside the host's token, and hands the address to the platform's opener", () => {
    expect(addressWithRoute('http://127.0.0.1:5000/#token=abc', { project: '/p q', stimulus: 7 })).toBe('http://127.0.0.1:5000/#token=abc&project=%2Fp%20q&stimulus=7');
    expect(browserCommand('linux').command).toBe('xdg-open');
    expect(browserCommand('darwin').args('http://x/#a=1&b=2')).toEqual(['http://x/#a=1&b=2']);
    // cmd's start reads & as a command separator unless escaped.
    expect(browserCommand('win32').args('http://x/#a=1&b=2')).toEqual(['/c', 'start', '""', 'http://x/#a=1^&b=2']);
  });

  it('refuses an unknown stimulus with one line saying how to find ids, and a reference with its distorted versions; no host starts', () => {
    const unknown = iqa(['view', dir, 'no_such_clip', '--no-open'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(`iqa: no stimulus "no_such_clip" in ${dir}: give its id, its name or its path in the project, as \`iqa stimuli ${dir}\` lists them (\`--json\` also gives each id)\n`);
    const reference = iqa(['view', dir, 'clip', '--no-open'], env);
    expect(reference.code).toBe(2);
    expect(reference.stderr).toBe('iqa: clip is a reference: the viewer opens a distorted stimulus against it (its distorted versions: clip_crf35)\n');
    const notProject = iqa(['view', join(tmp.dir, 'media'), 'clip_crf35', '--no-open'], env);
    expect(notProject.code).not.toBe(0);
    expect(notProject.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
