/**
 * Graph surgery for multi-level features: from an ONNX graph that contains a backbone (the LPIPS
 * graphs hold AlexNet or SqueezeNet twice, one branch per image, then the LPIPS head), derive a graph
 * with ONE image input whose outputs are chosen intermediate tensors ("levels"), pruned to the nodes
 * those tensors need: the other branch, the head and every initializer nobody reads are dropped.
 *
 * Per level the derived graph has three outputs (level `L`, source tensor `t` of shape [N, C, H, W]):
 * - `L`: t itself (an Identity), so a test can compare it with the same tensor of the source graph;
 * - `L_mean`: the spatial mean per channel, [N, C];
 * - `L_std`: the spatial population standard deviation per channel (divisor H·W), [N, C], computed
 *   as sqrt(mean((t − mean)²)) (two passes: no cancellation of E[t²] − E[t]²).
 * The pooling is in the graph so that only 2·C numbers per level leave onnxruntime: a 1080p AlexNet
 * conv1 map alone is 33 MB, and pooling it in JavaScript would be work on the engine's thread.
 *
 * Pure: bytes in, bytes out (deterministic for the same source bytes), no file access.
 * Read with onnx-proto (ONNX 1.10's onnx.proto generated for protobufjs): the opset of the source is
 * kept; ReduceMean takes `axes` as an attribute up to opset 17, an input from opset 18, and both are
 * written accordingly.
 */
// onnx-proto is CommonJS: Node's ESM loader (the built CLI and app) sees only its default export.
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { IqaError } from '../../common/errors';

const { onnx } = onnxProto;

export interface LevelTap {
  /** Output name in the derived graph. */
  name: string;
  /** Tensor name in the source graph. */
  tensor: string;
}

export interface LevelGraphRequest {
  /** The source graph input the image goes to. */
  input: string;
  levels: readonly LevelTap[];
  /** Name of the derived graph's one input (default "image"). */
  inputName?: string;
  /** Names the source in messages. */
  label?: string;
}

export interface DerivedLevelGraph {
  bytes: Uint8Array;
  inputName: string;
  /** Output names per level: the tensor, its per-channel mean and standard deviation. */
  outputs: { level: string; raw: string; mean: string; std: string }[];
  keptNodes: number;
  droppedNodes: number;
  keptInitializers: number;
  droppedInitializers: number;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const DEFAULT_INPUT = 'image';

function modelError(label: string, message: string): IqaError {
  return new IqaError('E_MODEL', `${label}: ${message}`);
}

function tensorType(dims: (number | string)[]): Onnx.ITypeProto {
  return {
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

/** The default-domain opset the model imports (the one ReduceMean's signature depends on). */
function defaultOpset(model: Onnx.IModelProto): number {
  const imp = (model.opsetImport ?? []).find((o) => !o.domain);
  return imp ? Number(imp.version) : 0;
}

export function deriveLevelGraph(source: Uint8Array, req: LevelGraphRequest): DerivedLevelGraph {
  const label = req.label ?? 'source graph';
  const inputName = req.inputName ?? DEFAULT_INPUT;
  let model: Onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(source);
  } catch (err) {
    throw modelError(label, `not an ONNX model (${(err as Error).message})`);
  }
  const g = model.graph;
  if (!g || !g.node?.length) throw modelError(label, 'the file holds no graph');
  // protobufjs types every repeated field as optional; a decoded message always has them.
  const graphNodes = g.node;
  const graphInputs = g.input ?? [];
  const graphInits = g.initializer ?? [];
  const opset = defaultOpset(model);
  if (opset < 13) throw modelError(label, `opset ${opset} is older than 13, which the level pooling needs`);
  if (req.levels.length === 0) throw new RangeError('at least one level is needed');

  const graphInput = graphInputs.find((i) => i.name === req.input);
  if (!graphInput) throw modelError(label, `the graph has no input "${req.input}" (inputs: ${graphInputs.map((i) => i.name).join(', ')})`);

  const producer = new Map<string, number>();
  graphNodes.forEach((n, i) => {
    for (const o of n.output ?? []) if (o) producer.set(o, i);
  });
  const initializers = new Set(graphInits.map((t) => t.name ?? ''));

  const seenNames = new Set<string>();
  for (const lv of req.levels) {
    if (!producer.has(lv.tensor)) throw modelError(label, `the graph has no tensor "${lv.tensor}" (level ${lv.name})`);
    for (const n of [lv.name, `${lv.name}_mean`, `${lv.name}_std`]) {
      if (seenNames.has(n) || producer.has(n) || initializers.has(n) || n === inputName) throw new RangeError(`level output name ${n} is used twice or clashes with a tensor of the graph`);
      seenNames.add(n);
    }
  }

  // Walk back from the level tensors: every node on a path to one is kept, every other is dropped.
  const keepNode = new Set<number>();
  const neededInit = new Set<string>();
  const stack = req.levels.map((l) => l.tensor);
  const visited = new Set<string>();
  while (stack.length) {
    const t = stack.pop()!;
    if (visited.has(t)) continue;
    visited.add(t);
    const p = producer.get(t);
    if (p !== undefined) {
      if (keepNode.has(p)) continue;
      const node = graphNodes[p]!;
      if ((node.attribute ?? []).some((a) => a.g || (a.graphs && a.graphs.length))) {
        throw modelError(label, `node ${node.name || node.opType} has a subgraph; level surgery supports plain graphs only`);
      }
      keepNode.add(p);
      for (const i of node.input ?? []) if (i) stack.push(i);
    } else if (initializers.has(t)) {
      neededInit.add(t);
    } else if (t !== req.input) {
      throw modelError(label, `level tensors depend on "${t}", which is neither input "${req.input}" nor a weight`);
    }
  }
  if (!visited.has(req.input)) throw modelError(label, `no level depends on input "${req.input}"`);

  const rename = (t: string): string => (t === req.input ? inputName : t);
  // The decoded model is this call's own copy: its kept nodes are reused with the input renamed.
  const kept = graphNodes.filter((_, i) => keepNode.has(i));
  for (const n of kept) n.input = (n.input ?? []).map(rename);

  const axesAttr = (): Onnx.IAttributeProto[] => (opset >= 18 ? [] : [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2, 3] }]);
  const keepdims = (k: 0 | 1): Onnx.IAttributeProto => ({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: k });
  const extraInits: Onnx.ITensorProto[] = [];
  const axesInput = '__level_pool_axes';
  if (opset >= 18) extraInits.push({ name: axesInput, dataType: onnx.TensorProto.DataType.INT64, dims: [2], int64Data: [2, 3] });
  const reduceInputs = (x: string): string[] => (opset >= 18 ? [x, axesInput] : [x]);

