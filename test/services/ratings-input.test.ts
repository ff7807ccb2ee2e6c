import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importRatingsCsv } from '../../src-main/services/analysis/import-ratings';
import { pairwiseFromCsv } from '../../src-main/services/analysis/pairwise-from-csv';
import { cellNumber, readCsvTable, readScoreTable } from '../../src-main/services/analysis/read-table';
import { importMedia } from '../../src-main/services/import/import-media';
import { openProjectDb, type Db } from '../../src-main/services/store/project-db';
import { importOptionsSchema } from '../../src-main/common/contract';
import { IqaError } from '../../src-main/common/errors';
import { makePng, tempDir } from '../helpers/media';

const SECRET = 'root:$6$Zq9sEcReTsAlT$hQ1xk0Vv3Yp:19000:0:99999:7:::';

let root: { dir: string; cleanup: () => void };
let db: Db;
beforeAll(async () => {
  root = tempDir('ratings-input');
  const media = join(root.dir, 'media');
  makePng(join(media, 'cat.png'), 1);
  makePng(join(media, 'cat_blur.png'), 2, '64x48', 'boxblur=2');
  const dir = join(root.dir, 'project');
  db = openProjectDb(dir, { create: true });
  const report = await importMedia(db, dir, media, importOptionsSchema.parse({}));
  expect(report.added).toBe(2);
});
afterAll(() => {
  db.close();
  root.cleanup();
});

let csvCount = 0;
function csv(text: string): string {
  const file = join(root.dir, `in-${(csvCount += 1)}.csv`);
  writeFileSync(file, text);
  return file;
}

function thrown(fn: () => unknown): IqaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IqaError);
    return err as IqaError;
  }
  throw new Error('expected a throw');
}

describe('ratings CSVs of any size', () => {
  it('imports a 200,000-row SSCQE CSV and a 200,000-row PC CSV, with the scale taken from the data', () => {
    const lines = ['participant,stimulus,score'];
    for (let k = 0; k < 200_000; k++) lines.push(`p${k % 40},${k % 2 ? 'cat' : 'cat_blur'},${((k * 37) % 1001) / 10}`);
    const file = csv(lines.join('\n') + '\n');
    const sscqe = importRatingsCsv(db, file, { study: 'continuous', method: 'SSCQE' });
    expect(sscqe).toMatchObject({ ratings: 200_000, participants: 40, notRated: 0, issues: [], scale: { min: 0, max: 100 } });
    const pc = importRatingsCsv(db, file, { study: 'comparisons', method: 'PC' });
    expect(pc).toMatchObject({ ratings: 200_000, scale: { min: 0, max: 100 } });
  });
});

describe('a score is a plain decimal number, or empty/NA when not rated', () => {
  it.each(['inf', '-inf', 'Infinity', '0x3', '4e0', '1_0', '0b1', '3,5', '4 5', '++4'])('refuses "%s" with the file and line, and stores nothing', (cell) => {
    const file = csv(`participant,stimulus,score\na,cat,4\nb,cat_blur,"${cell}"\n`);
    const err = thrown(() => importRatingsCsv(db, file, { study: `bad-${cell}`, method: 'SSCQE' }));
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toBe(`${file}:3: "score" is not a plain decimal number; a score is like 4 or 3.5, or empty/NA when not rated`);
    expect(db.prepare('SELECT count(*) AS n FROM studies WHERE name = ?').get(`bad-${cell}`)).toEqual({ n: 0 });
  });

  it('keeps empty, blank and NA scores as not rated, and reads 3.5, -1, +2 and .5 as numbers', () => {
    const file = csv('participant,stimulus,score\na,cat,3.5\nb,cat,\nc,cat," "\nd,cat,NA\ne,cat,-1\nf,cat,+2\ng,cat,.5\n');
    const r = importRatingsCsv(db, file, { study: 'decimals', method: 'SSCQE' });
    expect(r).toMatchObject({ ratings: 7, notRated: 3, scale: { min: -1, max: 3.5 } });
  });

  it('names the first bad row and counts the others', () => {
    const file = csv('participant,stimulus,score\na,cat,4\n\nb,cat,1e3\nc,cat,4\nd,cat,inf\ne,cat,0x1\n');
    expect(thrown(() => importRatingsCsv(db, file, { study: 'many', method: 'ACR' })).message).toBe(
      `${file}:4: "score" is not a plain decimal number (and 2 more rows); a score is like 4 or 3.5, or empty/NA when not rated`,
    );
  });

  it('checks score_ref and response_ms the same way', () => {
    const file = csv('participant,stimulus,score,score_ref,response_ms\na,cat,40,-inf,1200\n');
    expect(thrown(() => importRatingsCsv(db, file, { study: 'ref', method: 'DSCQS' })).message).toMatch(/:2: "score_ref" is not a plain decimal number/);
  });

  it('the mos reader refuses a hex score too; the correlate reader takes exponents and inf, but not hex', () => {
    expect(thrown(() => readScoreTable(csv('participant,stimulus,score\na,s,0x3\n'))).message).toMatch(/:2: "score" is not a plain decimal number/);
    expect(['1e-3', 'inf', '-Infinity', '0x3', '1_0', '', 'NA'].map(cellNumber)).toEqual([0.001, Infinity, -Infinity, NaN, NaN, NaN, NaN]);
  });
});

