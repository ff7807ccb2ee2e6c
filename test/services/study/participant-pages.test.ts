/**
 * What a participant goes through before the trials (sessions.participant): consent (no answer stored
 * before it; declining ends the session), the demographics form checked against the design's fields,
 * the vision check record; each part once, kept across a resume, shown to the researcher
 * (studies.progress) and in the JSON export.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { dispatch } from '../../../src-main/host/dispatch';
import { Engine } from '../../../src-main/services/engine';
import { saveStimulus } from '../../../src-main/services/store/stimuli-repo';
import { formatDemographicFields, parseDemographicFields, type SessionState, type StudyProgress } from '../../../src-main/common/study';
import { tempDir } from '../../helpers/media';
import { callCommand, imageRecord } from '../../helpers/study-project';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
const project = () => join(tmp.dir, 'project');
const call = <T>(name: string, input: Record<string, unknown>): Promise<T> => callCommand<T>(engine, project(), name, input);
const now = () => new Date().toISOString();
const answer = (s: SessionState, value: number) => call<SessionState>('ratings.submit', { sessionId: s.sessionId, trialId: s.trial!.trialId, value, responseMs: 800, presentedAt: now(), votedAt: now() });

const CONSENT = 'I agree to take part.\nMy answers are stored under a code.';
const FIELDS = 'Age* (number); Gender: female | male | other | prefer not to say; Occupation';

beforeEach(async () => {
  tmp = tempDir('participant-pages');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
  await dispatch(engine.handlers, 'projects.create', { dir: project() });
  const db = engine.db(project());
  for (const c of ['src01', 'src02']) {
    const ref = saveStimulus(db, imageRecord(c, 'reference', c), null);
    saveStimulus(db, imageRecord(`${c}_a`, 'distorted', c), ref.id);
  }
});
afterEach(async () => {
  await engine.shutdown();
  tmp.cleanup();
});

const create = (pages: Record<string, unknown>) => call<{ studyId: number }>('studies.create', { name: 'acr', method: 'ACR', seed: 2, pages });

describe('the pages before the trials', () => {
  it('asks consent, demographics and the vision check in order, stores each once, and keeps them across a resume', async () => {
    const { studyId } = await create({ consent: CONSENT, demographics: parseDemographicFields(FIELDS), visionCheck: true, instructions: '  Sit at 3H.  ' });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P1' });
    expect(s.pages).toEqual({ consent: CONSENT, demographics: parseDemographicFields(FIELDS), visionCheck: true, instructions: 'Sit at 3H.' });
    expect(s.info).toEqual({});

    // Nothing before consent: no rating, no time-out, no demographics.
    await expect(answer(s, 4)).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringContaining('not yet agreed to the consent text') });
    await expect(call('sessions.participant', { sessionId: s.sessionId, demographics: { age: 30 } })).rejects.toMatchObject({ code: 'E_INPUT' });

    s = await call<SessionState>('sessions.participant', { sessionId: s.sessionId, consent: { agreed: true, at: '2026-12-07T10:00:00.000Z' } });
    expect(s.info.consent).toEqual({ agreed: true, at: '2026-12-07T10:00:00.000Z', text: CONSENT });
    await expect(call('sessions.participant', { sessionId: s.sessionId, consent: { agreed: false, at: now() } })).rejects.toMatchObject({ code: 'E_EXISTS' });

    // The form: every key a field, numbers numeric, a choice among its options, required fields answered.
    const bad: [Record<string, unknown>, string][] = [
      [{ age: 30, shoe: 42 }, '"shoe" is not a field'],
      [{ gender: 'female' }, '"Age" must be answered'],
      [{ age: 'thirty' }, '"Age" takes a number'],
      [{ age: 30, gender: 'unknown' }, '"Gender" is one of female, male, other, prefer not to say'],
    ];
    for (const [demographics, message] of bad) {
      await expect(call('sessions.participant', { sessionId: s.sessionId, demographics })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringContaining(message) });
    }
    s = await call<SessionState>('sessions.participant', { sessionId: s.sessionId, demographics: { age: '31', gender: 'other', occupation: '  ' } });
    expect(s.info.demographics).toEqual({ age: 31, gender: 'other', occupation: null });

    await expect(call('sessions.participant', { sessionId: s.sessionId, vision: { acuity: ' ', colour: 'normal', at: now() } })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(call('sessions.participant', { sessionId: s.sessionId, vision: { acuity: '6/6', colour: 'purple', at: now() } })).rejects.toMatchObject({ code: 'E_INPUT' });
    s = await call<SessionState>('sessions.participant', { sessionId: s.sessionId, vision: { acuity: '6/6', colour: 'normal', test: 'Snellen, Ishihara', at: '2026-12-07T10:01:00.000Z' } });
    expect(s.info.vision).toEqual({ acuity: '6/6', colour: 'normal', test: 'Snellen, Ishihara', at: '2026-12-07T10:01:00.000Z' });

    s = await answer(s, 4);
    // A resume (a restarted engine) reads the same record back.
    await engine.shutdown();
    engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
    const resumed = await call<SessionState>('sessions.enrol', { studyId, participant: 'P1', resume: true });
    expect(resumed.info).toEqual(s.info);
    expect(resumed.answered).toBe(1);

    const progress = await call<StudyProgress>('studies.progress', { studyId });
    expect(progress.participants[0]!.info).toEqual(s.info);
    const exported = JSON.parse((await call<{ content: string }>('studies.export', { studyId, format: 'json' })).content) as { sessions: { participantInfo: unknown }[] };
    expect(exported.sessions[0]!.participantInfo).toEqual(s.info);
  });

  it('a declined consent ends the session: nothing else is recorded, no answer taken', async () => {
    const { studyId } = await create({ consent: CONSENT, demographics: parseDemographicFields('Age (number)') });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P2' });
    s = await call<SessionState>('sessions.participant', { sessionId: s.sessionId, consent: { agreed: false, at: now() } });
    expect(s.state).toBe('aborted');
    expect(s.info.consent?.agreed).toBe(false);
    await expect(call('sessions.participant', { sessionId: s.sessionId, demographics: { age: 20 } })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(answer(s, 3)).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringContaining('declined') });
    const progress = await call<StudyProgress>('studies.progress', { studyId });
    expect(progress.participants[0]).toMatchObject({ state: 'aborted', answered: 0 });
  });

  it('a study without pages asks nothing and refuses records it did not ask for', async () => {
    const { studyId } = await create({ consent: '   ' });
    const s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P3' });
    expect(s.pages).toEqual({ consent: null, demographics: [], visionCheck: false, instructions: null });
    for (const part of [{ consent: { agreed: true, at: now() } }, { demographics: {} }, { vision: { acuity: '1.0', colour: 'normal', at: now() } }]) {
      await expect(call('sessions.participant', { sessionId: s.sessionId, ...part })).rejects.toMatchObject({ code: 'E_INPUT' });
    }
    expect((await answer(s, 5)).answered).toBe(1);
  });

  it('refuses a design whose form is malformed', async () => {
    const field = { key: 'age', label: 'Age', kind: 'text', options: [], required: false };
    await expect(create({ demographics: [field, { ...field, label: 'Age again' }] })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringContaining('two fields have the key "age"') });
    await expect(create({ demographics: [{ ...field, kind: 'choice', options: ['one'] }] })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringContaining('at least two options') });
    await expect(create({ demographics: [{ ...field, key: 'Age!' }] })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});

describe('the demographics spec', () => {
  it('reads text, number, choice and required fields, and writes the same spec back', () => {
    const f = parseDemographicFields('Age* (number);\nGender: female | male | other\n Years of experience (text) ;');
    expect(f).toEqual([
      { key: 'age', label: 'Age', kind: 'number', options: [], required: true },
      { key: 'gender', label: 'Gender', kind: 'choice', options: ['female', 'male', 'other'], required: false },
      { key: 'years_of_experience', label: 'Years of experience', kind: 'text', options: [], required: false },
    ]);
    expect(parseDemographicFields('')).toEqual([]);
    const spec = 'Age* (number); Gender: female | male; Notes';
    expect(parseDemographicFields(spec)).toEqual(parseDemographicFields(spec.replace(/; /g, '\n')));
    expect(formatDemographicFields(parseDemographicFields(spec))).toBe(spec);
  });
  it('names the field at fault', () => {
    expect(() => parseDemographicFields('Glasses: yes')).toThrow(/"Glasses": a choice needs at least two options/);
    expect(() => parseDemographicFields('Age; age')).toThrow(/"age": two fields have the same name/);
    expect(() => parseDemographicFields('Age (number): 1 | 2')).toThrow(/"Age": a choice/);
    expect(() => parseDemographicFields('* (number)')).toThrow(/give it a label/);
  });
});
