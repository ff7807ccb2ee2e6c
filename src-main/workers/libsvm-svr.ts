/**
 * Support vector regression through libsvm-js (libsvm 3.22 compiled to WebAssembly with emscripten;
 * Chang & Lin, "LIBSVM: a library for support vector machines", ACM TIST 2:27, 2011). The solver is
 * libsvm's own; this file only adapts it to the `SvrBackend` of kernels/nr/svr.ts.
 *
 * Loaded in worker threads (workers/nr-train.worker.ts) and in tests, never on the engine's thread:
 * emscripten's Node runtime installs a process-wide 'unhandledRejection' handler that exits the
 * process, and prints a warning on stderr when Node's fetch cannot read the .wasm path. Both are
 * undone here: the handler is removed as soon as the module is loaded, and the WebAssembly binary is
 * read from disk (fetch is hidden from emscripten for the one load).
 *
 * Models are held in the WebAssembly heap, which the garbage collector does not see: every trained or
 * loaded model is freed by the caller through `free()`. A model travels as libsvm's own text format
 * (`svm_save_model`: support vectors with %.8g, coefficients with %.16g), so a model read back predicts
 * within about 1e-7 relative of the one trained in memory (test/services/nr/libsvm-svr.test.ts).
 */
import { createRequire } from 'node:module';
import type { SvrBackend, SvrModel, SvrParams } from '../kernels/nr/svr';

interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predictOne(sample: number[]): number;
  serializeModel(): string;
  free(): void;
}

interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  load(serialized: string): LibsvmModel;
  SVM_TYPES: { EPSILON_SVR: string; NU_SVR: string };
  KERNEL_TYPES: { RBF: string };
}

let loading: Promise<LibsvmClass> | null = null;

async function loadLibsvm(): Promise<LibsvmClass> {
  const require = createRequire(import.meta.url);
  const before = new Set(process.listeners('unhandledRejection'));
  const g = globalThis as { fetch?: unknown };
  const savedFetch = g.fetch;
  // emscripten tries fetch(path) first when fetch exists; a plain path is no URL to Node's fetch.
  g.fetch = undefined;
  try {
    return (await (require('libsvm-js') as Promise<LibsvmClass>));
  } finally {
    g.fetch = savedFetch;
    for (const l of process.listeners('unhandledRejection')) if (!before.has(l)) process.off('unhandledRejection', l);
  }
}

function wrap(svm: LibsvmModel): SvrModel {
  let freed = false;
  return {
    predict(samples: readonly Float64Array[]): Float64Array {
      if (freed) throw new Error('libsvm model used after free()');
      const out = new Float64Array(samples.length);
      for (let i = 0; i < samples.length; i++) out[i] = svm.predictOne(Array.from(samples[i]!));
      return out;
    },
    serialize: () => svm.serializeModel(),
    free() {
      if (!freed) svm.free();
      freed = true;
    },
  };
}

/** The libsvm backend, loaded once per thread. */
export async function libsvmBackend(): Promise<SvrBackend> {
  loading ??= loadLibsvm();
  const SVM = await loading;
  return {
    name: 'libsvm-js 0.2.1 (libsvm 3.22, WebAssembly)',
    train(samples: readonly Float64Array[], targets: ArrayLike<number>, p: SvrParams): SvrModel {
      if (samples.length === 0) throw new RangeError('no training samples');
      const svm = new SVM({
        type: p.type === 'nu' ? SVM.SVM_TYPES.NU_SVR : SVM.SVM_TYPES.EPSILON_SVR,
        kernel: SVM.KERNEL_TYPES.RBF,
        gamma: p.gamma,
        cost: p.C,
        ...(p.type === 'nu' ? { nu: p.nu } : { epsilon: p.epsilon }),
        tolerance: p.tolerance ?? 1e-3,
        shrinking: true,
        cacheSize: 100,
        quiet: true,
      });
      svm.train(samples.map((s) => Array.from(s)), Array.from(targets));
      return wrap(svm);
    },
    load: (serialized: string) => wrap(SVM.load(serialized)),
  };
}
