/**
 * Worker thread for ONNX inference (run by piscina). One InferenceSession per model file (and
 * provider choice) per worker, created on first use and reused; a file whose size or mtime changed
 * gets a new session. Execution providers are tried in order: CUDA only when its provider library
 * is installed next to onnxruntime-node's binding (session creation with ['cuda', 'cpu'] in a
 * try/catch), then CPU. The provider actually used comes back with every result. Errors come back
 * as WireErrors: a file onnxruntime cannot load is E_MODEL, feeds it refuses are E_INPUT.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InferenceSession, Tensor, listSupportedBackends } from 'onnxruntime-node';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { IqaError, toIqaError } from '../common/errors';
import type { ExecutionProvider, TensorData } from '../common/inference';
import type { OnnxRunReply, OnnxRunTask } from './onnx-messages';
import { yieldToEngineThread } from './thread-priority';

yieldToEngineThread();

interface CachedSession {
  session: InferenceSession;
  provider: ExecutionProvider;
}

const sessions = new Map<string, Promise<CachedSession>>();
const keyOfPath = new Map<string, string>();
let cudaInstalled: boolean | undefined;

/** onnxruntime-node lists 'cuda' but ships it unbundled: it works only when the provider library is there. */
function cudaAvailable(): boolean {
  if (cudaInstalled !== undefined) return cudaInstalled;
  cudaInstalled = false;
  try {
    const backend = listSupportedBackends().find((b) => b.name === 'cuda');
    if (backend?.bundled) cudaInstalled = true;
    else if (backend) {
      const req = createRequire(import.meta.url);
      const binDir = join(dirname(req.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
      const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
      cudaInstalled = existsSync(join(binDir, lib));
    }
  } catch {
    cudaInstalled = false;
  }
  return cudaInstalled;
}

function preferredProviders(task: OnnxRunTask): ExecutionProvider[] {
  if (task.providers?.length) return task.providers;
  const env = process.env.IQA_ONNX_PROVIDERS;
  if (env) {
    const list = env.split(',').map((s) => s.trim()).filter((s): s is ExecutionProvider => s === 'cuda' || s === 'cpu');
    if (list.length) return list;
  }
  return cudaAvailable() ? ['cuda', 'cpu'] : ['cpu'];
}

/** onnxruntime messages carry ANSI colour and log lines after the first: keep the first line. */
function ortMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-control-regex
  return msg.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0]!.trim();
}

async function createSession(task: OnnxRunTask, providers: ExecutionProvider[]): Promise<CachedSession> {
  const base: InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  if (task.intraOpThreads) base.intraOpNumThreads = task.intraOpThreads;
  let lastErr: unknown;
  let lastTried: ExecutionProvider | undefined;
  for (const p of providers) {
    if (p === 'cuda' && !cudaAvailable() && !task.providers) continue;
    lastTried = p;
    try {
      const session = await InferenceSession.create(task.modelPath, { ...base, executionProviders: p === 'cpu' ? ['cpu'] : [p, 'cpu'] });
      return { session, provider: p };
    } catch (err) {
      lastErr = err;
    }
  }
  if (lastTried !== 'cpu') {
    throw new IqaError('E_UNSUPPORTED', `model ${task.label}: no usable execution provider among ${providers.join(', ')}${lastErr ? ` (${ortMessage(lastErr)})` : ''}; allow cpu (IQA_ONNX_PROVIDERS=cpu)`, {
      details: { modelId: task.label, providersTried: providers },
    });
  }
  throw new IqaError('E_MODEL', `model ${task.label}: ${task.modelPath} cannot be loaded by onnxruntime (${ortMessage(lastErr)}); the file is damaged or not an ONNX model: reinstall it`, {
    file: task.modelPath,
    details: { modelId: task.label, providersTried: providers },
  });
}

async function sessionFor(task: OnnxRunTask): Promise<{ cached: CachedSession; created: boolean }> {
  const providers = preferredProviders(task);
  const key = `${task.modelPath}|${task.fileKey}|${providers.join(',')}|${task.intraOpThreads ?? 0}`;
  const old = keyOfPath.get(task.modelPath + '|' + providers.join(','));
  if (old !== undefined && old !== key) {
    const stale = sessions.get(old);
    sessions.delete(old);
    stale?.then((s) => s.session.release()).catch(() => {});
  }
  keyOfPath.set(task.modelPath + '|' + providers.join(','), key);
  let p = sessions.get(key);
  const created = p === undefined;
  if (!p) {
    p = createSession(task, providers);
    sessions.set(key, p);
    p.catch(() => sessions.delete(key));
  }
  return { cached: await p, created };
}

