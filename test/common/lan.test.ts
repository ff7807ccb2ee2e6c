import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_NAMES, commands } from '../../src-main/common/contract';
import { LAN_PARTICIPANT_COMMANDS, lanPagePath, lanTokenFromPath } from '../../src-main/common/lan';
import { REPO_ROOT } from '../helpers/media';

const token = 'A'.repeat(21) + '_-' + 'z9'.repeat(10);

describe('LAN mode names (common/lan.ts)', () => {
  it('the participant commands are contract commands, each taking a study or a session, none a path', () => {
    for (const name of LAN_PARTICIPANT_COMMANDS) {
      expect(COMMAND_NAMES, name).toContain(name);
      const shape = Object.keys((commands[name].input as unknown as { shape: Record<string, unknown> }).shape);
      expect(shape.includes('studyId') || shape.includes('sessionId'), name).toBe(true);
      // projectDir is the one path, and the listener sets it; no other key names a file.
      expect(shape.filter((k) => /dir|path|file|csv|source/i.test(k)), name).toEqual(['projectDir']);
    }
    expect(LAN_PARTICIPANT_COMMANDS).not.toContain('studies.lan.start');
  });

  it('every command the participant screen calls is one the LAN listener serves (else a LAN page would stop at it)', () => {
    const src = readFileSync(join(REPO_ROOT, 'src-renderer/src/lib/study/participant-state.svelte.ts'), 'utf8');
    const called = [...new Set([...src.matchAll(/api\[['"]([^'"]+)['"]\]/g)].map((m) => m[1]!))];
    expect(called.length).toBeGreaterThan(3);
    expect(called.filter((c) => !(LAN_PARTICIPANT_COMMANDS as readonly string[]).includes(c))).toEqual([]);
  });

  it('a page is the LAN participant page only at /p/<43-character token>/', () => {
    expect(token).toHaveLength(43);
    expect(lanTokenFromPath(lanPagePath(token))).toBe(token);
    expect(lanTokenFromPath(`/p/${token}`)).toBe(token);
    expect(lanTokenFromPath(`/p/${token}/assets/x.js`)).toBe(token);
    for (const path of ['/', '/index.html', '/p/', '/p//', `/p/${token}x/`, `/p/${token.slice(1)}/`, `/q/${token}/`, `/p/${token.slice(0, 42)}!/`, '/home/u/build/renderer/index.html']) {
      expect(lanTokenFromPath(path), path).toBeNull();
    }
  });
});
