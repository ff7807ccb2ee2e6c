/**
 * IQA-CNN++ input (Kang, Ye, Li, Doermann, ICIP 2015), outside the graph: the network sees locally
 * contrast-normalised 32×32 grey patches, as IQA-CNN (Kang et al., CVPR 2014) defined them.
 *
 * Input: a tight width × height 8-bit grey plane (pilGrey of cnniqa-patches.ts makes it from RGB,
 *   Pillow's convert('L'), as the public IQA-CNN++ training code loads its images).
 * Steps, each a convention written down rather than guessed:
 *  1. values v = grey / 255, in float64;
 *  2. patches: every complete non-overlapping 32×32 block, at (32 r, 32 c) for r < ⌊H/32⌋,
 *     c < ⌊W/32⌋, rows first (the paper's non-overlapping patches; unlike cnniqa-patches.ts, which
 *     keeps its port's exclusive range bound, no complete block is dropped);
 *  3. per patch, local contrast normalisation (CVPR 2014, eq. 1, with the paper's P = Q = 3, C = 1):
 *     μ = 3×3 box mean, σ = sqrt(max(box mean of v² − μ², 0)), out = (v − μ) / (σ + C), the window
 *     mirrored at the patch border (SciPy convolve2d boundary='symm'; for a 3×3 window this repeats
 *     the edge pixel).
 * Output: float32 [N, 1, 32, 32], N = rows × cols; values in about [−1, 1] (|v − μ| ≤ 1 and C = 1).
 * Reference: models/export/iqacnnpp_reference.py (NumPy, float64), fixture test/kernels/nn/fixtures.
 */
export const IQACNNPP_PATCH = 32;
/** The constant added to σ (CVPR 2014: "C is a positive constant that prevents dividing by zero", 1 there). */
export const IQACNNPP_LCN_C = 1;

export interface IqacnnppPatches {
  data: Float32Array;
  rows: number;
  cols: number;
  count: number;
}

/** Rows and columns of complete 32×32 blocks. */
export function iqacnnppGrid(width: number, height: number): { rows: number; cols: number } {
  return { rows: Math.floor(height / IQACNNPP_PATCH), cols: Math.floor(width / IQACNNPP_PATCH) };
}

/** Locally normalised patches of a grey plane (see the header for every step). */
export function iqacnnppPatches(grey: Uint8Array, width: number, height: number): IqacnnppPatches {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) throw new RangeError(`bad size ${width}x${height}`);
  if (grey.length < width * height) throw new RangeError(`grey plane holds ${grey.length} values, ${width}x${height} needs ${width * height}`);
  const { rows, cols } = iqacnnppGrid(width, height);
  const P = IQACNNPP_PATCH;
  const data = new Float32Array(rows * cols * P * P);
  // One patch with a mirrored 1-pixel border, reused for every patch (no allocation per patch).
  const S = P + 2;
  const pad = new Float64Array(S * S);
  let d = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      for (let y = -1; y <= P; y++) {
        const sy = r * P + (y < 0 ? 0 : y >= P ? P - 1 : y);
        for (let x = -1; x <= P; x++) {
          const sx = c * P + (x < 0 ? 0 : x >= P ? P - 1 : x);
          pad[(y + 1) * S + x + 1] = grey[sy * width + sx]! / 255;
        }
      }
      for (let y = 0; y < P; y++) {
        for (let x = 0; x < P; x++) {
          let s = 0;
          let s2 = 0;
          for (let dy = 0; dy < 3; dy++) {
            const o = (y + dy) * S + x;
            for (let dx = 0; dx < 3; dx++) {
              const v = pad[o + dx]!;
              s += v;
              s2 += v * v;
            }
          }
          const mu = s / 9;
          const sigma = Math.sqrt(Math.max(s2 / 9 - mu * mu, 0));
          data[d++] = (pad[(y + 1) * S + x + 1]! - mu) / (sigma + IQACNNPP_LCN_C);
        }
      }
    }
  }
  return { data, rows, cols, count: rows * cols };
}