function checkFeeds(task: OnnxRunTask, session: InferenceSession): void {
  const names = Object.keys(task.feeds);
  const missing = session.inputNames.filter((n) => !names.includes(n));
  const unknown = names.filter((n) => !session.inputNames.includes(n));
  if (missing.length || unknown.length) {
    throw new IqaError('E_INPUT', `model ${task.label} takes inputs ${session.inputNames.join(', ')}; got ${names.join(', ') || 'none'}`);
  }
  for (const [name, t] of Object.entries(task.feeds)) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new IqaError('E_INPUT', `model ${task.label}: input ${name} has ${t.data.length} values, dims [${t.dims.join(', ')}] need ${n}`);
  }
}

/** Loads the file on the CPU provider, reads its input and output names and releases it again. */
async function describe(task: OnnxRunTask): Promise<OnnxRunReply> {
  const t0 = performance.now();
  const { session } = await createSession(task, ['cpu']);
  try {
    return { ok: true, seq: task.seq, outputs: {}, provider: 'cpu', runMs: 0, sessionMs: performance.now() - t0, io: { inputs: [...session.inputNames], outputs: [...session.outputNames] } };
  } finally {
    await session.release();
  }
}

/**
 * The reply with its output arrays transferred, not cloned: their copy would be made on the engine's thread
 * when the reply arrives (a 1080p LPIPS map is 8 MB). Each output is a fresh array of this worker's.
 */
export default async function onnxRunTransferred(task: OnnxRunTask): Promise<OnnxRunReply> {
  const reply = await onnxRun(task);
  const buffers = reply.ok ? Object.values(reply.outputs).map((o) => o.data.buffer as ArrayBuffer) : [];
  return move({ [transferableSymbol]: buffers, [valueSymbol]: reply }) as unknown as OnnxRunReply;
}

async function onnxRun(task: OnnxRunTask): Promise<OnnxRunReply> {
  try {
    if (task.describeOnly) return await describe(task);
    const t0 = performance.now();
    const { cached, created } = await sessionFor(task);
    const sessionMs = created ? performance.now() - t0 : 0;
    const { session, provider } = cached;
    checkFeeds(task, session);
    const feeds: Record<string, Tensor> = {};
    // onnxruntime refuses views of a SharedArrayBuffer (a batch a worker filled): those are copied here, off the engine's thread.
    for (const [name, t] of Object.entries(task.feeds)) feeds[name] = new Tensor('float32', t.data.buffer instanceof SharedArrayBuffer ? new Float32Array(t.data) : t.data, t.dims);
    const fetches = task.outputs?.length ? task.outputs : session.outputNames;
    const bad = fetches.filter((n) => !session.outputNames.includes(n));
    if (bad.length) throw new IqaError('E_INPUT', `model ${task.label} has no output ${bad.join(', ')} (outputs: ${session.outputNames.join(', ')})`);
    const t1 = performance.now();
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await session.run(feeds, fetches);
    } catch (err) {
      throw new IqaError('E_INPUT', `model ${task.label} refused the input (${ortMessage(err)})`, { details: { dims: Object.fromEntries(Object.entries(task.feeds).map(([k, v]) => [k, v.dims])) } });
    }
    const runMs = performance.now() - t1;
    const outputs: Record<string, TensorData> = {};
    for (const name of fetches) {
      const v = results[name] as Tensor;
      if (v.type !== 'float32') throw new IqaError('E_MODEL', `model ${task.label}: output ${name} is ${v.type}, the engine reads float32 only`);
      outputs[name] = { data: new Float32Array(v.data as Float32Array), dims: v.dims.map(Number) };
    }
    return { ok: true, seq: task.seq, outputs, provider, runMs, sessionMs };
  } catch (err) {
    return { ok: false, seq: task.seq, error: toIqaError(err).toWire() };
  }
}
