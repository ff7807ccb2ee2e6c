/**
 * VMAF of one video pair, frame by frame, with a model whose features are libvmaf's integer ones
 * (vmaf_v0.6.1, vmaf_v0.6.1neg, vmaf_4k_v0.6.1, vmaf_4k_v0.6.1neg), its float ones
 * (vmaf_float_v0.6.1: float_vif, float_adm, float_motion), or the v1 ones (vmaf_v1.0.16_3d0h: CAMBI
 * on the distorted luma, speed_chroma on both sides' U and V, integer ADM with adm_csf_mode 2 and
 * motion3), in two halves:
 * - VmafFeatureExtractor: a frame's features from its reference and distorted luma and the reference
 *   frame before it (motion compares each reference frame with the one before), with no state from
 *   frame to frame, so the frame pool computes frames in any order (kernels/extractors/vmaf.ts);
 * - VmafScoreSequencer: per pair, in frame order, motion2 and the model's SVM. A frame's score is
 *   known one frame late (its motion2 is min(sad[i], sad[i+1])), so `push` returns the frame before
 *   the one pushed and `finish` returns the last one.
 * VmafPairScorer puts both together for frames that come in order (tests, one thread).
 *
 * - Extractor options come from the model's `feature_opts_dicts` (the NEG models' enhancement gain
 *   limit 1, v1's ADM CSF and motion cap); a feature computed with two option sets is computed twice.
 *   Options this port does not implement (ADM CSF modes 1 and 3; motion's blend and windows)
 *   fail with E_UNSUPPORTED when the extractor is made, never silently.
 * - Memory is flat in the video's length: one frame of features is held back, plus the workspaces.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';
import { createFloatAdmWorkspace, floatAdm, type FloatAdmResult, type FloatAdmWorkspace } from './float-adm';
import { createFloatMotionWorkspace, floatMotionSad, type FloatMotionWorkspace } from './float-motion';
import { createFloatVifWorkspace, floatVif, type FloatVifResult, type FloatVifWorkspace } from './float-vif';
import { Cambi } from './cambi';
import { checkIntegerAdmOptions, createIntegerAdmWorkspace, integerAdm, type IntegerAdmOptions, type IntegerAdmResult, type IntegerAdmWorkspace } from './integer-adm';
import { IntegerMotion, integerMotionSad } from './integer-motion';
import { createIntegerVifWorkspace, integerVif, type IntegerVifResult, type IntegerVifWorkspace } from './integer-vif';
import { predictVmaf, type VmafModel, type VmafPredictOptions } from './model';
import { SpeedChroma, type SpeedChromaResult } from './speed-chroma';

/** The U and V planes of a frame's reference and distorted pictures (speed_chroma's input). */
export interface VmafChroma {
  readonly ref: readonly [Plane<Uint8Array | Uint16Array>, Plane<Uint8Array | Uint16Array>];
  readonly dist: readonly [Plane<Uint8Array | Uint16Array>, Plane<Uint8Array | Uint16Array>];
}

/** A model that reads chroma (speed_chroma): the caller must hand VmafFeatureExtractor.extract the U and V planes. */
export function vmafModelNeedsChroma(model: VmafModel): boolean {
  return model.featureNames.some((n) => FEATURES[n]?.kind === 'speed_chroma');
}

function admOptions(o: Record<string, number>): IntegerAdmOptions {
  return {
    enhnGainLimit: o.adm_enhn_gain_limit,
    dlmWeight: o.adm_dlm_weight,
    minVal: o.adm_min_val,
    csfMode: o.adm_csf_mode,
    noiseWeight: o.adm_noise_weight,
    normViewDist: o.adm_norm_view_dist,
    refDisplayHeight: o.adm_ref_display_height,
  };
}

type Kind = 'adm' | 'vif' | 'motion' | 'float_adm' | 'float_vif' | 'float_motion' | 'cambi' | 'speed_chroma';
const isMotion = (kind: Kind): boolean => kind === 'motion' || kind === 'float_motion';

