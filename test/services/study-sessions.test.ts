import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dispatch } from '../../src-main/host/dispatch';
import { Engine } from '../../src-main/services/engine';
import { analyzeProject } from '../../src-main/services/analysis/analyze-project';
import { saveStimulus, type StimulusRecord } from '../../src-main/services/store/stimuli-repo';
import { openProjectDb, migrate } from '../../src-main/services/store/project-db';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src-main/services/store/migrations';
import { saveImportedStudy, studyRatings } from '../../src-main/services/store/ratings-repo';
import type { SessionState, StudyProgress, PlaylistTrial } from '../../src-main/common/study';
import { setActivePairChooser } from '../../src-main/services/study/sessions';
import { informationGainPair } from '../../src-main/kernels/study/pair-chooser';
import { tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
let project: string;

async function call<T>(name: string, input: Record<string, unknown>, e = engine): Promise<T> {
  const reply = await dispatch(e.handlers, name, { projectDir: project, ...input });
  if (!reply.ok) throw Object.assign(new Error(`${name}: ${reply.error.code} ${reply.error.message}`), { code: reply.error.code });
  return reply.value as T;
}

const record = (name: string, role: 'reference' | 'distorted', content: string, kind: 'image' | 'video' = 'image'): StimulusRecord => ({
  path: `media/${name}.${kind === 'image' ? 'png' : 'mp4'}`,
  name,
  role,
  content,
  sha256: name.padEnd(64, '0').slice(0, 64),
  sizeBytes: 1000,
  kind,
  container: kind === 'image' ? 'png_pipe' : 'mp4',
  codec: kind === 'image' ? 'png' : 'h264',
  width: 64,
  height: 48,
  frameCount: kind === 'image' ? 1 : 50,
  fps: kind === 'image' ? null : 25,
  durationS: kind === 'image' ? null : 2,
  pixFmt: 'rgb24',
  bitDepth: 8,
  colorSpace: null,
  colorRange: null,
  colorPrimaries: null,
  colorTransfer: null,
  attributes: {},
  rawGeometry: null,
});

/** Three contents of a reference and three distorted versions (images) in a new project. */
async function makeProject(kind: 'image' | 'video' = 'image'): Promise<void> {
  project = join(tmp.dir, 'project');
  await dispatch(engine.handlers, 'projects.create', { dir: project });
  const db = engine.db(project);
  for (const c of ['src01', 'src02', 'src03']) {
    const ref = saveStimulus(db, record(c, 'reference', c, kind), null);
    for (const d of ['a', 'b', 'c']) saveStimulus(db, record(`${c}_${d}`, 'distorted', c, kind), ref.id);
  }
}

const now = () => new Date().toISOString();
const answer = (s: SessionState, extra: Record<string, unknown>) => call<SessionState>('ratings.submit', { sessionId: s.sessionId, trialId: s.trial!.trialId, responseMs: 1200, presentedAt: now(), votedAt: now(), ...extra });

beforeEach(() => {
  tmp = tempDir('study');
  engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
});
afterEach(async () => {
  await engine.shutdown();
  tmp.cleanup();
});

describe('study sessions through the contract commands', () => {
  it('an ACR study collected through the commands analyses to the MOS of exactly those ratings', async () => {
    await makeProject();
    // Training on the references (outside the test set: the distorted ones).
    const { studyId: id } = await call<{ studyId: number }>('studies.create', { name: 'main', method: 'ACR', seed: 5, training: 2, stimuli: { role: 'distorted' }, trainingStimuli: { role: 'reference' } });
    const given = new Map<string, number[]>();
    for (const code of ['P1', 'P2', 'P3']) {
      let s = await call<SessionState>('sessions.enrol', { studyId: id, participant: code });
      let k = 0;
      while (s.trial) {
        const value = 1 + ((k++ + code.length * 7 + s.trial.media[0]!.stimulusId) % 5);
        if (!s.trial.training) {
          const name = String(s.trial.media[0]!.stimulusId);
          given.set(name, [...(given.get(name) ?? []), value]);
        }
        s = await answer(s, { value });
      }
      expect(s.state).toBe('finished');
      expect(s.answered).toBe(s.total);
    }
    const detail = await call<{ name: string }>('studies.get', { studyId: id });
    const report = analyzeProject(engine.db(project), project, { study: detail.name, mos: 'raw', mapping: 'none', seed: 1, resamples: 0 });
    expect(report.mos.length).toBe(given.size);
    for (const row of report.mos) {
      const v = given.get(String(row.stimulusId))!;
      expect(row.n).toBe(v.length);
      expect(row.mos).toBeCloseTo(v.reduce((a, b) => a + b, 0) / v.length, 12);
    }
    // Training answers are stored, flagged, and never analysed.
    const csv = (await call<{ content: string }>('studies.export', { studyId: id, format: 'csv' })).content.trim().split('\n');
    expect(csv[0]).toMatch(/^participant,session,stimulus,reference,score,score_ref,response_ms,trial,training/);
    expect(given.size).toBe(9);
    expect(csv).toHaveLength(1 + 3 * (2 + 9));
    expect(csv.filter((l) => l.split(',')[8] === '1')).toHaveLength(3 * 2);
  });

  it('the same participant code gets the same order after the project is closed and reopened, and a second enrolment is refused', async () => {
    await makeProject();
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'order', method: 'ACR-HR', seed: 3, repetitions: 2 });
    const preview = await call<{ trials: PlaylistTrial[] }>('studies.playlist', { studyId, participant: 'P7' });
    // 9 distorted + 3 hidden references, twice.
    expect(preview.trials).toHaveLength(24);
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P7', display: { screenWidth: 1920, screenHeight: 1080, devicePixelRatio: 1, colorGamut: 'srgb', userAgent: 'test' }, notes: { viewingDistance: '4H', room: 'BT.500 lab' } });
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      seen.push(s.trial!.media[0]!.stimulusId);
      s = await answer(s, { value: 3 });
    }
    await engine.shutdown();
    engine = new Engine({ userDataDir: join(tmp.dir, 'user'), threads: 1, roots: [tmp.dir] });
    await expect(call('sessions.enrol', { studyId, participant: 'P7' })).rejects.toMatchObject({ code: 'E_EXISTS' });
    s = await call<SessionState>('sessions.enrol', { studyId, participant: 'P7', resume: true });
    expect(s.answered).toBe(5);
    expect(s.trial!.idx).toBe(5);
    while (s.trial) {
      seen.push(s.trial.media[0]!.stimulusId);
      s = await answer(s, { value: 4 });
    }
    const byName = new Map((await call<{ id: number; name: string }[]>('stimuli.list', {})).map((x) => [x.id, x.name]));
    expect(seen.map((id) => byName.get(id))).toEqual(preview.trials.map((t) => t.stimulus));
    // The preview after the session is still the same order, and another code gets another.
    expect((await call<{ trials: PlaylistTrial[] }>('studies.playlist', { studyId, participant: 'P7' })).trials).toEqual(preview.trials);
    expect((await call<{ trials: PlaylistTrial[] }>('studies.playlist', { studyId, participant: 'P8' })).trials).not.toEqual(preview.trials);
    const progress = await call<StudyProgress>('studies.progress', { studyId });
    expect(progress.participants).toEqual([expect.objectContaining({ participant: 'P7', state: 'finished', answered: 24, total: 24, display: expect.objectContaining({ colorGamut: 'srgb' }), notes: { viewingDistance: '4H', room: 'BT.500 lab' } })]);
    // ACR-HR: the hidden references are ordinary trials, and the analysis gives DMOS (V(PVS) - V(REF) + 5) from them.
    const ratings = studyRatings(engine.db(project), studyId);
    expect(ratings.filter((r) => r.referenceId === null)).toHaveLength(6);
    const refMean = new Map<number, number[]>();
    for (const r of ratings) if (r.referenceId === null) refMean.set(r.stimulusId, [...(refMean.get(r.stimulusId) ?? []), r.value]);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const dmos = new Map<number, number[]>();
    for (const r of ratings) if (r.referenceId !== null) dmos.set(r.stimulusId, [...(dmos.get(r.stimulusId) ?? []), r.value - mean(refMean.get(r.referenceId)!) + 5]);
    const report = analyzeProject(engine.db(project), project, { study: 'order', mos: 'raw', mapping: 'none', seed: 1, resamples: 0 });
    expect(report.mos).toHaveLength(9);
    for (const row of report.mos) expect(row.mos).toBeCloseTo(mean(dmos.get(row.stimulusId)!), 12);
  });

  it('a fixed order gives every participant the same playlist, a random one gives each their own', async () => {
    await makeProject();
    const fixed = (await call<{ studyId: number }>('studies.create', { name: 'fixed', method: 'ACR', order: 'fixed', seed: 8 })).studyId;
    const random = (await call<{ studyId: number }>('studies.create', { name: 'random', method: 'ACR', seed: 8 })).studyId;
    const list = async (studyId: number, participant: string) => (await call<{ trials: PlaylistTrial[] }>('studies.playlist', { studyId, participant })).trials.map((t) => t.stimulus);
    expect(await list(fixed, 'X')).toEqual(await list(fixed, 'Y'));
    expect(await list(random, 'X')).not.toEqual(await list(random, 'Y'));
  });

  it('a DSCQS session records both scores and the side the reference was on, and refuses an answer without the reference score', async () => {
    await makeProject();
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'dscqs', method: 'DSCQS', seed: 9 });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'D1' });
    expect(s.scale).toMatchObject({ kind: 'continuous', min: 0, max: 100 });
    const stimuli = await call<{ id: number; role: string }[]>('stimuli.list', {});
    const role = new Map(stimuli.map((x) => [x.id, x.role]));
    await expect(answer(s, { value: 40 })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(answer(s, { value: 40, valueRef: 101 })).rejects.toMatchObject({ code: 'E_INPUT' });
    const sides: string[] = [];
    while (s.trial) {
      expect(s.trial.media.map((m) => m.role)).toEqual(['A', 'B']);
      const refSide = s.trial.media.find((m) => role.get(m.stimulusId) === 'reference')!.role;
      sides.push(refSide);
      s = await answer(s, { value: 40, valueRef: 85.5 });
    }
    const doc = JSON.parse((await call<{ content: string }>('studies.export', { studyId, format: 'json' })).content) as { ratings: { referenceSide: string; value: number; valueRef: number; method: string }[] };
    expect(doc.ratings.map((r) => r.referenceSide)).toEqual(sides);
    expect(doc.ratings.every((r) => r.value === 40 && r.valueRef === 85.5 && r.method === 'DSCQS')).toBe(true);
    const report = analyzeProject(engine.db(project), project, { study: 'dscqs', mos: 'raw', mapping: 'none', seed: 1, resamples: 0 });
    expect(report.mos.every((m) => m.mos === 45.5)).toBe(true);
  });

  it('a PC session takes one choice per trial, in order, with "no difference" only when the study offers it', async () => {
    await makeProject();
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'pc', method: 'PC', stimuli: { role: 'distorted' }, pairs: { kind: 'full' }, allowTie: true, seed: 2 });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'C1' });
    // 3 contents × C(3, 2) pairs of their distorted versions.
    expect(s.total).toBe(9);
    expect(s.trial!.media.map((m) => m.role)).toEqual(['first', 'second']);
    const first = s.trial!;
    s = await answer(s, { choice: null });
    // The same trial again, and a trial out of order, are refused; nothing was stored twice.
    await expect(call('ratings.submit', { sessionId: s.sessionId, trialId: first.trialId, choice: 0, responseMs: 1, presentedAt: now(), votedAt: now() })).rejects.toMatchObject({ code: 'E_EXISTS' });
    const later = (await call<{ trials: PlaylistTrial[] }>('studies.playlist', { studyId, participant: 'C1' })).trials.length;
    expect(later).toBe(9);
    await expect(call('ratings.submit', { sessionId: s.sessionId, trialId: s.trial!.trialId + 1, choice: 0, responseMs: 1, presentedAt: now(), votedAt: now() })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(answer(s, { value: 3 })).rejects.toMatchObject({ code: 'E_INPUT' });
    let k = 0;
    while (s.trial) s = await answer(s, { choice: (k++ % 2) as 0 | 1 });
    const csv = (await call<{ content: string }>('studies.export', { studyId, format: 'csv' })).content.trim().split('\n');
    expect(csv[0]).toMatch(/^participant,session,a,b,choice,/);
    expect(csv.slice(1).map((l) => l.split(',')[4])).toEqual(['tie', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    await expect(call('studies.export', { studyId, format: 'sureal' })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
    // Choices have no MOS: the analysis says where the scale comes from instead of a table of empty rows.
    await expect(call('analysis.run', { study: 'pc', mapping: 'none', resamples: 0 })).rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringContaining('iqa pairwise') });

    const strict = (await call<{ studyId: number }>('studies.create', { name: 'pc-strict', method: 'PC', seed: 2 })).studyId;
    const t = await call<SessionState>('sessions.enrol', { studyId: strict, participant: 'C1' });
    await expect(answer(t, { choice: null })).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it('a PC active session asks the pair chooser for each comparison, within a content, until it has made its share', async () => {
    await makeProject();
    const calls: { allowed: number; answers: number; pair: [number, number] }[] = [];
    setActivePairChooser((state) => {
      const pair = informationGainPair(state);
      calls.push({ allowed: state.allowed.length, answers: Array.from(state.wins).reduce((a, b) => a + b, 0), pair });
      return pair;
    });
    try {
      // 9 pairs, 4 comparisons each over 3 planned participants: 12 comparisons a session.
      const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'active', method: 'PC', stimuli: { role: 'distorted' }, pairs: { kind: 'active', perPair: 4 }, plannedParticipants: 3, seed: 4 });
      expect((await call<{ trials: PlaylistTrial[]; activeTrials: number }>('studies.playlist', { studyId, participant: 'A1' })).activeTrials).toBe(12);
      const stimuli = new Map((await call<{ id: number; content: string }[]>('stimuli.list', {})).map((x) => [x.id, x.content]));
      for (const code of ['A1', 'A2']) {
        let s = await call<SessionState>('sessions.enrol', { studyId, participant: code });
        expect(s.total).toBe(12);
        while (s.trial) {
          const [a, b] = s.trial.media.map((m) => m.stimulusId);
          expect(stimuli.get(a!)).toBe(stimuli.get(b!));
          s = await answer(s, { choice: 0 });
        }
        expect(s).toMatchObject({ state: 'finished', answered: 12 });
      }
      // One call per comparison, each seeing every answer the study had (both participants' included).
      expect(calls).toHaveLength(24);
      expect(calls.map((c) => c.answers)).toEqual(Array.from({ length: 24 }, (_, k) => k));
      expect(calls.every((c) => c.allowed === 9)).toBe(true);
    } finally {
      setActivePairChooser(informationGainPair);
    }
  });

  it('an SSCQE answer stores its samples and rates the trial with their mean', async () => {
    await makeProject('video');
    const { studyId } = await call<{ studyId: number }>('studies.create', { name: 'sscqe', method: 'SSCQE', stimuli: { role: 'distorted' }, timing: { sampleRateHz: 2 } });
    let s = await call<SessionState>('sessions.enrol', { studyId, participant: 'S1' });
    await expect(answer(s, { value: 50 })).rejects.toMatchObject({ code: 'E_INPUT' });
    s = await answer(s, { samples: [{ tMs: 0, value: 50 }, { tMs: 500, value: 70 }, { tMs: 1000, value: 90 }] });
    const doc = JSON.parse((await call<{ content: string }>('studies.export', { studyId, format: 'json' })).content) as { ratings: { value: number; samples: { tMs: number; value: number }[] }[] };
    expect(doc.ratings).toEqual([expect.objectContaining({ value: 70, samples: [{ tMs: 0, value: 50 }, { tMs: 500, value: 70 }, { tMs: 1000, value: 90 }] })]);
  });

  it('a design that cannot run is refused with the reason, a taken name is E_EXISTS, and a design over 30 minutes is warned about', async () => {
    await makeProject();
    await expect(call('studies.create', { name: 'x', method: 'DCR', stimuli: { role: 'reference' } })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(call('studies.create', { name: 'x', method: 'ACR', stimuli: { content: 'nothing' } })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(call('studies.create', { name: 'x', method: 'ACR', pairs: { kind: 'full' } })).rejects.toMatchObject({ code: 'E_INPUT' });
    await call('studies.create', { name: 'x', method: 'ACR' });
    await expect(call('studies.create', { name: 'x', method: 'ACR' })).rejects.toMatchObject({ code: 'E_EXISTS' });
    // A long design says so.
    const long = await call<{ estimate: { minutes: number; warning: string | null } }>('studies.create', { name: 'long', method: 'ACR', repetitions: 30 });
    expect(long.estimate.minutes).toBeGreaterThan(30);
    expect(long.estimate.warning).toMatch(/30 minutes/);
  });
});

