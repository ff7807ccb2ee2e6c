import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSnapshot, ModelRow } from '../../src-main/common/domain';
import { METRICS } from '../../src-main/common/metric-registry';
import { REPO_ROOT } from '../helpers/media';
import {
  comparableNote,
  isVerifiable,
  licenceNote,
  metricsCell,
  metricsUsing,
  needsFile,
  parseVerifications,
  sci,
  shaCell,
  stateLabel,
  tol,
  verificationSummary,
  verifyOutcomes,
  VERIFY_JOB_KIND,
} from '../../src-renderer/src/lib/models-table';

const HASH = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

function model(over: Partial<ModelRow> & { file?: Partial<ModelRow['files'][number]> } = {}): ModelRow {
  const { file, ...rest } = over;
  return {
    id: 'lpips-alex',
    name: 'LPIPS v0.1 (AlexNet)',
    kind: 'fr',
    comparable: true,
    redistributable: true,
    state: 'installed',
    howToGet: 'source: alex.pth; then run: iqa models install <path>',
    files: [{ name: 'lpips_alex_v0.1.onnx', state: 'installed', path: '/m/lpips_alex_v0.1.onnx', expectedSha256: HASH, actualSha256: HASH, ...file }],
    ...rest,
  };
}

/** What the engine sends for one verification (NaN errors arrive as null). */
function verification(id: string, pass = true, extra: Record<string, unknown> = {}) {
  return {
    id,
    state: 'installed',
    comparable: true,
    sha256: HASH,
    provider: 'cpu',
    tolerance: { maxAbs: 1e-5, relToMax: null, reason: 'measured' },
    probesFile: `/m/${id}/probes.json`,
    probes: [
      {
        probe: 'probe0',
        pass,
        runMs: 4.2,
        outputs: [{ name: 'distance', shape: [2], maxAbs: pass ? 1.3e-8 : 2e-3, maxRel: 1e-6, relToMax: 7e-7, refMaxAbs: 0.018, allFinite: true, pass }],
      },
    ],
    pass,
    sessionMs: 80,
    ...extra,
  };
}