/** Which extractor gives a libvmaf feature name, and how to read it from that extractor's result. */
const FEATURES: Readonly<Record<string, { kind: Kind; pick: string }>> = {
  VMAF_integer_feature_adm2_score: { kind: 'adm', pick: 'adm2' },
  VMAF_integer_feature_aim_score: { kind: 'adm', pick: 'aim' },
  VMAF_integer_feature_adm3_score: { kind: 'adm', pick: 'adm3' },
  integer_adm_scale0: { kind: 'adm', pick: 'scale0' },
  integer_adm_scale1: { kind: 'adm', pick: 'scale1' },
  integer_adm_scale2: { kind: 'adm', pick: 'scale2' },
  integer_adm_scale3: { kind: 'adm', pick: 'scale3' },
  VMAF_integer_feature_vif_scale0_score: { kind: 'vif', pick: 'scale0' },
  VMAF_integer_feature_vif_scale1_score: { kind: 'vif', pick: 'scale1' },
  VMAF_integer_feature_vif_scale2_score: { kind: 'vif', pick: 'scale2' },
  VMAF_integer_feature_vif_scale3_score: { kind: 'vif', pick: 'scale3' },
  VMAF_integer_feature_motion_sad_score: { kind: 'motion', pick: 'sad' },
  VMAF_integer_feature_motion2_score: { kind: 'motion', pick: 'motion2' },
  VMAF_integer_feature_motion3_score: { kind: 'motion', pick: 'motion3' },
  VMAF_feature_adm2_score: { kind: 'float_adm', pick: 'adm2' },
  VMAF_feature_aim_score: { kind: 'float_adm', pick: 'aim' },
  VMAF_feature_adm3_score: { kind: 'float_adm', pick: 'adm3' },
  VMAF_feature_adm_scale0_score: { kind: 'float_adm', pick: 'scale0' },
  VMAF_feature_adm_scale1_score: { kind: 'float_adm', pick: 'scale1' },
  VMAF_feature_adm_scale2_score: { kind: 'float_adm', pick: 'scale2' },
  VMAF_feature_adm_scale3_score: { kind: 'float_adm', pick: 'scale3' },
  VMAF_feature_vif_scale0_score: { kind: 'float_vif', pick: 'scale0' },
  VMAF_feature_vif_scale1_score: { kind: 'float_vif', pick: 'scale1' },
  VMAF_feature_vif_scale2_score: { kind: 'float_vif', pick: 'scale2' },
  VMAF_feature_vif_scale3_score: { kind: 'float_vif', pick: 'scale3' },
  VMAF_feature_motion_score: { kind: 'float_motion', pick: 'sad' },
  VMAF_feature_motion2_score: { kind: 'float_motion', pick: 'motion2' },
  Cambi_feature_cambi_score: { kind: 'cambi', pick: 'cambi' },
  Speed_chroma_feature_speed_chroma_u_score: { kind: 'speed_chroma', pick: 'u' },
  Speed_chroma_feature_speed_chroma_v_score: { kind: 'speed_chroma', pick: 'v' },
  Speed_chroma_feature_speed_chroma_uv_score: { kind: 'speed_chroma', pick: 'uv' },
};

/** The options each extractor takes here, with libvmaf's defaults (others: E_UNSUPPORTED unless at their default). */
const OPTIONS: Readonly<Record<Kind, Readonly<Record<string, number>>>> = {
  adm: { adm_enhn_gain_limit: 100, adm_dlm_weight: 0.5, adm_min_val: 0, adm_csf_mode: 0, adm_noise_weight: 0.03125, adm_norm_view_dist: 3, adm_ref_display_height: 1080 },
  vif: { vif_enhn_gain_limit: 100 },
  motion: { motion_max_val: 10000 },
  cambi: { cambi_high_res_speedup: 0, cambi_vis_lum_threshold: 0, cambi_max_val: 1000 },
  speed_chroma: { speed_kernelscale: 1, speed_sigma_nn: 0.29, speed_nn_floor: 0, speed_weight_var_mode: 0, speed_max_val: 1000 },
  float_adm: { adm_enhn_gain_limit: 100, adm_dlm_weight: 0.5, adm_min_val: 0 },
  float_vif: { vif_enhn_gain_limit: 100 },
  float_motion: { motion_max_val: 10000 },
};
/** Options accepted only at libvmaf's default value. */
const FIXED: Readonly<Record<Kind, Readonly<Record<string, number | boolean>>>> = {
  adm: { adm_csf_scale: 1, adm_csf_diag_scale: 1, adm_skip_scale0: false, adm_skip_aim: false },
  vif: { vif_skip_scale0: false },
  motion: { motion_force_zero: false, motion_blend_factor: 1, motion_blend_offset: 40, motion_fps_weight: 1, motion_five_frame_window: false, motion_moving_average: false },
  float_adm: { adm_norm_view_dist: 3, adm_ref_display_height: 1080, adm_csf_mode: 0, adm_noise_weight: 0.03125, adm_csf_scale: 1, adm_csf_diag_scale: 1, adm_skip_scale0: false, adm_bypass_cm: 0, adm_p_norm: 3 },
  float_vif: { vif_skip_scale0: false, vif_kernelscale: 1, vif_prescale: 1, vif_sigma_nsq: 2 },
  float_motion: { motion_force_zero: false, motion_blend_factor: 1, motion_blend_offset: 40, motion_fps_weight: 1, motion_add_scale1: false, motion_add_uv: false, motion_filter_size: 5 },
  cambi: { cambi_window_size: 65, cambi_topk: 0.6, cambi_tvi_threshold: 0.019, cambi_max_log_contrast: 2, cambi_full_ref: false },
  speed_chroma: { speed_prescale: 1 },
};

