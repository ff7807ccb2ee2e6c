/**
 * A level backbone of the manifest (`levelBackbones`): a feature network made from an installed
 * manifest model by graph surgery (services/nr/graph-surgery.ts). The entry names the source model
 * (`from`: its one ONNX file is the graph), the image input, the tensors to expose (one per level, in
 * order, with their channel counts so a cached vector's length is known before any inference), how 8-bit
 * RGB becomes the input (value range, optional per-channel mean and std; what the graph does itself is
 * stated in `inGraph`) and an optional fixed resize. The derived file is written beside the source model.
 */
import { z } from 'zod';

export const levelBackboneSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string().min(1),
  /** The manifest model whose graph holds the backbone. */
  from: z.string().min(1),
  /** File name of the derived graph, written in the source model's folder. */
  file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/, 'a plain .onnx file name'),
  /** The source graph input the image is fed to (the other inputs and their branches are dropped). */
  input: z.string().min(1),
  levels: z
    .array(
      z.strictObject({
        /** The output name in the derived graph and in LevelFeatures. */
        name: z.string().regex(/^[A-Za-z0-9_]+$/),
        /** The tensor of the source graph. */
        tensor: z.string().min(1),
        channels: z.number().int().positive(),
      }),
    )
    .min(1),
  normalisation: z.strictObject({
    /** 8-bit v maps linearly onto [lo, hi]: lo + v·(hi − lo)/255. */
    valueRange: z.tuple([z.number(), z.number()]),
    /** Then (x − mean[c]) / std[c] per RGB channel, when given. */
    mean: z.tuple([z.number(), z.number(), z.number()]).nullable(),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).nullable(),
    inGraph: z.string().min(1),
  }),
  /** null: full resolution; else every picture is scaled to [height, width] (ffmpeg bilinear) first. */
  resize: z.tuple([z.number().int().positive(), z.number().int().positive()]).nullable(),
  /** Smallest [height, width] the backbone accepts. */
  minSize: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  licenceNote: z.string().min(1),
});

export type LevelBackboneSpec = z.output<typeof levelBackboneSchema>;
