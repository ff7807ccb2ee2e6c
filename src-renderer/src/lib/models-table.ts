/**
 * The Models page as data: one display row per supported model (state, comparability, licence, the
 * metrics that use it, the hash), and the outcome of `models.verify` jobs per model, read from the
 * job snapshots (a done job's result is an array of verifications, see
 * src-main/services/models/verify.ts; NaN errors arrive as null over JSON). Pure functions, no api.
 */
import type { JobSnapshot, ModelRow, ModelStateName, ModelToleranceJson, ModelVerificationJson, OutputCheckJson, ProbeCheckJson } from '../../../src-main/common/domain';
import type { MetricDescriptor } from '../../../src-main/common/metric-registry';

export const VERIFY_JOB_KIND = 'models.verify' as const;

/** A verification as the engine sends it (domain.ts; NaN errors arrive as null). */
export type OutputCheckWire = OutputCheckJson;
export type ProbeCheckWire = ProbeCheckJson;
export type ToleranceWire = ModelToleranceJson;
export type VerificationWire = ModelVerificationJson;

export type VerifyOutcome =
  | { kind: 'running'; jobId: string; current: string }
  | { kind: 'done'; jobId: string; finishedAt: string | null; verification: VerificationWire }
  | { kind: 'failed'; jobId: string; message: string };

const STATE_LABELS: Record<ModelStateName, string> = {
  installed: 'installed',
  unverified: 'unverified',
  missing: 'missing',
  'wrong-hash': 'wrong hash',
};

export const stateLabel = (s: ModelStateName): string => STATE_LABELS[s] ?? s;

/** A model whose file is present and can be run (verify is offered). */
export const isVerifiable = (m: Pick<ModelRow, 'state'>): boolean => m.state === 'installed' || m.state === 'unverified';

/** Missing and wrong-hash models show how to get the right file. */
export const needsFile = (m: Pick<ModelRow, 'state'>): boolean => m.state === 'missing' || m.state === 'wrong-hash';

const KIND_LABELS: Record<string, string> = { fr: 'full-reference', nr: 'no-reference', features: 'features', params: 'parameters' };
export const kindLabel = (k: string): string => KIND_LABELS[k] ?? k;

export const shortSha = (sha: string | null | undefined, n = 12): string => (sha ? sha.slice(0, n) : '');

/** The hash cell: the file's actual hash when there is a file, else the expected one. */
export function shaCell(m: ModelRow): { text: string; title: string; tone: 'ok' | 'bad' | 'muted' } {
  const f = m.files[0];
  if (!f) return { text: '—', title: '', tone: 'muted' };
  if (f.actualSha256) {
    const title = f.expectedSha256 && f.expectedSha256 !== f.actualSha256
      ? `SHA-256 ${f.actualSha256}\nexpected ${f.expectedSha256}`
      : `SHA-256 ${f.actualSha256}${f.expectedSha256 ? '' : '\n(the manifest has no hash for this file)'}`;
    return { text: shortSha(f.actualSha256), title, tone: m.state === 'wrong-hash' ? 'bad' : 'ok' };
  }
  if (f.expectedSha256) return { text: `${shortSha(f.expectedSha256)}`, title: `expected SHA-256 ${f.expectedSha256}`, tone: 'muted' };
  return { text: '—', title: 'no SHA-256 known in advance (made locally from the checkpoint)', tone: 'muted' };
}

export const licenceNote = (m: Pick<ModelRow, 'redistributable'>): string => (m.redistributable ? 'redistributable' : 'internal use only');

export const comparableNote = (m: Pick<ModelRow, 'comparable'>): string => (m.comparable ? 'comparable' : 'random weights — not comparable');

/** Names of the metrics whose descriptor lists this model. */
export function metricsUsing(modelId: string, descriptors: readonly MetricDescriptor[]): string[] {
  return descriptors.filter((d) => d.models.includes(modelId)).map((d) => d.name);
}

