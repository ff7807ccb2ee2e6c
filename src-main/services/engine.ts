/**
 * The engine: the implementation of every contract command over the services, independent of the
 * transport. The Electron IPC host, the loopback HTTP host and tests all wrap one Engine.
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { MAPPING_FITS, type AnalysisOptions, type Handlers } from '../common/contract';
import { float32Bytes } from '../common/binary-reply';
import { ComputePool } from './compute/compute-pool';
import { readMosChoice, resolveMosChoice, writeMosChoice } from './analysis/mos-choice';
import { importRatingsCsv } from './analysis/import-ratings';
import { exportAnalysis, exportPrintsIntervals } from './export/analysis-export';
import { listStudies } from './store/ratings-repo';
import type { AppInfo, ModelRow, ProjectInfo } from '../common/domain';
import { closeSharedInference, installModel, listModels, manifestEntry, modelDir, requireModel, verifyModel } from './models';
import { exportSureal } from './export/sureal-export';
import { frameMap } from './metrics/frame-maps';
import { alignmentOfPair } from './align/align-pair';
import { decideAlignment, listAlignmentDecisions } from './align/alignment-decisions';
import { framePixels } from './viewer/frame-pixels';
import { computeFvd, computeImageSetMetrics } from './sets';
import { resolveSpecPaths } from './sets/set-spec';
import { formatSetSpecText, specPath, type SetSpec } from '../common/set-spec';
import { IqaError, toIqaError } from '../common/errors';
import { APP_VERSION } from '../common/version';
import { importMedia } from './import/import-media';
import { METRICS } from '../common/metric-registry';
import { resolveMetricRequest } from '../common/metric-params';
import { createFrameRunner, defaultThreads, type FrameRunner } from './metrics/frame-pool';
import { runProjectMetrics } from './metrics/run-project-metrics';
import { frameSeries, listResults } from './store/metrics-repo';
import { JobManager } from './jobs/job-manager';
import { metricsWorkTracker } from './jobs/metrics-work';
import { exportResults } from './export/results-export';
import { locateFfmpeg } from './media/ffmpeg-locate';
import { thumbnailDataUrl } from './media/thumbnail';
import { prewarmProcessLauncher } from './media/process-launcher';
import { closeFileHashPool } from './models/file-hash';
import { PairDecoders } from './viewer/pair-decoder';
import { loadManifest } from './models/manifest';
import { readRecent, rememberProject } from './projects/recent-projects';
import { isProjectDir, openProjectDb, readMeta, schemaVersion, type Db } from './store/project-db';
import { PathAccess, type AccessRoots } from './access/path-access';
import { checkNewProjectLocation } from './projects/project-location';
import { countStimuli, getStimulus, listStimuli } from './store/stimuli-repo';
import { studyHandlers } from './study/study-handlers';
import { shardHandlers, startShardJob } from './shards/shard-handlers';
import { decodeStimulusPixels, sessionStimulus, upcomingStimuli } from './study/presentation';
import type { LanControl } from './study/lan-control';
import { nrHandlers } from './nr/nr-handlers';
import { closeNrPool } from './nr/nr-pool';
import { checkNrMetrics, runNrMetrics } from './nr/nr-metric';
import { nrPredictorName } from '../common/nr-predictor';

export interface EngineOptions {
  userDataDir: string;
  /**
   * The folders requests may name (see services/access/path-access.ts): the hosts pass the roots the
   * user chose; 'unconfined' is for the command line, where the user is at their own shell.
   */
  roots: AccessRoots;
  /** Worker threads for metric kernels (default: one per core; 0 = on the calling thread). */
  threads?: number;
}

export class Engine {
  readonly jobs = new JobManager();
  readonly #dbs = new Map<string, Db>();
  readonly #userDataDir: string;
  readonly #threads: number;
  readonly access: PathAccess;
  #runner: FrameRunner | null = null;
  #compute: ComputePool | null = null;

