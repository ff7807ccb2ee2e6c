import { describe, expect, it } from 'vitest';
import { planeOf, type Plane } from '../../../src-main/kernels/image/plane';
import { createSsimFfmpegWorkspace, ffmpegSsimDb, ssimFfmpeg, type SsimFfmpegResult } from '../../../src-main/kernels/metrics/ssim-ffmpeg';
import { FfmpegX86SsimStream } from './ssim-ffmpeg-x86';
import { readGoldenPng, type GoldenImage } from '../../helpers/golden';

// Expected values are ffmpeg's own output: "ffmpeg version 5.1.9-0+deb12u1" (Debian 12, x86-64, SSE4 asm),
//   ffmpeg -filter_complex_threads T -f rawvideo -pix_fmt FMT -s WxH -i dist.yuv -f rawvideo -pix_fmt FMT -s WxH -i ref.yuv \
//          -lavfi '[0:v][1:v]ssim=stats_file=-' -f null -
// on raw planes built exactly as below (the summary line for the PNG cases, the stats lines per frame for the
// synthetic sequences).

/** ffmpeg prints SSIM with %f: the printed value is within half a unit of the 6th decimal of the double. */
const FFMPEG_PRINT_TOL = 5e-7 + 1e-12;
/**
 * ffmpeg also prints 10·log10(1/(1 − s)) with 6 decimals; inverting it pins s far more tightly:
 * |Δs| <= (1 − s)·ln(10)/10·5e-7 ≈ 1.16e-7·(1 − s). A small margin covers the float32 metadata rounding.
 */
function dbTolerance(s: number): number {
  return 1.2e-7 * Math.abs(1 - s) + 1e-12;
}

interface Printed {
  values: number[];
  dbs: number[];
}

/** Parses "Y:0.1 (1.2) U:... All:0.3 (4.5)" (summary) or "n:1 Y:0.1 U:... All:0.3 (4.5)" (stats line). */
function parsePrinted(line: string): Printed {
  const values: number[] = [];
  const dbs: number[] = [];
  for (const m of line.matchAll(/([YUVRGBA]|All):(-?[\d.]+)(?: \((-?[\d.]+|inf)\))?/g)) {
    values.push(Number(m[2]));
    dbs.push(m[3] === undefined ? Number.NaN : m[3] === 'inf' ? Number.POSITIVE_INFINITY : Number(m[3]));
  }
  return { values, dbs };
}

function expectMatchesPrinted(result: SsimFfmpegResult, printed: Printed): void {
  const ours = [...result.planes, result.all];
  expect(ours.length).toBe(printed.values.length);
  ours.forEach((v, i) => {
    expect(Math.abs(v - printed.values[i])).toBeLessThanOrEqual(FFMPEG_PRINT_TOL);
    const db = printed.dbs[i];
    if (Number.isFinite(db)) expect(Math.abs(v - (1 - 10 ** (-db / 10)))).toBeLessThanOrEqual(dbTolerance(v));
  });
}

type Layout = 'gray' | 'grayG' | 'yuv420p' | 'yuv444p' | 'yuv420p10le' | 'gray16le' | 'gray12le';

/**
 * Raw planes for the PNG cases (reproducible test inputs, not a colour conversion): Y from G (or the grey
 * channel), U from R and V from B, chroma subsampled by taking every other sample; deeper formats mix in low
 * bits of another channel so every bit is used.
 */
