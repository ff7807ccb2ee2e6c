import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { dispatch } from '../../../src-main/host/dispatch';
import { Engine } from '../../../src-main/services/engine';
import { saveStimulus } from '../../../src-main/services/store/stimuli-repo';
import type { SessionState, StudyProgress } from '../../../src-main/common/study';
import { tempDir } from '../../helpers/media';
import { callCommand, imageRecord } from '../../helpers/study-project';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
const project = () => join(tmp.dir, 'project');

const call = <T>(name: string, input: Record<string, unknown>): Promise<T> => callCommand<T>(engine, project(), name, input);


beforeEach(async () => {
  tmp = tempDir('vote-timeout');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
  await dispatch(engine.handlers, 'projects.create', { dir: project() });
  const db = engine.db(project());
  for (const c of ['src01', 'src02', 'src03']) {
    const ref = saveStimulus(db, imageRecord(c, 'reference', c), null);
    saveStimulus(db, imageRecord(`${c}_a`, 'distorted', c), ref.id);
  }
});
afterEach(async () => {
  await engine.shutdown();
  tmp.cleanup();
});

const now = () => new Date().toISOString();
const answer = (s: SessionState, value: number) => call<SessionState>('ratings.submit', { sessionId: s.sessionId, trialId: s.trial!.trialId, value, responseMs: 700, presentedAt: now(), votedAt: now() });
const timeOut = (s: SessionState, trialId = s.trial!.trialId) => call<SessionState>('sessions.timeout', { sessionId: s.sessionId, trialId, presentedAt: now(), timedOutAt: now() });

describe('a trial whose voting time runs out', () => {
  it('is recorded as timed out with no rating, the session goes on, and it takes no answer afterwards', async () => {
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'limit', method: 'ACR', seed: 2, timing: { voteLimitMs: 1000 } });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P' });
    s = await answer(s, 4);
    const late = s.trial!.trialId;
    s = await timeOut(s);
    expect(s.answered).toBe(2);
    expect(s.trial!.idx).toBe(2);
    await expect(call('ratings.submit', { sessionId: s.sessionId, trialId: late, value: 3, responseMs: 1, presentedAt: now(), votedAt: now() })).rejects.toMatchObject({ code: 'E_EXISTS' });
    await expect(timeOut(s, late)).rejects.toMatchObject({ code: 'E_EXISTS' });
    // Resuming after a restart lands on the next trial, not on the timed-out one.
    expect((await call<SessionState>('sessions.current', { sessionId: s.sessionId })).trial!.trialId).toBe(s.trial!.trialId);
    s = await answer(s, 2);
    expect(s.state).toBe('finished');
    const doc = JSON.parse((await call<{ content: string }>('studies.export', { studyId, format: 'json' })).content) as { ratings: { idx: number; value: number }[] };
    expect(doc.ratings.map((r) => [r.idx, r.value])).toEqual([[0, 4], [2, 2]]);
    const progress = await call<StudyProgress>('studies.progress', { studyId });
    expect(progress.participants[0]).toMatchObject({ answered: 3, timedOut: 1, total: 3, state: 'finished' });
    const row = engine.db(project()).prepare('SELECT timed_out_at FROM trials WHERE id = ?').get(late) as { timed_out_at: string | null };
    expect(Date.parse(row.timed_out_at!)).not.toBeNaN();
  });

  it('cannot happen in a study without a voting time limit, nor out of order', async () => {
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'free', method: 'ACR', seed: 2 });
    const s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P' });
    await expect(timeOut(s)).rejects.toMatchObject({ code: 'E_INPUT' });
    const { studyId: limited } = await call<{ studyId: number }>('studies.create', { name: 'limit', method: 'ACR', seed: 2, timing: { voteLimitMs: 1000 } });
    const t = await call<SessionState>('sessions.enrol', { studyId: limited, participant: 'P' });
    const later = (engine.db(project()).prepare('SELECT id FROM trials WHERE session_id = ? AND idx = 2').get(t.sessionId) as { id: number }).id;
    await expect(timeOut(t, later)).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});