  /** The viewer's open pairs: stepping through frames reads on from running decoders (or their frame spool, under this engine's user data). */
  readonly #viewerDecoders: PairDecoders;
  /** LAN mode's listeners (host/lan-host.ts), when a host attached them. */
  #lan: LanControl | null = null;

  constructor(options: EngineOptions) {
    this.#userDataDir = options.userDataDir;
    this.#viewerDecoders = new PairDecoders({ spoolDir: process.env.IQA_VIEWER_SPOOL_DIR ?? join(options.userDataDir, 'cache', 'viewer-spool') });
    this.#threads = options.threads ?? defaultThreads();
    this.access = new PathAccess(options.roots);
    // The app's own folders are always the user's choice.
    this.access.allow(options.userDataDir);
    this.access.allow(modelDir());
    // Started now, while this process is small: the launcher's own start is the one slow fork.
    prewarmProcessLauncher();
    // The model manifest is validated once per process; now, not inside the first metric run.
    loadManifest();
  }

  /** The model directory (IQA_MODEL_DIR, else <user data>/models), without listing or hashing what is in it. */
  get modelDir(): string {
    return modelDir();
  }

  /** The open database of a project (opened once, kept for the engine's life). */
  db(dir: string): Db {
    const key = resolve(dir);
    let db = this.#dbs.get(key);
    if (!db) {
      db = openProjectDb(this.access.check(key, 'project folder'));
      this.#dbs.set(key, db);
    }
    return db;
  }

