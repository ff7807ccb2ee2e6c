/**
 * The metric descriptor registry: what each metric is, as data. It drives the compute dialog, the
 * scheduler, storage (ids, versions, parameters) and chart axes; no other module switches on metric
 * names to learn these facts. Each descriptor states the convention it follows, in words.
 * Plain data depending only on nr-predictor.ts (plain too: the entries of trained predictors), so the
 * renderer can import it; the zod schemas that validate parameters live in metric-params.ts.
 */
import { nrPredictorName } from './nr-predictor';

export type MetricKind = 'FR' | 'NR' | 'set';
export type MetricInput = 'rgb' | 'luma' | 'yuv';

export interface MetricParamSpec {
  name: string;
  label: string;
  description: string;
  type: 'enum' | 'number';
  options?: readonly string[];
  min?: number;
  max?: number;
  default: string | number;
}

/**
 * Which extractor table computes a metric per frame (the libvmaf feature-extractor model): 'kernel' =
 * a pure extractor in kernels/extractors/ (the metric id is its key), run in the frame worker pool;
 * 'onnx' = a neural extractor in services/metrics/extractors/, its network run in the ONNX worker.
 * Each extractor declares the frames it reads (native planes or 8-bit RGB) and whether it needs the
 * reference; the one decode loop of a pair feeds them all from the same decoded frames.
 */
export type MetricBackend = 'kernel' | 'onnx';

export interface MetricDescriptor {
  id: string;
  name: string;
  kind: MetricKind;
  backend: MetricBackend;
  /** Models (manifest ids) the metric needs; the `model` parameter picks one when there are several. */
  models: readonly string[];
  /** Bumped whenever the numbers a metric produces could change; stored with every value. */
  version: string;
  /** What the metric is computed on (rgb: all colour planes; luma: Y; yuv: Y, U and V of a video). */
  input: MetricInput;
  higherIsBetter: boolean;
  unit: string;
  /** Axis range for charts; null bounds are open. */
  range: [number | null, number | null];
  outputs: readonly ('scalar' | 'per-frame' | 'map')[];
  params: readonly MetricParamSpec[];
  convention: string;
  /**
   * `harmonic` pooling as n / Σ 1/(v + shift) − shift (libvmaf's harmonic_mean of VMAF scores: shift 1,
   * so a frame scoring 0 is allowed); absent: the plain harmonic mean of the values.
   */
  harmonicShift?: number;
}

/** The VMAF model (the JSON files shipped in models/vmaf), for vmaf and its features. */
const VMAF_MODEL_PARAM: MetricParamSpec = {
  name: 'model',
  label: 'VMAF model',
  description:
    'vmaf_v0.6.1 (the default, as the vmaf CLI: 1080p on a TV at 3 picture heights), vmaf_v0.6.1neg (no enhancement gain: sharpening or contrast boosts cannot raise the score; for codec comparisons with pre-processing), vmaf_4k_v0.6.1 (4K TV at 1.5 heights), vmaf_4k_v0.6.1neg, vmaf_float_v0.6.1 (the v0.6.1 SVM on the floating-point extractors of libvmaf, float_vif, float_adm and float_motion; close to vmaf_v0.6.1, for comparisons with results made with it) and vmaf_v1.0.16_3d0h (the v1 generation, upstream\'s recommended 1080p model at 3 heights: banding (CAMBI), chroma (speed_chroma on U and V), ADM with a blended CSF and motion3; needs YUV 4:2:0/4:2:2/4:4:4 input at least 216 pixels in one dimension and 80 in chroma; vmaf only: it has no VIF, adm2 or motion2 for the feature metrics). The 4K models are used only when chosen here, never picked from the resolution.',
  type: 'enum',
  options: ['vmaf_v0.6.1', 'vmaf_v0.6.1neg', 'vmaf_4k_v0.6.1', 'vmaf_4k_v0.6.1neg', 'vmaf_float_v0.6.1', 'vmaf_v1.0.16_3d0h'],
  default: 'vmaf_v0.6.1',
};

const LUMA_PARAM: MetricParamSpec = {
  name: 'luma',
  label: 'RGB to luma',
  description:
    'How RGB images become Y: y_float = BT.601 studio swing 16 + (65.481 R + 128.553 G + 24.966 B)/255, not rounded; y_uint8 = the same rounded half up; bt709 = BT.709 studio swing; bt601-full / bt709-full = full-range weighted sums. Videos use their decoded Y plane and grey images their only plane.',
  type: 'enum',
  options: ['y_float', 'y_uint8', 'bt709', 'bt601-full', 'bt709-full'],
  default: 'y_float',
};

