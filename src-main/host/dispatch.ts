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

export async function dispatch(handlers: Handlers, name: string, payload: unknown, options: DispatchOptions = {}): Promise<Reply<unknown>> {
  try {
    if (!isCommandName(name)) throw new IqaError('E_INPUT', `unknown command "${name}"`);
    const parsed = commands[name].input.safeParse(payload ?? {});
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
