/** Real headless Chromium (Debian's package) driven by playwright-core, and the real `npm run web` host. */
import { replyOf } from './api-reply';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { JobSnapshot } from '../../src-main/common/domain';
import { REPO_ROOT } from './media';

/**
 * How long a page or a job may take to reach the state a test waits for. A ceiling for a loaded machine
 * (a 2-core box with a load average near 10), never a pause: every wait here ends as soon as its
 * condition holds. The e2e project's expect.poll default (vitest.config.ts) is the same.
 */
export const WAIT_MS = 60_000;
/** Background jobs (import, metrics, FID) do real decoding and inference: twice the page ceiling. */
export const JOB_WAIT_MS = 2 * WAIT_MS;

export const CHROMIUM = process.env.IQA_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface WebServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built web host (what `npm run web` runs) and waits for the address it prints. */
export function startWeb(env: Record<string, string>): Promise<WebServer> {
  // The tests' projects and media live under the temporary folder: the host may use that (and its
  // user-data and model folders), nothing else.
  return startServing([join(REPO_ROOT, 'build/main/web.js'), '--port', '0', '--root', tmpdir()], env);
}

/**
 * Runs the built `iqa view <args>` (its host is `iqa web`'s) and waits for the address it prints; `out`
 * is everything it printed on stdout by then.
 */
export function startIqaView(args: string[], env: Record<string, string>): Promise<WebServer & { out: () => string }> {
  return startServing([join(REPO_ROOT, 'bin/iqa.js'), 'view', ...args], env);
}

/** Starts a node script that serves the UI and waits for its "serving at <address>" line. */
function startServing(argv: string[], env: Record<string, string>): Promise<WebServer & { out: () => string }> {
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (m) {
        resolve({
          url: m[1]!,
          process: child,
          out: () => out,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}: ${stderr}`)));
  });
}

/** A new page with the app loaded; console and page errors are collected for the test's final check. */
export async function openApp(context: BrowserContext, url: string): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await context.newPage();
  // Playwright's own default (30 s) for actions, navigation and waitForEvent, raised to the same ceiling.
  page.setDefaultTimeout(WAIT_MS);
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(url);
  return { page, consoleErrors };
}

/** Creates a project through the projects screen and waits until it is open. */
export async function createProjectInUi(page: Page, dir: string, name: string): Promise<void> {
  await page.getByTestId('create-dir').fill(dir);
  await page.getByTestId('create-name').fill(name);
  await page.getByTestId('create-submit').click();
  await expect.poll(() => page.getByTestId('project-name').textContent(), { timeout: WAIT_MS }).toBe(name);
}

/** The engine's HTTP API with the page's token, as a second client beside the page. */
export async function callApi<T>(web: WebServer, name: string, input: unknown): Promise<T> {
  const token = /token=([^&]+)/.exec(new URL(web.url).hash)![1]!;
  const res = await fetch(new URL(`/api/${name}`, web.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  const reply = replyOf(res.headers.get('content-type'), new Uint8Array(await res.arrayBuffer())) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!reply.ok) throw new Error(`${name}: ${reply.error.message}`);
  return reply.value;
}

/**
 * Waits until a background job has finished, then requires that it finished done: a failed or cancelled
 * job fails at once with its error, rather than when the wait runs out.
 */
export async function waitForJob(web: WebServer, jobId: string, timeout = JOB_WAIT_MS): Promise<void> {
  let job: JobSnapshot | undefined;
  await expect
    .poll(async () => (job = (await callApi<JobSnapshot[]>(web, 'jobs.list', {})).find((j) => j.id === jobId))?.state, { timeout, interval: 100 })
    .toMatch(/^(done|failed|cancelled)$/);
  expect(job!.state, `job ${jobId} (${job!.kind}): ${job!.error ? `${job!.error.code} ${job!.error.message}` : job!.message}`).toBe('done');
}
