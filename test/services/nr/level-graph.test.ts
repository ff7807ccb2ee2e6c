/**
 * The derived level graphs (services/nr/graph-surgery.ts) against the LPIPS graphs they come from:
 * the manifest's level tensors are the ones LPIPS taps, the derived graph's level outputs are the same
 * tensors the original graph computes for the same input, its pooled outputs are the per-channel mean
 * and standard deviation of those tensors, and the surgery is deterministic.
 */
import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { deriveLevelGraph, lpipsTaps } from '../../../src-main/services/nr/graph-surgery';
import { levelBackboneSpec } from '../../../src-main/services/nr/level-backbones';
import { manifestEntry } from '../../../src-main/services/models/manifest';
import { sharedData, sharedModel } from '../../helpers/shared-data';

const haveModels = sharedData('models');

/**
 * Level outputs vs the original graph: the derived graph runs the same nodes with the same weights
 * on the same input; measured here (CPU provider) they are bit-identical (max difference 0). 1e-5
 * absolute is the bound asked of this surgery and leaves room for another provider choosing another
 * kernel when the graph around a node changes.
 */
const LEVEL_TOL = 1e-5;
/**
 * Pooling vs a float64 computation from the level tensor itself: onnxruntime sums in float32.
 * Measured on these inputs: at most 1.7e-7 relative for the means and 1.3e-6 for the standard
 * deviations, so 1e-5 of the channel's magnitude plus 1e-6 absolute leaves a margin of ~8x or more.
 */
const POOL_REL = 1e-5;
const POOL_ABS = 1e-6;

/** A deterministic input in [-1, 1] (no Math.random: a failure must reproduce). */
function input(h: number, w: number, seed: number): Float32Array {
  const out = new Float32Array(3 * h * w);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.round((s / 2 ** 32) * 255) / 127.5 - 1;
  }
  return out;
}

