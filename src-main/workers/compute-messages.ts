/**
 * The compute worker's own task besides the pure ones of kernels/compute-task.ts (types only): the
 * analysis of a project, read by the worker itself. The engine's thread then neither reads the study's
 * rows (tens of milliseconds for 10,000 ratings) nor clones them to the worker (as long again): it
 * sends a folder and the options, and gets the report back.
 */
import type { AnalyzeOptions } from '../services/analysis/analyze-project';
import type { ComputeTask } from '../kernels/compute-task';

export interface ProjectAnalysisTask {
  kind: 'project-analysis';
  seq: number;
  /** The project folder, already checked against the allowed folders and opened by the engine. */
  projectDir: string;
  options: AnalyzeOptions;
}

export type ComputeWorkerTask = ComputeTask | ProjectAnalysisTask;
