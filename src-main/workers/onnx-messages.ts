/**
 * The messages between services/models/inference.ts and workers/onnx.worker.ts (types only), kept
 * beside the worker. A task names the model file and carries float32 tensors; the reply is a
 * discriminated union with the task's sequence number, and errors travel as WireErrors.
 */
import type { WireError } from '../common/errors';
import type { ExecutionProvider, GraphIo, TensorData } from '../common/inference';

export interface OnnxRunTask {
  seq: number;
  /** The model id (or a file name), for messages. */
  label: string;
  modelPath: string;
  /** size:mtime of the file; a changed file gets a new session. */
  fileKey: string;
  feeds: Record<string, TensorData>;
  /** Output names to fetch (default: all). */
  outputs?: string[];
  /** Providers to try in order (default: cuda when its provider library is installed, then cpu). */
  providers?: ExecutionProvider[];
  /** onnxruntime intra-op threads per session (default: onnxruntime's, i.e. the cores). */
  intraOpThreads?: number;
  /** Only load the file on the CPU provider and report its input and output names (no run, no cached session). */
  describeOnly?: boolean;
}

export type OnnxRunReply =
  | {
      ok: true;
      seq: number;
      outputs: Record<string, TensorData>;
      /** The execution provider the session was created with. */
      provider: ExecutionProvider;
      /** Time in session.run, ms. */
      runMs: number;
      /** Time to create the session for this task (0 when a cached session was reused), ms. */
      sessionMs: number;
      /** With describeOnly: the graph's input and output names. */
      io?: GraphIo;
    }
  | { ok: false; seq: number; error: WireError };
