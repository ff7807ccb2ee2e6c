/**
 * Engine errors as sentences for people. The engine's messages are written for logs and the command
 * line: a schema failure reads "import.start: options.pattern: not a valid regular expression; source:
 * must be an absolute path", a file error "cannot read (ENOENT)". The UI shows the same facts without
 * the command name and the field path: "The pairing pattern is not a valid regular expression. The
 * source must be an absolute path." Everything else passes through unchanged (it already names the file
 * and the problem). Pure, tested in test/renderer/messages.test.ts.
 */

/** What the engine sends (WireError): the code, its message, and for a schema failure the issues. */
export interface EngineFailure {
  code?: string;
  message: string;
  details?: unknown;
}

/** What a field of a command's input is, in words (the last named segment of its path). */
const FIELD_WORDS: Record<string, string> = {
  source: 'the source',
  dir: 'the folder',
  projectDir: 'the project folder',
  pattern: 'the pairing pattern',
  recursive: 'the subfolders choice',
  rawVideo: 'the raw video geometry',
  pixFmt: 'the pixel format',
  csv: 'the ratings file',
  file: 'the file',
  name: 'the name',
  study: 'the study name',
  method: 'the study method',
  metrics: 'the metric list',
  params: 'the metric parameters',
  pooling: 'the pooling',
  policy: 'the alignment',
  skipRef: 'the number of reference frames to skip',
  skipDist: 'the number of distorted frames to skip',
  stimulusIds: 'the stimulus list',
  stimulusId: 'the stimulus',
  minCorrelation: 'the minimum correlation',
  resamples: 'the number of resamples',
  seed: 'the seed',
  mapping: 'the mapping',
  format: 'the format',
  a: 'set A',
  b: 'set B',
  jobId: 'the job',
  as: 'the model name',
};

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EBUSY: 'the file is busy',
};

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const sentence = (s: string) => {
  const t = capitalize(s.trim());
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

/** The subject of a field path: `options.pattern` → "the pairing pattern", `metrics.0.id` → "the metric list". */
export function fieldWords(path: readonly (string | number)[]): string {
  const named = path.filter((p): p is string => typeof p === 'string' && !/^\d+$/.test(p));
  const last = named[named.length - 1];
  if (!last) return 'the input';
  return FIELD_WORDS[last] ?? `the ${last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
}

/** One schema problem as a sentence: subject from the field, the engine's predicate made to fit. */
export function issueSentence(path: readonly (string | number)[], message: string): string {
  const subject = fieldWords(path);
  const m = message.trim();
  let text: string;
  if (/received undefined/i.test(m)) text = `${subject} is missing`;
  else if (/^a .* is required$/i.test(m)) text = `${subject} is required`;
  else if (/^(must|is|has|should|cannot|needs?|may)\b/i.test(m)) text = `${subject} ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
  else if (/^not\b/i.test(m)) text = `${subject} is ${m}`;
  else if (/^invalid option: expected one of (.*)$/i.test(m)) text = `${subject} must be one of ${/^invalid option: expected one of (.*)$/i.exec(m)![1]!.replace(/\|/g, ', ')}`;
  else if (/^unrecognized keys?: (.*)$/i.test(m)) text = `${subject} has an unknown field: ${/^unrecognized keys?: (.*)$/i.exec(m)![1]}`;
  else text = `${subject} is not valid (${m.charAt(0).toLowerCase()}${m.slice(1)})`;
  return sentence(text);
}

/** A command name at the start ("import.start: "), as dispatch writes it. */
const COMMAND_PREFIX = /^[a-z]+\.[a-zA-Z]+: /;
/** One "field.path: problem" part of a schema message (a path has no spaces and no slashes). */
const FIELD_PART = /^([A-Za-z_][\w]*(?:\.[\w]+)*): (.+)$/;

function isIssueList(d: unknown): d is { path: (string | number)[]; message: string }[] {
  return Array.isArray(d) && d.length > 0 && d.every((i) => i && typeof i === 'object' && Array.isArray((i as { path?: unknown }).path) && typeof (i as { message?: unknown }).message === 'string');
}

/** The engine's failure as the UI shows it. */
export function plainMessage(failure: EngineFailure | string): string {
  const f: EngineFailure = typeof failure === 'string' ? { message: failure } : failure;
  if (f.code === 'E_INPUT' && isIssueList(f.details)) return f.details.map((i) => issueSentence(i.path, i.message)).join(' ');
  const prefixed = COMMAND_PREFIX.test(f.message);
  let text = f.message.replace(COMMAND_PREFIX, '');
  // Only dispatch's schema messages start with the command: their "field: …" parts are schema issues
  // ("input: …" a problem with the whole input). Other messages may start with a metric id and a colon.
  const parts = text.split('; ');
  if (prefixed && parts.every((p) => FIELD_PART.test(p))) {
    text = parts
      .map((p) => {
        const [, path, message] = FIELD_PART.exec(p)!;
        return path === 'input' ? sentence(message!) : issueSentence(path!.split('.'), message!);
      })
      .join(' ');
  }
  return text.replace(/cannot read (?:the ([\w ]+?) )?\((E[A-Z]+)\)/g, (_m, what: string | undefined, code: string) => `cannot read${what ? ` the ${what}` : ''}: ${ERRNO_WORDS[code] ?? code}`);
}
