import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { isAllowedExternalUrl } from '../../src-main/host/external-links';
import { REPO_ROOT } from '../helpers/media';

describe('desktop hardening (configuration; the Electron binary cannot run here)', () => {
  it('flips every security fuse in the packaged app, using fuse names electron-builder knows', () => {
    const config = load(readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, boolean> };
    const scheme = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties);
    const fuses = config.electronFuses ?? {};
    for (const name of Object.keys(fuses)) expect(known, `unknown fuse ${name}`).toContain(name);
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('denies permission checks, guards redirects and opens only allow-listed links', () => {
    const main = readFileSync(join(REPO_ROOT, 'src-main/app/main.ts'), 'utf8');
    expect(main).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    expect(main).toMatch(/on\('will-redirect', stayHome\)/);
    expect(main).toMatch(/if \(isAllowedExternalUrl\(url\)\) void shell\.openExternal\(url\)/);
  });

  it('hands only https links to allow-listed hosts to the system browser', () => {
    expect(isAllowedExternalUrl('https://github.com/Netflix/vmaf')).toBe(true);
    expect(isAllowedExternalUrl('https://www.itu.int/rec/R-REC-BT.500')).toBe(true);
    for (const bad of [
      'http://github.com/x', // not https
      'https://evil.example/', // not allow-listed
      'https://github.com.evil.example/', // suffix trick
      'https://user:pw@github.com/', // credentials
      'https://github.com:8443/', // another port
      'file:///etc/passwd',
      'smb://host/share',
      'javascript:alert(1)',
      'not a url',
    ]) expect(isAllowedExternalUrl(bad), bad).toBe(false);
  });
});
