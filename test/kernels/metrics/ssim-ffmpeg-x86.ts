/**
 * Bug-compatible emulation of ffmpeg's `ssim` filter as built for x86-64 (SSSE3 `ssim_4x4_line` + SSE4
 * `ssim_end_line`, libavfilter/x86/vf_ssim.asm), for reproducing the numbers such an ffmpeg prints.
 * Use ssim-ffmpeg.ts (the C algorithm) for measurements; use this only to check against x86 ffmpeg output.
 *
 * Why it exists: the SSE4 `ssim_end_line` handles 4 windows per step and then subtracts the ones it added
 * past the row end. When a row has n ≡ 1 (mod 4) windows, n = (W>>2) − 1, i.e. a plane width W with
 * W mod 16 in 8..11 (720-wide 4:2:0 chroma is 360, QCIF chroma 88, 426-wide luma), it subtracts the wrong
 * lanes: the last valid window is replaced by the window two blocks further, computed from whatever is
 * left in the per-thread scratch buffer past the row (zeros in a fresh buffer, which gives 1.0; otherwise
 * block sums of an earlier plane of this frame or of a previous frame, which depend on the slice-thread
 * count). ffmpeg's per-frame values for such planes then differ from the C algorithm by up to ~1e-3 and
 * depend on the thread count and on the frame history. Other widths, >8-bit formats and non-x86 builds
 * give exactly the C algorithm (ssimFfmpeg), up to the summation grouping below.
 *
 * Emulated exactly: the per-job scratch buffers (calloc'ed once, kept across planes and frames), the slice
 * split of rows between nb_jobs = min((H_chroma + 3) >> 2, threads) jobs, the row-pair ping-pong of the
 * two sum rows, SSSE3 writing block sums in pairs (one extra block for an odd count), the SSE4 lane
 * arithmetic (int32 wrap-around, float32 ratio, two double accumulators per lane pair, the tail
 * subtraction), per-job double sums added in job order. Not knowable: pixels read past a plane's width for
 * the extra odd block (ffmpeg reads frame padding); they are taken from the plane's stride padding when
 * the array has them, else 0. They only matter when such an extra block is later read as garbage, which
 * the usual 4:2:0 / 4:2:2 / 4:4:4 layouts never do.
 *
 * Input/output as ssimFfmpeg (1..4 planes in ffmpeg's data order, integer samples, bitDepth 8..16); the
 * planes of every frame must keep the sizes of the first. One stream object per ffmpeg filter instance:
 * call frame() for frames in order.
 *
 * Reference: FFmpeg libavfilter/vf_ssim.c (slice-threaded version, FFmpeg 5.0+) and
 * libavfilter/x86/vf_ssim.asm (ssim_end_line, SSE4).
 */
import { assertSamePlaneSize, type Plane } from '../../../src-main/kernels/image/plane';
import { ffmpegSsimDb, type SsimFfmpegResult } from '../../../src-main/kernels/metrics/ssim-ffmpeg';

export interface FfmpegX86SsimOptions {
  /** Bits per sample of the pixel format (8..16). */
  readonly bitDepth: number;
  /** ffmpeg's filter thread count (-filter_complex_threads for -lavfi, -filter_threads for -vf; default = CPU count). */
  readonly threads: number;
}

const fround = Math.fround;

/** SUM_LEN(w) in vf_ssim.c: entries (of 4 sums) per sum row. */
function sumLen(width: number): number {
  return (width >> 2) + 3;
}

export class FfmpegX86SsimStream {
  private readonly bitDepth: number;
  private readonly threads: number;
  private temps: Int32Array[] | null = null;
  private sizes: [number, number][] | null = null;