  const outputs: DerivedLevelGraph['outputs'] = [];
  const outputInfo: Onnx.IValueInfoProto[] = [];
  for (const lv of req.levels) {
    const t = rename(lv.tensor);
    const p = `__${lv.name}`;
    const mean = `${lv.name}_mean`;
    const std = `${lv.name}_std`;
    kept.push(
      onnx.NodeProto.fromObject({ name: `${p}/identity`, opType: 'Identity', input: [t], output: [lv.name] }),
      onnx.NodeProto.fromObject({ name: `${p}/mean`, opType: 'ReduceMean', input: reduceInputs(t), output: [mean], attribute: [...axesAttr(), keepdims(0)] }),
      onnx.NodeProto.fromObject({ name: `${p}/mean_keep`, opType: 'ReduceMean', input: reduceInputs(t), output: [`${p}/m`], attribute: [...axesAttr(), keepdims(1)] }),
      onnx.NodeProto.fromObject({ name: `${p}/centre`, opType: 'Sub', input: [t, `${p}/m`], output: [`${p}/d`] }),
      onnx.NodeProto.fromObject({ name: `${p}/square`, opType: 'Mul', input: [`${p}/d`, `${p}/d`], output: [`${p}/d2`] }),
      onnx.NodeProto.fromObject({ name: `${p}/var`, opType: 'ReduceMean', input: reduceInputs(`${p}/d2`), output: [`${p}/var`], attribute: [...axesAttr(), keepdims(0)] }),
      onnx.NodeProto.fromObject({ name: `${p}/std`, opType: 'Sqrt', input: [`${p}/var`], output: [std] }),
    );
    outputs.push({ level: lv.name, raw: lv.name, mean, std });
    outputInfo.push(
      { name: lv.name, type: tensorType(['N', `C_${lv.name}`, `H_${lv.name}`, `W_${lv.name}`]) },
      { name: mean, type: tensorType(['N', `C_${lv.name}`]) },
      { name: std, type: tensorType(['N', `C_${lv.name}`]) },
    );
  }

  const keptInit = graphInits.filter((t) => neededInit.has(t.name ?? ''));
  const derived = onnx.ModelProto.create({
    irVersion: model.irVersion,
    opsetImport: model.opsetImport,
    producerName: 'iqa-studio level surgery',
    producerVersion: '1',
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: `${req.levels.length} levels (${req.levels.map((l) => `${l.name}=${l.tensor}`).join(', ')}) of input ${req.input}, pruned from ${label}`,
    metadataProps: [...(model.metadataProps ?? []), { key: 'iqa.levels', value: JSON.stringify(req.levels.map((l) => ({ name: l.name, tensor: l.tensor }))) }],
    graph: onnx.GraphProto.create({
      name: `${g.name || 'graph'}-levels`,
      node: kept,
      initializer: [...keptInit, ...extraInits.map((t) => onnx.TensorProto.fromObject(t))],
      input: [onnx.ValueInfoProto.create({ name: inputName, type: graphInput.type, docString: graphInput.docString })],
      output: outputInfo.map((v) => onnx.ValueInfoProto.fromObject(v)),
      valueInfo: (g.valueInfo ?? []).filter((v) => visited.has(v.name ?? '')),
    }),
  });
  const bytes = onnx.ModelProto.encode(derived).finish();
  return {
    bytes,
    inputName,
    outputs,
    keptNodes: keepNode.size,
    droppedNodes: graphNodes.length - keepNode.size,
    keptInitializers: keptInit.length,
    droppedInitializers: graphInits.length - keptInit.length,
  };
}

/**
 * The tensors an LPIPS graph's head normalises, in order, for the branch of `input`: LPIPS squares each
 * tapped feature map (x·x, then a channel sum) before its unit normalisation, so the first input of a
 * Mul node that squares a tensor reachable from `input` alone is a tap. Used to check that a manifest's
 * level list names exactly the stages LPIPS itself uses.
 */
export function lpipsTaps(source: Uint8Array, input: string): string[] {
  const g = onnx.ModelProto.decode(source).graph;
  const nodes = g?.node ?? [];
  const reach = new Set<string>([input]);
  for (const n of nodes) if ((n.input ?? []).some((i) => reach.has(i))) for (const o of n.output ?? []) reach.add(o);
  const other = new Set<string>((g?.input ?? []).map((i) => i.name ?? '').filter((n) => n !== input));
  for (const n of nodes) if ((n.input ?? []).some((i) => other.has(i))) for (const o of n.output ?? []) other.add(o);
  const out: string[] = [];
  for (const n of nodes) {
    const [a, b] = n.input ?? [];
    if (n.opType === 'Mul' && a && a === b && reach.has(a) && !other.has(a) && !out.includes(a)) out.push(a);
  }
  return out;
}
