import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commands } from '../../src-main/common/contract';
import { LAN_PARTICIPANT_COMMANDS, lanPagePath, lanTokenFromPath } from '../../src-main/common/lan';

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