const SSIM_PARAMS: readonly MetricParamSpec[] = [
  {
    name: 'variant',
    label: 'SSIM variant',
    description: "wang = Wang et al. 2004 (11×11 Gaussian, σ = 1.5, valid-region mean, as scikit-image); ffmpeg = ffmpeg's ssim filter (8×8 blocks on a 4-pixel grid, integer samples: luma from RGB is rounded), to compare with ffmpeg's numbers",
    type: 'enum',
    options: ['wang', 'ffmpeg'],
    default: 'wang',
  },
  {
    name: 'downsample',
    label: 'Downsampling',
    description: "none (the reference convention) or matlab-auto: Wang's ssim.m (2009) shrinks by f = max(1, round(min(H, W)/256)) with an f×f box first (Wang variant only)",
    type: 'enum',
    options: ['none', 'matlab-auto'],
    default: 'none',
  },
];

export const METRICS: readonly MetricDescriptor[] = [
  {
    id: 'mse',
    name: 'MSE',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'rgb',
    higherIsBetter: false,
    unit: '',
    range: [0, null],
    outputs: ['scalar', 'per-frame'],
    params: [],
    convention:
      'Mean squared error in sample values (not normalised), float64, over all samples of all planes together: R, G and B of an RGB image; Y, U and V of a video frame; the grey plane of a grey image. Videos: the mean of per-frame values by default.',
  },
  {
    id: 'psnr',
    name: 'PSNR',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'rgb',
    higherIsBetter: true,
    unit: 'dB',
    range: [0, null],
    outputs: ['scalar', 'per-frame'],
    params: [],
    convention:
      "10·log10(peak²/MSE) with the MSE pooled over all samples of all planes (RGB for images; Y, U and V for a video frame, as ffmpeg's psnr filter reports 'average'); peak = 2^bitdepth − 1 (255 for 8-bit, 1023 for 10-bit). Identical inputs give +∞.",
  },
  {
    id: 'psnr-y',
    name: 'PSNR-Y',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'luma',
    higherIsBetter: true,
    unit: 'dB',
    range: [0, null],
    outputs: ['scalar', 'per-frame'],
    params: [LUMA_PARAM],
    convention: 'PSNR on luma only: the Y plane of a video, the grey plane, or Y computed from RGB by the luma parameter (default BT.601 studio swing, float). Peak 255 for 8-bit, 1023 for 10-bit.',
  },
  {
    id: 'psnr-yuv',
    name: 'PSNR-YUV',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'yuv',
    higherIsBetter: true,
    unit: 'dB',
    range: [0, null],
    outputs: ['scalar', 'per-frame'],
    params: [],
    convention: '(6·PSNR_Y + PSNR_U + PSNR_V)/8 of per-plane PSNRs (the weighting of JCT-VC/AOM codec comparisons). Needs YUV input (videos); a grey image gives PSNR_Y.',
  },
  {
    id: 'ssim',
    name: 'SSIM',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'rgb',
    higherIsBetter: true,
    unit: '',
    range: [null, 1],
    outputs: ['scalar', 'per-frame'],
    params: SSIM_PARAMS,
    convention:
      "Wang et al. 2004 (Gaussian window 11×11, σ = 1.5, K = (0.01, 0.03), population covariance, mean over the valid region, as scikit-image with gaussian_weights=True, use_sample_covariance=False), no automatic downsampling by default. RGB images: the mean of the R, G and B SSIMs; videos: the per-plane SSIMs of Y, U and V weighted by their sample counts (ffmpeg's 'All'); grey images: the grey plane.",
  },
  {
    id: 'ssim-y',
    name: 'SSIM-Y',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'luma',
    higherIsBetter: true,
    unit: '',
    range: [null, 1],
    outputs: ['scalar', 'per-frame', 'map'],
    params: [LUMA_PARAM, ...SSIM_PARAMS],
    convention:
      'SSIM (Wang et al. 2004, as the ssim metric) on luma: the Y plane of a video, the grey plane, or Y from RGB by the luma parameter (default BT.601 studio swing, float, data range 255). Its per-pixel map of any frame is computed on demand (viewer.frameMap) and shown in the viewer, opened from a paired distorted stimulus in the Stimuli table or its detail; its per-frame values are drawn as curves in the stimulus detail.',
  },
  {
    id: 'ms-ssim-y',
    name: 'MS-SSIM-Y',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'luma',
    higherIsBetter: true,
    unit: '',
    range: [0, 1],
    outputs: ['scalar', 'per-frame'],
    params: [LUMA_PARAM],
    convention:
      "Wang, Simoncelli & Bovik 2003 as the authors' msssim.m: 5 scales, weights (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), the SSIM Gaussian window at every scale on the valid region, 2×2 mean downsampling with edge repeat for odd sizes, negative components clamped to 0. On luma as SSIM-Y. Needs at least 161×161 pixels (the fifth scale must hold the 11×11 window).",
  },
  {
    id: 'vmaf',
    name: 'VMAF',
    kind: 'FR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'luma',
    higherIsBetter: true,
    unit: '',
    range: [0, 100],
    outputs: ['scalar', 'per-frame'],
    params: [
      VMAF_MODEL_PARAM,
    ],
    convention:
      "Netflix VMAF as libvmaf 3.2.0 computes it with its integer (fixed-point) feature extractors: VIF at 4 scales, ADM (adm2) and motion2 on the luma only (the Y plane of a video, or a grey plane), 8- or 10-bit, then the model's SVM, score clipped to [0, 100]; the model (model parameter, default vmaf_v0.6.1, its JSON shipped with the app) and its SHA-256 are stored with the values. Per frame, equal to the vmaf CLI's output to 1e-4; the pooled value is the mean (libvmaf's default); harmonic is libvmaf's n/Σ1/(s+1) − 1. No scaling: a pair of different sizes needs the scale policy (--scale; ffmpeg's scaler), as any full-reference metric. With model=vmaf_float_v0.6.1 the features come from libvmaf's floating-point extractors (float_vif, float_adm, float_motion; single precision where libvmaf uses it): each equal to the vmaf CLI's to its printed precision, the score within 2e-5 (the issue's bound for the float path is 1e-3). With model=vmaf_v1.0.16_3d0h: CAMBI of the distorted luma, speed_chroma of both sides' U and V, integer ADM (blended CSF, adm3) and motion3, the chroma correction and the model's own score transform; features and score equal to the vmaf CLI's to its printed precision.",
    harmonicShift: 1,
  },
  ...(
    [
      ['vif', 'VIF (VMAF feature)', "VIF, the visual information fidelity of VMAF: libvmaf 3.2.0's integer_vif at one of its 4 scales (scale parameter; 0 is the finest), as the model's extractor computes it (vif_enhn_gain_limit 100, or 1 for the NEG models), on the luma, 8- or 10-bit; equal to the vmaf CLI's integer_vif_scaleN to its printed precision. Higher is better; 1 for an undistorted frame, above 1 only for an enhancement.", [0, null]],
      ['adm', 'ADM (VMAF feature)', "ADM, the detail-loss measure of VMAF: libvmaf 3.2.0's integer_adm2 (the DLM of Li et al. 2011 over 4 wavelet scales), as the model's extractor computes it (adm_enhn_gain_limit 100, or 1 for the NEG models), on the luma, 8- or 10-bit; equal to the vmaf CLI's integer_adm2 to its printed precision. Higher is better; 1 for an undistorted frame.", [0, null]],
      ['motion', 'Motion (VMAF feature)', "VMAF's temporal feature: libvmaf 3.2.0's integer_motion2, the smaller of this frame's and the next frame's mean absolute difference of the blurred reference luma (0 at the first frame), on the luma, 8- or 10-bit; equal to the vmaf CLI's integer_motion2 to its printed precision. It describes the reference's motion, not a quality: it does not depend on the distorted video.", [0, null]],
    ] as const
  ).map(
    ([id, name, convention, range]): MetricDescriptor => ({
      id,
      name,
      kind: 'FR',
      backend: 'kernel',
      models: [],
      version: '1',
      input: 'luma',
      higherIsBetter: true,
      unit: '',
      range: [range[0], range[1]],
      outputs: ['scalar', 'per-frame'],
      params: [
        ...(id === 'vif'
          ? [{ name: 'scale', label: 'VIF scale', description: 'Which of the 4 VIF scales, a whole number (0 = full resolution, 3 = the coarsest), as libvmaf reports integer_vif_scale0…3.', type: 'number' as const, min: 0, max: 3, default: 0 }]
          : []),
        { ...VMAF_MODEL_PARAM, description: "The VMAF model whose extractor options compute the feature (the NEG models limit the enhancement gain to 1); the same models as VMAF's; with vmaf_float_v0.6.1 the feature is the float extractor's (vif_scaleN, adm2, motion2)." },
      ],
      convention,
    }),
  ),
  {
    id: 'lpips',
    name: 'LPIPS',
    kind: 'FR',
    backend: 'onnx',
    models: ['lpips-alex', 'lpips-squeeze', 'lpips-vgg'],
    version: '1',
    input: 'rgb',
    higherIsBetter: false,
    unit: '',
    range: [0, null],
    outputs: ['scalar', 'per-frame', 'map'],
    params: [
      {
        name: 'model',
        label: 'Network',
        description: 'lpips-alex (the default LPIPS v0.1), lpips-squeeze, or lpips-vgg (needs its exported model installed)',
        type: 'enum',
        options: ['lpips-alex', 'lpips-squeeze', 'lpips-vgg'],
        default: 'lpips-alex',
      },
    ],
    convention:
      'LPIPS v0.1 (Zhang et al. 2018) with the official linear heads: 8-bit RGB scaled to [-1, 1] (v/127.5 − 1), no resizing, spatial average of the distance map. Videos: per frame (decoded to 8-bit RGB by ffmpeg). Needs at least 32×32 pixels. The model SHA-256 and the execution provider are stored with the values.',
  },
  {
    id: 'cnniqa',
    name: 'CNNIQA',
    kind: 'NR',
    backend: 'onnx',
    models: ['cnniqa-live'],
    version: '1',
    input: 'rgb',
    higherIsBetter: false,
    unit: '',
    range: [null, null],
    outputs: ['scalar', 'per-frame'],
    params: [],
    convention:
      "Kang et al. 2014 as the LIVE-trained CNNIQA port: Pillow's grey conversion, 32×32 patches on a 32-pixel grid, local contrast normalisation inside the network, the mean of the patch scores (a DMOS-like scale: higher is worse). The weights have no upstream licence: internal use only.",
  },
  {
    id: 'iqacnnpp',
    name: 'IQA-CNN++',
    kind: 'NR',
    backend: 'onnx',
    models: ['iqacnnpp', 'iqacnnpp-arch'],
    version: '1',
    input: 'rgb',
    higherIsBetter: false,
    unit: '',
    range: [null, null],
    outputs: ['scalar', 'per-frame'],
    params: [
      {
        name: 'model',
        label: 'Model',
        description:
          'iqacnnpp = your own trained network exported with models/export/iqacnnpp_export.py (no weights are published); iqacnnpp-arch = the architecture with random weights, for pipeline tests only (its numbers and distortion types mean nothing)',
        type: 'enum',
        options: ['iqacnnpp', 'iqacnnpp-arch'],
        default: 'iqacnnpp',
      },
    ],
    convention:
      "Kang et al. 2015 (ICIP), a two-head CNN: Pillow's grey conversion, every complete non-overlapping 32×32 patch, local contrast normalisation per patch (3×3 window, C = 1, Kang et al. 2014), then per patch a quality and a distortion-type distribution over LIVE's five types (JPEG2000, JPEG, white noise, Gaussian blur, fast fading). The value is the mean of the patch qualities (on the scale the weights were trained on; LIVE DMOS: higher is worse); the distortion distribution is the mean of the patch probabilities (then over frames), stored beside the value with its most likely type.",
  },
  {
    id: 'nima',
    name: 'NIMA',
    kind: 'NR',
    backend: 'onnx',
    models: ['nima-mobilenet', 'nima-mobilenet-technical', 'nima-arch'],
    version: '1',
    input: 'rgb',
    higherIsBetter: true,
    unit: '',
    range: [1, 10],
    outputs: ['scalar', 'per-frame'],
    params: [
      {
        name: 'model',
        label: 'Model',
        description:
          'nima-mobilenet (aesthetic, AVA) or nima-mobilenet-technical (TID2013), idealo MobileNet weights exported to ONNX; nima-arch is the architecture with random weights, for pipeline tests only (its scores mean nothing)',
        type: 'enum',
        options: ['nima-mobilenet', 'nima-mobilenet-technical', 'nima-arch'],
        default: 'nima-mobilenet',
      },
      {
        name: 'output',
        label: 'Output',
        description: 'mean = Σ i·p_i of the 10-bin score distribution (idealo calc_mean_score); std = its standard deviation',
        type: 'enum',
        options: ['mean', 'std'],
        default: 'mean',
      },
    ],
    convention:
      "Talebi & Milanfar 2018 with idealo's MobileNet release: the 8-bit RGB image resized to 224×224 with Pillow NEAREST (keras load_img), values 0..255 (x/127.5 − 1 inside the graph), softmax over 10 bins; the mean (or std) of that distribution, 1..10.",
  },
  {
    id: 'brisque',
    name: 'BRISQUE',
    kind: 'NR',
    backend: 'kernel',
    models: ['brisque-live'],
    version: '1',
    input: 'luma',
    higherIsBetter: false,
    unit: '',
    range: [0, 100],
    outputs: ['scalar', 'per-frame'],
    params: [],
    convention:
      "Mittal et al. 2012 as OpenCV's quality module with its LIVE-R2 SVR model: 36 MSCN/AGGD features at two scales (OpenCV's float32 rounding kept), features scaled by the model's ranges, RBF SVR; 0..100, lower is better. RGB is converted to grey as OpenCV's cvtColor does.",
  },
  {
    id: 'niqe',
    name: 'NIQE',
    kind: 'NR',
    backend: 'kernel',
    models: ['niqe-live'],
    version: '1',
    input: 'luma',
    higherIsBetter: false,
    unit: '',
    range: [0, null],
    outputs: ['scalar', 'per-frame'],
    params: [],
    convention:
      "Mittal et al. 2013 with the official LIVE pristine model, as BasicSR's niqe: Y of BT.601 (studio swing, as BasicSR's to_y_channel) rounded, 96×96 blocks at full and half scale (MATLAB-style bicubic), no border crop; lower is better. Needs at least two 96×96 blocks.",
  },
  {
    id: 'cambi',
    name: 'CAMBI',
    kind: 'NR',
    backend: 'kernel',
    models: [],
    version: '1',
    input: 'luma',
    higherIsBetter: false,
    unit: '',
    range: [0, null],
    outputs: ['scalar', 'per-frame'],
    params: [],
    convention:
      "Netflix's banding metric (Tandon et al. 2021) as libvmaf 3.2.0's cambi feature computes it with its defaults: on the distorted video alone (no reference: libvmaf's full_ref is off by default, so a pair's reference is ignored), the luma brought to 10 bits (8-bit shifted up and anti-dithered), window 65 scaled to the size (11 at 640×360), contrasts up to 4 10-bit levels (max_log_contrast 2) visible under BT.1886 with ΔL > 0.019·L, 5 scales, the top 60% of the c-values pooled per scale, capped at 1000; 0 = no banding, around 5 banding starts to be slightly annoying, 24 is the worst Netflix observed (their rule of thumb). Per frame, equal to the vmaf CLI's cambi to its printed precision; the pooled value is the mean (libvmaf's default); harmonic is libvmaf's n/Σ1/(s+1) − 1. 8- to 16-bit, no scaling (libvmaf's enc_width/enc_height are left unset).",
    harmonicShift: 1,
  },
];