  constructor(options: FfmpegX86SsimOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const { bitDepth, threads } = options;
    if (!Number.isInteger(bitDepth) || bitDepth < 8 || bitDepth > 16) {
      throw new RangeError(`bitDepth must be an integer 8..16, got ${String(bitDepth)}`);
    }
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${String(threads)}`);
    this.bitDepth = bitDepth;
    this.threads = threads;
  }

  frame(ref: readonly Plane[], dist: readonly Plane[]): SsimFfmpegResult {
    if (!Array.isArray(ref) || !Array.isArray(dist) || ref.length < 1 || ref.length > 4 || ref.length !== dist.length) {
      throw new RangeError('ref and dist must be lists of the same 1..4 planes');
    }
    for (let i = 0; i < ref.length; i++) {
      assertSamePlaneSize(ref[i], dist[i], `ref[${i}]`, `dist[${i}]`);
      for (const p of [ref[i], dist[i]]) {
        if (!(p.data instanceof Uint8Array || p.data instanceof Uint16Array)) {
          throw new TypeError('ffmpeg SSIM needs integer samples (Uint8Array or Uint16Array)');
        }
      }
      if (ref[i].width < 8 || ref[i].height < 8) throw new RangeError(`plane ${i} is smaller than 8x8`);
    }
    const sizes = ref.map((p): [number, number] => [p.width, p.height]);
    if (this.sizes === null) {
      this.sizes = sizes;
      // config_input_ref: one calloc'ed buffer of 2 * SUM_LEN(luma width) entries per thread.
      this.temps = Array.from({ length: this.threads }, () => new Int32Array(2 * sumLen(sizes[0][0]) * 4));
    } else if (sizes.length !== this.sizes.length || sizes.some(([w, h], i) => w !== this.sizes![i][0] || h !== this.sizes![i][1])) {
      throw new RangeError('every frame of a stream must keep the plane count and sizes of the first frame');
    }
    const temps = this.temps!;
    const chromaHeight = ref.length > 1 ? ref[1].height : ref[0].height;
    const jobs = Math.min((chromaHeight + 3) >> 2, this.threads);
    const high = this.bitDepth > 8;
    const max = 2 ** this.bitDepth - 1;
    const c1 = Math.trunc(0.01 * 0.01 * max * max * 64 + 0.5);
    const c2 = Math.trunc(0.03 * 0.03 * max * max * 64 * 63 + 0.5);

    // score[job][plane], zero for threads that get no job (as the calloc'ed array in ffmpeg).
    const score = Array.from({ length: this.threads }, () => new Float64Array(ref.length));
    for (let job = 0; job < jobs; job++) {
      const temp = temps[job];
      for (let c = 0; c < ref.length; c++) {
        const a = ref[c];
        const b = dist[c];
        const blocksX = a.width >> 2;
        const blocksY = a.height >> 2;
        const sliceStart = Math.floor((blocksY * job) / jobs);
        const sliceEnd = Math.floor((blocksY * (job + 1)) / jobs);
        const ystart = Math.max(1, sliceStart);
        let z = ystart - 1;
        let sum0 = 0; // entry offsets into temp
        let sum1 = sumLen(a.width);
        let total = 0;
        if (high) {
          // Per-row C path; int64 sums held in float64 (exact), no reads past the row.
          const rowA = new Float64Array(4 * blocksX);
          const rowB = new Float64Array(4 * blocksX);
          let cur = rowA;
          let prev = rowB;
          for (let y = ystart; y < sliceEnd; y++) {
            for (; z <= y; z++) {
              const t = cur;
              cur = prev;
              prev = t;
              blockRowSums64(a, b, z, blocksX, cur);
            }
            total += rowSsimHighC(cur, prev, blocksX - 1, c1, c2);
          }
        } else {
          for (let y = ystart; y < sliceEnd; y++) {
            for (; z <= y; z++) {
              const t = sum0;
              sum0 = sum1;
              sum1 = t;
              ssse3BlockRow(a, b, z, blocksX, temp, sum0);
            }
            total += sse4EndLine(temp, sum0, sum1, blocksX - 1);
          }
        }
        score[job][c] = total;
      }
    }

    let samples = 0;
    for (const p of ref) samples += p.width * p.height;
    const planes: number[] = [];
    let all = 0;
    for (let c = 0; c < ref.length; c++) {
      let v = 0;
      for (let t = 0; t < this.threads; t++) v += score[t][c];
      v /= ((ref[c].width >> 2) - 1) * ((ref[c].height >> 2) - 1);
      planes.push(v);
      all += ((ref[c].height * ref[c].width) / samples) * v;
    }
    return { planes, all, allDb: ffmpegSsimDb(all, 1) };
  }
}

export function createFfmpegX86SsimStream(options: FfmpegX86SsimOptions): FfmpegX86SsimStream {
  return new FfmpegX86SsimStream(options);
}

/** A sample, or what ffmpeg would read past the plane's width: the stride padding if present, else 0. */
function sampleAt(p: Plane, row: number, col: number): number {
  const index = row * p.stride + col;
  if (col < p.width || (col < p.stride && index < p.data.length)) return p.data[index];
  return 0;
}

/** ff_ssim_4x4_line_ssse3: block sums of block row z, written in pairs (2·ceil(n/2) entries) at `entry`. */
function ssse3BlockRow(a: Plane, b: Plane, z: number, blocks: number, temp: Int32Array, entry: number): void {
  const written = 2 * Math.ceil(blocks / 2);
  for (let i = 0; i < written; i++) {
    let s1 = 0;
    let s2 = 0;
    let ss = 0;
    let s12 = 0;
    for (let dy = 0; dy < 4; dy++) {
      for (let dx = 0; dx < 4; dx++) {
        const x = i < blocks ? a.data[(4 * z + dy) * a.stride + 4 * i + dx] : sampleAt(a, 4 * z + dy, 4 * i + dx);
        const y = i < blocks ? b.data[(4 * z + dy) * b.stride + 4 * i + dx] : sampleAt(b, 4 * z + dy, 4 * i + dx);
        s1 += x;
        s2 += y;
        ss += x * x + y * y;
        s12 += x * y;
      }
    }
    const o = 4 * (entry + i);
    temp[o] = s1;
    temp[o + 1] = s2;
    temp[o + 2] = ss;
    temp[o + 3] = s12;
  }
}

/** One SSE4 lane: window from entries e and e+1 of both sum rows, int32 wrap-around, float32 ratio. */
function sse4Window(temp: Int32Array, sum0: number, sum1: number, e: number): number {
  const p = 4 * (sum0 + e);
  const q = 4 * (sum1 + e);
  const fs1 = (temp[p] + temp[q] + (temp[p + 4] + temp[q + 4])) | 0;
  const fs2 = (temp[p + 1] + temp[q + 1] + (temp[p + 5] + temp[q + 5])) | 0;
  const fss = (temp[p + 2] + temp[q + 2] + (temp[p + 6] + temp[q + 6])) | 0;
  const fs12 = (temp[p + 3] + temp[q + 3] + (temp[p + 7] + temp[q + 7])) | 0;
  const s1s2 = Math.imul(fs1, fs2);
  const s1s1 = Math.imul(fs1, fs1);
  const s2s2 = Math.imul(fs2, fs2);
  const vars = (((fss << 6) - s1s1) | 0) - s2s2;
  const covar = ((fs12 << 6) - s1s2) | 0;
  const num = fround(fround(((covar + covar) | 0) + 235963) * fround(((s1s2 + s1s2) | 0) + 416));
  const den = fround(fround((vars + 235963) | 0) * fround(((s1s1 + s2s2) | 0) + 416));
  return fround(num / den);
}

/** ff_ssim_end_line_sse4 over `windows` windows: 4 lanes per step, two double accumulator pairs, tail fix-up. */
function sse4EndLine(temp: Int32Array, sum0: number, sum1: number, windows: number): number {
  let acc0 = 0;
  let acc1 = 0;
  let acc2 = 0;
  let acc3 = 0;
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  let l3 = 0;
  let w = windows;
  let e = 0;
  do {
    l0 = sse4Window(temp, sum0, sum1, e);
    l1 = sse4Window(temp, sum0, sum1, e + 1);
    l2 = sse4Window(temp, sum0, sum1, e + 2);
    l3 = sse4Window(temp, sum0, sum1, e + 3);
    acc0 += l0;
    acc1 += l1;
    acc2 += l2;
    acc3 += l3;
    e += 4;
    w -= 4;
  } while (w > 0);
  if (w !== 0) {
    w += 4;
    if ((w & 2) === 0) {
      // 1 valid lane: the asm subtracts lanes 3, 0 and 1, keeping lane 2 (past the row) instead of lane 0.
      acc2 -= l3;
      acc0 -= l0;
      acc1 -= l1;
    } else if ((w & 1) === 0) {
      acc2 -= l2; // 2 valid lanes
      acc3 -= l3;
    } else {
      acc2 -= l3; // 3 valid lanes
    }
  }
  return acc0 + acc2 + (acc1 + acc3);
}

/** C ssim_4x4xn_16bit for one block row: exactly `blocks` entries of int64 sums (exact in float64). */
function blockRowSums64(a: Plane, b: Plane, z: number, blocks: number, out: Float64Array): void {
  for (let i = 0; i < blocks; i++) {
    let s1 = 0;
    let s2 = 0;
    let ss = 0;
    let s12 = 0;
    for (let dy = 0; dy < 4; dy++) {
      const pa = (4 * z + dy) * a.stride + 4 * i;
      const pb = (4 * z + dy) * b.stride + 4 * i;
      for (let dx = 0; dx < 4; dx++) {
        const x = a.data[pa + dx];
        const y = b.data[pb + dx];
        s1 += x;
        s2 += y;
        ss += x * x + y * y;
        s12 += x * y;
      }
    }
    out[4 * i] = s1;
    out[4 * i + 1] = s2;
    out[4 * i + 2] = ss;
    out[4 * i + 3] = s12;
  }
}

/** C ssim_endn_16bit: float32 per window and a float32 row sum. */
function rowSsimHighC(cur: Float64Array, prev: Float64Array, windows: number, c1: number, c2: number): number {
  let sum = 0;
  for (let i = 0, o = 0; i < windows; i++, o += 4) {
    const s1 = cur[o] + cur[o + 4] + prev[o] + prev[o + 4];
    const s2 = cur[o + 1] + cur[o + 5] + prev[o + 1] + prev[o + 5];
    const ss = cur[o + 2] + cur[o + 6] + prev[o + 2] + prev[o + 6];
    const s12 = cur[o + 3] + cur[o + 7] + prev[o + 3] + prev[o + 7];
    const vars = ss * 64 - s1 * s1 - s2 * s2;
    const covar = s12 * 64 - s1 * s2;
    const num = fround(fround(2 * s1 * s2 + c1) * fround(2 * covar + c2));
    const den = fround(fround(s1 * s1 + s2 * s2 + c1) * fround(vars + c2));
    sum = fround(sum + fround(num / den));
  }
  return sum;
}
