import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lanCall, lanStudy, LAN_PROJECT } from '../../src-renderer/src/lib/lan-transport';
import { LAN_SESSION_KEY_HEADER } from '../../src-main/common/lan';

const token = 'T'.repeat(43);
const sent: { url: string; headers: Record<string, string>; body: unknown }[] = [];
let replies: { body: unknown; headers?: Record<string, string> }[] = [];

beforeEach(() => {
  sent.length = 0;
  replies = [];
  const store = new Map<string, string>();
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) });
  vi.stubGlobal('fetch', async (url: string, init: { headers: Record<string, string>; body: string }) => {
    sent.push({ url, headers: init.headers, body: JSON.parse(init.body) });
    const r = replies.shift()!;
    return { status: 200, json: async () => r.body, headers: new Headers(r.headers ?? {}) };
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('the LAN page transport (lib/lan-transport.ts)', () => {
  it('posts participant commands under its token without the project folder, and keys each session with what its enrolment returned', async () => {
    replies.push({ body: { ok: true, value: { sessionId: 7 } }, headers: { [LAN_SESSION_KEY_HEADER]: 'k7' } });
    await lanCall(token, 'sessions.enrol', { projectDir: LAN_PROJECT, studyId: 2, participant: 'P1' });
    expect(sent[0]).toEqual({ url: `/p/${token}/api/sessions.enrol`, headers: { 'content-type': 'application/json' }, body: { studyId: 2, participant: 'P1' } });
    replies.push({ body: { ok: true, value: { sessionId: 7 } } });
    await lanCall(token, 'sessions.current', { projectDir: LAN_PROJECT, sessionId: 7 });
    expect(sent[1]!.headers[LAN_SESSION_KEY_HEADER]).toBe('k7');
    expect(sent[1]!.body).toEqual({ sessionId: 7 });
    // Another session has no key here: none is sent.
    replies.push({ body: { ok: false, error: { code: 'E_FORBIDDEN', message: 'no' } } });
    expect((await lanCall(token, 'sessions.current', { projectDir: LAN_PROJECT, sessionId: 8 })).ok).toBe(false);
    expect(sent[2]!.headers[LAN_SESSION_KEY_HEADER]).toBeUndefined();
  });

  it('refuses every other command without a request', async () => {
    for (const name of ['projects.open', 'stimuli.list', 'studies.export', 'studies.lan.start'] as const) {
      const r = await lanCall(token, name, { projectDir: '/x' });
      expect(r.ok ? null : r.error.code, name).toBe('E_UNSUPPORTED');
    }
    expect(sent).toEqual([]);
  });

  it('reads the study’s id and name from the listener', async () => {
    replies.push({ body: { ok: true, value: { studyId: 3, name: 'pilot', participants: [], finished: 0 } } });
    expect(await lanStudy(token)).toEqual({ studyId: 3, name: 'pilot' });
    replies.push({ body: { ok: false, error: { code: 'E_UNAUTHORIZED', message: 'missing or wrong token' } } });
    await expect(lanStudy(token)).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
  });
});