function layoutPlanes(image: GoldenImage, layout: Layout): { planes: Plane<Uint8Array | Uint16Array>[]; bitDepth: number } {
  const px = (i: number, c: number): number => image.data[i * image.channels + c];
  const chan = (c: number, sub: number, f: (v: number, i: number) => number, wide: boolean): Plane<Uint8Array | Uint16Array> => {
    const w = Math.ceil(image.width / sub);
    const h = Math.ceil(image.height / sub);
    const d = wide ? new Uint16Array(w * h) : new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * sub * image.width + x * sub;
        d[y * w + x] = f(px(i, c), i);
      }
    }
    return planeOf(d, w, h);
  };
  const id = (v: number): number => v;
  switch (layout) {
    case 'gray':
      return { planes: [chan(0, 1, id, false)], bitDepth: 8 };
    case 'grayG':
      return { planes: [chan(1, 1, id, false)], bitDepth: 8 };
    case 'yuv420p':
      return { planes: [chan(1, 1, id, false), chan(0, 2, id, false), chan(2, 2, id, false)], bitDepth: 8 };
    case 'yuv444p':
      return { planes: [chan(1, 1, id, false), chan(0, 1, id, false), chan(2, 1, id, false)], bitDepth: 8 };
    case 'yuv420p10le':
      return {
        planes: [
          chan(1, 1, (v, i) => v * 4 + (px(i, 0) & 3), true),
          chan(0, 2, (v, i) => v * 4 + (px(i, 2) & 3), true),
          chan(2, 2, (v, i) => v * 4 + (px(i, 1) & 3), true),
        ],
        bitDepth: 10,
      };
    case 'gray16le':
      return { planes: [chan(1, 1, (v, i) => v * 257 + px(i, 0), true)], bitDepth: 16 };
    case 'gray12le':
      return { planes: [chan(1, 1, (v, i) => v * 16 + (px(i, 0) & 15), true)], bitDepth: 12 };
  }
}

const PNG_CASES: { ref: string; dist: string; layout: Layout; printed: string }[] = [
  { ref: 'camera.png', dist: 'camera__jpeg_q10.png', layout: 'gray', printed: 'Y:0.792818 (6.836481) All:0.792818 (6.836481)' },
  { ref: 'camera.png', dist: 'camera__blur_s1.png', layout: 'gray', printed: 'Y:0.872820 (8.955798) All:0.872820 (8.955798)' },
  { ref: 'camera.png', dist: 'camera__noise_s40.png', layout: 'gray', printed: 'Y:0.196511 (0.950199) All:0.196511 (0.950199)' },
  { ref: 'camera.png', dist: 'camera__invert.png', layout: 'gray', printed: 'Y:-0.130274 (-0.531836) All:-0.130274 (-0.531836)' },
  { ref: 'chelsea.png', dist: 'chelsea__jpeg_q70.png', layout: 'grayG', printed: 'Y:0.957717 (13.738358) All:0.957717 (13.738358)' },
  { ref: 'astronaut.png', dist: 'astronaut__jpeg_q50.png', layout: 'yuv420p', printed: 'Y:0.945330 (12.622533) U:0.954066 (13.378674) V:0.931855 (11.665633) All:0.944540 (12.560227)' },
  { ref: 'chelsea.png', dist: 'chelsea__noise_s15.png', layout: 'yuv420p', printed: 'Y:0.532970 (3.306552) U:0.637893 (4.411635) V:0.669537 (4.808771) All:0.573278 (3.698548)' },
  { ref: 'coffee.png', dist: 'coffee__blur_s2.5.png', layout: 'yuv444p', printed: 'Y:0.703907 (5.285725) U:0.721560 (5.552687) V:0.701787 (5.254729) All:0.709085 (5.362335)' },
  { ref: 'astronaut.png', dist: 'astronaut__blur_s2.5.png', layout: 'yuv420p10le', printed: 'Y:0.780553 (6.586712) U:0.853648 (8.346014) V:0.826973 (7.618850) All:0.800472 (6.999970)' },
  { ref: 'chelsea.png', dist: 'chelsea__jpeg_q10.png', layout: 'yuv420p10le', printed: 'Y:0.799904 (6.987614) U:0.833941 (7.797382) V:0.815629 (7.343069) All:0.808210 (7.171737)' },
  { ref: 'coffee.png', dist: 'coffee__noise_s5.png', layout: 'gray16le', printed: 'Y:0.859856 (8.534262) All:0.859856 (8.534262)' },
  { ref: 'coffee.png', dist: 'coffee__contrast_a1.4.png', layout: 'gray12le', printed: 'Y:0.688526 (5.065788) All:0.688526 (5.065788)' },
];

