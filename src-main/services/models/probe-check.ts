/**
 * What one probe check reports, shared by the ONNX model checks (verify.ts) and the parameter-file
 * checks of BRISQUE/NIQE (verify-params.ts) without either importing the other.
 */
import type { TensorErrors } from '../../kernels/nn/tensor-compare';

export interface OutputCheck extends TensorErrors {
  name: string;
  shape: number[];
  pass: boolean;
  /** Set when the shape differs from the reference's. */
  problem?: string;
}

export interface ProbeCheck {
  probe: string;
  pass: boolean;
  /** session.run time, ms. */
  runMs: number;
  outputs: OutputCheck[];
}
