/**
 * Tensors and execution providers as the engine passes them around: shared by the ONNX worker's
 * messages (workers/onnx-messages.ts), the model services and the bench.
 */

/** Execution providers the engine tries, in order of preference. */
export type ExecutionProvider = 'cuda' | 'cpu';

export interface TensorData {
  /** Row-major (C order) float32 values. */
  data: Float32Array;
  dims: number[];
}

/** A graph's input and output names, as onnxruntime reads them. */
export interface GraphIo {
  inputs: string[];
  outputs: string[];
}
