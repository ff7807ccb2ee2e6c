/**
 * Models page state: the model directory and every supported model (`models.list`), installing a
 * file (`models.install`), and verifying models (`models.verify`, a background job: its progress is
 * in the jobs panel, its result arrives with the job snapshot and is read by verifyOutcomes).
 */
import type { CommandOutput } from '../../../../src-main/common/contract-types';
import type { JobSnapshot, ModelRow } from '../../../../src-main/common/domain';
import { METRICS, type MetricDescriptor } from '../../../../src-main/common/metric-registry';
import { api } from '../api';
import { isVerifiable, VERIFY_JOB_KIND, verifyOutcomes, type VerifyOutcome } from '../models-table';

export type InstallResult = CommandOutput<'models.install'>;

interface ModelsHost {
  /** Every job snapshot the app knows (kept current by job.update events). */
  jobs: () => readonly JobSnapshot[];
  /** Metric descriptors from the engine (empty until loaded). */
  descriptors: () => readonly MetricDescriptor[];
}

/** The key of a `Verify all` request's error. */
const ALL = '*';

export class ModelsState {
  #host: ModelsHost;
  #dir = $state<string | null>(null);
  #models = $state.raw<ModelRow[]>([]);
  #loading = $state(false);
  #loaded = $state(false);
  #listError = $state<string | null>(null);
  /** Verify jobs started here: job id → model ids (null = all verifiable). */
  #covers = $state.raw<ReadonlyMap<string, readonly string[] | null>>(new Map());
  #requestErrors = $state<Record<string, string>>({});
  #expanded = $state<string[]>([]);
  #installing = $state(false);
  #installResult = $state.raw<InstallResult | null>(null);
  #installError = $state<string | null>(null);

  installFile = $state('');
  installAs = $state('');

  constructor(host: ModelsHost) {
    this.#host = host;
  }

  #verifiableIds = $derived(this.#models.filter(isVerifiable).map((m) => m.id));
  #outcomes = $derived.by(() => verifyOutcomes(this.#host.jobs(), this.#covers, this.#verifiableIds));

  get dir() { return this.#dir; }
  get models() { return this.#models; }
  get loading() { return this.#loading; }
  get loaded() { return this.#loaded; }
  get listError() { return this.#listError; }
  get installing() { return this.#installing; }
  get installResult() { return this.#installResult; }
  get installError() { return this.#installError; }
  get verifiableIds() { return this.#verifiableIds; }
  get descriptors(): readonly MetricDescriptor[] {
    const d = this.#host.descriptors();
    return d.length ? d : METRICS;
  }

  outcome(id: string): VerifyOutcome | undefined { return this.#outcomes[id]; }
  requestError(id: string | null): string | undefined { return this.#requestErrors[id ?? ALL]; }
  isExpanded(id: string): boolean { return this.#expanded.includes(id); }

  /** A `Verify all` job started here is still running. */
  get verifyingAll(): boolean {
    return this.#host.jobs().some((j) => j.kind === VERIFY_JOB_KIND && (j.state === 'running' || j.state === 'queued') && this.#covers.get(j.id) === null);
  }

  toggle(id: string): void {
    this.#expanded = this.isExpanded(id) ? this.#expanded.filter((x) => x !== id) : [...this.#expanded, id];
  }

  /** Loads the list the first time the page opens. */
  async activate(): Promise<void> {
    if (!this.#loaded && !this.#loading) await this.refresh();
  }

  /** Re-reads the model directory (hashes every file found). */
  async refresh(): Promise<void> {
    this.#loading = true;
    try {
      const r = await api['models.list']({});
      this.#dir = r.dir;
      this.#models = r.models;
      this.#listError = null;
      this.#loaded = true;
    } catch (err) {
      this.#listError = (err as Error).message;
    } finally {
      this.#loading = false;
    }
  }

  /** Starts a verify job for one model, or for every installed one (id null). */
  async verify(id: string | null): Promise<void> {
    const key = id ?? ALL;
    const { [key]: _old, ...rest } = this.#requestErrors;
    this.#requestErrors = rest;
    if (id && !this.isExpanded(id)) this.#expanded = [...this.#expanded, id];
    try {
      // Every probe, as `iqa models verify` runs them (the command's default is 2 per model): the
      // button and the command must give the same verdict.
      const { jobId } = await api['models.verify']({ ...(id ? { id } : {}), maxProbes: null });
      this.#covers = new Map([...this.#covers, [jobId, id ? [id] : null]]);
    } catch (err) {
      this.#requestErrors = { ...this.#requestErrors, [key]: (err as Error).message };
    }
  }

  async install(): Promise<void> {
    const file = this.installFile.trim();
    const as = this.installAs.trim();
    this.#installing = true;
    this.#installError = null;
    this.#installResult = null;
    try {
      this.#installResult = await api['models.install']({ file, ...(as ? { as } : {}) });
      await this.refresh();
    } catch (err) {
      this.#installError = (err as Error).message;
    } finally {
      this.#installing = false;
    }
  }
}
