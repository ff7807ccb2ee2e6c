/**
 * Crash safety of a study session over the real web host (build/main/web.js): answers given over HTTP,
 * the host killed with SIGKILL (one answer in flight), a new host started on the same project, the
 * session resumed. Needs `npm run build:main`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { saveStimulus, type StimulusRecord } from '../../src-main/services/store/stimuli-repo';
import type { SessionState } from '../../src-main/common/study';
import { callApi, startWeb, type WebServer } from '../helpers/browser';
import { tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
const hosts: WebServer[] = [];

const record = (name: string, role: 'reference' | 'distorted', content: string): StimulusRecord => ({
  path: `media/${name}.png`,
  name,
  role,
  content,
  sha256: name.padEnd(64, '0').slice(0, 64),
  sizeBytes: 1000,
  kind: 'image',
  container: 'png_pipe',
  codec: 'png',
  width: 64,
  height: 48,
  frameCount: 1,
  fps: null,
  durationS: null,
  pixFmt: 'rgb24',
  bitDepth: 8,
  colorSpace: null,
  colorRange: null,
  colorPrimaries: null,
  colorTransfer: null,
  attributes: {},
  rawGeometry: null,
});

beforeEach(() => {
  tmp = tempDir('study-crash');
});
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
  tmp.cleanup();
});

describe('a study session whose host is killed', () => {
  it('resumes at the first unanswered trial, and finishing gives exactly one rating per trial, none lost or duplicated', async () => {
    const project = join(tmp.dir, 'project');
    const db = openProjectDb(project, { create: true, name: 'crash' });
    for (const c of ['src01', 'src02', 'src03', 'src04']) {
      const ref = saveStimulus(db, record(c, 'reference', c), null);
      for (const d of ['a', 'b', 'c']) saveStimulus(db, record(`${c}_${d}`, 'distorted', c), ref.id);
    }
    db.close();
    const env = { IQA_USER_DATA: join(tmp.dir, 'user') };
    let web = await startWeb(env);
    hosts.push(web);
    const { studyId } = await callApi<{ studyId: number }>(web, 'studies.create', { projectDir: project, name: 'crash', method: 'ACR', seed: 21, repetitions: 2 });
    let s = await callApi<SessionState>(web, 'sessions.enrol', { projectDir: project, studyId, participant: 'K1' });
    expect(s.total).toBe(24);
    const order: number[] = [];
    const given = new Map<number, number>();
    const submit = (w: WebServer, st: SessionState, value: number) => {
      const now = new Date().toISOString();
      return callApi<SessionState>(w, 'ratings.submit', { projectDir: project, sessionId: st.sessionId, trialId: st.trial!.trialId, value, responseMs: 900, presentedAt: now, votedAt: now });
    };
    for (let i = 0; i < 7; i++) {
      order.push(s.trial!.trialId);
      given.set(s.trial!.trialId, 1 + (i % 5));
      s = await submit(web, s, 1 + (i % 5));
    }
    // One more answer in flight while the host dies: it is either committed whole or not at all.
    const inFlight = s.trial!.trialId;
    const pending = submit(web, s, 5).catch(() => null);
    web.process.kill('SIGKILL');
    await new Promise<void>((done) => (web.process.exitCode !== null || web.process.signalCode !== null ? done() : web.process.once('exit', () => done())));
    expect(web.process.signalCode).toBe('SIGKILL');
    await pending;
    hosts.splice(hosts.indexOf(web), 1);

    web = await startWeb(env);
    hosts.push(web);
    s = await callApi<SessionState>(web, 'sessions.enrol', { projectDir: project, studyId, participant: 'K1', resume: true });
    expect([7, 8]).toContain(s.answered);
    if (s.answered === 8) given.set(inFlight, 5);
    // The next trial is the first unanswered one, in the stored order.
    expect(s.trial!.idx).toBe(s.answered);
    if (s.answered === 7) expect(s.trial!.trialId).toBe(inFlight);
    while (s.trial) {
      given.set(s.trial.trialId, 3);
      s = await submit(web, s, 3);
    }
    expect(s).toMatchObject({ state: 'finished', answered: 24, total: 24 });
    await web.stop();
    hosts.splice(hosts.indexOf(web), 1);

    const check = openProjectDb(project);
    try {
      const rows = check
        .prepare('SELECT t.id AS trial, t.idx, COUNT(r.id) AS n, MAX(r.value) AS value FROM trials t LEFT JOIN ratings r ON r.trial_id = t.id JOIN sessions se ON se.id = t.session_id WHERE se.study_id = ? GROUP BY t.id ORDER BY t.idx')
        .all(studyId) as { trial: number; idx: number; n: number; value: number }[];
      expect(rows).toHaveLength(24);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      expect(rows.slice(0, 7).map((r) => r.trial)).toEqual(order);
      expect(new Map(rows.map((r) => [r.trial, r.value]))).toEqual(given);
    } finally {
      check.close();
    }
  });
});
