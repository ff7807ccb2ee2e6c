/**
 * Worker thread for the engine's heavy statistics (run by piscina): the analysis (MOS, P.1401
 * statistics, bootstrap, significance) and the set metrics' FID/KID/IS/FVD statistics. A thin adapter
 * over kernels/compute-task.ts: errors come back as WireErrors (a thrown Error would lose its code),
 * result buffers are moved to the caller.
 *
 * A project's analysis is read here too (compute-messages.ts): the worker opens the project database
 * with its own connection (SQLite's WAL lets it read while the engine writes ratings) and gathers the
 * input with the store's read functions, the one place a worker uses services/.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { toIqaError } from '../common/errors';
import { resultBuffers, runComputeTask, type ComputeReply, type ComputeResult } from '../kernels/compute-task';
import { analyzeProject, analyzeProjectStep } from '../services/analysis/analyze-project';
import { writeCachedAnalysis } from '../services/analysis/analysis-cache';
import { openProjectDb } from '../services/store/project-db';
import type { ComputeWorkerReply, ComputeWorkerResult, ComputeWorkerTask, ProjectAnalysisTask } from './compute-messages';
import { yieldToEngineThread } from './thread-priority';

yieldToEngineThread();

function analyzeStoredProject(task: ProjectAnalysisTask): ComputeWorkerResult {
  // Storing the merged report needs no database.
  if (task.step?.step === 'store') {
    writeCachedAnalysis(task.projectDir, task.step.key, task.step.report);
    return { ok: true, kind: 'analysis-step', seq: task.seq, result: { step: 'store' } };
  }
  const db = openProjectDb(task.projectDir);
  try {
    if (task.step) return { ok: true, kind: 'analysis-step', seq: task.seq, result: analyzeProjectStep(db, task.projectDir, task.options, task.step) };
    return { ok: true, kind: 'analysis', seq: task.seq, report: analyzeProject(db, task.projectDir, task.options) };
  } finally {
    db.close();
  }
}

export default function compute(task: ComputeWorkerTask): ComputeWorkerReply | ReturnType<typeof move> {
  try {
    const result = task.kind === 'project-analysis' ? analyzeStoredProject(task) : runComputeTask(task);
    return move({ [transferableSymbol]: result.kind === 'analysis-step' ? [] : resultBuffers(result), [valueSymbol]: result });
  } catch (err) {
    return { ok: false, seq: task.seq, error: toIqaError(err).toWire() };
  }
}
