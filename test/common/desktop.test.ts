/** The desktop-only open-dialog request (common/desktop.ts) is validated like every contract message. */
import { describe, expect, it } from 'vitest';
import { pickPathSchema } from '../../src-main/common/desktop';

describe('pickPathSchema', () => {
  it('accepts a folder or a file request with filters', () => {
    expect(pickPathSchema.safeParse({ kind: 'folder', title: 'Project folder' }).success).toBe(true);
    expect(pickPathSchema.safeParse({ kind: 'file', filters: [{ name: 'CSV manifest', extensions: ['csv'] }] }).success).toBe(true);
  });

  it('refuses unknown kinds, unknown keys and extensions that are not plain words', () => {
    expect(pickPathSchema.safeParse({ kind: 'save' }).success).toBe(false);
    expect(pickPathSchema.safeParse({ kind: 'folder', defaultPath: '/etc' }).success).toBe(false);
    expect(pickPathSchema.safeParse({ kind: 'file', filters: [{ name: 'x', extensions: ['*'] }] }).success).toBe(false);
    expect(pickPathSchema.safeParse({ kind: 'file', filters: [{ name: 'x', extensions: ['../csv'] }] }).success).toBe(false);
  });
});
