/**
 * The process launcher (services/media/process-launcher.ts): ffmpeg started by the small launcher
 * process writes its streams straight into this one, byte for byte what a directly spawned ffmpeg
 * writes; exit codes, a command that does not exist, abort, timeout and kill behave as with spawn; and
 * a launcher that died is replaced at the next launch.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { closeProcessLauncher, launchProcess, launcherMode, type LaunchedProcess } from '../../src-main/services/media/process-launcher';
import { locateFfmpeg } from '../../src-main/services/media/ffmpeg-locate';

const { ffmpeg } = locateFfmpeg();
/** 12 frames of 320×240 (the source ends after 1.2 s, so every output of a split ends too). */
const SOURCE = ['-hide_banner', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=1.2'];
const FRAMES = [...SOURCE, '-f', 'rawvideo', '-pix_fmt', 'yuv420p'];

afterAll(() => closeProcessLauncher());

interface Collected {
  streams: string[];
  bytes: number[];
  code: number | null;
  signal: NodeJS.Signals | null;
  errors: Error[];
}

/** Hashes every piped stream to its end and waits for 'close'. */
function collect(p: LaunchedProcess | ReturnType<typeof spawn>): Promise<Collected> {
  const streams = p.stdio.map((s) => (s ? createHash('sha256') : null));
  const bytes = p.stdio.map(() => 0);
  const errors: Error[] = [];
  p.stdio.forEach((s, i) => s?.on('data', (c: Buffer) => (streams[i]!.update(c), (bytes[i]! += c.length))));
  p.on('error', (e: Error) => errors.push(e));
  return new Promise((resolve) => p.on('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ streams: streams.map((h) => h?.digest('hex') ?? ''), bytes, code, signal, errors })));
}

describe('launchProcess', () => {
  it('runs through the launcher process on Linux', () => {
    expect(launcherMode()).toBe(process.platform === 'win32' ? 'direct' : 'launcher');
  });

  it('delivers stdout and a second output (fd 3) exactly as a directly spawned ffmpeg does', async () => {
    const args = [...SOURCE, '-filter_complex', '[0:v]split=2[a][b]', '-map', '[a]', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1', '-map', '[b]', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:3'];
    const launched = await collect(await launchProcess(ffmpeg, args, { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] }));
    const direct = await collect(spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] }));
    expect(launched.code).toBe(0);
    expect(launched.bytes[1]).toBe(12 * 320 * 240 * 1.5);
    expect(launched.bytes[3]).toBe(12 * 320 * 240 * 3);
    expect(launched.streams[1]).toBe(direct.streams[1]);
    expect(launched.streams[3]).toBe(direct.streams[3]);
  });

  it('gives stderr and a failing exit code', async () => {
    const p = await launchProcess(ffmpeg, ['-hide_banner', '-i', '/no/such/input.mp4'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const r = await collect(p);
    expect(r.code).not.toBe(0);
    expect(stderr).toMatch(/no\/such\/input\.mp4/);
  });

  it("emits 'error' with ENOENT, then 'close', for a command that does not exist", async () => {
    const r = await collect(await launchProcess('/no/such/command', [], { stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(r.errors).toHaveLength(1);
    expect((r.errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('kills on abort (AbortError) and on timeout (the kill signal)', async () => {
    const ac = new AbortController();
    const endless = ['-hide_banner', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=5', '-f', 'null', '-'];
    const aborted = await launchProcess(ffmpeg, endless, { stdio: ['ignore', 'ignore', 'pipe'], signal: ac.signal });
    const done = collect(aborted);
    ac.abort();
    const a = await done;
    expect(a.errors.map((e) => e.name)).toContain('AbortError');
    expect(a.signal).toBe('SIGTERM');

    const timed = await collect(await launchProcess(ffmpeg, endless, { stdio: ['ignore', 'ignore', 'pipe'], timeoutMs: 200, killSignal: 'SIGKILL' }));
    expect(timed.signal).toBe('SIGKILL');
  });

  it('stops a process on kill() and reports the signal', async () => {
    const p = await launchProcess(ffmpeg, ['-hide_banner', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=5', '-f', 'rawvideo', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = collect(p);
    expect(p.kill('SIGKILL')).toBe(true);
    expect(p.killed).toBe(true);
    expect((await done).signal).toBe('SIGKILL');
  });

  it('starts a new launcher when the old one is gone', async () => {
    closeProcessLauncher();
    const r = await collect(await launchProcess(ffmpeg, FRAMES.concat('-'), { stdio: ['ignore', 'pipe', 'ignore'] }));
    expect(r.code).toBe(0);
    expect(r.bytes[1]).toBe(12 * 320 * 240 * 1.5);
    expect(launcherMode()).toBe(process.platform === 'win32' ? 'direct' : 'launcher');
  });
});
