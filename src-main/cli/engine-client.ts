/**
 * The command line's way to the engine: one unconfined Engine per command (the user is at their own
 * shell), every request through host/dispatch.ts as the two transports send them, so that inputs are
 * validated by the contract's schemas and failures are the same typed errors. Background jobs are
 * started by their contract command and waited for, their snapshots shown as progress on stderr.
 */
import { dispatch } from '../host/dispatch';
import { Engine } from '../services/engine';
import { defaultUserDataDir } from '../services/user-data';
import { IqaError } from '../common/errors';
import type { CommandInput, CommandName, CommandOutput } from '../common/contract-types';
import type { JobResults, JobSnapshot } from '../common/domain';
import type { JobKind } from '../common/contract-names';
import type { Progress } from './progress';

/** The commands that start a background job, and the kind of job each starts. */
interface JobCommands {
  'import.start': 'import';
  'metrics.run': 'metrics';
  'models.verify': 'models.verify';
  'sets.metrics': 'sets';
  'sets.fvd': 'sets';
  'nr.train': 'nr.train';
}
type JobCommand = keyof JobCommands & CommandName;

export class CliEngine {
  readonly #engine: Engine;

  constructor(options: { threads?: number } = {}) {
    this.#engine = new Engine({ userDataDir: defaultUserDataDir(), roots: 'unconfined', ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  }

  /** One contract command, validated and run as a transport runs it; a failure is thrown as its IqaError. */
  async call<C extends CommandName>(name: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
    // A bug's stack is no use on a terminal line; `iqa: <message>` is printed by main().
    const reply = await dispatch(this.#engine.handlers, name, input, { onInternal: () => undefined });
    if (!reply.ok) throw IqaError.fromWire(reply.error);
    return reply.value as CommandOutput<C>;
  }

  /**
   * Starts a job through its command and resolves with the job's result (or rejects with its typed
   * error); every snapshot of the job goes to `progress` meanwhile.
   */
  async job<C extends JobCommand>(name: C, input: CommandInput<C>, progress: Progress): Promise<JobResults[JobCommands[C] & JobKind]> {
    // Snapshots may come before the command has returned the job's id: keep them until it is known.
    let jobId: string | null = null;
    const early: JobSnapshot[] = [];
    const show = (s: JobSnapshot) => progress.update(s.done, s.total > 0 ? s.total : null, s.message);
    const off = this.#engine.jobs.onUpdate((s) => {
      if (jobId === null) early.push(s);
      else if (s.id === jobId) show(s);
    });
    try {
      jobId = ((await this.call(name, input)) as { jobId: string }).jobId;
      for (const s of early) if (s.id === jobId) show(s);
      return (await this.#engine.jobs.wait(jobId)) as JobResults[JobCommands[C] & JobKind];
    } finally {
      off();
      progress.stop();
    }
  }

  /** The model directory, as `models.list` names it (without listing it). */
  get modelDir(): string {
    return this.#engine.modelDir;
  }

  /** Closes the project files and stops the worker pools. */
  close(): Promise<void> {
    return this.#engine.shutdown();
  }
}

/** Runs `fn` with a fresh engine and closes it afterwards, whatever happens. */
export async function withEngine<T>(options: { threads?: number }, fn: (engine: CliEngine) => Promise<T>): Promise<T> {
  const engine = new CliEngine(options);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
