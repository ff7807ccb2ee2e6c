/**
 * `iqa study create|list|show|validate|playlist|progress|export`: subjective studies of a project, each
 * a contract command through the engine (engine-client.ts). Here: arguments into the command's input,
 * its output into text or one JSON document.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { IqaError } from '../common/errors';
import { STUDY_EXPORT_FORMATS, STUDY_METHOD_NAMES, type StudyExportFormat, type StudyMethodName } from '../common/contract-names';
import { parseFilter } from '../common/set-spec';
import { STUDY_SCALE_IDS, formatDemographicFields, parseDemographicFields, participantPages, type DemographicField, type PairDesign, type ParticipantPages, type StudyCreateInput, type StudyScaleId, type StudyTiming } from '../common/study';
import { withEngine, type CliEngine } from './engine-client';
import { printTable } from './table';

const choice = (allowed: readonly string[]) => (v: string) => {
  if (!allowed.includes(v)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
  return v;
};
const whole = (min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
  return n;
};
const filterArg = (v: string) => {
  try {
    return parseFilter(v, '--stimuli');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
export function parsePairs(v: string): PairDesign {
  if (v === 'full') return { kind: 'full' };
  const m = /^(random|active):(\d+)$/.exec(v);
  if (!m || Number(m[2]) < 1) throw new InvalidArgumentError('expected full, random:K or active:K (K comparisons per pair, >= 1)');
  return { kind: m[1] as 'random' | 'active', perPair: Number(m[2]) };
}
const demographicsArg = (v: string): DemographicField[] => {
  try {
    return parseDemographicFields(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
/** A text option given as a file (--consent-file, --instructions-file): read as UTF-8, a clear error if unreadable. */
const textFileArg = (v: string): string => {
  try {
    return readFileSync(resolve(v), 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${v} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
};
const sizeArg = (v: string) => {
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError('expected WIDTHxHEIGHT, e.g. 1920x1080');
  return { width: Number(m[1]), height: Number(m[2]) };
};

/** What a participant goes through before the trials, in one line. */
function pagesLine(p: ParticipantPages): string {
  const parts = [
    p.consent !== null ? 'consent' : null,
    p.demographics.length ? `demographics (${formatDemographicFields(p.demographics)})` : null,
    p.visionCheck ? 'vision check' : null,
    p.instructions !== null ? "the study's instructions" : null,
  ].filter((x): x is string => x !== null);
  return parts.length ? parts.join(', ') : "the method's instructions only";
}

/** --study as an id, or a name looked up through studies.list. */
async function studyId(engine: CliEngine, projectDir: string, ref: string): Promise<number> {
  if (/^\d+$/.test(ref)) return Number(ref);
  const found = (await engine.call('studies.list', { projectDir })).find((s) => s.name === ref);
  if (!found) throw new IqaError('E_NOT_FOUND', `no study "${ref}" in ${projectDir}`);
  return found.id;
}

const json = (v: unknown): void => void process.stdout.write(JSON.stringify(v, null, 2) + '\n');

interface CreateOptions {
  name: string;
  method: StudyMethodName;
  stimuli?: Record<string, string>;
  training?: number;
  trainingStimuli?: Record<string, string>;
  repeat?: number;
  seed?: number;
  order?: 'random' | 'fixed';
  pairs?: PairDesign;
  pairsAcross?: boolean;
  participants?: number;
  scale?: StudyScaleId;
  allowTie?: boolean;
  imageMs?: number;
  greyMs?: number;
  voteLimitMs?: number;
  video?: StudyTiming['video'];
  breakEvery?: number;
  display?: { width: number; height: number };
  consentFile?: string;
  instructionsFile?: string;
  demographics?: DemographicField[];
  visionCheck?: boolean;
  json?: boolean;
}

export function addStudyCommand(program: Command): void {
  const study = program.command('study').description('subjective studies: design, playlists, progress and export');

  study
    .command('create')
    .description('design a study over the project\'s stimuli (prints its id)')
    .argument('<project>', 'project folder')
    .requiredOption('--name <name>', 'study name (unique in the project)')
    .requiredOption('--method <method>', `test method: ${STUDY_METHOD_NAMES.join(', ')}`, choice(STUDY_METHOD_NAMES))
    .option('--stimuli <filter>', 'key=value[,key=value] over the stimuli (role, content, name, kind, codec, attributes); default: the method\'s', filterArg)
    .option('--training <n>', 'training trials first, on stimuli outside the test set', whole(0))
    .option('--training-stimuli <filter>', 'key=value filter for the training stimuli (default: --stimuli\'s, outside the test set)', filterArg)
    .option('--repeat <n>', 'presentations of each test trial', whole(1))
    .option('--seed <s>', 'seed of the participants\' orders (default: random, stored)', whole(0))
    .option('--order <order>', 'random: each participant their own order; fixed: one order for all', choice(['random', 'fixed']))
    .option('--pairs <design>', 'PC: full, random:K or active:K (K comparisons per pair over the planned participants)', parsePairs)
    .option('--pairs-across', 'PC: pair stimuli across contents too (default: within a content)')
    .option('--participants <n>', 'PC random/active: participants the study plans for (default 15)', whole(1))
    .option('--scale <id>', `scale: ${STUDY_SCALE_IDS.join(', ')} (default: the method's)`, choice(STUDY_SCALE_IDS))
    .option('--allow-tie', 'PC: offer "no difference"')
    .option('--image-ms <ms>', 'how long an image is shown (default 8000)', whole(100))
    .option('--grey-ms <ms>', 'grey screen between presentations (default 2000)', whole(0))
    .option('--vote-limit-ms <ms>', 'time allowed to vote (default: no limit)', whole(500))
    .option('--video <mode>', 'play-once or until-vote', choice(['play-once', 'until-vote']))
    .option('--break-every <minutes>', 'offer a break every N minutes', whole(1))
    .option('--display <WxH>', 'the display the study is validated against', sizeArg)
    .option('--consent-file <file>', 'a text file with the consent text each participant agrees to (or declines) before any trial', textFileArg)
    .option('--demographics <fields>', 'a demographics form: fields separated by ";", "*" required, "(number)", "Label: a | b" a choice', demographicsArg)
    .option('--vision-check', 'record each participant\'s vision check (acuity, colour vision) before the trials')
    .option('--instructions-file <file>', 'a text file with the study\'s instructions, shown above the method\'s own', textFileArg)
    .option('--json', 'print JSON')
    .action((project: string, o: CreateOptions) =>
      withEngine({}, async (engine) => {
        const timing: Partial<StudyTiming> = {
          ...(o.imageMs !== undefined ? { imageMs: o.imageMs } : {}),
          ...(o.greyMs !== undefined ? { greyMs: o.greyMs } : {}),
          ...(o.voteLimitMs !== undefined ? { voteLimitMs: o.voteLimitMs } : {}),
          ...(o.video !== undefined ? { video: o.video } : {}),
          ...(o.breakEvery !== undefined ? { breakEveryMin: o.breakEvery } : {}),
        };
        const pages: Partial<ParticipantPages> = {
          ...(o.consentFile !== undefined ? { consent: o.consentFile } : {}),
          ...(o.instructionsFile !== undefined ? { instructions: o.instructionsFile } : {}),
          ...(o.demographics ? { demographics: o.demographics } : {}),
          ...(o.visionCheck ? { visionCheck: true } : {}),
        };
        const input: StudyCreateInput = {
          name: o.name,
          method: o.method,
          ...(o.stimuli ? { stimuli: o.stimuli } : {}),
          ...(o.training !== undefined ? { training: o.training } : {}),
          ...(o.trainingStimuli ? { trainingStimuli: o.trainingStimuli } : {}),
          ...(o.repeat !== undefined ? { repetitions: o.repeat } : {}),
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.order ? { order: o.order } : {}),
          ...(o.pairs ? { pairs: o.pairs } : {}),
          ...(o.pairsAcross ? { pairsWithin: 'all' as const } : {}),
          ...(o.participants !== undefined ? { plannedParticipants: o.participants } : {}),
          ...(o.scale ? { scale: o.scale } : {}),
          ...(o.allowTie ? { allowTie: true } : {}),
          ...(Object.keys(timing).length ? { timing } : {}),
          ...(o.display ? { display: o.display } : {}),
          ...(Object.keys(pages).length ? { pages } : {}),
        };
        const r = await engine.call('studies.create', { projectDir: resolve(project), ...input });
        if (o.json) json(r);
        else process.stdout.write(`created study ${r.studyId} "${o.name}": ${r.estimate.trials} trials, about ${r.estimate.minutes} min a session\n`);
        if (r.estimate.warning) process.stderr.write(`iqa: warning: ${r.estimate.warning}\n`);
      }),
    );

  study
    .command('list')
    .description('the studies of a project (designed and imported)')
    .argument('<project>', 'project folder')
    .option('--json', 'print JSON')
    .action((project: string, o: { json?: boolean }) =>
      withEngine({}, async (engine) => {
        const rows = await engine.call('studies.list', { projectDir: resolve(project) });
        if (o.json) return json(rows);
        printTable(['id', 'name', 'method', 'participants', 'ratings'], rows.map((s) => [String(s.id), s.name, s.method, String(s.participants), String(s.ratings)]));
      }),
    );

  study
    .command('show')
    .description('a study\'s design, estimated duration and per-participant progress')
    .argument('<project>', 'project folder')
    .requiredOption('--study <id>', 'study id or name')
    .option('--json', 'print JSON')
    .action((project: string, o: { study: string; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const projectDir = resolve(project);
        const id = await studyId(engine, projectDir, o.study);
        const detail = await engine.call('studies.get', { projectDir, studyId: id });
        const progress = await engine.call('studies.progress', { projectDir, studyId: id });
        if (o.json) return json({ ...detail, progress: progress.participants });
        const d = detail.design;
        process.stdout.write(
          `study ${detail.id} "${detail.name}": ${detail.method}, scale ${detail.scale.id} (${detail.scale.min}..${detail.scale.max})\n` +
            `  ${d.stimulusIds.length} test stimuli${d.hiddenReferenceIds.length ? ` + ${d.hiddenReferenceIds.length} hidden references` : ''}, ${d.repetitions} repetition(s), ${d.training.count} training trial(s), ${d.order} order, seed ${d.seed}` +
            `${d.pairs ? `, pairs ${d.pairs.kind}${d.pairs.kind === 'full' ? '' : `:${d.pairs.perPair}`}` : ''}\n` +
            `  ${detail.estimate.trials} trials, about ${detail.estimate.minutes} min a session${detail.estimate.warning ? ` (warning: ${detail.estimate.warning})` : ''}\n` +
            `  before the trials: ${pagesLine(participantPages(d))}\n`,
        );
        if (progress.participants.length) {
          printTable(['participant', 'session', 'state', 'answered'], progress.participants.map((p) => [p.participant, String(p.sessionId), p.state, `${p.answered}/${p.total}`]));
        } else process.stdout.write('  no participant enrolled yet\n');
      }),
    );

  study
    .command('validate')
    .description('check that every stimulus decodes and fits the display at 1:1 (exit 1 on a problem)')
    .argument('<project>', 'project folder')
    .requiredOption('--study <id>', 'study id or name')
    .option('--display <WxH>', 'display size (default: the study\'s)', sizeArg)
    .option('--json', 'print JSON')
    .action((project: string, o: { study: string; display?: { width: number; height: number }; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const projectDir = resolve(project);
        const r = await engine.call('studies.validate', { projectDir, studyId: await studyId(engine, projectDir, o.study), ...(o.display ? { display: o.display } : {}) });
        if (o.json) json(r);
        else {
          process.stdout.write(`${r.checked} stimuli checked: ${r.problems.length ? `${r.problems.length} problem(s)` : 'ready'}\n`);
          for (const p of r.problems) process.stdout.write(`  ${p.stimulus}: ${p.problem}\n    fix: ${p.fix}\n`);
          for (const w of r.warnings) process.stdout.write(`  warning: ${w}\n`);
        }
        if (!r.ok) process.exitCode = 1;
      }),
    );

  study
    .command('playlist')
    .description('the trials a participant code gets, in order (the same code always gets the same)')
    .argument('<project>', 'project folder')
    .requiredOption('--study <id>', 'study id or name')
    .requiredOption('--participant <code>', 'participant code')
    .option('--json', 'print JSON')
    .action((project: string, o: { study: string; participant: string; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const projectDir = resolve(project);
        const r = await engine.call('studies.playlist', { projectDir, studyId: await studyId(engine, projectDir, o.study), participant: o.participant });
        if (o.json) return json(r);
        printTable(['#', 'stimulus', 'reference', 'other', 'training'], r.trials.map((t) => [String(t.idx), t.stimulus, t.reference ?? '', t.other ?? '', t.training ? 'yes' : '']));
        if (r.activeTrials) process.stdout.write(`then ${r.activeTrials} pairs chosen actively as the session goes\n`);
      }),
    );

  study
    .command('progress')
    .description('per-participant completion')
    .argument('<project>', 'project folder')
    .requiredOption('--study <id>', 'study id or name')
    .option('--json', 'print JSON')
    .action((project: string, o: { study: string; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const projectDir = resolve(project);
        const r = await engine.call('studies.progress', { projectDir, studyId: await studyId(engine, projectDir, o.study) });
        if (o.json) return json(r);
        printTable(['participant', 'session', 'state', 'answered'], r.participants.map((p) => [p.participant, String(p.sessionId), p.state, `${p.answered}/${p.total}`]));
      }),
    );

  study
    .command('export')
    .description('the collected answers: csv (iqa ratings import / iqa pairwise columns), json, or a SUREAL dataset')
    .argument('<project>', 'project folder')
    .requiredOption('--study <id>', 'study id or name')
    .requiredOption('--format <format>', STUDY_EXPORT_FORMATS.join(', '), choice(STUDY_EXPORT_FORMATS))
    .option('--out <file>', 'write to a file instead of stdout')
    .action((project: string, o: { study: string; format: StudyExportFormat; out?: string }) =>
      withEngine({}, async (engine) => {
        const projectDir = resolve(project);
        const r = await engine.call('studies.export', { projectDir, studyId: await studyId(engine, projectDir, o.study), format: o.format });
        if (o.out) writeFileSync(resolve(o.out), r.content);
        else process.stdout.write(r.content);
      }),
    );
}