/** The original graph with extra graph outputs (the level tensors), nothing else changed. */
function withOutputs(source: Uint8Array, tensors: string[]): Uint8Array {
  const m = onnx.ModelProto.decode(source);
  for (const t of tensors) m.graph!.output!.push(onnx.ValueInfoProto.create({ name: t, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  return onnx.ModelProto.encode(m).finish();
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const CASES = [
  { backbone: 'alexnet-levels', model: 'lpips-alex' },
  { backbone: 'squeezenet-levels', model: 'lpips-squeeze' },
] as const;

describe.skipIf(!haveModels)('level graph surgery on the LPIPS graphs', () => {
  for (const c of CASES) {
    const spec = levelBackboneSpec(c.backbone);
    const entry = manifestEntry(c.model);
    const file = sharedModel(`${entry.folder}/${entry.files[0]!.name}`);

    it(`${c.backbone}: the manifest's levels are the tensors LPIPS taps on img0, in order`, () => {
      const src = readFileSync(file);
      expect(spec.levels.map((l) => l.tensor)).toEqual(lpipsTaps(src, spec.input));
      expect(spec.levels).toHaveLength(c.backbone === 'alexnet-levels' ? 5 : 7);
    });

    it(`${c.backbone}: one input, pruned of the img1 branch and the LPIPS head, deterministic`, () => {
      const src = readFileSync(file);
      const a = deriveLevelGraph(src, { input: spec.input, levels: spec.levels });
      const b = deriveLevelGraph(src, { input: spec.input, levels: spec.levels });
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      const g = onnx.ModelProto.decode(a.bytes).graph!;
      expect(g.input!.map((i) => i.name)).toEqual(['image']);
      expect(g.output!.map((o) => o.name)).toEqual(spec.levels.flatMap((l) => [l.name, `${l.name}_mean`, `${l.name}_std`]));
      const inits = g.initializer!.map((t) => t.name!);
      expect(inits.some((n) => n.startsWith('lins.'))).toBe(false);
      expect(a.droppedInitializers).toBe(spec.levels.length); // one linear head per level
      const tensors = new Set(g.node!.flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]));
      expect([...tensors].some((t) => t.includes('_1/') || t === 'img1' || t === 'distance' || t === 'spatial_map')).toBe(false);
      expect(a.bytes.length).toBeLessThan(src.length);
    });

    it(`${c.backbone}: level outputs equal the original graph's tensors within ${LEVEL_TOL}; pooled outputs equal a float64 mean and std`, async () => {
      const src = readFileSync(file);
      const derived = deriveLevelGraph(src, { input: spec.input, levels: spec.levels });
      const original = await ort.InferenceSession.create(withOutputs(src, spec.levels.map((l) => l.tensor)));
      const mine = await ort.InferenceSession.create(derived.bytes);
      try {
        const [h, w] = [67, 90]; // odd sizes: the strides and pools round
        const x0 = input(h, w, 1);
        const x1 = input(h, w, 2);
        const ref = await original.run({ img0: new ort.Tensor('float32', x0, [1, 3, h, w]), img1: new ort.Tensor('float32', x1, [1, 3, h, w]) });
        const got = await mine.run({ image: new ort.Tensor('float32', x0.slice(), [1, 3, h, w]) });
        for (const l of spec.levels) {
          const r = ref[l.tensor]!;
          const d = got[l.name]!;
          expect(d.dims).toEqual(r.dims);
          expect(d.dims[1]).toBe(l.channels);
          expect(maxAbsDiff(d.data as Float32Array, r.data as Float32Array)).toBeLessThanOrEqual(LEVEL_TOL);
          // pooling, from the level tensor itself, in float64
          const data = d.data as Float32Array;
          const n = d.dims[2]! * d.dims[3]!;
          const mean = got[`${l.name}_mean`]!.data as Float32Array;
          const std = got[`${l.name}_std`]!.data as Float32Array;
          expect(mean.length).toBe(l.channels);
          for (let ch = 0; ch < l.channels; ch++) {
            let s = 0;
            for (let i = 0; i < n; i++) s += data[ch * n + i]!;
            const m = s / n;
            let v = 0;
            for (let i = 0; i < n; i++) v += (data[ch * n + i]! - m) ** 2;
            const sd = Math.sqrt(v / n);
            expect(Math.abs(mean[ch]! - m)).toBeLessThanOrEqual(POOL_ABS + POOL_REL * Math.abs(m));
            expect(Math.abs(std[ch]! - sd)).toBeLessThanOrEqual(POOL_ABS + POOL_REL * Math.max(Math.abs(m), sd));
          }
        }
      } finally {
        await original.release();
        await mine.release();
      }
    });
  }

  it('writes ReduceMean for opset 18 and later with its axes as an input, with the same results', async () => {
    const src = readFileSync(sharedModel('lpips-alex/lpips_alex_v0.1.onnx'));
    const m = onnx.ModelProto.decode(src);
    // The kept AlexNet nodes (Sub, Div, Conv, Relu, MaxPool) mean the same in opset 18; only ReduceMean changed.
    m.opsetImport = [{ domain: '', version: 18 }];
    const spec = levelBackboneSpec('alexnet-levels');
    const v17 = deriveLevelGraph(src, { input: spec.input, levels: spec.levels });
    const v18 = deriveLevelGraph(onnx.ModelProto.encode(m).finish(), { input: spec.input, levels: spec.levels });
    const reduce = onnx.ModelProto.decode(v18.bytes).graph!.node!.filter((n) => n.opType === 'ReduceMean');
    expect(reduce.every((n) => n.input!.length === 2 && !(n.attribute ?? []).some((a) => a.name === 'axes'))).toBe(true);
    const [a, b] = await Promise.all([ort.InferenceSession.create(v17.bytes), ort.InferenceSession.create(v18.bytes)]);
    try {
      const x = input(64, 64, 3);
      const names = spec.levels.flatMap((l) => [`${l.name}_mean`, `${l.name}_std`]);
      const ra = await a.run({ image: new ort.Tensor('float32', x, [1, 3, 64, 64]) }, names);
      const rb = await b.run({ image: new ort.Tensor('float32', x.slice(), [1, 3, 64, 64]) }, names);
      for (const n of names) expect(Array.from(rb[n]!.data as Float32Array)).toEqual(Array.from(ra[n]!.data as Float32Array));
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('names a missing input or level tensor in one E_MODEL line', () => {
    const src = readFileSync(sharedModel('lpips-alex/lpips_alex_v0.1.onnx'));
    expect(() => deriveLevelGraph(src, { input: 'imgX', levels: [{ name: 'a', tensor: '/features.1/Relu_output_0' }] })).toThrow(/no input "imgX" \(inputs: img0, img1\)/);
    expect(() => deriveLevelGraph(src, { input: 'img0', levels: [{ name: 'a', tensor: '/nothing' }] })).toThrow(/no tensor "\/nothing"/);
    expect(() => deriveLevelGraph(new Uint8Array([1, 2, 3, 4, 5]), { input: 'img0', levels: [{ name: 'a', tensor: 't' }] })).toThrow(/E_MODEL|not an ONNX model|holds no graph/);
  });
});