function resolveOptions(kind: Kind, given: Readonly<Record<string, unknown>>, feature: string, source: string): Record<string, number> {
  const opts: Record<string, number> = { ...OPTIONS[kind] };
  for (const [key, value] of Object.entries(given)) {
    if (key in OPTIONS[kind]) {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new IqaError('E_MODEL', `${source}: option ${key} of ${feature} must be a number`, { file: source });
      opts[key] = value;
    } else if (key in FIXED[kind]) {
      if (value !== FIXED[kind][key]) {
        throw new IqaError('E_UNSUPPORTED', `${source}: ${feature} with ${key}=${String(value)} cannot be computed here: this engine computes it with ${key}=${String(FIXED[kind][key])} only`, { file: source });
      }
    } else {
      throw new IqaError('E_UNSUPPORTED', `${source}: ${feature} has the option ${key}, which this VMAF port does not know`, { file: source });
    }
  }
  return opts;
}

interface ExtractorSpec {
  kind: Kind;
  options: Record<string, number>;
}

/** Which extractors a model needs (one per kind and option set) and, per model feature, which one gives it. */
interface FeaturePlan {
  extractors: ExtractorSpec[];
  features: { ex: number; pick: string }[];
}

function planFeatures(model: VmafModel): FeaturePlan {
  const extractors: ExtractorSpec[] = [];
  const features: { ex: number; pick: string }[] = [];
  model.featureNames.forEach((name, i) => {
    const f = FEATURES[name];
    if (!f) throw new IqaError('E_MODEL', `${model.source} needs the feature ${name}, which this engine does not compute`, { file: model.source });
    const options = resolveOptions(f.kind, model.featureOptions[i] ?? {}, name, model.source);
    const key = JSON.stringify(options);
    let ex = extractors.findIndex((e) => e.kind === f.kind && JSON.stringify(e.options) === key);
    if (ex < 0) ex = extractors.push({ kind: f.kind, options }) - 1;
    features.push({ ex, pick: f.pick });
  });
  return { extractors, features };
}

export interface VmafFrame {
  /** 0-based frame index. */
  readonly frame: number;
  /** The model's score (transformed and clipped as the model and options say). */
  readonly score: number;
  /** The model's inputs, by libvmaf feature name, in the model's order. */
  readonly features: Readonly<Record<string, number>>;
}

/**
 * The per-frame half of a VMAF run: a frame's features from its reference and distorted luma and the
 * reference frame before it, with no state carried from frame to frame (only workspaces), so frames
 * can be computed in any order, on any thread. `extract` returns one vector of `length` numbers: the
 * model's features in its order (motion2/motion3 as NaN: they need the next frame's SAD), then one
 * SAD per extractor (0 for extractors other than motion). VmafScoreSequencer turns these vectors,
 * in frame order, into scores.
 */