  /**
   * The media file of a stored stimulus, checked like any path a request names: a project row is
   * data from a file, and a crafted one must not make the engine read outside the allowed folders.
   */
  #mediaPath(dir: string, s: { path: string }): string {
    return this.access.check(resolve(dir, s.path), 'media file');
  }

  /** A set (common/set-spec.ts) whose folder or file is checked like any path, made absolute. */
  #checkedSet(spec: SetSpec, what: string): SetSpec {
    this.access.check(specPath(spec), `${what} ${spec.type === 'project' ? 'project folder' : spec.type === 'stats' ? 'statistics file' : 'folder'}`);
    return resolveSpecPaths(spec);
  }

  projectInfo(dir: string): ProjectInfo {
    const db = this.db(dir);
    return {
      dir: resolve(dir),
      name: readMeta(db, 'name') ?? dir,
      createdAt: readMeta(db, 'created_at') ?? '',
      stimulusCount: countStimuli(db),
      schemaVersion: schemaVersion(db),
    };
  }

  /** The shared worker pool for frame metrics, started on first use. */
  frameRunner(): FrameRunner {
    this.#runner ??= createFrameRunner(this.#threads);
    return this.#runner;
  }

  /**
   * The analysis in the compute pool (the worker reads the project): the point estimates, then the rows'
   * bootstrap intervals over every compute thread (progress: rows done), answered from the project's
   * analysis cache when nothing changed. Nothing of it runs on this thread.
   */
  #analyze(o: AnalysisOptions, signal?: AbortSignal, onProgress?: (done: number, total: number) => void) {
    const dir = resolve(o.projectDir);
    const mapping = MAPPING_FITS[o.mapping];
    // Opened here first: the folder is checked against the allowed ones and the store migrated.
    this.db(dir);
    const options = { study: o.study, mos: o.mos, screening: o.screening, minCorrelation: o.minCorrelation, scores: o.scores, zscore: o.zscore, mapping, by: o.by, seed: o.seed, resamples: o.resamples };
    return this.#computePool().analyzeProject(dir, options, () => this.db(dir), signal, onProgress);
  }

  /** The compute worker pool (analysis, set statistics, network inputs, alignment), made on first use. */
  #computePool(): ComputePool {
    return (this.#compute ??= new ComputePool({ threads: Math.min(this.#threads, 2) }));
  }

  /** Serves the `studies.lan.*` commands with `control` (host/lan-host.ts: attachLanMode). */
  attachLan(control: LanControl): void {
    this.#lan = control;
  }

  #lanControl(): LanControl {
    if (!this.#lan) throw new IqaError('E_UNSUPPORTED', 'LAN mode is served by the desktop app and by iqa web, not by this command');
    return this.#lan;
  }

  close(): void {
    void this.shutdown();
  }

  /** close(), resolved once the worker pools have stopped: the command line awaits it so that the process can end. */
  async shutdown(): Promise<void> {
    // The LAN listeners stop accepting first (closeAll does that before it returns), so no participant
    // request reaches a closed store; the rest stays synchronous, as close() callers expect.
    const lan = this.#lan?.closeAll();
    this.#lan = null;
    this.#viewerDecoders.close();
    for (const db of this.#dbs.values()) db.close();
    this.#dbs.clear();
    const runner = this.#runner;
    const compute = this.#compute;
    this.#runner = null;
    this.#compute = null;
    await Promise.all([lan, runner?.close(), compute?.close(), closeSharedInference(), closeFileHashPool(), closeNrPool()]);
  }

  readonly handlers: Handlers = {
    'app.info': async () => {
      const info: AppInfo = { version: APP_VERSION, ffmpeg: null, ffmpegError: null };
      try {
        info.ffmpeg = locateFfmpeg();
      } catch (err) {
        info.ffmpegError = toIqaError(err).message;
      }
      return info;
    },
    'projects.recent': async () => readRecent(this.#userDataDir).filter((p) => isProjectDir(p.dir)),
    'projects.create': async ({ dir, name }) => {
      const key = checkNewProjectLocation(dir, this.access);
      const db = openProjectDb(key, { create: true, name });
      this.#dbs.set(key, db);
      const info = this.projectInfo(key);
      rememberProject(this.#userDataDir, info);
      return info;
    },
    'projects.open': async ({ dir }) => {
      const key = this.access.check(dir, 'project folder');
      if (!existsSync(key)) throw new IqaError('E_NOT_FOUND', `${key}: no such folder`, { file: key });
      const info = this.projectInfo(key);
      rememberProject(this.#userDataDir, info);
      return info;
    },
    'stimuli.list': async ({ projectDir }) => listStimuli(this.db(projectDir)),
    'stimuli.thumbnail': async ({ projectDir, stimulusId }) => {
      const s = getStimulus(this.db(projectDir), stimulusId);
      if (!s) throw new IqaError('E_NOT_FOUND', `no stimulus ${stimulusId} in ${projectDir}`);
      return { dataUrl: thumbnailDataUrl(resolve(projectDir), s.sha256) };
    },
    'import.start': async ({ projectDir, source, options }) => {
      const dir = resolve(projectDir);
      const db = this.db(dir);
      // Unconfined (the command line), a device or FIFO named as the source goes to the import, which
      // reports what it is as a per-file issue without opening it; everything else is checked here.
      const st = statSync(source, { throwIfNoEntry: false });
      const special = st !== undefined && !st.isFile() && !st.isDirectory();
      if (this.access.confined || !special) this.access.check(source, 'import source');
      const jobId = this.jobs.start({
        kind: 'import',
        label: `Import ${source}`,
        projectDir: dir,
        unit: 'files',
        run: (ctx) =>
          importMedia(db, dir, resolve(source), options, {
            signal: ctx.signal,
            // The outcome first, as `iqa import` prints it: "added a.png", "failed b.png".
            onProgress: (p) => ctx.progress(p.done, p.total, `${p.outcome === 'issue' ? 'failed' : p.outcome} ${p.file}`),
            checkFile: (file) => void this.access.check(file, 'media file'),
          }),
      });
      return { jobId };
    },
    'metrics.list': async () => [...METRICS],
    'metrics.run': async (input) => {
      // A shard reads the project file without this engine's writable connection (services/shards/).
      if (input.shard) {
        const trained = input.metrics.find((m) => nrPredictorName(m.id) !== null);
        if (trained) throw new IqaError('E_UNSUPPORTED', `${trained.id} is not computed in shards: run it without --shard`);
        return { jobId: startShardJob(this, input) };
      }
      const dir = resolve(input.projectDir);
      const db = this.db(dir);
      const metrics = input.metrics.map((m) => {
        try {
          return { id: m.id, params: resolveMetricRequest(m).params };
        } catch (err) {
          // resolveMetricRequest's messages are one line and name the metric.
          throw new IqaError('E_INPUT', (err as Error).message);
        }
      });
      // Every file the run will read (the chosen stimuli and their references) must be allowed.
      const stimuli = listStimuli(db);
      const byId = new Map(stimuli.map((s) => [s.id, s]));
      let stimulusIds = input.stimulusIds;
      if (input.stimulusNames) {
        const byName = new Map(stimuli.map((s) => [s.name, s.id]));
        const missing = input.stimulusNames.filter((n) => !byName.has(n));
        if (missing.length) throw new IqaError('E_NOT_FOUND', `no stimulus named ${missing.join(', ')} in ${dir}`);
        stimulusIds = [...new Set([...(stimulusIds ?? []), ...input.stimulusNames.map((n) => byName.get(n)!)])];
      }
      const involved = stimulusIds
        ? stimulusIds.flatMap((id) => {
            const s = byId.get(id);
            return [s, s?.referenceId == null ? undefined : byId.get(s.referenceId)];
          })
        : stimuli;
      for (const s of involved) if (s) this.#mediaPath(dir, s);
      // Trained predictors (nr:<name>) run after the registry's metrics, in the same job (services/nr/nr-metric.ts).
      const nrNames = checkNrMetrics(db, metrics.filter((m) => nrPredictorName(m.id) !== null).map((m) => m.id));
      const registry = metrics.filter((m) => nrPredictorName(m.id) === null);
      if (nrNames.length > 0) {
        const jobId = this.jobs.start({
          kind: 'metrics',
          label: `Compute ${metrics.map((m) => m.id).join(', ')}`,
          projectDir: dir,
          unit: 'stimuli',
          run: async (ctx) => {
            const first = registry.length
              ? await runProjectMetrics(db, dir, { metrics: registry, stimulusIds, force: input.force, policy: input.policy, pooling: input.pooling, acceptDecodeErrors: input.acceptDecodeErrors }, { runner: this.frameRunner(), signal: ctx.signal, onProgress: (d, t, msg) => ctx.progress(d, t, msg) })
              : null;
            const nr = await runNrMetrics(db, dir, nrNames, { stimulusIds, force: input.force }, { signal: ctx.signal, progress: (d, t, m) => ctx.progress(d, t, m), mediaPath: (s) => this.#mediaPath(dir, s) });
            return first ? { pairs: Math.max(first.pairs, nr.pairs), computed: first.computed + nr.computed, skipped: first.skipped + nr.skipped, failed: [...first.failed, ...nr.failed] } : nr;
          },
        });
        return { jobId };
      }
      const runner = this.frameRunner();
      // The ETA weighs frames by pixels (jobs/metrics-work.ts).
      const work = metricsWorkTracker({ stimuli, metricIds: metrics.map((m) => m.id), stimulusIds });
      const jobId = this.jobs.start({
        kind: 'metrics',
        label: `Compute ${metrics.map((m) => m.id).join(', ')}`,
        projectDir: dir,
        unit: 'frames',
        run: async (ctx) => {
          let changed: string[] = [];
          const report = await runProjectMetrics(
            db,
            dir,
            { metrics, stimulusIds, force: input.force, policy: input.policy, pooling: input.pooling, acceptDecodeErrors: input.acceptDecodeErrors },
            { runner, signal: ctx.signal, onProgress: (d, t, msg) => ctx.progress(d, t, msg, work(d, t, msg)), onRefresh: (r) => void (changed = r.changed) },
          );
          return changed.length ? { ...report, changed } : report;
        },
      });
      return { jobId };
    },
    'metrics.results': async ({ projectDir }) => listResults(this.db(projectDir)),
    'metrics.frames': async ({ projectDir, stimulusId }) => frameSeries(this.db(projectDir), stimulusId),
    'results.export': async ({ projectDir, format }) => exportResults(this.db(projectDir), format),
    'viewer.frameMap': async ({ projectDir, stimulusId, frame, metric, params, skipRef, skipDist, ignoreFps }) => {
      const dir = resolve(projectDir);
      const db = this.db(dir);
      const dist = getStimulus(db, stimulusId);
      if (!dist) throw new IqaError('E_NOT_FOUND', `no stimulus ${stimulusId} in ${projectDir}`);
      const ref = dist.referenceId === null ? undefined : getStimulus(db, dist.referenceId);
      if (!ref) throw new IqaError('E_INPUT', `${dist.path} has no reference: a quality map needs a distorted stimulus paired with its reference`);
      let resolved: Record<string, string | number>;
      try {
        resolved = resolveMetricRequest({ id: metric, params }).params;
      } catch (err) {
        throw new IqaError('E_INPUT', (err as Error).message);
      }
      const m = await frameMap(
        { ref: this.#mediaPath(dir, ref), dist: this.#mediaPath(dir, dist), refInfo: ref, distInfo: dist, refRaw: ref.rawGeometry ?? undefined, distRaw: dist.rawGeometry ?? undefined },
        metric,
        resolved,
        frame,
        // The viewer's applied timing; the frames come from the pair's open decoders, shared with the panes.
        { runner: this.frameRunner(), decoders: this.#viewerDecoders, timing: { skipRef, skipDist, ignoreFps } },
      );
      return {
        metric,
        params: m.params,
        frame: m.frame,
        width: m.width,
        height: m.height,
        value: Number.isNaN(m.value) ? null : m.value,
        map: float32Bytes(m.map),
        decoder: m.decoder,
        model: m.model && { id: m.model.modelId, sha256: m.model.modelSha256, provider: m.model.provider, comparable: m.model.comparable },
      };
    },
    'viewer.framePixels': async ({ projectDir, stimulusId, frame, skipRef, skipDist, ignoreFps }) => {
      const dir = resolve(projectDir);
      const db = this.db(dir);
      const dist = getStimulus(db, stimulusId);
      if (!dist) throw new IqaError('E_NOT_FOUND', `no stimulus ${stimulusId} in ${projectDir}`);
      const ref = dist.referenceId === null ? undefined : getStimulus(db, dist.referenceId);
      if (!ref) throw new IqaError('E_INPUT', `${dist.path} has no reference: the viewer compares a distorted stimulus with its reference`);
      const p = await framePixels(
        { ref: this.#mediaPath(dir, ref), dist: this.#mediaPath(dir, dist), refInfo: ref, distInfo: dist, refRaw: ref.rawGeometry ?? undefined, distRaw: dist.rawGeometry ?? undefined },
        frame,
        { skipRef, skipDist, ignoreFps },
        undefined,
        this.#viewerDecoders,
      );
      // Byte arrays, not base64: the hosts carry them as they are (common/binary-reply.ts, IPC's clone).
      return { frame: p.frame, width: p.width, height: p.height, frames: p.frames, fps: p.fps, ref: p.ref, dist: p.dist, decoder: p.decoder };
    },
    'align.check': async ({ projectDir, stimulusId, maxOffset }) => {
      const dir = resolve(projectDir);
      const db = this.db(dir);
      const dist = getStimulus(db, stimulusId);
      if (!dist) throw new IqaError('E_NOT_FOUND', `no stimulus ${stimulusId} in ${projectDir}`);
      const ref = dist.referenceId === null ? undefined : getStimulus(db, dist.referenceId);
      if (!ref) throw new IqaError('E_INPUT', `${dist.path} has no reference: the alignment check compares a distorted video with its reference`);
      // The decode is two ffmpeg processes; the frame-by-frame search runs in the compute pool's worker.
      const compute = this.#computePool();
      return alignmentOfPair(
        { ref: this.#mediaPath(dir, ref), dist: this.#mediaPath(dir, dist), refInfo: ref, distInfo: dist, refRaw: ref.rawGeometry ?? undefined, distRaw: dist.rawGeometry ?? undefined },
        { maxOffset, analyze: (input, signal) => compute.align(input, signal) },
      );
    },
    'align.decisions': async ({ projectDir, stimulusId }) => listAlignmentDecisions(this.db(projectDir), stimulusId),
    'align.decide': async ({ projectDir, ...input }) => decideAlignment(this.db(projectDir), input),
    'studies.list': async ({ projectDir }) => listStudies(this.db(projectDir)),
    'ratings.import': async ({ projectDir, csv, study, method, scale, replace }) =>
      importRatingsCsv(this.db(projectDir), this.access.check(csv, 'ratings file'), { study, method, scale, replace }),
    'ratings.exportSureal': async ({ projectDir, study }) => {
      const dir = resolve(projectDir);
      const content = exportSureal(this.db(dir), dir, study);
      return { filename: `sureal-${(study ?? 'dataset').replace(/[^A-Za-z0-9._-]+/g, '_')}.py`, mime: 'text/x-python', content };
    },
    ...studyHandlers({ db: (dir) => this.db(dir), mediaPath: (dir, s) => this.#mediaPath(dir, s) }),
    ...shardHandlers(this),
    ...nrHandlers({ jobs: this.jobs, db: (dir) => this.db(dir), mediaPath: (dir, s) => this.#mediaPath(dir, s), checkPath: (path, what) => this.access.check(path, what) }),
    'sessions.upcoming': async ({ projectDir, sessionId, count }) => upcomingStimuli(this.db(projectDir), sessionId, count),
    'sessions.stimulus': async ({ projectDir, sessionId, stimulusId }) => {
      const dir = resolve(projectDir);
      const s = sessionStimulus(this.db(dir), sessionId, stimulusId);
      const p = await decodeStimulusPixels(s, this.#mediaPath(dir, s));
      return { stimulusId: p.stimulusId, width: p.width, height: p.height, rgb: Buffer.from(p.rgb.buffer, p.rgb.byteOffset, p.rgb.byteLength).toString('base64') };
    },
    'studies.lan.start': async (o) => this.#lanControl().start(o),
    'studies.lan.stop': async (o) => this.#lanControl().stop(o),
    'studies.lan.status': async (o) => this.#lanControl().status(o),
    'analysis.run': async (o) => this.#analyze(o),
    'analysis.start': async (o) => {
      const dir = resolve(o.projectDir);
      this.db(dir); // a folder not allowed or not a project fails the command, not the job
      const jobId = this.jobs.start({
        kind: 'analysis',
        label: `Analysis${o.study ? ` of ${o.study}` : ''}: ${o.resamples > 0 ? `${o.resamples} bootstrap resamples` : 'point estimates'}`,
        projectDir: dir,
        unit: 'rows',
        run: (ctx) => this.#analyze(o, ctx.signal, (done, total) => ctx.progress(done, total)),
      });
      return { jobId };
    },
    'analysis.mosChoice': async ({ projectDir }) => {
      const db = this.db(projectDir);
      return { choice: resolveMosChoice(db, {}).choice, stored: readMosChoice(db) !== null };
    },
    'analysis.setMosChoice': async ({ projectDir, choice }) => ({ choice: writeMosChoice(this.db(projectDir), choice), stored: true }),
    'analysis.export': async ({ format, ...o }) => {
      // A format that prints no bootstrap interval skips the bootstrap instead of computing intervals nobody sees.
      const report = await this.#analyze(exportPrintsIntervals(format) ? o : { ...o, resamples: 0 });
      const ext = { csv: 'csv', json: 'json', latex: 'tex', md: 'md' }[format];
      const mime = { csv: 'text/csv', json: 'application/json', latex: 'application/x-tex', md: 'text/markdown' }[format];
      const safe = report.provenance.study.replace(/[^A-Za-z0-9._-]+/g, '_');
      return { filename: `analysis-${safe}.${ext}`, mime, content: exportAnalysis(report, format) };
    },
    'models.list': async () => ({ dir: modelDir(), models: (await listModels()) as ModelRow[] }),
    'models.install': async ({ file, as }) => {
      const r = await installModel(this.access.check(file, 'model file'), { as });
      const entry = manifestEntry(r.id);
      const notes = [...(entry.comparable ? [] : [entry.comparableNote ?? 'not comparable']), ...(entry.licence.redistributable ? [] : [entry.licence.note])];
      return { id: r.id, file: r.file, path: r.path, sha256: r.sha256, verified: r.verified, extras: r.extras, notes };
    },
    'models.verify': async ({ id, probes, maxProbes }) => {
      if (probes && !id) throw new IqaError('E_INPUT', 'chosen probes need a model id');
      // A named model must be there (E_MODEL with how to get it); without a name, what is installed (a wrong-hash file is not the model).
      if (id) await requireModel(id);
      const ids = id ? [id] : (await listModels()).filter((m) => m.state === 'installed' || m.state === 'unverified').map((m) => m.id);
      const options = { ...(probes ? { probes } : {}), ...(maxProbes !== null ? { maxProbes } : {}) };
      const jobId = this.jobs.start({
        kind: 'models.verify',
        label: id ? `Verify model ${id}` : 'Verify installed models',
        unit: 'models',
        run: async (ctx) => {
          const out = [];
          for (const [i, m] of ids.entries()) {
            ctx.progress(i, ids.length, m);
            out.push(await verifyModel(m, options));
          }
          ctx.progress(ids.length, ids.length);
          return out;
        },
      });
      return { jobId };
    },
    'sets.metrics': async (input) => {
      const a = this.#checkedSet(input.a, 'set A');
      const b = input.b && this.#checkedSet(input.b, 'set B');
      if (input.saveStatsA) this.access.check(dirname(input.saveStatsA), 'statistics folder');
      const jobId = this.jobs.start({
        kind: 'sets',
        label: `${input.metrics.map((m) => m.toUpperCase()).join(', ')}: ${formatSetSpecText(a)}${b ? ` vs ${formatSetSpecText(b)}` : ''}`,
        projectDir: a.type === 'project' ? a.dir : null,
        unit: 'images',
        run: (ctx) =>
          computeImageSetMetrics({ ...input, a, b }, { signal: ctx.signal, onProgress: (d, t, l) => ctx.progress(d, t, l), openDb: (dir) => ({ db: this.db(dir), close: false }), compute: this.#computePool() }),
      });
      return { jobId };
    },
    'sets.fvd': async (input) => {
      const a = this.#checkedSet(input.a, 'set A');
      const b = this.#checkedSet(input.b, 'set B');
      const jobId = this.jobs.start({
        kind: 'sets',
        label: `FVD: ${formatSetSpecText(a)} vs ${formatSetSpecText(b)}`,
        unit: 'videos',
        run: (ctx) => computeFvd({ ...input, a, b }, { signal: ctx.signal, onProgress: (d, t, l) => ctx.progress(d, t, l), openDb: (dir) => ({ db: this.db(dir), close: false }) }),
      });
      return { jobId };
    },
    'jobs.list': async () => this.jobs.list(),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: this.jobs.cancel(jobId) }),
    'jobs.clearFinished': async ({ projectDir }) => ({ cleared: this.jobs.clearFinished(projectDir === null ? null : resolve(projectDir)) }),
  };
}
