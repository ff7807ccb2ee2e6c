/**
 * Validation of metric requests: parameters checked against the registry's specs, defaults filled
 * in. Used by the contract (inbound messages), the CLI and the engine.
 */
import { z } from 'zod';
import { METRIC_IDS, metricById, type MetricDescriptor, type MetricParams } from './metric-registry';

/** Validates a metric's parameters and fills in defaults; unknown names or values are refused. */
export function metricParamsSchema(descriptor: MetricDescriptor): z.ZodType<MetricParams> {
  const shape: Record<string, z.ZodType> = {};
  for (const p of descriptor.params) {
    shape[p.name] =
      p.type === 'enum'
        ? z.enum(p.options as [string, ...string[]]).default(p.default as string)
        : z.number().min(p.min ?? -Infinity).max(p.max ?? Infinity).default(p.default as number);
  }
  return z.strictObject(shape) as unknown as z.ZodType<MetricParams>;
}

export const metricRequestSchema = z.strictObject({
  id: z.string().refine((id) => metricById(id) !== undefined, {
    error: (issue) => `unknown metric "${String(issue.input)}" (known: ${METRIC_IDS.join(', ')})`,
  }),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type MetricRequest = z.output<typeof metricRequestSchema>;

/** A request with its parameters validated and defaulted; throws a ZodError on bad parameters. */
export function resolveMetricRequest(req: { id: string; params?: Record<string, unknown> }): { descriptor: MetricDescriptor; params: MetricParams } {
  const descriptor = metricById(req.id);
  if (!descriptor) throw new Error(`unknown metric "${req.id}" (known: ${METRIC_IDS.join(', ')})`);
  const parsed = metricParamsSchema(descriptor).safeParse(req.params ?? {});
  if (!parsed.success) {
    // One line (zod's own message is multi-line JSON), naming each parameter and its problem.
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : 'parameters'}: ${i.message}`);
    throw new Error(`${req.id}: ${problems.join('; ')}`);
  }
  const params = parsed.data;
  if (params.variant === 'ffmpeg' && params.downsample !== 'none') {
    throw new Error(`${req.id}: downsample=${params.downsample} applies to the Wang variant only`);
  }
  return { descriptor, params };
}