export class VmafFeatureExtractor {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly model: VmafModel;
  /** Length of the vectors `extract` returns. */
  readonly length: number;
  private readonly plan: FeaturePlan;
  private readonly vifWs: (IntegerVifWorkspace | null)[];
  private readonly admWs: (IntegerAdmWorkspace | null)[];
  private readonly fVifWs: (FloatVifWorkspace | null)[];
  private readonly fAdmWs: (FloatAdmWorkspace | null)[];
  private readonly fMotionWs: (FloatMotionWorkspace | null)[];
  private readonly cambi: (Cambi | null)[];
  private readonly speed: (SpeedChroma | null)[];
  private readonly row: Int32Array;
  private readonly rowIdx = new Int32Array(5);

  /**
   * `chroma`: the frames' chroma subsampling as log2 shifts (4:2:0 = [1, 1]), for speed_chroma; null
   * when the frames have no chroma (a model that needs it is then refused).
   */
  constructor(model: VmafModel, width: number, height: number, bitDepth: number, chroma: readonly [number, number] | null = [1, 1]) {
    this.model = model;
    this.width = width;
    this.height = height;
    this.bitDepth = bitDepth;
    this.plan = planFeatures(model);
    this.vifWs = this.plan.extractors.map((e) => (e.kind === 'vif' ? createIntegerVifWorkspace(width, height, bitDepth) : null));
    this.admWs = this.plan.extractors.map((e) => (e.kind === 'adm' ? createIntegerAdmWorkspace(width, height, bitDepth) : null));
    this.fVifWs = this.plan.extractors.map((e) => (e.kind === 'float_vif' ? createFloatVifWorkspace(width, height, bitDepth) : null));
    this.fAdmWs = this.plan.extractors.map((e) => (e.kind === 'float_adm' ? createFloatAdmWorkspace(width, height, bitDepth) : null));
    this.fMotionWs = this.plan.extractors.map((e) => (e.kind === 'float_motion' ? createFloatMotionWorkspace(width, height, bitDepth) : null));
    for (const e of this.plan.extractors) if (e.kind === 'adm') checkIntegerAdmOptions(admOptions(e.options));
    this.cambi = this.plan.extractors.map((e) =>
      e.kind === 'cambi'
        ? new Cambi(width, height, bitDepth, { highResSpeedup: e.options.cambi_high_res_speedup, visLumThreshold: e.options.cambi_vis_lum_threshold, maxVal: e.options.cambi_max_val })
        : null,
    );
    this.speed = this.plan.extractors.map((e) => {
      if (e.kind !== 'speed_chroma') return null;
      if (!chroma || chroma[0] > 1 || chroma[1] > 1 || chroma[1] > chroma[0]) {
        throw new IqaError('E_UNSUPPORTED', `${model.source} needs speed_chroma, computed on 4:2:0, 4:2:2 or 4:4:4 chroma; these frames have ${chroma ? `chroma shifts ${chroma[0]},${chroma[1]}` : 'no chroma'}`);
      }
      const o = e.options;
      return new SpeedChroma(width >> chroma[0], height >> chroma[1], bitDepth, {
        kernelscale: o.speed_kernelscale, sigmaNn: o.speed_sigma_nn, nnFloor: o.speed_nn_floor, weightVarMode: o.speed_weight_var_mode, maxVal: o.speed_max_val,
      });
    });
    if (this.plan.extractors.some((e) => e.kind === 'motion')) new IntegerMotion(width, height, bitDepth); // checks the size and bit depth now
    this.row = new Int32Array(width);
    this.length = model.featureNames.length + this.plan.extractors.length;
  }

