/**
 * The participant page served by LAN mode (docs/lan.md, host/lan-host.ts): the same bundle, opened at
 * `/p/<token>/` on a study's LAN listener, talks to `/p/<token>/api/<command>` instead of the engine's
 * own transports. Only the participant commands exist there (common/lan.ts); anything else is refused
 * here, without a request. The listener fixes the project folder and the study from the token, so the
 * `projectDir` the participant screen passes is dropped before sending.
 *
 * A session's calls carry the key the listener returned with `sessions.enrol` (header
 * `X-Session-Key`); the keys are kept in this tab's session storage, so a reload can go on.
 */
import type { CommandName, Reply } from '../../../src-main/common/contract-types';
import { LAN_PARTICIPANT_COMMANDS, LAN_SESSION_KEY_HEADER } from '../../../src-main/common/lan';

/** What the participant screen takes as its project folder on a LAN page: the listener sets the real one, so this is never sent. */
export const LAN_PROJECT = '/lan';

const KEYS = 'iqa.lan.sessionKeys';

/** The tab's session storage (typed here: this module is also compiled, and tested, without the DOM library). */
const storage = (): { getItem(key: string): string | null; setItem(key: string, value: string): void } =>
  (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void } }).sessionStorage;

function readKeys(): Record<string, string> {
  try {
    const v = JSON.parse(storage().getItem(KEYS) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function lanCall(token: string, name: CommandName, input: unknown): Promise<Reply<unknown>> {
  return lanPost(token, name, input);
}

async function lanPost(token: string, name: string, input: unknown): Promise<Reply<unknown>> {
  if (!(LAN_PARTICIPANT_COMMANDS as readonly string[]).includes(name)) {
    return { ok: false, error: { code: 'E_UNSUPPORTED', message: `${name} is not available on the participant page` } };
  }
  const { projectDir: _dropped, ...body } = (input ?? {}) as Record<string, unknown>;
  const sessionId = typeof body.sessionId === 'number' ? String(body.sessionId) : null;
  const key = sessionId ? readKeys()[sessionId] : undefined;
  let res: Response;
  try {
    res = await fetch(`/p/${token}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { [LAN_SESSION_KEY_HEADER]: key } : {}) },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
  } catch (err) {
    return { ok: false, error: { code: 'E_INTERNAL', message: `the study's computer is not reachable (${(err as Error).message})` } };
  }
  let reply: Reply<unknown>;
  try {
    reply = (await res.json()) as Reply<unknown>;
  } catch {
    return { ok: false, error: { code: 'E_INTERNAL', message: `the study's computer answered ${res.status} without a reply` } };
  }
  const issued = res.headers.get(LAN_SESSION_KEY_HEADER);
  const issuedFor = reply.ok ? (reply.value as { sessionId?: unknown }).sessionId : undefined;
  if (issued && typeof issuedFor === 'number') storage().setItem(KEYS, JSON.stringify({ ...readKeys(), [issuedFor]: issued }));
  return reply;
}

/** The study this page serves: its id and name (the listener's `studies.progress`, which lists no participant). */
export async function lanStudy(token: string): Promise<{ studyId: number; name: string }> {
  const reply = await lanPost(token, 'studies.progress', {});
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  const { studyId, name } = reply.value as { studyId: number; name: string };
  return { studyId, name };
}
