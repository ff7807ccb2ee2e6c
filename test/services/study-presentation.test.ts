import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { dispatch } from '../../src-main/host/dispatch';
import { Engine } from '../../src-main/services/engine';
import { saveStimulus } from '../../src-main/services/store/stimuli-repo';
import type { SessionState } from '../../src-main/common/study';
import { makePng, tempDir } from '../helpers/media';
import { callCommand, imageRecord } from '../helpers/study-project';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
let project: string;
const ids = new Map<string, number>();

const call = <T>(name: string, input: Record<string, unknown>): Promise<T> => callCommand<T>(engine, project, name, input);


beforeEach(async () => {
  tmp = tempDir('study-presentation');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
  project = join(tmp.dir, 'project');
  await dispatch(engine.handlers, 'projects.create', { dir: project });
  const db = engine.db(project);
  let k = 0;
  for (const c of ['src01', 'src02']) {
    makePng(join(project, 'media', `${c}.png`), k++);
    const ref = saveStimulus(db, imageRecord(c, 'reference', c), null);
    ids.set(c, ref.id);
    for (const d of ['a', 'b']) {
      makePng(join(project, 'media', `${c}_${d}.png`), k++);
      ids.set(`${c}_${d}`, saveStimulus(db, imageRecord(`${c}_${d}`, 'distorted', c), ref.id).id);
    }
  }
});
afterEach(async () => {
  await engine.shutdown();
  tmp.cleanup();
});

const rawRgb = (file: string) => execFileSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);

describe('the participant page’s media commands', () => {
  it('sessions.stimulus gives the exact RGB bytes of an image the session shows, and nothing it does not show', async () => {
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'acr', method: 'ACR', seed: 3, stimuli: { content: 'src01', role: 'distorted' } });
    const s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P1' });
    const shown = s.trial!.media[0]!.stimulusId;
    const px = await call<{ width: number; height: number; rgb: string }>('sessions.stimulus', { sessionId: s.sessionId, stimulusId: shown });
    const name = [...ids].find(([, id]) => id === shown)![0];
    expect([px.width, px.height]).toEqual([64, 48]);
    expect(Buffer.from(px.rgb, 'base64').equals(rawRgb(join(project, 'media', `${name}.png`)))).toBe(true);
    // Another content's image, and ACR's recorded but never shown reference, are not the session's to ask for.
    await expect(call('sessions.stimulus', { sessionId: s.sessionId, stimulusId: ids.get('src02_a') })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(call('sessions.stimulus', { sessionId: s.sessionId, stimulusId: ids.get('src01') })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('sessions.upcoming lists the next trial’s images in presentation order (DCR: reference, then test)', async () => {
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'dcr', method: 'DCR', seed: 9 });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P1' });
    // The reference is shown in DCR, so the page may ask for it.
    await call('sessions.stimulus', { sessionId: s.sessionId, stimulusId: s.trial!.media[0]!.stimulusId });
    const seen: number[][] = [];
    while (s.trial) {
      const { stimulusIds } = await call<{ stimulusIds: number[] }>('sessions.upcoming', { sessionId: s.sessionId });
      const t = new Date().toISOString();
      s = await call<SessionState>('ratings.submit', { sessionId: s.sessionId, trialId: s.trial.trialId, value: 3, responseMs: 100, presentedAt: t, votedAt: t });
      seen.push(stimulusIds);
      if (s.trial) expect(stimulusIds).toEqual(s.trial.media.map((m) => m.stimulusId));
    }
    expect(seen).toHaveLength(4);
    expect(seen.at(-1)).toEqual([]);
  });
});
