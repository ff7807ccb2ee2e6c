/** Small media generated with the real ffmpeg inside tests (nothing binary is committed). */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

export function ffmpeg(args: string[]): void {
  mkdirSync(dirname(args[args.length - 1]!), { recursive: true });
  execFileSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * ffmpeg without holding the test's event loop: a test that makes many files in a row with the sync
 * form kept vitest's worker from answering its runner for over a minute on a busy machine (the runner
 * then drops the file's results with "Timeout calling onTaskUpdate").
 */
export function ffmpegAsync(args: string[]): Promise<void> {
  mkdirSync(dirname(args[args.length - 1]!), { recursive: true });
  return new Promise((resolve, reject) => {
    execFile(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], (err, _stdout, stderr) => (err ? reject(new Error(`ffmpeg ${args.join(' ')}: ${stderr || err.message}`)) : resolve()));
  });
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `iqa-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A distinct test picture per index (hue-rotated test pattern), as PNG. */
const pngArgs = (file: string, index: number, size: string, filter: string) => ['-f', 'lavfi', '-i', `testsrc2=size=${size},hue=h=${index * 47}${filter ? ',' + filter : ''}`, '-frames:v', '1', file];

export function makePng(file: string, index: number, size = '64x48', filter = ''): void {
  ffmpeg(pngArgs(file, index, size, filter));
}

/** makePng without holding the event loop (ffmpegAsync). */
export function makePngAsync(file: string, index: number, size = '64x48', filter = ''): Promise<void> {
  return ffmpegAsync(pngArgs(file, index, size, filter));
}

/** A short H.264 MP4 (yuv420p). */
export function makeMp4(file: string, index: number, size = '64x48', frames = 10, fps = 10): void {
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps},hue=h=${index * 47}`, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', file]);
}

/**
 * The e2e/integration layout: 3 references in ref/ with 2 distortions each, in dist/, named
 * <ref>_<distortion>.<ext>: src01 and src02 are PNG pictures (distortions: blur, noise; PNG), src03 is
 * a short MP4 (10 frames, lossless H.264; distortions: blur, x264 at a low quality; MP4). Every pair
 * is comparable frame by frame, so metrics can run on all 6.
 */
export function makeStudyFolder(root: string): { refs: string[]; distorted: string[] } {
  mkdirSync(join(root, 'ref'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  const refs: string[] = [];
  const distorted: string[] = [];
  ['src01', 'src02'].forEach((name, i) => {
    const ref = join(root, 'ref', `${name}.png`);
    makePng(ref, i, '96x64');
    refs.push(ref);
    const blur = join(root, 'dist', `${name}_blur.png`);
    makePng(blur, i, '96x64', 'gblur=sigma=2');
    const noise = join(root, 'dist', `${name}_noise.png`);
    makePng(noise, i, '96x64', 'noise=alls=25:allf=u');
    distorted.push(blur, noise);
  });
  const src = `testsrc2=size=96x64:rate=10,hue=h=${2 * 47}`;
  const ref = join(root, 'ref', 'src03.mp4');
  ffmpeg(['-f', 'lavfi', '-i', src, '-frames:v', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', ref]);
  const blur = join(root, 'dist', 'src03_blur.mp4');
  ffmpeg(['-f', 'lavfi', '-i', `${src},gblur=sigma=2`, '-frames:v', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', blur]);
  const x264 = join(root, 'dist', 'src03_x264.mp4');
  ffmpeg(['-f', 'lavfi', '-i', src, '-frames:v', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '40', x264]);
  refs.push(ref);
  distorted.push(blur, x264);
  return { refs, distorted };
}
