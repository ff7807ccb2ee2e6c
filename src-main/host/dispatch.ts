/**
 * The transport-independent half of every host: look up a command by name, validate its input with
 * the contract's schema, run the handler, and turn any failure into a typed wire error. A malformed
 * message never throws out of here, so a host keeps serving after it.
 */
import { commands, isCommandName, type Handlers, type Reply } from '../common/contract';
import { IqaError, toIqaError } from '../common/errors';

export { isCommandName };

/** One line per schema problem, e.g. `dir: must be an absolute path`. */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : 'input'}: ${i.message}`).join('; ');
}

export interface DispatchOptions {
  /**
   * Where an unexpected failure (E_INTERNAL, a bug) is reported with its stack besides the reply.
   * The hosts log it; the command line prints only its one-line message.
   */
  onInternal?: (name: string, err: unknown) => void;
}

const logInternal = (name: string, err: unknown) => console.error(`[iqa] ${name} failed:`, err);

/**
 * Runs every command's validator once on an empty input, one per turn of the event loop, so that the
 * first real request of a kind does not pay for zod's lazy set-up of its schema (a few milliseconds
 * each, which add up when a UI sends several commands at once). The hosts call it when they start.
 */
export function warmValidators(): void {
  const names = Object.keys(commands) as (keyof typeof commands)[];
  const next = (i: number) => {
    if (i >= names.length) return;
    commands[names[i]!].input.safeParse({}, { jitless: true });
    setImmediate(next, i + 1).unref();
  };
  setImmediate(next, 0).unref();
}

export async function dispatch(handlers: Handlers, name: string, payload: unknown, options: DispatchOptions = {}): Promise<Reply<unknown>> {
  try {
    if (!isCommandName(name)) throw new IqaError('E_INPUT', `unknown command "${name}"`);
    // jitless: zod would otherwise compile each schema's fast path (new Function) on its first use, tens of
    // milliseconds on the engine's thread at a command's first call; command inputs are small, so the
    // interpreted check costs microseconds and no request ever pays for a compile.
    const parsed = commands[name].input.safeParse(payload ?? {}, { jitless: true });
    if (!parsed.success) throw new IqaError('E_INPUT', `${name}: ${describeIssues(parsed.error.issues)}`, { details: parsed.error.issues });
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (err) {
    const e = toIqaError(err);
    if (e.code === 'E_INTERNAL') (options.onInternal ?? logInternal)(name, err);
    return { ok: false, error: e.toWire() };
  }
}
