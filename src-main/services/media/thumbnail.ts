/**
 * Thumbnails: the first frame scaled to 160 px wide, written as JPEG into the project's cache folder
 * and named by content hash (a re-import reuses them). Decoding the frame doubles as the check that
 * an image is really decodable: a truncated PNG can have a valid header that ffprobe accepts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IqaError } from '../../common/errors';
import { isSha256Hex } from '../../common/sha256';
import type { RawVideoGeometry } from '../../common/domain';
import { PROJECT_CACHE_DIR } from '../store/project-db';
import { locateFfmpeg } from './ffmpeg-locate';
import { inputArgs } from './probe';
import { lastErrorLine, runTool } from './run-tool';

export const THUMBNAIL_WIDTH = 160;

export function thumbnailPath(projectDir: string, sha256: string): string {
  // The hash comes from a project row: anything but hex would let a crafted row name another file.
  if (!isSha256Hex(sha256)) throw new IqaError('E_STORE', `${projectDir}: a stimulus has a malformed content hash (not 64 hex digits): the project database was altered`, { file: projectDir });
  return join(projectDir, PROJECT_CACHE_DIR, 'thumbs', `${sha256.slice(0, 24)}.jpg`);
}

export async function makeThumbnail(
  file: string,
  projectDir: string,
  sha256: string,
  options: { raw?: RawVideoGeometry; signal?: AbortSignal } = {},
): Promise<string> {
  const out = thumbnailPath(projectDir, sha256);
  if (existsSync(out)) return out;
  mkdirSync(join(projectDir, PROJECT_CACHE_DIR, 'thumbs'), { recursive: true });
  const { ffmpeg } = locateFfmpeg();
  const args = [
    '-v', 'error', '-xerror', '-nostdin', '-y',
    ...inputArgs(file, options.raw),
    '-frames:v', '1',
    '-vf', `scale=${THUMBNAIL_WIDTH}:-2:flags=area,format=yuvj420p`,
    '-q:v', '4',
    out,
  ];
  const res = await runTool(ffmpeg, args, { signal: options.signal, timeoutMs: 120_000 });
  if (res.code !== 0 || !existsSync(out) || res.stderr.trim()) {
    rmSync(out, { force: true });
    throw new IqaError('E_MEDIA', `${file}: cannot be decoded (${lastErrorLine(res.stderr, file)})`, { file });
  }
  return out;
}

export function thumbnailDataUrl(projectDir: string, sha256: string): string | null {
  const p = thumbnailPath(projectDir, sha256);
  if (!existsSync(p)) return null;
  return `data:image/jpeg;base64,${readFileSync(p).toString('base64')}`;
}
