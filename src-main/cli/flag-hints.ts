/**
 * The engine's messages are shared with the app, so they say what to do in words ("choose another name
 * or replace it"); on the command line the same advice names the flag that does it. One table, read
 * by main() when it prints an error: the code and the engine's wording it recognises, and the flags.
 */
import type { IqaError } from '../common/errors';

const HINTS: readonly { code: string; when: RegExp; flags: string }[] = [
  { code: 'E_EXISTS', when: /^study ".*" already exists/, flags: '--study <another name>, or --replace' },
  { code: 'E_INPUT', when: /studies \(.*\): name one$/, flags: '--study <name>' },
  { code: 'E_INPUT', when: /give the study's scale$/, flags: '--scale MIN..MAX, e.g. --scale 0..100' },
];

/** The message with the flags that act on it, when one of the table's entries matches. */
export function withFlagHint(err: Pick<IqaError, 'code' | 'message'>): string {
  const hint = HINTS.find((h) => h.code === err.code && h.when.test(err.message));
  return hint ? `${err.message} (${hint.flags})` : err.message;
}
