/**
 * The pixels a participant's screen presents: one stimulus of a session, decoded once to 8-bit RGB
 * (rgb24, row-major, width × height × 3, ffmpeg's default conversion from the native format, no
 * scaling filter), so the page can put exactly these bytes on a canvas at 1:1 device pixels. Lossless
 * by construction for 8-bit PNG sources (RGB, RGBA without its alpha, grey and palette expand exactly);
 * a 16-bit PNG is reduced to 8 bits by ffmpeg's conversion, as the metrics read it.
 *
 * Only a stimulus that the session's trials show may be asked for (test, the other of a PC pair, and the
 * reference where the method presents it): the participant page asks by stimulus id and is never given
 * a path. A video is not decoded here: the page plays its playable file (`sessions.video`,
 * playable-copy.ts), so a video is E_UNSUPPORTED here.
 */
import { decodeOneFrame } from '../media/decode-one-frame';
import { IqaError } from '../../common/errors';
import type { Stimulus } from '../../common/domain';
import { STUDY_METHOD_INFO } from '../../common/study';
import type { StudyMethodName } from '../../common/contract-names';
import { inputArgs } from '../media/probe';
import { getStimulus } from '../store/stimuli-repo';
import type { Db } from '../store/project-db';

export interface StimulusPixels {
  stimulusId: number;
  width: number;
  height: number;
  /** rgb24 bytes. */
  rgb: Uint8Array;
  decoder: string;
}

/** Whether the session's method shows the reference itself (E_NOT_FOUND for an unknown session). */
function sessionShowsReference(db: Db, sessionId: number): boolean {
  const session = db
    .prepare('SELECT st.method FROM sessions se JOIN studies st ON st.id = se.study_id WHERE se.id = ?')
    .get(sessionId) as { method: StudyMethodName } | undefined;
  if (!session) throw new IqaError('E_NOT_FOUND', `no session ${sessionId} in this project`);
  const presentation = STUDY_METHOD_INFO[session.method]?.presentation;
  return presentation === 'reference-then-test' || presentation === 'ab-pair';
}

/** The stimulus, if the session shows it; otherwise E_NOT_FOUND (the same answer as for an unknown id). */
export function sessionStimulus(db: Db, sessionId: number, stimulusId: number): Stimulus {
  const showsReference = sessionShowsReference(db, sessionId);
  const shown = db
    .prepare(
      `SELECT 1 FROM trials WHERE session_id = ? AND (stimulus_id = ? OR other_stimulus_id = ? OR (? = 1 AND reference_id = ?)) LIMIT 1`,
    )
    .get(sessionId, stimulusId, stimulusId, showsReference ? 1 : 0, stimulusId);
  const s = shown ? getStimulus(db, stimulusId) : undefined;
  if (!s) throw new IqaError('E_NOT_FOUND', `stimulus ${stimulusId} is not shown in session ${sessionId}`);
  return s;
}

/** Decodes the first (only) frame of an image stimulus to rgb24. */
export async function decodeStimulusPixels(s: Stimulus, file: string, signal?: AbortSignal): Promise<StimulusPixels> {
  if (s.kind !== 'image') {
    throw new IqaError('E_UNSUPPORTED', `${s.path} is a video: the participant page plays its playable file (sessions.video)`, { file });
  }
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-threads', '1', '-noautorotate',
    ...inputArgs(file, s.rawGeometry ?? undefined),
    '-map', '0:v:0', '-frames:v', '1',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-',
  ];
  const size = s.width * s.height * 3;
  // The imported size, not the file's: a file that changed since import fails here instead of being
  // presented rescaled.
  const rgb = await decodeOneFrame(file, args, size, signal);
  if (!rgb) throw new IqaError('E_MEDIA', `${file}: the decoder wrote no frame`, { file });
  return { stimulusId: s.id, width: s.width, height: s.height, rgb, decoder: ['ffmpeg', ...args].join(' ') };
}

/**
 * The media of the `count` unanswered trials after the current one, in presentation order and without
 * repeats, so the page can load them while the current trial runs (no stall, no flash between trials);
 * `videos` says which of them are videos (the page fetches those with `sessions.video`).
 * PC active designs create their next trial only when the current one is answered: those are not listed.
 */
export function upcomingStimuli(db: Db, sessionId: number, count: number): { stimulusIds: number[]; videos: number[] } {
  const showsReference = sessionShowsReference(db, sessionId);
  const rows = db
    .prepare(
      `SELECT t.stimulus_id, t.reference_id, t.other_stimulus_id FROM trials t
       WHERE t.session_id = ? AND t.timed_out_at IS NULL AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.trial_id = t.id) ORDER BY t.idx LIMIT ? OFFSET 1`,
    )
    .all(sessionId, count) as { stimulus_id: number; reference_id: number | null; other_stimulus_id: number | null }[];
  const ids: number[] = [];
  const add = (id: number | null) => id !== null && !ids.includes(id) && ids.push(id);
  for (const r of rows) {
    if (showsReference) add(r.reference_id);
    add(r.stimulus_id);
    add(r.other_stimulus_id);
  }
  const videos = ids.filter((id) => getStimulus(db, id)?.kind === 'video');
  return { stimulusIds: ids, videos };
}