/** Planes whose width W has ((W >> 2) − 1) mod 4 = 1, where x86 ffmpeg's SSE4 tail differs from the C code. */
function x86TailAffected(planes: readonly Plane[], bitDepth: number): boolean {
  return bitDepth === 8 && planes.some((p) => ((p.width >> 2) - 1) % 4 === 1);
}

describe("ssimFfmpeg against ffmpeg's ssim filter", () => {
  const ws = createSsimFfmpegWorkspace();

  it.each(PNG_CASES.map((c) => [`${c.dist} as ${c.layout}`, c] as const))('%s', (_name, c) => {
    const ref = layoutPlanes(readGoldenPng(`images/${c.ref}`), c.layout);
    const dist = layoutPlanes(readGoldenPng(`images/${c.dist}`), c.layout);
    const printed = parsePrinted(c.printed);
    const stream = new FfmpegX86SsimStream({ bitDepth: ref.bitDepth, threads: 2 });
    expectMatchesPrinted(stream.frame(dist.planes, ref.planes), printed);
    const reference = ssimFfmpeg(dist.planes, ref.planes, { bitDepth: ref.bitDepth, workspace: ws });
    if (x86TailAffected(ref.planes, ref.bitDepth)) {
      // coffee is 600 wide: 149 windows per row, so x86 ffmpeg counts a zero block pair (SSIM 1) instead of
      // the last window of every row; the C algorithm is lower by about 2.8e-3.
      expect(printed.values[0] - reference.planes[0]).toBeGreaterThan(1e-3);
    } else {
      expectMatchesPrinted(reference, printed);
    }
  });
});

/** Deterministic 4:2:0 test frames (8-bit or 10-bit): a moving pattern plus LCG noise; dist adds more noise. */
function yuv420Frame(width: number, height: number, frame: number, distorted: boolean, bitDepth: number): Uint16Array[] | Uint8Array[] {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const max = 2 ** bitDepth - 1;
  let s = (frame * 7919 + (distorted ? 104729 : 1)) >>> 0;
  const noise = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const plane = (w: number, h: number, f: (x: number, y: number) => number) => {
    const out = bitDepth > 8 ? new Uint16Array(w * h) : new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = f(x, y) + (distorted ? 24 : 6) * noise();
        out[y * w + x] = Math.max(0, Math.min(max, Math.round((v * max) / 255)));
      }
    }
    return out;
  };
  const Y = plane(width, height, (x, y) => 128 + 60 * Math.sin(x / 17 + frame) * Math.cos(y / 23 - frame));
  const U = plane(cw, ch, (x) => 128 + 40 * Math.sin(x / 9 + 2 * frame));
  const V = plane(cw, ch, (_x, y) => 128 + 40 * Math.cos(y / 7 - frame));
  return [Y, U, V] as Uint16Array[] | Uint8Array[];
}