/** What the "Metrics" cell says: the metric names, or where a model no metric lists is used. */
export function metricsCell(m: Pick<ModelRow, 'id' | 'kind'>, descriptors: readonly MetricDescriptor[]): { names: string[]; note: string } {
  const names = metricsUsing(m.id, descriptors);
  if (names.length) return { names, note: '' };
  return { names, note: m.kind === 'features' ? 'set metrics (iqa fid, iqa fvd)' : 'no metric yet' };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseOutput(o: unknown): OutputCheckWire | null {
  if (!isObj(o) || typeof o.name !== 'string') return null;
  return {
    name: o.name,
    shape: Array.isArray(o.shape) ? o.shape.filter((d): d is number => typeof d === 'number') : [],
    maxAbs: num(o.maxAbs),
    maxRel: num(o.maxRel),
    relToMax: num(o.relToMax),
    refMaxAbs: num(o.refMaxAbs),
    allFinite: o.allFinite === true,
    pass: o.pass === true,
    ...(typeof o.problem === 'string' ? { problem: o.problem } : {}),
  };
}

function parseProbe(p: unknown): ProbeCheckWire | null {
  if (!isObj(p) || typeof p.probe !== 'string') return null;
  const outputs = Array.isArray(p.outputs) ? p.outputs.map(parseOutput).filter((o): o is OutputCheckWire => o !== null) : [];
  return { probe: p.probe, pass: p.pass === true, runMs: num(p.runMs) ?? 0, outputs };
}

function parseTolerance(t: unknown): ToleranceWire | null {
  if (!isObj(t) || num(t.maxAbs) === null) return null;
  return { maxAbs: num(t.maxAbs)!, relToMax: num(t.relToMax), ...(typeof t.reason === 'string' ? { reason: t.reason } : {}) };
}

/** A done verify job's result, checked field by field (anything malformed is dropped). */
export function parseVerifications(result: unknown): VerificationWire[] {
  if (!Array.isArray(result)) return [];
  const out: VerificationWire[] = [];
  for (const v of result) {
    if (!isObj(v) || typeof v.id !== 'string') continue;
    out.push({
      id: v.id,
      state: (typeof v.state === 'string' && v.state in STATE_LABELS ? v.state : 'missing') as ModelStateName,
      comparable: v.comparable !== false,
      sha256: typeof v.sha256 === 'string' ? v.sha256 : null,
      provider: typeof v.provider === 'string' ? v.provider : null,
      tolerance: parseTolerance(v.tolerance),
      probesFile: typeof v.probesFile === 'string' ? v.probesFile : null,
      probes: Array.isArray(v.probes) ? v.probes.map(parseProbe).filter((p): p is ProbeCheckWire => p !== null) : [],
      ...(typeof v.skipped === 'string' ? { skipped: v.skipped } : {}),
      pass: v.pass === true,
      sessionMs: num(v.sessionMs) ?? 0,
    });
  }
  return out;
}

/**
 * The latest verify outcome per model id, from the job snapshots. `covers` says which models a job
 * started here verifies (null = every verifiable model); a running job nobody here started names
 * the model it is on in its message. Later-started jobs win.
 */
export function verifyOutcomes(
  jobs: readonly JobSnapshot[],
  covers: ReadonlyMap<string, readonly string[] | null>,
  verifiableIds: readonly string[],
): Record<string, VerifyOutcome> {
  const out: Record<string, VerifyOutcome> = {};
  const ordered = jobs.filter((j) => j.kind === VERIFY_JOB_KIND).sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  for (const job of ordered) {
    const covered = covers.has(job.id) ? covers.get(job.id) ?? verifiableIds : undefined;
    if (job.state === 'running' || job.state === 'queued') {
      const ids = covered ?? (job.message ? [job.message] : []);
      for (const id of ids) out[id] = { kind: 'running', jobId: job.id, current: job.message };
    } else if (job.state === 'done') {
      for (const v of parseVerifications(job.result)) out[v.id] = { kind: 'done', jobId: job.id, finishedAt: job.finishedAt, verification: v };
    } else {
      const message = job.error?.message ?? (job.state === 'cancelled' ? 'verification cancelled' : 'verification failed');
      for (const id of covered ?? []) out[id] = { kind: 'failed', jobId: job.id, message };
    }
  }
  return out;
}

/** An error or tolerance in compact scientific notation; null (NaN over JSON) reads "NaN". */
export function sci(v: number | null, digits = 1): string {
  if (v === null || Number.isNaN(v)) return 'NaN';
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return v.toExponential(digits).replace('e+', 'e');
}

/** A tolerance as written in the manifest (1e-5, 2e-4): shortest exact exponent form. */
export const tol = (v: number): string => (v === 0 ? '0' : v.toExponential().replace('e+', 'e'));

/** One line per verification: "passed · cpu · 2 probes" etc. */
export function verificationSummary(v: VerificationWire): string {
  if (v.skipped && v.probes.length === 0) return v.pass ? 'hash checked · no probes' : 'not run';
  const n = v.probes.length;
  const failed = v.probes.filter((p) => !p.pass).length;
  const parts = [v.pass ? 'passed' : failed ? `failed ${failed} of ${n}` : 'failed'];
  if (v.provider) parts.push(v.provider);
  parts.push(`${n} probe${n === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** The worst error of a verification, for the one-line summary's tooltip. */
export function worstError(v: VerificationWire): number | null {
  let worst = 0;
  for (const p of v.probes) for (const o of p.outputs) {
    if (o.maxAbs === null) return null;
    worst = Math.max(worst, o.maxAbs);
  }
  return worst;
}
