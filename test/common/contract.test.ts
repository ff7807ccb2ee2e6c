import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_NAMES, commands, httpRoute, importOptionsSchema, ipcChannel, setSpecSchema } from '../../src-main/common/contract';
import * as names from '../../src-main/common/contract-names';
import { formatSetSpecText, parseSetSpecText, type SetSpec } from '../../src-main/common/set-spec';
import { CONTENT_SECURITY_POLICY } from '../../src-main/common/csp';
import { APP_VERSION } from '../../src-main/common/version';
import { bitDepthOfPixFmt } from '../../src-main/common/media-formats';
import { IqaError, isWireError } from '../../src-main/common/errors';
import { REPO_ROOT } from '../helpers/media';

describe('contract', () => {
  it('derives one IPC channel and one HTTP route per command', () => {
    expect(new Set(COMMAND_NAMES.map(ipcChannel)).size).toBe(COMMAND_NAMES.length);
    expect(httpRoute('projects.open')).toBe('/api/projects.open');
  });

  it('the names module lists exactly the commands the schema map validates, in its order', () => {
    expect([...names.COMMAND_NAMES]).toEqual(Object.keys(commands));
    expect(COMMAND_NAMES).toBe(names.COMMAND_NAMES);
  });

  it('every command input is a strict object: unknown keys are refused', () => {
    for (const name of COMMAND_NAMES) {
      const r = commands[name].input.safeParse({ __proto_pollution__: 1 });
      expect(r.success, name).toBe(false);
    }
  });

  it('import options default to recursive and refuse an invalid pattern', () => {
    expect(importOptionsSchema.parse({})).toEqual({ recursive: true });
    expect(importOptionsSchema.safeParse({ pattern: '(' }).success).toBe(false);
    expect(importOptionsSchema.safeParse({ rawVideo: { width: 1920, height: 1080, pixFmt: 'yuv420p', fps: 25 } }).success).toBe(true);
    expect(importOptionsSchema.safeParse({ rawVideo: { width: -1, height: 1080, pixFmt: 'yuv420p', fps: 25 } }).success).toBe(false);
  });

  it('typed errors survive the wire', () => {
    const e = new IqaError('E_MEDIA', 'x.png: empty file', { file: 'x.png' });
    const wire = JSON.parse(JSON.stringify(e.toWire()));
    expect(isWireError(wire)).toBe(true);
    expect(IqaError.fromWire(wire)).toMatchObject({ code: 'E_MEDIA', message: 'x.png: empty file', file: 'x.png' });
    expect(isWireError({ code: 'E_NOPE', message: 'x' })).toBe(false);
  });

  it('the page CSP meta tag says what the host sends (frame-ancestors only works as a header)', () => {
    const html = readFileSync(join(REPO_ROOT, 'src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
  });

  it('the engine version is the package version', () => {
    expect(APP_VERSION).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('reads bit depth from pixel format names', () => {
    expect(bitDepthOfPixFmt('yuv420p')).toBe(8);
    expect(bitDepthOfPixFmt('yuv420p10le')).toBe(10);
    expect(bitDepthOfPixFmt('gray16be')).toBe(16);
    expect(bitDepthOfPixFmt('rgb48be')).toBe(16);
    expect(bitDepthOfPixFmt('rgb24')).toBe(8);
    expect(bitDepthOfPixFmt('gbrp12le')).toBe(12);
    expect(bitDepthOfPixFmt(null)).toBe(null);
  });
});

describe('set specs in the contract', () => {
  it('takes the structure as the UI sends it', () => {
    expect(setSpecSchema.parse({ type: 'project', dir: '/p', filter: { role: 'reference' } })).toEqual({ type: 'project', dir: '/p', filter: { role: 'reference' } });
    expect(setSpecSchema.parse({ type: 'folder', dir: '/data/real' })).toEqual({ type: 'folder', dir: '/data/real' });
    expect(setSpecSchema.parse({ type: 'stats', file: '/s/a.npz' })).toEqual({ type: 'stats', file: '/s/a.npz' });
  });

  it("parses the CLI's one-string syntax into the same structure", () => {
    expect(setSpecSchema.parse('project:/p:role=distorted,codec=x264')).toEqual({ type: 'project', dir: '/p', filter: { role: 'distorted', codec: 'x264' } });
    expect(setSpecSchema.parse('/data/real')).toEqual({ type: 'folder', dir: '/data/real' });
    expect(setSpecSchema.parse('stats:/s/a.npz')).toEqual({ type: 'stats', file: '/s/a.npz' });
    expect(setSpecSchema.parse('project:C:\\p')).toEqual({ type: 'project', dir: 'C:\\p', filter: {} });
  });

  it('refuses relative paths, unknown fields and malformed filters in either form', () => {
    for (const bad of ['relative/folder', 'project:rel', 'stats:a.npz', 'project:', { type: 'folder', dir: 'rel' }, { type: 'project', dir: '/p' }, { type: 'folder', dir: '/x', filter: {} }, { type: 'zip', dir: '/x' }]) {
      expect(setSpecSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('writes a spec back in the one-string form that parses into it', () => {
    const specs: SetSpec[] = [{ type: 'folder', dir: '/a' }, { type: 'stats', file: '/s.npz' }, { type: 'project', dir: '/p', filter: {} }, { type: 'project', dir: '/p', filter: { role: 'reference', blur: '2' } }];
    for (const spec of specs) {
      expect(parseSetSpecText(formatSetSpecText(spec))).toEqual(spec);
    }
  });
});
