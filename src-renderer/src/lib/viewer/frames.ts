/**
 * Frame navigation of the viewer: the keys, the worst frames of a per-frame series, and a small cache of
 * recent frames. Pure: tested in test/renderer/viewer-frames.test.ts.
 */

/** The frame a key moves to (left/right one, with shift ten, Home/End), or null for another key. */
export function frameForKey(key: string, shift: boolean, frame: number, count: number): number | null {
  const last = Math.max(0, count - 1);
  const step = shift ? 10 : 1;
  let next: number;
  switch (key) {
    case 'ArrowLeft': next = frame - step; break;
    case 'ArrowRight': next = frame + step; break;
    case 'Home': next = 0; break;
    case 'End': next = last; break;
    default: return null;
  }
  return Math.max(0, Math.min(last, next));
}

/**
 * The n worst frames by one per-frame series, worst first (lowest when higher is better, else highest);
 * frames without a finite value are left out (a +∞ PSNR frame is identical: never among the worst);
 * ties keep frame order.
 */
export function worstFrames(values: readonly (number | string | null)[], higherIsBetter: boolean, n: number): { frame: number; value: number }[] {
  const rows: { frame: number; value: number }[] = [];
  values.forEach((v, frame) => {
    if (typeof v === 'number' && Number.isFinite(v)) rows.push({ frame, value: v });
  });
  rows.sort((a, b) => (higherIsBetter ? a.value - b.value : b.value - a.value) || a.frame - b.frame);
  return rows.slice(0, Math.max(0, n));
}

/** "12.34 s" for frame k at fps (null without a rate). */
export function frameTime(frame: number, fps: number | null): string | null {
  if (!fps || !(fps > 0)) return null;
  return `${(frame / fps).toFixed(2)} s`;
}

/** A least-recently-used cache of at most `capacity` entries. */
export class LruCache<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as K);
  }

  /** Forgets a key (only while it still holds `value`, when given). */
  delete(key: K, value?: V): void {
    if (value === undefined || this.#map.get(key) === value) this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }

  clear(): void {
    this.#map.clear();
  }
}
