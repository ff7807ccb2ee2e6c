#!/usr/bin/env node
/**
 * Writes the IQA-CNN++ architecture (Kang, Ye, Li, Doermann, ICIP 2015) as an ONNX graph (opset 17,
 * IR 8, float32) with deterministic random weights, for pipeline tests only: its outputs are NOT
 * quality values. Built here in Node with onnx-proto because the development machine has no PyTorch;
 * a graph from trained weights comes from iqacnnpp_export.py and has the same signature.
 *
 *   node models/export/arch_iqacnnpp.mjs [--out models/iqacnnpp-arch] [--seed 20150927]
 *
 * The layers (models/iqacnnpp-arch/provenance.md says where each number comes from):
 *   patches [N,1,32,32] (already locally contrast-normalised, outside the graph)
 *   conv1 8 × 3×3, valid, no activation          -> [N,8,30,30]
 *   max pool 2×2, stride 2                         -> [N,8,15,15]
 *   conv2 32 × 3×3, valid, no activation         -> [N,32,13,13]
 *   global max and global min pooling, concat      -> [N,64]
 *   FC 128 + ReLU, FC 512 + ReLU (dropout only in training)
 *   quality head FC 1 -> `quality` [N,1]; distortion head FC 5 -> `distortion_logits` [N,5];
 *   softmax over the classes -> `distortion_probs` [N,5]
 *
 * Weights and biases are uniform in ±1/sqrt(fan_in) (PyTorch's default Conv2d/Linear initialisation
 * bound), drawn from mulberry32 seeded with --seed, in the order the initializers are listed, so the
 * same seed always writes the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

const { values } = parseArgs({ options: { out: { type: 'string', default: 'models/iqacnnpp-arch' }, seed: { type: 'string', default: '20150927' } } });
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);

export const CLASSES = 5;

/** mulberry32: a 32-bit state generator, small enough to state exactly in provenance.md. */
function mulberry32(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(seed);
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function tensor(name, dims, fanIn) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const bound = 1 / Math.sqrt(fanIn);
  for (let i = 0; i < n; i++) data[i] = (2 * rand() - 1) * bound;
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) };
}

// Order matters: it is the order the generator draws in.
const initializers = [
  tensor('conv1.weight', [8, 1, 3, 3], 1 * 9),
  tensor('conv1.bias', [8], 1 * 9),
  tensor('conv2.weight', [32, 8, 3, 3], 8 * 9),
  tensor('conv2.bias', [32], 8 * 9),
  tensor('fc1.weight', [128, 64], 64),
  tensor('fc1.bias', [128], 64),
  tensor('fc2.weight', [512, 128], 128),
  tensor('fc2.bias', [512], 128),
  tensor('fc3_q.weight', [1, 512], 512),
  tensor('fc3_q.bias', [1], 512),
  tensor('fc3_d.weight', [CLASSES, 512], 512),
  tensor('fc3_d.bias', [CLASSES], 512),
];

const attrInts = (name, ints) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
const attrInt = (name, i) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const node = (opType, input, output, attribute = []) => ({ opType, input, output, name: output[0], attribute });
const gemm = (x, w, b, y) => node('Gemm', [x, w, b], [y], [attrInt('transB', 1)]);

const nodes = [
  node('Conv', ['patches', 'conv1.weight', 'conv1.bias'], ['conv1'], [attrInts('kernel_shape', [3, 3]), attrInts('pads', [0, 0, 0, 0]), attrInts('strides', [1, 1])]),
  node('MaxPool', ['conv1'], ['pool1'], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])]),
  node('Conv', ['pool1', 'conv2.weight', 'conv2.bias'], ['conv2'], [attrInts('kernel_shape', [3, 3]), attrInts('pads', [0, 0, 0, 0]), attrInts('strides', [1, 1])]),
  node('GlobalMaxPool', ['conv2'], ['gmax']),
  // Global min pooling as −max(−x): exactly the minimum, with no extra operator set needed.
  node('Neg', ['conv2'], ['neg2']),
  node('GlobalMaxPool', ['neg2'], ['gmaxneg']),
  node('Neg', ['gmaxneg'], ['gmin']),
  node('Concat', ['gmax', 'gmin'], ['pooled4'], [attrInt('axis', 1)]),
  node('Flatten', ['pooled4'], ['pooled'], [attrInt('axis', 1)]),
  gemm('pooled', 'fc1.weight', 'fc1.bias', 'fc1'),
  node('Relu', ['fc1'], ['h1']),
  gemm('h1', 'fc2.weight', 'fc2.bias', 'fc2'),
  node('Relu', ['fc2'], ['h2']),
  gemm('h2', 'fc3_q.weight', 'fc3_q.bias', 'quality'),
  gemm('h2', 'fc3_d.weight', 'fc3_d.bias', 'distortion_logits'),
  node('Softmax', ['distortion_logits'], ['distortion_probs'], [attrInt('axis', 1)]),
];

const dim = (d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d });
const valueInfo = (name, shape) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map(dim) } } } });

const model = {
  irVersion: 8,
  producerName: 'iqa-studio models/export/arch_iqacnnpp.mjs',
  producerVersion: '1',
  docString: `IQA-CNN++ (Kang et al., ICIP 2015) architecture with random weights (mulberry32 seed ${seed}); outputs are not quality values`,
  opsetImport: [{ domain: '', version: 17 }],
  graph: {
    name: 'iqacnnpp',
    node: nodes,
    initializer: initializers,
    input: [valueInfo('patches', ['N', 1, 32, 32])],
    output: [valueInfo('quality', ['N', 1]), valueInfo('distortion_logits', ['N', CLASSES]), valueInfo('distortion_probs', ['N', CLASSES])],
  },
};

const err = onnx.ModelProto.verify(model);
if (err) throw new Error(`ModelProto: ${err}`);
const bytes = onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
mkdirSync(values.out, { recursive: true });
const file = join(values.out, 'iqacnnpp_arch.onnx');
writeFileSync(file, bytes);
const params = initializers.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0);
console.log(`${file}: ${bytes.length} bytes, ${params} parameters, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
