/**
 * What the study service and host tests share: an image stimulus record to store directly (no media file
 * needed unless the test makes one), and a contract call through host/dispatch.ts that throws the engine's
 * error with its code.
 */
import type { Engine } from '../../src-main/services/engine';
import type { StimulusRecord } from '../../src-main/services/store/stimuli-repo';
import { dispatch } from '../../src-main/host/dispatch';

/** A 64×48 PNG stimulus at media/<name>.png, with a fake content hash derived from its name. */
export const imageRecord = (name: string, role: 'reference' | 'distorted', content: string): StimulusRecord => ({
  path: `media/${name}.png`, name, role, content, sha256: name.padEnd(64, '0').slice(0, 64), sizeBytes: 1000, kind: 'image', container: 'png_pipe', codec: 'png',
  width: 64, height: 48, frameCount: 1, fps: null, durationS: null, pixFmt: 'rgb24', bitDepth: 8, colorSpace: null, colorRange: null, colorPrimaries: null, colorTransfer: null, attributes: {}, rawGeometry: null,
});

/** Calls `name` through dispatch (validation included) with `projectDir` filled in; a failure throws an Error with `code`. */
export async function callCommand<T>(engine: Engine, projectDir: string, name: string, input: Record<string, unknown>): Promise<T> {
  const reply = await dispatch(engine.handlers, name, { projectDir, ...input });
  if (!reply.ok) throw Object.assign(new Error(`${name}: ${reply.error.code} ${reply.error.message}`), { code: reply.error.code });
  return reply.value as T;
}