  /**
   * Frame k's feature vector; `prevRef` is reference frame k−1 (null for frame 0); `chroma` the U and V
   * planes of both sides, needed only by models with speed_chroma (vmafModelNeedsChroma).
   */
  extract(
    ref: Plane<Uint8Array | Uint16Array>,
    dist: Plane<Uint8Array | Uint16Array>,
    prevRef: Plane<Uint8Array | Uint16Array> | null,
    out = new Float64Array(this.length),
    chroma: VmafChroma | null = null,
  ): Float64Array {
    const { extractors, features } = this.plan;
    const results: (IntegerVifResult | IntegerAdmResult | FloatVifResult | FloatAdmResult | SpeedChromaResult | { cambi: number } | number)[] = extractors.map((e, x) => {
      if (e.kind === 'cambi') return { cambi: this.cambi[x]!.score(dist) };
      if (e.kind === 'speed_chroma') {
        if (!chroma) throw new IqaError('E_INPUT', `${this.model.source} needs the chroma planes (speed_chroma)`);
        return this.speed[x]!.score(chroma.ref[0], chroma.ref[1], chroma.dist[0], chroma.dist[1]);
      }
      if (e.kind === 'float_vif') return floatVif(ref, dist, this.fVifWs[x]!, { enhnGainLimit: e.options.vif_enhn_gain_limit });
      if (e.kind === 'float_adm') {
        return floatAdm(ref, dist, this.fAdmWs[x]!, { enhnGainLimit: e.options.adm_enhn_gain_limit, dlmWeight: e.options.adm_dlm_weight, minVal: e.options.adm_min_val });
      }
      if (e.kind === 'float_motion') return prevRef ? floatMotionSad(prevRef, ref, this.fMotionWs[x]!, e.options.motion_max_val) : 0;
      if (e.kind === 'vif') return integerVif(ref, dist, this.vifWs[x]!, { enhnGainLimit: e.options.vif_enhn_gain_limit });
      if (e.kind === 'adm') {
        // AIM only where the model reads aim or adm3 (vmaf_v0.6.1 reads neither).
        const skipAim = !features.some((f) => f.ex === x && (f.pick === 'aim' || f.pick === 'adm3'));
        return integerAdm(ref, dist, this.admWs[x]!, { ...admOptions(e.options), skipAim });
      }
      return prevRef ? integerMotionSad(prevRef, ref, this.bitDepth, e.options.motion_max_val, this.row, this.rowIdx) : 0;
    });
    features.forEach(({ ex, pick }, i) => {
      const r = results[ex]!;
      if (typeof r === 'number') {
        out[i] = pick === 'sad' ? r : Number.NaN; // motion2/3 are filled in when the next SAD is known
      } else if ('cambi' in r) {
        out[i] = r.cambi;
      } else if ('uv' in r) {
        out[i] = r[pick as 'u' | 'v' | 'uv'];
      } else if ('adm2' in r) {
        out[i] = pick === 'adm2' ? r.adm2 : pick === 'aim' ? r.aim : pick === 'adm3' ? r.adm3 : r.scales[Number(pick.slice(5))]!;
      } else {
        out[i] = r.scores[Number(pick.slice(5))]!;
      }
    });
    const n = features.length;
    results.forEach((r, x) => (out[n + x] = typeof r === 'number' ? r : 0));
    return out;
  }
}

/**
 * The ordered half of a VMAF run (one per video pair): takes each frame's VmafFeatureExtractor vector
 * in frame order, fills in motion2/motion3 (min of this frame's and the next frame's SAD) and predicts
 * the score. A frame's score is known one frame late: `push(k)` returns frame k−1, `finish` the last.
 * Cheap (the SVM on a handful of numbers): it may run on any thread.
 */
export class VmafScoreSequencer {
  readonly model: VmafModel;
  private readonly predict: VmafPredictOptions;
  private readonly plan: FeaturePlan;
  private readonly scratch: Float64Array;
  private readonly inputs: Float64Array;
  private pending: { frame: number; values: Float64Array } | null = null;
  private frames = 0;

  constructor(model: VmafModel, predict: VmafPredictOptions = {}) {
    this.model = model;
    this.predict = predict;
    this.plan = planFeatures(model);
    this.scratch = new Float64Array(model.featureNames.length);
    this.inputs = new Float64Array(model.featureNames.length);
  }

  /** Frames pushed so far. */
  get count(): number {
    return this.frames;
  }

  /** Frame k's feature vector (k = count, in order; the vector is kept); returns frame k−1's score once k ≥ 1. */
  push(k: number, vector: Float64Array): VmafFrame[] {
    if (k !== this.frames) throw new RangeError(`VMAF frames must come in order: frame ${k} after ${this.frames} frames`);
    if (vector.length !== this.plan.features.length + this.plan.extractors.length) throw new RangeError(`a VMAF feature vector of ${vector.length} numbers does not fit ${this.model.source}`);
    const out: VmafFrame[] = [];
    if (this.pending) out.push(this.complete(this.pending, vector));
    this.pending = { frame: k, values: vector };
    this.frames++;
    return out;
  }

