// A deterministic synthetic video pair for the VMAF kernels at 8 and 10 bits and at a size whose
// halvings go odd (352x198: VIF levels 176x99, 88x49, 44x24; ADM bands 176x99, 88x50, 44x25, 22x13).
// The reference is a drifting smooth pattern with edges and fine noise; the distorted is the reference
// box-blurred, with its own noise and a coarse quantisation, so every feature is away from its limits.
// Expected values: ./synthetic-pair.expected.json, made with the vmaf CLI (see that file).

export const SYN_WIDTH = 352;
export const SYN_HEIGHT = 198;
export const SYN_FRAMES = 6;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Luma of frame f at the given bit depth (values 0..2^bpc−1), reference or distorted. */
export function syntheticLuma(f: number, bitDepth: 8 | 10, distorted: boolean): Uint16Array {
  const w = SYN_WIDTH;
  const h = SYN_HEIGHT;
  const max = (1 << bitDepth) - 1;
  const scale = max / 1023;
  const ref = new Float64Array(w * h);
  const rnd = lcg(1000);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x + f;
      const v = y + (f >> 1);
      let val = 512 + 300 * Math.sin(u / 17) * Math.cos(v / 23) + 120 * Math.sin((u + v) / 5);
      if (((u >> 5) + (v >> 5)) % 2 === 0) val += 150; // a checkerboard: hard edges
      val += (rnd() - 0.5) * 40;
      ref[y * w + x] = Math.min(1023, Math.max(0, val));
    }
  }
  const out = new Uint16Array(w * h);
  if (!distorted) {
    for (let i = 0; i < out.length; i++) out[i] = Math.round(ref[i]! * scale);
    return out;
  }
  const noise = lcg(5000 + f);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          const xx = Math.min(w - 1, Math.max(0, x + dx));
          sum += ref[yy * w + xx]!;
        }
      }
      let val = sum / 9 + (noise() - 0.5) * 24;
      val = Math.round(val / 24) * 24;
      out[y * w + x] = Math.round(Math.min(1023, Math.max(0, val)) * scale);
    }
  }
  return out;
}
