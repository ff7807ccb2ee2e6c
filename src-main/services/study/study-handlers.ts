/**
 * The study runner's contract commands (studies.*, sessions.*, ratings.submit), spread into the
 * engine's handler map. Each reads and writes the project's database on the engine's thread: every
 * command is a few short statements (an answer is one small transaction), except studies.validate,
 * whose decodes run in ffmpeg child processes.
 */
import { resolve } from 'node:path';
import type { Handlers } from '../../common/contract';
import type { Stimulus } from '../../common/domain';
import type { StudyDetail } from '../../common/study';
import type { Db } from '../store/project-db';
import { createStudy, estimateMinutes, readStudy, setScaleLabels, studyStimuli } from './designs';
import { enrol, previewPlaylist, recordParticipantPages, sessionState, studyProgress, submitRating, timeOutTrial, updateSession } from './sessions';
import { exportStudy } from './study-export';
import { validateStudy } from './validate';
import { sessionStimulus } from './presentation';
import { playableVideo, readChunk } from './playable-copy';

export type StudyCommand =
  | 'studies.create'
  | 'studies.get'
  | 'studies.validate'
  | 'studies.progress'
  | 'studies.playlist'
  | 'studies.setLabels'
  | 'studies.export'
  | 'sessions.enrol'
  | 'sessions.current'
  | 'sessions.update'
  | 'sessions.participant'
  | 'sessions.video'
  | 'sessions.timeout'
  | 'ratings.submit';

export interface StudyHandlerContext {
  /** The project's open database (its folder checked by the engine's access rules). */
  db(projectDir: string): Db;
  /** A stimulus's media file, checked like any path a request names. */
  mediaPath(projectDir: string, s: Stimulus): string;
}

export function studyHandlers(ctx: StudyHandlerContext): Pick<Handlers, StudyCommand> {
  return {
    'studies.create': async ({ projectDir, ...o }) => {
      const db = ctx.db(projectDir);
      const study = createStudy(db, o);
      return { studyId: study.id, estimate: estimateMinutes(study, studyStimuli(db, study.design)) };
    },
    'studies.get': async ({ projectDir, studyId }): Promise<StudyDetail> => {
      const db = ctx.db(projectDir);
      const study = readStudy(db, studyId);
      const stimuli = studyStimuli(db, study.design);
      return {
        ...study,
        estimate: estimateMinutes(study, stimuli),
        stimuli: [...stimuli.values()].sort((a, b) => a.id - b.id).map((s) => ({ id: s.id, name: s.name, role: s.role, content: s.content })),
      };
    },
    'studies.validate': async ({ projectDir, studyId, display }) => {
      const dir = resolve(projectDir);
      return validateStudy(ctx.db(dir), dir, studyId, { ...(display ? { display } : {}), mediaPath: (s) => ctx.mediaPath(dir, s) });
    },
    'studies.progress': async ({ projectDir, studyId }) => studyProgress(ctx.db(projectDir), studyId),
    'studies.playlist': async ({ projectDir, studyId, participant }) => {
      const { plan, stimuli, activeTrials } = previewPlaylist(ctx.db(projectDir), studyId, participant);
      const name = (id: number | null) => (id === null ? null : stimuli.get(id)!.name);
      return {
        trials: plan.map((t, idx) => ({ idx, stimulus: name(t.stimulusId)!, reference: name(t.referenceId), other: name(t.otherId), training: t.training, referenceSide: t.referenceSide })),
        activeTrials,
      };
    },
    'studies.setLabels': async ({ projectDir, studyId, labels }) => setScaleLabels(ctx.db(projectDir), studyId, labels),
    'studies.export': async ({ projectDir, studyId, format }) => {
      const dir = resolve(projectDir);
      return exportStudy(ctx.db(dir), dir, studyId, format);
    },
    'sessions.enrol': async ({ projectDir, studyId, participant, resume, display, notes }) =>
      enrol(ctx.db(projectDir), studyId, participant, { ...(resume !== undefined ? { resume } : {}), ...(display ? { display } : {}), ...(notes ? { notes } : {}) }),
    'sessions.current': async ({ projectDir, sessionId }) => sessionState(ctx.db(projectDir), sessionId),
    'sessions.update': async ({ projectDir, sessionId, display, notes }) => updateSession(ctx.db(projectDir), sessionId, { ...(display ? { display } : {}), ...(notes ? { notes } : {}) }),
    'sessions.participant': async ({ projectDir, ...input }) => recordParticipantPages(ctx.db(projectDir), input),
    'sessions.video': async ({ projectDir, sessionId, stimulusId, offset }) => {
      const dir = resolve(projectDir);
      const s = sessionStimulus(ctx.db(dir), sessionId, stimulusId);
      const v = await playableVideo(dir, s, ctx.mediaPath(dir, s));
      const from = Math.min(offset, v.size);
      const bytes = await readChunk(v.file, from);
      return { stimulusId, mime: v.mime, size: v.size, offset: from, data: bytes.toString('base64'), prepared: v.prepared };
    },
    'sessions.timeout': async ({ projectDir, ...a }) => timeOutTrial(ctx.db(projectDir), a),
    'ratings.submit': async ({ projectDir, ...answer }) => submitRating(ctx.db(projectDir), answer),
  };
}