const SEQUENCES: { size: string; bitDepth: number; threads: number; frames: string[] }[] = [
  { size: '720x96', bitDepth: 8, threads: 1, frames: [
    'n:1 Y:0.672936 U:0.729543 V:0.773079 All:0.699061 (5.215221)',
    'n:2 Y:0.673457 U:0.731367 V:0.776677 All:0.700312 (5.233307)',
    'n:3 Y:0.667969 U:0.724732 V:0.774719 All:0.695221 (5.160151)',
  ] },
  { size: '720x96', bitDepth: 8, threads: 2, frames: [
    'n:1 Y:0.672936 U:0.729691 V:0.773227 All:0.699111 (5.215932)',
    'n:2 Y:0.673457 U:0.731215 V:0.776525 All:0.700261 (5.232571)',
    'n:3 Y:0.667969 U:0.724884 V:0.774872 All:0.695272 (5.160875)',
  ] },
  { size: '720x96', bitDepth: 8, threads: 8, frames: [
    'n:1 Y:0.672936 U:0.729555 V:0.773091 All:0.699065 (5.215275)',
    'n:2 Y:0.673457 U:0.730857 V:0.776167 All:0.700142 (5.230842)',
    'n:3 Y:0.667969 U:0.724598 V:0.774586 All:0.695177 (5.159517)',
  ] },
  { size: '176x144', bitDepth: 8, threads: 1, frames: [
    'n:1 Y:0.670741 U:0.732202 V:0.778606 All:0.698962 (5.213790)',
    'n:2 Y:0.669248 U:0.732652 V:0.766993 All:0.696106 (5.172779)',
    'n:3 Y:0.674111 U:0.721789 V:0.771674 All:0.698318 (5.204500)',
  ] },
  { size: '176x144', bitDepth: 8, threads: 2, frames: [
    'n:1 Y:0.670741 U:0.732319 V:0.778724 All:0.699001 (5.214353)',
    'n:2 Y:0.669248 U:0.737181 V:0.771522 All:0.697616 (5.194408)',
    'n:3 Y:0.674111 U:0.722784 V:0.772669 All:0.698649 (5.209278)',
  ] },
  { size: '176x144', bitDepth: 8, threads: 8, frames: [
    'n:1 Y:0.670741 U:0.728382 V:0.774787 All:0.697689 (5.195462)',
    'n:2 Y:0.669248 U:0.739859 V:0.774200 All:0.698509 (5.207250)',
    'n:3 Y:0.674111 U:0.724734 V:0.774619 All:0.699299 (5.218655)',
  ] },
  { size: '200x64', bitDepth: 8, threads: 1, frames: [
    'n:1 Y:0.674219 U:0.728776 V:0.770139 All:0.699299 (5.218645)',
    'n:2 Y:0.677516 U:0.733702 V:0.752245 All:0.699336 (5.219179)',
    'n:3 Y:0.680831 U:0.712272 V:0.798702 All:0.705717 (5.312342)',
  ] },
  { size: '200x64', bitDepth: 8, threads: 2, frames: [
    'n:1 Y:0.674219 U:0.728776 V:0.770139 All:0.699299 (5.218645)',
    'n:2 Y:0.677598 U:0.733702 V:0.752245 All:0.699390 (5.219964)',
    'n:3 Y:0.680873 U:0.712272 V:0.798702 All:0.705744 (5.312754)',
  ] },
  { size: '200x64', bitDepth: 8, threads: 8, frames: [
    'n:1 Y:0.674219 U:0.728776 V:0.770139 All:0.699299 (5.218645)',
    'n:2 Y:0.677587 U:0.733702 V:0.752245 All:0.699383 (5.219858)',
    'n:3 Y:0.680906 U:0.712272 V:0.798702 All:0.705766 (5.313072)',
  ] },
  { size: '200x64', bitDepth: 10, threads: 1, frames: [
    'n:1 Y:0.667763 U:0.728620 V:0.770375 All:0.695008 (5.157116)',
    'n:2 Y:0.672574 U:0.733737 V:0.753200 All:0.696205 (5.174197)',
    'n:3 Y:0.675010 U:0.712305 V:0.798587 All:0.701822 (5.255244)',
  ] },
  { size: '200x64', bitDepth: 10, threads: 2, frames: [
    'n:1 Y:0.667763 U:0.728620 V:0.770375 All:0.695008 (5.157116)',
    'n:2 Y:0.672574 U:0.733737 V:0.753200 All:0.696205 (5.174197)',
    'n:3 Y:0.675010 U:0.712305 V:0.798587 All:0.701822 (5.255244)',
  ] },
  { size: '200x64', bitDepth: 10, threads: 8, frames: [
    'n:1 Y:0.667763 U:0.728620 V:0.770375 All:0.695008 (5.157116)',
    'n:2 Y:0.672574 U:0.733737 V:0.753200 All:0.696205 (5.174197)',
    'n:3 Y:0.675010 U:0.712305 V:0.798587 All:0.701822 (5.255244)',
  ] },
];