  /** The last frame's score (none when no frame was pushed); the sequencer is spent afterwards. */
  finish(): VmafFrame[] {
    if (!this.pending) return [];
    const last = this.complete(this.pending, null);
    this.pending = null;
    return [last];
  }

  /** Fills motion2/motion3 of a held-back frame from the next frame's SADs (null: it was the last). */
  private complete(p: { frame: number; values: Float64Array }, next: Float64Array | null): VmafFrame {
    const values = p.values;
    const n = this.plan.features.length;
    this.plan.features.forEach(({ ex, pick }, i) => {
      const e = this.plan.extractors[ex]!;
      if (!isMotion(e.kind) || pick === 'sad') return;
      const max = e.options.motion_max_val!;
      const sad = values[n + ex]!;
      const nextSad = next ? next[n + ex]! : null;
      let m2: number;
      if (p.frame === 0) m2 = 0;
      else m2 = nextSad !== null ? Math.min(sad, nextSad) : sad;
      if (pick === 'motion2') values[i] = m2;
      else if (p.frame === 0) values[i] = nextSad !== null ? Math.min(nextSad, max) : 0;
      else values[i] = Math.min(m2, max);
    });
    const features: Record<string, number> = {};
    this.model.featureNames.forEach((name, i) => {
      features[name] = values[i]!;
      this.inputs[i] = values[i]!;
    });
    return { frame: p.frame, score: predictVmaf(this.model, this.inputs, this.predict, this.scratch), features };
  }
}

/**
 * Both halves for frames that come in order (tests, one thread): keeps a copy of the previous
 * reference frame for motion.
 */
export class VmafPairScorer {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly model: VmafModel;
  private readonly extractor: VmafFeatureExtractor;
  private readonly sequencer: VmafScoreSequencer;
  private readonly prev: Uint16Array;
  private frames = 0;

  constructor(model: VmafModel, width: number, height: number, bitDepth: number, predict: VmafPredictOptions = {}, chromaShifts: readonly [number, number] | null = [1, 1]) {
    this.model = model;
    this.width = width;
    this.height = height;
    this.bitDepth = bitDepth;
    this.extractor = new VmafFeatureExtractor(model, width, height, bitDepth, chromaShifts);
    this.sequencer = new VmafScoreSequencer(model, predict);
    this.prev = new Uint16Array(width * height);
  }

  /** Frames pushed so far. */
  get count(): number {
    return this.frames;
  }

  /** Reads frame k (= count) of both sides (and their chroma for speed_chroma); returns frame k−1's score once k ≥ 1. */
  push(ref: Plane<Uint8Array | Uint16Array>, dist: Plane<Uint8Array | Uint16Array>, chroma: VmafChroma | null = null): VmafFrame[] {
    const { width: w, height: h } = this;
    if (ref.width !== w || ref.height !== h) throw new IqaError('E_MISMATCH', `VMAF: frame ${this.frames} is ${ref.width}x${ref.height}, expected ${w}x${h}`);
    const prev: Plane<Uint16Array> | null = this.frames > 0 ? { data: this.prev, width: w, height: h, stride: w } : null;
    const vector = this.extractor.extract(ref, dist, prev, undefined, chroma);
    for (let i = 0; i < h; i++) this.prev.set(ref.data.subarray(i * ref.stride, i * ref.stride + w), i * w);
    return this.sequencer.push(this.frames++, vector);
  }

  /** The last frame's score (none when no frame was pushed); the scorer is spent afterwards. */
  finish(): VmafFrame[] {
    return this.sequencer.finish();
  }
}

export interface VmafPooled {
  readonly mean: number;
  readonly harmonicMean: number;
  readonly min: number;
  readonly max: number;
}

/** libvmaf's poolings of per-frame scores: mean, harmonic mean n/Σ(1/(s+1)) − 1, min and max. */
export function poolVmaf(scores: ArrayLike<number>): VmafPooled {
  const n = scores.length;
  if (n === 0) throw new IqaError('E_INPUT', 'no VMAF frames to pool');
  let sum = 0;
  let inv = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    sum += s;
    inv += 1 / (s + 1);
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return { mean: sum / n, harmonicMean: n / inv - 1, min, max };
}
