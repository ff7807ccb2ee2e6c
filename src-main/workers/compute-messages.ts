/**
 * The compute worker's own task besides the pure ones of kernels/compute-task.ts (types only): the
 * analysis of a project, read by the worker itself. The engine's thread then neither reads the study's
 * rows (tens of milliseconds for 10,000 ratings) nor clones them to the worker (as long again): it
 * sends a folder and the options, and gets the report back.
 */
import type { AnalysisStep, AnalysisStepResult, AnalyzeOptions } from '../services/analysis/analyze-project';
import type { ComputeResult, ComputeTask } from '../kernels/compute-task';
import type { WireError } from '../common/errors';

export interface ProjectAnalysisTask {
  kind: 'project-analysis';
  seq: number;
  /** The project folder, already checked against the allowed folders and opened by the engine. */
  projectDir: string;
  options: AnalyzeOptions;
  /** One step of the analysis (analyze-project.ts analyzeProjectStep); without it, the whole analysis. */
  step?: AnalysisStep;
}

export type ComputeWorkerTask = ComputeTask | ProjectAnalysisTask;

/** What a step of a project's analysis answers. */
export type AnalysisStepReply = { ok: true; kind: 'analysis-step'; seq: number; result: AnalysisStepResult };

export type ComputeWorkerResult = ComputeResult | AnalysisStepReply;
export type ComputeWorkerReply = ComputeWorkerResult | { ok: false; seq: number; error: WireError };
