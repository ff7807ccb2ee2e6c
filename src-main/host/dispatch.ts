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

export async function dispatch(handlers: Handlers, name: string, payload: unknown): Promise<Reply<unknown>> {
  try {
    if (!isCommandName(name)) throw new IqaError('E_INPUT', `unknown command "${name}"`);
    const parsed = commands[name].input.safeParse(payload ?? {});
    if (!parsed.success) throw new IqaError('E_INPUT', `${name}: ${describeIssues(parsed.error.issues)}`, { details: parsed.error.issues });
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (err) {
    const e = toIqaError(err);
    if (e.code === 'E_INTERNAL') console.error(`[iqa] ${name} failed:`, err);
    return { ok: false, error: e.toWire() };
  }
}
