/**
 * The learned-NR commands of the contract (nr.train as a job, nr.list / get / delete / export /
 * import), over the engine's project databases, path checks and job manager.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Handlers } from '../../common/contract';
import { IqaError } from '../../common/errors';
import type { Stimulus } from '../../common/domain';
import type { JobManager } from '../jobs/job-manager';
import type { Db } from '../store/project-db';
import { parsePredictorFile, predictorFileText } from './predictor-file';
import { deleteNrPredictor, getNrPredictor, hasNrPredictor, listNrPredictors, saveNrPredictor } from './predictor-repo';
import { trainNrPredictor } from './train-predictor';

export interface NrEngine {
  readonly jobs: JobManager;
  db(dir: string): Db;
  /** A stimulus's file, checked against the allowed folders. */
  mediaPath(dir: string, s: { path: string }): string;
  /** A path a request names, checked against the allowed folders. */
  checkPath(path: string, what: string): string;
}

type NrCommand = 'nr.train' | 'nr.list' | 'nr.get' | 'nr.delete' | 'nr.export' | 'nr.import';

export function nrHandlers(engine: NrEngine): Pick<Handlers, NrCommand> {
  return {
    'nr.train': async (o) => {
      const dir = resolve(o.projectDir);
      const db = engine.db(dir);
      // A name in use fails the command, not the job: nothing starts.
      if (hasNrPredictor(db, o.name)) throw new IqaError('E_EXISTS', `a predictor named "${o.name}" already exists in this project: choose another name or delete it (iqa nr delete ${o.name})`);
      const jobId = engine.jobs.start({
        kind: 'nr.train',
        label: `Train nr:${o.name} (${o.features}, ${o.target.toUpperCase()})`,
        projectDir: dir,
        unit: 'steps',
        run: (ctx) =>
          trainNrPredictor(
            db,
            dir,
            { name: o.name, backbone: o.features, target: o.target, study: o.study, folds: o.folds, innerFolds: o.innerFolds, group: o.group, combine: o.combine, svr: o.svr, seed: o.seed, resamples: o.resamples },
            { signal: ctx.signal, progress: (d, t, m) => ctx.progress(d, t, m), mediaPath: (s: Stimulus) => engine.mediaPath(dir, s) },
          ),
      });
      return { jobId };
    },
    'nr.list': async ({ projectDir }) => listNrPredictors(engine.db(projectDir)),
    'nr.get': async ({ projectDir, name }) => getNrPredictor(engine.db(projectDir), name),
    'nr.delete': async ({ projectDir, name }) => ({ deleted: deleteNrPredictor(engine.db(projectDir), name) }),
    'nr.export': async ({ projectDir, name }) => {
      const { sha256: _sha, ...record } = getNrPredictor(engine.db(projectDir), name);
      return { filename: `nr-${name}.json`, mime: 'application/json', content: predictorFileText(record) };
    },
    'nr.import': async ({ projectDir, file, as }) => {
      const db = engine.db(projectDir);
      const path = engine.checkPath(file, 'predictor file');
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw new IqaError('E_NOT_FOUND', `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: path });
      }
      const record = parsePredictorFile(text, path);
      const named = as ? { ...record, name: as } : record;
      saveNrPredictor(db, named);
      return listNrPredictors(db).find((p) => p.name === named.name)!;
    },
  };
}
