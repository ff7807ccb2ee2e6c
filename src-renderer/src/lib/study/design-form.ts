/**
 * The study designer's form as plain data, and what it becomes: the `studies.create` input, the problems
 * to fix before creating, and which project stimuli the filters choose (the engine's own rule,
 * common/set-spec.ts). Pure (test/renderer/study-design-form.test.ts); the engine still decides.
 */
import type { CommandInput } from '../../../../src-main/common/contract-types';
import type { StudyMethodName } from '../../../../src-main/common/contract-names';
import type { Stimulus } from '../../../../src-main/common/domain';
import { matchesFilter, parseFilter } from '../../../../src-main/common/set-spec';
import { DEFAULT_TIMING, STUDY_METHOD_INFO, defaultScale, parseDemographicFields, type ScaleLabel, type StudyScaleId } from '../../../../src-main/common/study';

export interface DesignForm {
  name: string;
  method: StudyMethodName;
  scale: StudyScaleId;
  /** The scale's labels, editable (value fixed, text free). */
  labels: ScaleLabel[];
  allowTie: boolean;
  /** key=value,… over the project's stimuli; '' = the method's default filter. */
  filter: string;
  training: number;
  /** key=value,… for the training stimuli (outside the test set); needed when training > 0. */
  trainingFilter: string;
  repetitions: number;
  /** '' = a random seed chosen by the engine. */
  seed: string;
  order: 'random' | 'fixed';
  imageS: number;
  greyS: number;
  /** '' = no limit. */
  voteLimitS: string;
  /** '' = no breaks. */
  breakEveryMin: string;
  /** PC only. */
  pairs: 'full' | 'random' | 'active';
  perPair: number;
  /** The participant's pages before the trials: '' = none (common/study.ts ParticipantPages). */
  consent: string;
  instructions: string;
  /** The demographics form as its one-line spec (parseDemographicFields); '' = no form. */
  demographics: string;
  visionCheck: boolean;
}

export function defaultForm(method: StudyMethodName = 'ACR'): DesignForm {
  const scale = STUDY_METHOD_INFO[method].scales[0]!;
  return {
    name: '',
    method,
    scale,
    labels: defaultScale(scale).labels,
    allowTie: false,
    filter: '',
    training: 0,
    trainingFilter: '',
    repetitions: 1,
    seed: '',
    order: 'random',
    imageS: DEFAULT_TIMING.imageMs / 1000,
    greyS: DEFAULT_TIMING.greyMs / 1000,
    voteLimitS: '',
    breakEveryMin: '',
    pairs: 'full',
    perPair: 3,
    consent: '',
    instructions: '',
    demographics: '',
    visionCheck: false,
  };
}

/** The form after a method change: the method's first scale and its labels, everything else kept. */
export function withMethod(form: DesignForm, method: StudyMethodName): DesignForm {
  const scale = STUDY_METHOD_INFO[method].scales[0]!;
  return { ...form, method, scale, labels: defaultScale(scale).labels };
}

export function withScale(form: DesignForm, scale: StudyScaleId): DesignForm {
  return { ...form, scale, labels: defaultScale(scale).labels };
}

/** The filter the test stimuli are chosen by: the form's, or the method's default. */
export function testFilter(form: DesignForm): Record<string, string> {
  const t = form.filter.trim();
  return t ? parseFilter(t, 'stimulus filter') : { ...STUDY_METHOD_INFO[form.method].defaultFilter };
}

/** Problems that stop the form from being sent, in the order of the fields. */
export function formProblems(form: DesignForm): string[] {
  const p: string[] = [];
  if (!form.name.trim()) p.push('Give the study a name.');
  for (const [what, text] of [['Stimulus filter', form.filter], ['Training filter', form.trainingFilter]] as const) {
    if (!text.trim()) continue;
    try {
      parseFilter(text.trim(), what);
    } catch {
      p.push(`${what}: write key=value pairs separated by commas (e.g. role=distorted,content=src01).`);
    }
  }
  if (!Number.isInteger(form.training) || form.training < 0) p.push('Training trials: a whole number from 0.');
  // The engine takes training stimuli from its filter minus the test set; its default (the test filter) leaves none.
  else if (form.training > 0 && !form.trainingFilter.trim()) p.push('Training stimuli: name them with a filter (e.g. role=reference); they must lie outside the test set.');
  if (!Number.isInteger(form.repetitions) || form.repetitions < 1 || form.repetitions > 100) p.push('Repetitions: a whole number from 1 to 100.');
  if (form.seed.trim() && !/^\d+$/.test(form.seed.trim())) p.push('Seed: a whole number from 0 (or empty for a random one).');
  if (!(form.imageS >= 0.1 && form.imageS <= 600)) p.push('Presentation time: 0.1 to 600 s.');
  if (!(form.greyS >= 0 && form.greyS <= 60)) p.push('Grey screen: 0 to 60 s.');
  if (form.voteLimitS.trim() && !(Number(form.voteLimitS) >= 0.5 && Number(form.voteLimitS) <= 600)) p.push('Vote time limit: 0.5 to 600 s (or empty for none).');
  if (form.breakEveryMin.trim() && !(Number(form.breakEveryMin) >= 1 && Number(form.breakEveryMin) <= 240)) p.push('Break every: 1 to 240 minutes (or empty for none).');
  if (form.labels.some((l) => !l.label.trim())) p.push('Every scale label needs a text.');
  try {
    parseDemographicFields(form.demographics);
  } catch (err) {
    p.push(`Demographics: ${(err as Error).message.replace(/^demographics /, '')}.`);
  }
  return p;
}

/** The `studies.create` input (call only when formProblems is empty). */
export function createInput(projectDir: string, form: DesignForm): CommandInput<'studies.create'> {
  const ms = (s: number) => Math.round(s * 1000);
  const input: CommandInput<'studies.create'> = {
    projectDir,
    name: form.name.trim(),
    method: form.method,
    scale: form.scale,
    labels: form.labels.map((l) => ({ value: l.value, label: l.label.trim() })),
    repetitions: form.repetitions,
    training: form.training,
    order: form.order,
    timing: {
      imageMs: ms(form.imageS),
      greyMs: ms(form.greyS),
      voteLimitMs: form.voteLimitS.trim() ? ms(Number(form.voteLimitS)) : null,
      breakEveryMin: form.breakEveryMin.trim() ? Number(form.breakEveryMin) : null,
    },
  };
  if (form.filter.trim()) input.stimuli = parseFilter(form.filter.trim(), 'stimulus filter');
  if (form.trainingFilter.trim()) input.trainingStimuli = parseFilter(form.trainingFilter.trim(), 'training filter');
  if (form.seed.trim()) input.seed = Number(form.seed.trim());
  input.pages = {
    consent: form.consent.trim() || null,
    instructions: form.instructions.trim() || null,
    demographics: parseDemographicFields(form.demographics),
    visionCheck: form.visionCheck,
  };
  if (form.method === 'PC') {
    input.allowTie = form.allowTie;
    input.pairs = form.pairs === 'full' ? { kind: 'full' } : { kind: form.pairs, perPair: form.perPair };
  }
  return input;
}

/** The project stimuli the test filter chooses (a preview; the engine resolves them at creation). */
export function chosenStimuli(stimuli: readonly Stimulus[], form: DesignForm): Stimulus[] {
  let filter: Record<string, string>;
  try {
    filter = testFilter(form);
  } catch {
    return [];
  }
  return stimuli.filter((s) => matchesFilter(s, filter));
}
