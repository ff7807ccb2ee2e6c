/**
 * A participant's playlist, pure: from the study design, the stimuli it names (content, reference) and
 * the session's seed, the ordered trials. Deterministic: the same design, stimuli and seed always give
 * the same playlist, so a participant's order can be previewed (`iqa study playlist`) and is the one
 * `sessions.enrol` stores.
 *
 * Order of generation (each draw from one Rng seeded with the session seed, in this order): training
 * trials (cycled through a shuffle of the training stimuli), then the test items (each repeated
 * `repetitions` times; PC random: the sample of pairs), then per trial DSCQS's reference side or PC's
 * first/second, then the order (kernels/study/order.ts; the test block continues the training block's
 * constraint).
 */
import type { PairDesign, StudyDesign } from '../../common/study';
import type { StudyMethodName } from '../../common/contract-names';
import { createRng, orderWithoutRepeats, shuffle, type Rng } from './order';

export interface PlaylistStimulus {
  id: number;
  /** The content key (the source content; a stimulus without one is its own). */
  content: string;
  referenceId: number | null;
}

export interface PlannedTrial {
  stimulusId: number;
  /** The stimulus's reference: shown for DCR/DSCQS, recorded (not shown) for ACR and ACR-HR; null for a hidden reference or PC. */
  referenceId: number | null;
  /** PC: the second of the pair (stimulusId is the first shown). */
  otherId: number | null;
  training: boolean;
  /** DSCQS: on which side (A is shown first) the reference is. */
  referenceSide: 'A' | 'B' | null;
  content: string;
}

export type PlaylistDesign = Pick<StudyDesign, 'stimulusIds' | 'hiddenReferenceIds' | 'repetitions' | 'training' | 'pairs' | 'pairsWithin' | 'plannedParticipants'>;

/** Every unordered pair of the stimuli, within each content (or across all). */
export function candidatePairs(ids: readonly number[], byId: ReadonlyMap<number, PlaylistStimulus>, within: 'content' | 'all'): [number, number][] {
  const sorted = [...ids].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (within === 'content' && byId.get(a)!.content !== byId.get(b)!.content) continue;
      out.push([a, b]);
    }
  }
  return out;
}

/** PC random/active: how many comparisons one participant makes so that each pair gets `perPair` over the planned participants. */
export function pairsPerParticipant(pairCount: number, pairs: PairDesign, plannedParticipants: number): number {
  if (pairs.kind === 'full') return pairCount;
  return Math.max(1, Math.ceil((pairs.perPair * pairCount) / Math.max(1, plannedParticipants)));
}

function pairTrial(a: number, b: number, byId: ReadonlyMap<number, PlaylistStimulus>, rng: Rng, training: boolean): PlannedTrial {
  const [first, second] = rng.nextInt(2) === 0 ? [a, b] : [b, a];
  return { stimulusId: first, referenceId: null, otherId: second, training, referenceSide: null, content: byId.get(a)!.content };
}

function singleTrial(id: number, byId: ReadonlyMap<number, PlaylistStimulus>, method: StudyMethodName, rng: Rng, training: boolean, hiddenReference: boolean): PlannedTrial {
  const s = byId.get(id)!;
  return {
    stimulusId: id,
    referenceId: hiddenReference ? null : s.referenceId,
    otherId: null,
    training,
    referenceSide: method === 'DSCQS' ? (rng.nextInt(2) === 0 ? 'A' : 'B') : null,
    content: s.content,
  };
}

/** `count` draws cycling through successive shuffles of `pool`. */
function cycled<T>(pool: readonly T[], count: number, rng: Rng): T[] {
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(...shuffle(pool.slice(), rng).slice(0, count - out.length));
  return out;
}

/**
 * The playlist of one session. PC with active pairs has no fixed playlist: it gives the training block
 * only (the session asks its pair chooser for each test trial as it goes).
 */
export function buildPlaylist(method: StudyMethodName, design: PlaylistDesign, stimuli: readonly PlaylistStimulus[], seed: number): PlannedTrial[] {
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const rng = createRng(seed);
  const content = (t: PlannedTrial) => t.content;
  let training: PlannedTrial[];
  let test: PlannedTrial[];
  if (method === 'PC') {
    const tp = candidatePairs(design.training.stimulusIds, byId, design.pairsWithin);
    training = cycled(tp, design.training.count, rng).map(([a, b]) => pairTrial(a, b, byId, rng, true));
    const pairs = candidatePairs(design.stimulusIds, byId, design.pairsWithin);
    const pd = design.pairs ?? { kind: 'full' };
    let chosen: [number, number][];
    if (pd.kind === 'full') chosen = Array.from({ length: design.repetitions }, () => pairs).flat();
    else if (pd.kind === 'random') chosen = cycled(pairs, pairsPerParticipant(pairs.length, pd, design.plannedParticipants), rng);
    else chosen = [];
    test = chosen.map(([a, b]) => pairTrial(a, b, byId, rng, false));
  } else {
    training = cycled(design.training.stimulusIds, design.training.count, rng).map((id) => singleTrial(id, byId, method, rng, true, false));
    const items: { id: number; hidden: boolean }[] = [
      ...design.stimulusIds.map((id) => ({ id, hidden: false })),
      ...design.hiddenReferenceIds.map((id) => ({ id, hidden: true })),
    ];
    test = [];
    for (let r = 0; r < design.repetitions; r++) for (const it of items) test.push(singleTrial(it.id, byId, method, rng, false, it.hidden));
  }
  const orderedTraining = orderWithoutRepeats(training, content, rng);
  const prev = orderedTraining.length ? orderedTraining[orderedTraining.length - 1]!.content : null;
  return [...orderedTraining, ...orderWithoutRepeats(test, content, rng, prev)];
}