export const METRIC_IDS = METRICS.map((m) => m.id);

/**
 * The registry entry of a trained predictor's metric (metricById): its id names a
 * predictor stored in a project, so the entry is made from the id; whether that predictor exists is the
 * project's to say (metrics.run answers E_NOT_FOUND). No parameters: everything it depends on is the
 * stored predictor, whose SHA-256 is each value's model hash.
 */
function nrMetricDescriptor(metricId: string): MetricDescriptor | undefined {
  const name = nrPredictorName(metricId);
  if (name === null) return undefined;
  return {
    id: metricId,
    name: `Learned NR ${name}`,
    kind: 'NR',
    backend: 'onnx',
    models: [],
    version: '1',
    input: 'rgb',
    higherIsBetter: true,
    unit: '',
    range: [null, null],
    outputs: ['scalar'],
    params: [],
    convention:
      "A BLINDER-style predictor trained in this project (iqa nr train, docs/learned-nr.md): a backbone's level features (per channel mean and standard deviation per level; a video's frames averaged), one RBF SVR per level, the levels combined; the value is on the scale of the study's MOS (higher is better) or DMOS (higher is worse) it was trained on.",
  };
}

export function metricById(id: string): MetricDescriptor | undefined {
  // nr:<name>: a predictor trained in a project (common/nr-predictor.ts), described from its id.
  return METRICS.find((m) => m.id === id) ?? nrMetricDescriptor(id);
}

export type MetricParams = Record<string, string | number>;

/** Canonical text of parameters (sorted keys): equal parameters give equal keys. */
export function paramsKey(params: MetricParams): string {
  return JSON.stringify(Object.fromEntries(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export const POOLINGS = ['mean', 'harmonic', 'min', 'p5', 'p10', 'p25', 'median'] as const;
export type Pooling = (typeof POOLINGS)[number];

/** ffmpeg scaler names for aligning a distorted stimulus to its reference's size. */
export const SCALER_NAMES = ['bicubic', 'bilinear', 'lanczos', 'neighbor', 'area', 'spline'] as const;
export type Scaler = (typeof SCALER_NAMES)[number];
