import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iqa } from '../helpers/cli';
import { makePng, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;
let project: string;
beforeAll(() => {
  tmp = tempDir('input-hardening-cli');
  env = { IQA_USER_DATA: join(tmp.dir, 'userdata'), IQA_MODEL_DIR: join(tmp.dir, 'models') };
  project = join(tmp.dir, 'proj');
  expect(iqa(['project', 'create', project], env).code).toBe(0);
});
afterAll(() => tmp.cleanup());

describe('iqa import and ratings import on hostile input', () => {
  it('a catastrophic --pattern ends the import with one line naming the pattern and the file', () => {
    const media = join(tmp.dir, 'slow');
    const slow = join(media, `${'a'.repeat(40)}b.png`);
    makePng(slow, 1);
    const r = iqa(['import', project, media, '--pattern', '^(?<ref>(a+)+)$'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('pattern "^(?<ref>(a+)+)$" took longer than');
    expect(r.stderr).toContain(slow);
  });

  it('importing /dev/zero or a FIFO reports what it is and exits 1, without reading it', () => {
    const fifo = join(tmp.dir, 'pipe.mp4');
    execFileSync('mkfifo', [fifo]);
    for (const [source, what] of [['/dev/zero', 'a character device'], [fifo, 'a FIFO (named pipe)']] as const) {
      const r = iqa(['import', project, source], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(`added 0, updated 0, unchanged 0, problems 1\n  ${source}: ${what}, not a regular file: nothing imported\n`);
    }
  });

  it('ratings import of a file whose first line is a secret prints one line without it', () => {
    const secret = join(tmp.dir, 'shadow.csv');
    writeFileSync(secret, 'root:$6$Zq9sEcReTsAlT$hQ1xk0Vv3Yp:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
    const r = iqa(['ratings', 'import', project, secret, '--study', 'x'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(`iqa: ${secret}: missing column "participant" (the header has 1 column; expected participant, stimulus, score)\n`);
  });
});