let seq = 0;
/** A job snapshot as it arrives (the wire gives no guarantee that `result` matches `kind`, hence the cast). */
function job(over: Partial<Record<keyof JobSnapshot, unknown>>): JobSnapshot {
  seq++;
  return {
    id: `job${seq}`,
    kind: VERIFY_JOB_KIND,
    label: 'Verify',
    projectDir: null,
    state: 'done',
    done: 1,
    total: 1,
    unit: 'models',
    message: '',
    startedAt: `2025-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    finishedAt: `2025-01-01T00:01:${String(seq).padStart(2, '0')}.000Z`,
    etaS: null,
    error: null,
    result: null,
    ...over,
  } as JobSnapshot;
}

describe('model rows', () => {
  it('labels states, licence and comparability as the page shows them', () => {
    expect(stateLabel('installed')).toBe('installed');
    expect(stateLabel('wrong-hash')).toBe('wrong hash');
    expect(licenceNote(model())).toBe('redistributable');
    expect(licenceNote(model({ redistributable: false }))).toBe('internal use only');
    expect(comparableNote(model())).toBe('comparable');
    expect(comparableNote(model({ comparable: false }))).toBe('random weights — not comparable');
    expect(isVerifiable(model())).toBe(true);
    expect(isVerifiable(model({ state: 'unverified' }))).toBe(true);
    expect(isVerifiable(model({ state: 'missing' }))).toBe(false);
    expect(needsFile(model({ state: 'wrong-hash' }))).toBe(true);
    expect(needsFile(model({ state: 'unverified' }))).toBe(false);
  });

  it('names the metrics whose descriptor lists the model', () => {
    expect(metricsUsing('lpips-alex', METRICS)).toEqual(['LPIPS']);
    expect(metricsUsing('nima-arch', METRICS)).toEqual(['NIMA']);
    expect(metricsCell({ id: 'brisque-live', kind: 'params' }, METRICS)).toEqual({ names: ['BRISQUE'], note: '' });
    // every model a metric names is in the manifest, so its row can say so
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'models/manifest.json'), 'utf8')) as { models: { id: string }[] };
    const known = new Set(manifest.models.map((m) => m.id));
    for (const d of METRICS) for (const id of d.models) expect(known.has(id), `${d.id} → ${id}`).toBe(true);
    const fid = metricsCell({ id: 'fid-inception-not-in-registry', kind: 'features' }, METRICS);
    expect(fid.names).toEqual([]);
    expect(fid.note).toContain('set metrics');
    expect(metricsCell({ id: 'nothing', kind: 'nr' }, METRICS).note).toBe('no metric yet');
  });

  it('shows the actual hash, or the expected one when the file is missing', () => {
    expect(shaCell(model())).toMatchObject({ text: HASH.slice(0, 12), tone: 'ok' });
    const wrong = shaCell(model({ state: 'wrong-hash', file: { state: 'wrong-hash', actualSha256: OTHER } }));
    expect(wrong).toMatchObject({ text: OTHER.slice(0, 12), tone: 'bad' });
    expect(wrong.title).toContain(`expected ${HASH}`);
    expect(shaCell(model({ state: 'missing', file: { state: 'missing', path: null, actualSha256: null } }))).toMatchObject({ text: HASH.slice(0, 12), tone: 'muted' });
    expect(shaCell(model({ state: 'missing', file: { state: 'missing', path: null, actualSha256: null, expectedSha256: null } })).text).toBe('—');
  });
});

describe('verification results', () => {
  it('reads a done job result field by field; NaN (null on the wire) stays visible', () => {
    const nan = verification('x', false);
    nan.probes[0]!.outputs[0]!.maxAbs = null as unknown as number;
    const parsed = parseVerifications([verification('lpips-alex'), nan, { junk: true }, 'nope', null]);
    expect(parsed.map((v) => v.id)).toEqual(['lpips-alex', 'x']);
    expect(parsed[0]!.provider).toBe('cpu');
    expect(parsed[0]!.tolerance).toEqual({ maxAbs: 1e-5, relToMax: null, reason: 'measured' });
    expect(parsed[0]!.probes[0]!.outputs[0]!.maxAbs).toBe(1.3e-8);
    expect(parsed[1]!.probes[0]!.outputs[0]!.maxAbs).toBeNull();
    expect(sci(parsed[1]!.probes[0]!.outputs[0]!.maxAbs)).toBe('NaN');
    expect(parseVerifications(null)).toEqual([]);
    expect(parseVerifications({ id: 'x' })).toEqual([]);
  });

  it('summarises a verification in one line', () => {
    const [ok, bad, skipped] = parseVerifications([
      verification('a'),
      verification('b', false),
      { ...verification('c'), probes: [], provider: null, skipped: 'no probes for this model: its file was checked by hash only' },
    ]);
    expect(verificationSummary(ok!)).toBe('passed · cpu · 1 probe');
    expect(verificationSummary(bad!)).toBe('failed 1 of 1 · cpu · 1 probe');
    expect(verificationSummary(skipped!)).toBe('hash checked · no probes');
  });

  it('formats errors and tolerances compactly', () => {
    expect(sci(1.30385160446167e-8)).toBe('1.3e-8');
    expect(sci(0)).toBe('0');
    expect(sci(12345)).toBe('1.2e4');
    expect(tol(0.00001)).toBe('1e-5');
    expect(tol(0.0002)).toBe('2e-4');
    expect(tol(0.005)).toBe('5e-3');
  });

  it('keeps the latest outcome per model: running, done or failed', () => {
    const all = job({ result: [verification('lpips-alex'), verification('cnniqa-live', false)] });
    const single = job({ result: [verification('lpips-alex', false)] });
    const running = job({ state: 'running', finishedAt: null, result: null, message: 'nima-arch' });
    const failed = job({ state: 'failed', result: null, error: { code: 'E_MODEL', message: 'model brisque-live: broken' } });
    const other = job({ kind: 'metrics', result: [verification('niqe-live')] });
    const covers = new Map<string, readonly string[] | null>([[all.id, null], [single.id, ['lpips-alex']], [running.id, null], [failed.id, ['brisque-live']]]);
    const ids = ['lpips-alex', 'cnniqa-live', 'nima-arch', 'brisque-live'];
    // given newest first, as the app holds them
    const out = verifyOutcomes([other, failed, running, single, all], covers, ids);
    expect(out['niqe-live']).toBeUndefined();
    expect(out['brisque-live']).toEqual({ kind: 'failed', jobId: failed.id, message: 'model brisque-live: broken' });
    // the running Verify all covers every verifiable model started before it finished
    expect(out['lpips-alex']!.kind).toBe('running');
    expect(out['nima-arch']!.kind).toBe('running');

    const noRunning = verifyOutcomes([failed, single, all], covers, ids);
    const lp = noRunning['lpips-alex']!;
    expect(lp.kind === 'done' && lp.jobId === single.id && lp.verification.pass === false).toBe(true);
    const cn = noRunning['cnniqa-live']!;
    expect(cn.kind === 'done' && cn.jobId === all.id).toBe(true);
  });

  it('attributes a running job nobody here started to the model in its message', () => {
    const running = job({ state: 'running', finishedAt: null, message: 'lpips-squeeze' });
    expect(verifyOutcomes([running], new Map(), ['lpips-alex', 'lpips-squeeze'])).toEqual({ 'lpips-squeeze': { kind: 'running', jobId: running.id, current: 'lpips-squeeze' } });
    const cancelled = job({ state: 'cancelled', error: { code: 'E_CANCELLED', message: 'Verify model x: cancelled' } });
    expect(verifyOutcomes([cancelled], new Map([[cancelled.id, ['x']]]), ['x'])).toEqual({ x: { kind: 'failed', jobId: cancelled.id, message: 'Verify model x: cancelled' } });
  });
});