describe('the x86 ffmpeg emulation over frame sequences (history and thread count matter there)', () => {
  it.each(SEQUENCES.map((s) => [`${s.size} ${s.bitDepth}-bit, ${s.threads} threads`, s] as const))('%s', (_name, seq) => {
    const [width, height] = seq.size.split('x').map(Number);
    const stream = new FfmpegX86SsimStream({ bitDepth: seq.bitDepth, threads: seq.threads });
    seq.frames.forEach((line, n) => {
      const toPlanes = (distorted: boolean): Plane[] => {
        const [y, u, v] = yuv420Frame(width, height, n, distorted, seq.bitDepth);
        const cw = (width + 1) >> 1;
        const ch = (height + 1) >> 1;
        return [planeOf(y, width, height), planeOf(u, cw, ch), planeOf(v, cw, ch)];
      };
      const dist = toPlanes(true);
      const ref = toPlanes(false);
      const printed = parsePrinted(line);
      // Stats lines print All's dB only.
      expectMatchesPrinted(stream.frame(dist, ref), printed);
      // The C algorithm matches every plane the SSE4 tail does not touch.
      const reference = ssimFfmpeg(dist, ref, { bitDepth: seq.bitDepth });
      dist.forEach((p, i) => {
        if (!x86TailAffected([p], seq.bitDepth)) expect(Math.abs(reference.planes[i] - printed.values[i])).toBeLessThanOrEqual(FFMPEG_PRINT_TOL);
      });
    });
  });
});

describe('ssimFfmpeg invariants', () => {
  const camera = planeOf(readGoldenPng('images/camera.png').data, 512, 512);
  const jpeg = planeOf(readGoldenPng('images/camera__jpeg_q10.png').data, 512, 512);

  it('identical planes give 1 per plane and All, with +Infinity dB', () => {
    const r = ssimFfmpeg([camera], [camera], { bitDepth: 8 });
    expect(r.planes).toEqual([1]);
    expect(r.all).toBe(1);
    expect(r.allDb).toBe(Number.POSITIVE_INFINITY);
    expect(ffmpegSsimDb(0.9)).toBeCloseTo(10, 12);
  });

  it('is symmetric in its two inputs', () => {
    expect(ssimFfmpeg(camera, jpeg, { bitDepth: 8 }).all).toBe(ssimFfmpeg(jpeg, camera, { bitDepth: 8 }).all);
  });

  it('weights planes by their sample counts in All', () => {
    const u = planeOf(camera.data.subarray(0, 256 * 256), 256, 256);
    const u2 = planeOf(jpeg.data.subarray(0, 256 * 256), 256, 256);
    const r = ssimFfmpeg([camera, u, u], [jpeg, u2, u], { bitDepth: 8 });
    expect(r.planes[2]).toBe(1);
    expect(r.all).toBeCloseTo((4 * r.planes[0] + r.planes[1] + r.planes[2]) / 6, 14);
  });

  it('ignores the columns and rows past the last full 4x4 block, as ffmpeg does', () => {
    const w = 37;
    const h = 29;
    const a = Uint8Array.from({ length: w * h }, (_, i) => (i * 7) % 256);
    const b = Uint8Array.from(a, (v, i) => (i % w >= 36 || Math.floor(i / w) >= 28 ? 255 - v : v));
    expect(ssimFfmpeg(planeOf(a, w, h), planeOf(b, w, h), { bitDepth: 8 }).all).toBe(1);
  });

  it('rejects float samples, planes under 8x8, bad bit depths and mismatched planes', () => {
    const f = planeOf(new Float32Array(64), 8, 8);
    expect(() => ssimFfmpeg(f, f, { bitDepth: 8 })).toThrow(TypeError);
    const small = planeOf(new Uint8Array(49), 7, 7);
    expect(() => ssimFfmpeg(small, small, { bitDepth: 8 })).toThrow(RangeError);
    expect(() => ssimFfmpeg(camera, jpeg, { bitDepth: 7 })).toThrow(RangeError);
    expect(() => ssimFfmpeg(camera, jpeg, { bitDepth: 10.5 })).toThrow(RangeError);
    expect(() => ssimFfmpeg([camera, camera], [jpeg], { bitDepth: 8 })).toThrow(RangeError);
    expect(() => ssimFfmpeg(camera, planeOf(new Uint8Array(512 * 511), 512, 511), { bitDepth: 8 })).toThrow(RangeError);
    expect(() => new FfmpegX86SsimStream({ bitDepth: 8, threads: 0 })).toThrow(RangeError);
  });
});
