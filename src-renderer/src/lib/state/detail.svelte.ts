/**
 * The stimulus detail: which stimulus is open (a row clicked in Stimuli or Results, or a pairing link
 * inside the detail) and, for a video, its per-frame values ('metrics.frames') for the curves. The
 * detail itself is derived from the project's stimuli and stored values (lib/stimulus-detail.ts); no
 * ratings are needed. Views read the getters and call the methods; only this class calls the api here.
 */
import type { FrameSeries } from '../../../../src-main/common/contract-types';
import type { MetricResultRow, Stimulus } from '../../../../src-main/common/domain';
import { api } from '../api';

export interface DetailHost {
  projectDir(): string | null;
  stimuli(): readonly Stimulus[];
  results(): readonly MetricResultRow[];
}

export class DetailState {
  #host: DetailHost;
  #id = $state<number | null>(null);
  #frames = $state.raw<FrameSeries[] | null>(null);
  #framesLoading = $state(false);
  #framesError = $state<string | null>(null);
  #seq = 0;
  /** The stored values the frames were read for: new values (a run going on) read them again. */
  #framesFor = '';

  constructor(host: DetailHost) {
    this.#host = host;
  }

  get stimulusId() { return this.#id; }
  get stimulus(): Stimulus | null { return this.#host.stimuli().find((s) => s.id === this.#id) ?? null; }
  get frames() { return this.#frames; }
  get framesLoading() { return this.#framesLoading; }
  get framesError() { return this.#framesError; }

  /** Opens the detail of a stimulus (and, for a video, reads its per-frame values). */
  async show(stimulusId: number): Promise<void> {
    this.#id = stimulusId;
    this.#frames = null;
    this.#framesError = null;
    this.#framesFor = '';
    await this.refreshFrames();
  }

  /** Reads the per-frame values of the open video again when its stored values changed. */
  async refreshFrames(): Promise<void> {
    const dir = this.#host.projectDir();
    const s = this.stimulus;
    if (!dir || !s || s.kind !== 'video') return;
    const stamp = this.#host
      .results()
      .filter((r) => r.stimulusId === s.id)
      .map((r) => `${r.runId}:${r.computedAt}`)
      .join(',');
    if (this.#frames && stamp === this.#framesFor) return;
    const seq = ++this.#seq;
    this.#framesLoading = true;
    try {
      const frames = await api['metrics.frames']({ projectDir: dir, stimulusId: s.id });
      if (seq === this.#seq) {
        this.#frames = frames;
        this.#framesFor = stamp;
      }
    } catch (err) {
      if (seq === this.#seq) this.#framesError = (err as Error).message;
    } finally {
      if (seq === this.#seq) this.#framesLoading = false;
    }
  }

  close(): void {
    this.#id = null;
    this.#frames = null;
    this.#framesError = null;
    this.#seq++;
  }
}