describe('the header of a ratings CSV', () => {
  it('refuses a duplicated column, naming it and where it appears', () => {
    const file = csv('participant,stimulus,score,score\na,cat,4,5\n');
    expect(thrown(() => importRatingsCsv(db, file, { study: 'dup', method: 'ACR' })).message).toBe(
      `${file}: column "score" appears twice (columns 3 and 4); expected participant, stimulus, score`,
    );
  });

  it('refuses any other duplicated column without quoting its name', () => {
    const file = csv('participant,stimulus,score,note,note\na,cat,4,x,y\n');
    expect(thrown(() => importRatingsCsv(db, file, { study: 'dup2', method: 'ACR' })).message).toBe(
      `${file}: two columns have the same name (columns 4 and 5); expected participant, stimulus, score`,
    );
  });

  it('the pairwise reader refuses a duplicated column and reports rows on their real lines', () => {
    expect(thrown(() => pairwiseFromCsv(csv('a,b,choice,choice\nx,y,a,b\n'), { model: 'bradley-terry', seed: 1, resamples: 0 })).message).toMatch(/column "choice" appears twice/);
    const file = csv('a,b,choice\nx,y,a\nx,y,b\n\ny,z,a\ny,z,b\nx,z,maybe\n');
    expect(pairwiseFromCsv(file, { model: 'bradley-terry', seed: 1, resamples: 0 }).issues).toEqual([{ row: `${file}:7`, reason: 'choice must be a, b or tie (or a stimulus name), got "maybe"' }]);
  });
});

describe('errors never echo the content of the file', () => {
  it('a file whose first line is a secret: the missing-column error counts columns, it does not quote them', () => {
    const file = csv(`${SECRET}\nsecond line\n`);
    const err = thrown(() => importRatingsCsv(db, file, { study: 'shadow', method: 'ACR' }));
    expect(err.message).toBe(`${file}: missing column "participant" (the header has 1 column; expected participant, stimulus, score)`);
    expect(err.message).not.toContain('Zq9sEcReT');
  });

  it('a CSV syntax error gives the line and the kind of problem, not the text csv-parse quotes', () => {
    const closing = csv(`participant,stimulus,score\n"${SECRET}"tail,cat,4\n`);
    const err = thrown(() => readCsvTable(closing, ['participant']));
    expect(err.message).toBe(`${closing}:2: not a readable CSV (a closing quote is followed by other characters)`);
    const open = csv(`participant,stimulus,score\na,cat,"${SECRET}\n`);
    expect(thrown(() => readCsvTable(open, ['participant'])).message).toBe(`${open}:2: not a readable CSV (a quote is opened and never closed)`);
    const fields = csv(`participant,stimulus,score\na,cat,4,${SECRET}\n`);
    expect(thrown(() => readCsvTable(fields, ['participant'])).message).toBe(`${fields}:2: not a readable CSV (the row has a different number of fields than the header)`);
  });

  it('a file where no row names a stimulus: the error gives the count and the first line, not the names', () => {
    const file = csv(`participant,stimulus,score\na,${SECRET.replace(/:/g, '')},4\n`);
    const err = thrown(() => importRatingsCsv(db, file, { study: 'unknown', method: 'ACR' }));
    expect(err.message).toBe(`${file}: no row names a stimulus of the project (1 row skipped, the first at ${file}:2; see the stimulus names with "iqa stimuli")`);
  });

  it('a CSV manifest whose first line is a secret: the missing-column error does not quote it', async () => {
    const manifest = join(root.dir, 'secret-manifest.csv');
    writeFileSync(manifest, `${SECRET}\nx\n`);
    const err = await importMedia(db, join(root.dir, 'project'), manifest, importOptionsSchema.parse({})).catch((e: IqaError) => e);
    expect((err as IqaError).message).toBe(`${manifest}: missing column "path" (the header has 1 column; expected path, reference, role, content and attributes)`);
  });

  it('a FIFO named as the ratings file is refused at once instead of waiting for a writer', () => {
    const fifo = join(root.dir, 'ratings.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(thrown(() => importRatingsCsv(db, fifo, { study: 'fifo', method: 'ACR' })).message).toBe(`${fifo}: not a regular file`);
  });
});
