/**
 * The Study tab's LAN mode panel (docs/lan.md): per study, whether its LAN listener is on, the
 * interface to bind, start and stop, the link and its QR code, and how many sessions use it. While a
 * listener is on, the status (and, through `onTick`, the studies' progress) is read again every few
 * seconds, so answers given on other machines show up here.
 */
import type { LanStatus } from '../../../../src-main/common/lan';
import { api } from '../api';

const POLL_MS = 3000;

export class LanPanelState {
  readonly #projectDir: () => string | null;
  readonly #onTick: () => void;
  #status = $state.raw<Record<number, LanStatus>>({});
  #busy = $state<number | null>(null);
  #errors = $state.raw<Record<number, string>>({});
  /** The interface address chosen per study ('' = the default, the first listed). */
  chosen = $state<Record<number, string>>({});
  #for: string | null = null;
  /** Studies of the current project whose status was asked for (not reactive: bookkeeping). */
  #asked = new Set<number>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(projectDir: () => string | null, onTick: () => void) {
    this.#projectDir = projectDir;
    this.#onTick = onTick;
  }

  status(studyId: number): LanStatus | null { return this.#status[studyId] ?? null; }
  error(studyId: number): string | null { return this.#errors[studyId] ?? null; }
  get busy() { return this.#busy; }

  /** The project changed: forget what was shown for the previous one. */
  #sync(): string | null {
    const dir = this.#projectDir();
    if (dir !== this.#for) {
      this.#for = dir;
      this.#asked.clear();
      this.#status = {};
      this.#errors = {};
      this.chosen = {};
    }
    return dir;
  }

  #setError(studyId: number, message: string | null): void {
    const { [studyId]: _old, ...rest } = this.#errors;
    this.#errors = message === null ? rest : { ...rest, [studyId]: message };
  }

  /** Reads the study's status once per project shown (the view calls it for every designed study). */
  ensure(studyId: number): void {
    this.#sync();
    if (this.#asked.has(studyId)) return;
    this.#asked.add(studyId);
    void this.refresh(studyId);
  }

  async refresh(studyId: number): Promise<void> {
    const dir = this.#sync();
    if (!dir) return;
    try {
      const s = await api['studies.lan.status']({ projectDir: dir, studyId });
      if (dir !== this.#for) return;
      this.#status = { ...this.#status, [studyId]: s };
      this.#setError(studyId, null);
    } catch (err) {
      this.#setError(studyId, (err as Error).message);
    }
    this.#schedule();
  }

  async start(studyId: number): Promise<void> {
    await this.#command(studyId, (dir) => {
      const host = this.chosen[studyId] || this.#status[studyId]?.interfaces[0]?.address;
      return api['studies.lan.start']({ projectDir: dir, studyId, ...(host ? { host } : {}) });
    });
  }

  async stop(studyId: number): Promise<void> {
    await this.#command(studyId, (dir) => api['studies.lan.stop']({ projectDir: dir, studyId }));
  }

  /** One start or stop at a time: its error (or none) shown on the study, then the status read again. */
  async #command(studyId: number, send: (dir: string) => Promise<unknown>): Promise<void> {
    const dir = this.#sync();
    if (!dir || this.#busy !== null) return;
    this.#busy = studyId;
    try {
      await send(dir);
      this.#setError(studyId, null);
    } catch (err) {
      this.#setError(studyId, (err as Error).message);
    } finally {
      this.#busy = null;
    }
    await this.refresh(studyId);
  }

  /** Polls while some listener of this project is on; stops by itself when none is. */
  #schedule(): void {
    const on = Object.values(this.#status).some((s) => s.listener !== null);
    if (on && !this.#timer) {
      this.#timer = setInterval(() => {
        // Another project opened since: what was on belongs to the old one, so stop polling.
        this.#sync();
        const running = Object.entries(this.#status).filter(([, s]) => s.listener !== null);
        if (running.length === 0) return this.#schedule();
        for (const [id] of running) void this.refresh(Number(id));
        this.#onTick();
      }, POLL_MS);
    } else if (!on && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/** The QR code's SVG as an image address (the CSP allows data: images; no markup is inserted into the page). */
export function qrImageUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
