import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { dispatch } from '../../../src-main/host/dispatch';
import { Engine } from '../../../src-main/services/engine';
import { saveStimulus } from '../../../src-main/services/store/stimuli-repo';
import type { SessionState } from '../../../src-main/common/study';
import { tempDir } from '../../helpers/media';
import { callCommand, imageRecord } from '../../helpers/study-project';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
const project = () => join(tmp.dir, 'project');

const call = <T>(name: string, input: Record<string, unknown>): Promise<T> => callCommand<T>(engine, project(), name, input);


beforeEach(async () => {
  tmp = tempDir('dscqs-sides');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
  await dispatch(engine.handlers, 'projects.create', { dir: project() });
  const db = engine.db(project());
  for (const c of ['src01', 'src02', 'src03', 'src04']) {
    const ref = saveStimulus(db, imageRecord(c, 'reference', c), null);
    saveStimulus(db, imageRecord(`${c}_a`, 'distorted', c), ref.id);
  }
});
afterEach(async () => {
  await engine.shutdown();
  tmp.cleanup();
});

const answer = (s: SessionState, a: Record<string, unknown>) =>
  call<SessionState>('ratings.submit', { sessionId: s.sessionId, trialId: s.trial!.trialId, responseMs: 900, presentedAt: new Date().toISOString(), votedAt: new Date().toISOString(), ...a });

describe('DSCQS answers by side', () => {
  it('stores the scores of A and B as the test and reference scores by the trial’s stored reference side', async () => {
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'd', method: 'DSCQS', seed: 4 });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P' });
    const role = new Map((await call<{ id: number; role: string }[]>('stimuli.list', {})).map((x) => [x.id, x.role]));
    await expect(answer(s, { sides: { A: 10, B: 20 }, value: 5 })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(answer(s, { sides: { A: 10, B: 101 } })).rejects.toMatchObject({ code: 'E_INPUT' });
    const seen: string[] = [];
    while (s.trial) {
      const refSide = s.trial.media.find((m) => role.get(m.stimulusId) === 'reference')!.role;
      seen.push(refSide);
      s = await answer(s, { sides: { A: 30, B: 70 } });
    }
    // The seed puts the reference on both sides over the four trials.
    expect(new Set(seen)).toEqual(new Set(['A', 'B']));
    const doc = JSON.parse((await call<{ content: string }>('studies.export', { studyId, format: 'json' })).content) as { ratings: { referenceSide: string; value: number; valueRef: number }[] };
    expect(doc.ratings.map((r) => r.referenceSide)).toEqual(seen);
    for (const r of doc.ratings) expect([r.valueRef, r.value]).toEqual(r.referenceSide === 'A' ? [30, 70] : [70, 30]);
  });

  it('refuses sides for a method other than DSCQS', async () => {
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'a', method: 'ACR', seed: 4 });
    const s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P' });
    await expect(answer(s, { sides: { A: 1, B: 2 } })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});
