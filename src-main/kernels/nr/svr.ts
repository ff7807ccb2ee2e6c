/**
 * The support vector regression a learned NR predictor is built from, as an interface: the solver is
 * libsvm's (workers/libsvm-svr.ts loads it), injected so that the training in blinder-train.ts stays
 * pure and testable with any backend.
 *
 * Kernel: RBF, K(x, x') = exp(−γ‖x − x'‖²). ε-SVR (Vapnik) or ν-SVR (Schölkopf et al. 2000), as
 * libsvm's `-s 3` / `-s 4` with `-t 2`.
 */
import type { NrSvrType, SvrParamsRecord } from '../../common/nr-predictor';

export type SvrType = NrSvrType;

/** C, γ (on standardised features), ε (standardised target units) or ν, libsvm's tolerance (default 1e-3). */
export type SvrParams = Readonly<SvrParamsRecord>;

export interface SvrModel {
  predict(samples: readonly Float64Array[]): Float64Array;
  /** libsvm's model text (svm_save_model). */
  serialize(): string;
  /** Releases the model's memory (the WebAssembly heap is not garbage collected). */
  free(): void;
}

export interface SvrBackend {
  /** Library and version, stored with a trained predictor. */
  readonly name: string;
  train(samples: readonly Float64Array[], targets: ArrayLike<number>, params: SvrParams): SvrModel;
  load(serialized: string): SvrModel;
}
