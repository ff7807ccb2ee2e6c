import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Engine } from '../../src-main/services/engine';
import { startHttpHost, type HttpHost } from '../../src-main/host/http-host';
import { dispatch } from '../../src-main/host/dispatch';
import { float32View } from '../../src-main/common/binary-reply';
import { isBinaryReply, replyOf } from '../helpers/api-reply';
import { CONTENT_SECURITY_POLICY } from '../../src-main/common/csp';
import type { JobSnapshot } from '../../src-main/common/domain';
import { makeStudyFolder, REPO_ROOT, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
let engine: Engine;
let host: HttpHost;

beforeAll(async () => {
  tmp = tempDir('host');
  engine = new Engine({ userDataDir: join(tmp.dir, 'userdata'), roots: [tmp.dir] });
  host = await startHttpHost({ handlers: engine.handlers, jobs: engine.jobs, staticDir: join(REPO_ROOT, 'build/renderer') });
});
afterAll(async () => {
  await host.close();
  engine.close();
  tmp.cleanup();
});

function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${host.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: bytes.toString('utf8'), bytes });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const call = async (name: string, input: unknown, token = host.token) => {
  const r = await raw('POST', `/api/${name}`, JSON.stringify(input), { authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  return {
    status: r.status,
    binary: isBinaryReply(r.headers['content-type']),
    body: replyOf(r.headers['content-type'] as string | undefined, r.bytes) as { ok: boolean; value?: any; error?: { code: string; message: string } },
  };
};

let studyProject: Promise<string> | null = null;
/** A project with the study folder imported, made on first use, so any test may run alone. */
function importedStudyProject(): Promise<string> {
  studyProject ??= (async () => {
    const media = join(tmp.dir, 'media-shared');
    makeStudyFolder(media);
    const dir = join(tmp.dir, 'project-shared');
    expect((await call('projects.create', { dir })).body.ok).toBe(true);
    const started = await call('import.start', { projectDir: dir, source: media });
    await engine.jobs.wait(started.body.value.jobId);
    return dir;
  })();
  return studyProject;
}

describe('loopback host', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.browserUrl).toBe(`${host.url}/#token=${host.token}`);
  });

  it('refuses API calls without the token or with a wrong one', async () => {
    expect((await call('app.info', {}, 'nope')).status).toBe(401);
    const r = await raw('POST', '/api/app.info', '{}');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text).error.code).toBe('E_UNAUTHORIZED');
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    expect((await raw('POST', '/api/app.info', '{}', { host: 'evil.example:80', authorization: `Bearer ${host.token}` })).status).toBe(421);
    const r = await raw('POST', '/api/app.info', '{}', { origin: 'http://evil.example', authorization: `Bearer ${host.token}` });
    expect(JSON.parse(r.text).error.code).toBe('E_UNAUTHORIZED');
  });

  it('answers malformed messages with typed errors and keeps serving', async () => {
    const bad = await raw('POST', '/api/projects.open', '{not json', { authorization: `Bearer ${host.token}` });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.code).toBe('E_INPUT');
    const unknown = await call('projects.delete-everything', {});
    expect(unknown.body.error).toMatchObject({ code: 'E_INPUT', message: 'unknown command "projects.delete-everything"' });
    const relative = await call('projects.open', { dir: 'relative/path' });
    expect(relative.body.error).toMatchObject({ code: 'E_INPUT', message: 'projects.open: dir: must be an absolute path' });
    const extra = await call('jobs.list', { sneaky: 1 });
    expect(extra.body.error!.code).toBe('E_INPUT');
    const wrongType = await call('stimuli.thumbnail', { projectDir: '/x', stimulusId: 'one' });
    expect(wrongType.body.error!.code).toBe('E_INPUT');
    const ok = await call('app.info', {});
    expect(ok.body).toMatchObject({ ok: true, value: { version: expect.any(String) } });
  });

  it('reports a folder that is not a project as a typed error', async () => {
    const r = await call('projects.open', { dir: tmp.dir });
    expect(r.body.error!.code).toBe('E_NOT_PROJECT');
  });

  it('serves the built UI with the strict CSP and never outside its folder', async () => {
    const index = await raw('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.text).toContain('<div id="app">');
    expect((await raw('GET', '/../../package.json')).status).not.toBe(200);
    expect((await raw('GET', '/%2e%2e/%2e%2e/package.json')).status).not.toBe(200);
    expect((await raw('GET', '/..%2f..%2fpackage.json')).status).toBe(403);
  });

  it('runs an import as a job and pushes its progress over the event socket', async () => {
    const media = join(tmp.dir, 'media');
    makeStudyFolder(media);
    const projectDir = join(tmp.dir, 'project');
    expect((await call('projects.create', { dir: projectDir })).body.ok).toBe(true);

    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/events?token=${host.token}`);
    await new Promise((r) => ws.once('open', r));
    const updates: JobSnapshot[] = [];
    const finished = new Promise<JobSnapshot>((resolve) =>
      ws.on('message', (m) => {
        const { event, data } = JSON.parse(String(m)) as { event: string; data: JobSnapshot };
        expect(event).toBe('job.update');
        updates.push(data);
        if (data.state !== 'running') resolve(data);
      }),
    );
    const started = await call('import.start', { projectDir, source: media });
    const job = await finished;
    expect(job).toMatchObject({ id: started.body.value.jobId, state: 'done', done: 9, total: 9, kind: 'import' });
    expect((job.result as { added: number }).added).toBe(9);
    expect(updates.length).toBeGreaterThan(1);
    ws.close();

    const list = await call('stimuli.list', { projectDir });
    expect(list.body.value).toHaveLength(9);
    const thumb = await call('stimuli.thumbnail', { projectDir, stimulusId: list.body.value[0].id });
    expect(thumb.body.value.dataUrl).toMatch(/^data:image\/jpeg;base64,/);
    const recent = await call('projects.recent', {});
    expect(recent.body.value[0].dir).toBe(projectDir);
  });

  it('answers viewer.frameMap with the SSIM map of a stored pair, and a typed error for a reference', async () => {
    const projectDir = await importedStudyProject();
    const stimuli = (await call('stimuli.list', { projectDir })).body.value as { id: number; role: string; kind: string; width: number; height: number; frameCount: number }[];
    const video = stimuli.find((s) => s.role === 'distorted' && s.kind === 'video')!;
    const r = await call('viewer.frameMap', { projectDir, stimulusId: video.id, frame: video.frameCount - 1, metric: 'ssim-y' });
    expect([r.body.ok, r.binary]).toEqual([true, true]);
    const m = r.body.value as { width: number; height: number; value: number; map: Uint8Array; frame: number; model: null };
    expect([m.width, m.height, m.frame, m.model]).toEqual([video.width, video.height, video.frameCount - 1, null]);
    expect(m.map.byteLength).toBe(4 * m.width * m.height);
    const map = float32View(m.map);
    expect(Math.max(...map)).toBeLessThanOrEqual(1);
    expect(m.value).toBeGreaterThan(0);
    // The same frame's map as the engine computes it in-process: the transport carries it bit for bit.
    const direct = await dispatch(engine.handlers, 'viewer.frameMap', { projectDir, stimulusId: video.id, frame: video.frameCount - 1, metric: 'ssim-y' });
    expect(direct.ok && Buffer.compare(Buffer.from((direct.value as { map: Uint8Array }).map), Buffer.from(m.map))).toBe(0);
    const pixels = await call('viewer.framePixels', { projectDir, stimulusId: video.id, frame: 1 });
    expect([pixels.binary, pixels.body.value.ref.byteLength, pixels.body.value.dist.byteLength]).toEqual([true, 3 * m.width * m.height, 3 * m.width * m.height]);
    const reference = stimuli.find((s) => s.role === 'reference')!;
    const bad = await call('viewer.frameMap', { projectDir, stimulusId: reference.id, frame: 0, metric: 'ssim-y' });
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'E_INPUT', message: expect.stringContaining('has no reference') } });
    expect(bad.binary).toBe(false); // errors are JSON for every command
    const past = await call('viewer.frameMap', { projectDir, stimulusId: video.id, frame: video.frameCount, metric: 'ssim-y' });
    expect(past.body).toMatchObject({ ok: false, error: { code: 'E_INPUT', message: expect.stringContaining('past the end') } });
  });

  it('lists the supported models and whether each is installed', async () => {
    const r = await call('models.list', {});
    expect(r.body.ok).toBe(true);
    const ids = r.body.value.models.map((m: { id: string }) => m.id);
    expect(ids).toContain('lpips-alex');
    expect(ids).toContain('fid-inception');
    const bad = await call('models.install', { file: 'relative.onnx' });
    expect(bad.body.error!.code).toBe('E_INPUT');
  });

  it('refuses an event socket without the token', async () => {
    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/events?token=wrong`);
    const outcome = await new Promise((r) => {
      ws.once('open', () => r('open'));
      ws.once('error', () => r('refused'));
    });
    expect(outcome).toBe('refused');
  });
});
