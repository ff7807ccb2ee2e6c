/**
 * The distance between two decimated luma frames: the mean squared difference of their 8-bit code
 * values (0..255), so 0 for identical frames and at most 255² = 65025.
 *
 * Input: frames stored back to back in one Uint8Array each (frame k at k·frameSize, no stride: the
 * decoder writes packed `gray` rows), read in place. Accumulated in a float64 (exact integer sums up to
 * 2^53, i.e. any frame under 10^11 samples).
 */
export function frameMse(a: Uint8Array, aFrame: number, b: Uint8Array, bFrame: number, frameSize: number): number {
  const ao = aFrame * frameSize;
  const bo = bFrame * frameSize;
  let sum = 0;
  for (let p = 0; p < frameSize; p++) {
    const d = a[ao + p]! - b[bo + p]!;
    sum += d * d;
  }
  return sum / frameSize;
}
