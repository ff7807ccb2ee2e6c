/**
 * The check before a study starts: every stimulus a session will show (test stimuli, hidden references,
 * the references shown beside them, training stimuli) is there, unchanged in size, decodes in full
 * (media/decode-check.ts, the import's own strict decode) and fits the display at 1:1 (one image pixel
 * per display pixel: a study never rescales). Each problem names the stimulus and the fix. A video must
 * also have a form the participant's browser plays losslessly (playable-copy.ts: as it is, or a lossless
 * VP9 copy); the copy itself is prepared, and verified frame-exact, when a session first asks for it.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Stimulus } from '../../common/domain';
import type { StudyProblem, StudyValidation } from '../../common/study';
import { toIqaError } from '../../common/errors';
import { minimumNeighbours } from '../../kernels/study/order';
import { checkFullDecode } from '../media/decode-check';
import type { Db } from '../store/project-db';
import { estimateMinutes, readStudy, studyStimuli } from './designs';
import { previewPlaylist } from './sessions';
import { unplayableReason } from './playable-copy';


export async function validateStudy(
  db: Db,
  projectDir: string,
  studyId: number,
  o: { display?: { width: number; height: number }; mediaPath: (s: Stimulus) => string; signal?: AbortSignal },
): Promise<StudyValidation> {
  const study = readStudy(db, studyId);
  const stimuli = studyStimuli(db, study.design);
  const display = o.display ?? study.design.display;
  const problems: StudyProblem[] = [];
  const add = (s: Stimulus, problem: string, fix: string) => problems.push({ stimulusId: s.id, stimulus: s.name, problem, fix });
  const list = [...stimuli.values()].sort((a, b) => a.id - b.id);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const s = list[next++];
      if (!s) return;
      let size: number;
      try {
        size = statSync(resolve(projectDir, s.path)).size;
      } catch {
        add(s, `${resolve(projectDir, s.path)} is missing`, 'restore the file, or re-import the folder and create the study again');
        continue;
      }
      let file: string;
      try {
        file = o.mediaPath(s);
      } catch (err) {
        add(s, toIqaError(err).message, 'move the file into a folder the app may use, or start the app with that folder allowed');
        continue;
      }
      if (size !== s.sizeBytes) add(s, `${s.path} changed since it was imported (${s.sizeBytes} → ${size} bytes)`, 're-import it so that its properties and hash are current');
      try {
        await checkFullDecode(file, s, { ...(s.rawGeometry ? { raw: s.rawGeometry } : {}), ...(o.signal ? { signal: o.signal } : {}) });
      } catch (err) {
        add(s, toIqaError(err).message, 're-encode or replace the file, then re-import it');
      }
      try {
        const unplayable = unplayableReason(s, file);
        if (unplayable) add(s, unplayable, 'convert it to one of those pixel formats and import the result as a new stimulus (from RGB or full range, the conversion changes the pixels)');
      } catch (err) {
        add(s, toIqaError(err).message, 're-encode or replace the file, then re-import it');
      }
      if (display && (s.width > display.width || s.height > display.height)) {
        add(s, `${s.width}x${s.height} does not fit the ${display.width}x${display.height} display at 1:1`, `crop or downscale it to at most ${display.width}x${display.height} (as a new stimulus), or use a larger display`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  problems.sort((a, b) => a.stimulusId - b.stimulusId);

  const warnings: string[] = [];
  const estimate = estimateMinutes(study, stimuli);
  if (estimate.warning) warnings.push(estimate.warning);
  if (!display) warnings.push('no display size given: the 1:1 fit was not checked (give the display, e.g. --display 1920x1080)');
  const { plan } = previewPlaylist(db, studyId, '');
  const unavoidable = minimumNeighbours(plan.filter((t) => !t.training).map((t) => t.content));
  if (unavoidable > 0) warnings.push(`one content fills more than half of the trials: every order shows the same content twice in a row at least ${unavoidable} time(s) (orders keep it to that minimum)`);
  return { ok: problems.length === 0, display, checked: list.length, problems, warnings, estimate: { minutes: estimate.minutes, trials: estimate.trials } };
}