describe('migration 4', () => {
  it('a version 3 project with imported ratings migrates to 4 and its ratings read back unchanged', () => {
    const dir = join(tmp.dir, 'v3');
    const db3 = openProjectDb(dir, { create: true });
    db3.close();
    // Rebuild at version 3 exactly: a fresh file migrated by the first three migrations only.
    rmSync(join(dir, 'iqa-project.sqlite'));
    const raw = new Database(join(dir, 'iqa-project.sqlite'));
    raw.pragma('foreign_keys = ON');
    migrate(raw, MIGRATIONS.slice(0, 3));
    raw.prepare("INSERT INTO meta (key, value) VALUES ('name', 'v3'), ('created_at', '2024-01-01')").run();
    const ref = saveStimulus(raw, record('r', 'reference', 'r'), null);
    const dist = saveStimulus(raw, record('r_d', 'distorted', 'r'), ref.id);
    saveImportedStudy(raw, { name: 'old', method: 'ACR', scale: { min: 1, max: 5 }, source: 'x.csv' }, [{ participant: 'p', session: 's', stimulusId: dist.id, value: 4, responseMs: null }], false);
    expect(raw.pragma('user_version', { simple: true })).toBe(3);
    raw.close();
    const db = openProjectDb(dir);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
      expect(cols('ratings')).toEqual(expect.arrayContaining(['method', 'scale', 'voted_at']));
      expect(cols('sessions')).toEqual(expect.arrayContaining(['display', 'notes']));
      expect(cols('trials')).toContain('reference_side');
      expect(cols('rating_samples')).toEqual(['rating_id', 'idx', 't_ms', 'value']);
      const studyId = (db.prepare("SELECT id FROM studies WHERE name = 'old'").get() as { id: number }).id;
      expect(studyRatings(db, studyId)).toEqual([expect.objectContaining({ participant: 'p', stimulusId: dist.id, value: 4, referenceId: ref.id })]);
    } finally {
      db.close();
    }
  });
});
