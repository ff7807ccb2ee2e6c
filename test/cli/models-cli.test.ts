/**
 * `iqa models list|install|verify` (src-main/cli/models-command.ts), run in-process on a commander
 * program the way cli/main.ts runs it: stdout captured, failures printed as one `iqa: <message>`
 * line with a non-zero exit code (2 for E_INPUT, else 1).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIqaError } from '../../src-main/common/errors';
import { addModelsCommand } from '../../src-main/cli/models-command';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const SHARED_MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');

function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

async function iqa(args: string[], modelDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const program = new Command('iqa')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (stdout += s),
      writeErr: (s) => (stderr += s),
      outputError: (s, write) => write(s.startsWith('error:') ? `iqa: ${s.slice(7)}` : s),
    });
  addModelsCommand(program);
  const write = process.stdout.write;
  const savedDir = process.env.IQA_MODEL_DIR;
  process.env.IQA_MODEL_DIR = modelDir;
  process.exitCode = undefined;
  process.stdout.write = ((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  }) as typeof process.stdout.write;
  let code = 0;
  try {
    await program.parseAsync(['node', 'iqa', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) code = err.exitCode;
    else {
      const e = toIqaError(err);
      stderr += `iqa: ${e.message}\n`;
      code = e.code === 'E_INPUT' ? 2 : 1;
    }
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
    if (savedDir === undefined) delete process.env.IQA_MODEL_DIR;
    else process.env.IQA_MODEL_DIR = savedDir;
  }
  return { code, stdout, stderr };
}

let tmp: string;
beforeAll(() => {
  ensureWorkerBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'iqa-models-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!haveModels)('iqa models', () => {
  it('list --json gives every model with its state', async () => {
    const r = await iqa(['models', 'list', '--json'], SHARED_MODELS);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { dir: string; models: { id: string; state: string; comparable: boolean }[] };
    expect(doc.dir).toBe(resolve(SHARED_MODELS));
    const byId = Object.fromEntries(doc.models.map((m) => [m.id, m]));
    expect(byId['lpips-alex']).toMatchObject({ state: 'installed', comparable: true });
    expect(byId['nima-arch']).toMatchObject({ state: 'installed', comparable: false });
    expect(byId['fid-inception']!.state).toBe('missing');
  });

  it('list prints a table that flags random weights and missing models', async () => {
    const r = await iqa(['models', 'list'], SHARED_MODELS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model directory: /);
    expect(r.stdout).toMatch(/\nid\s+state\s+kind\s+file\s+sha256\s+note\n/);
    expect(r.stdout).toMatch(/\nfid-inception-arch\s+installed\s+features\s+fid_inception_v3_arch\.onnx\s+f3db555d9e79\s+random weights: outputs are not metric values\n/);
    expect(r.stdout).toMatch(/\nlpips-vgg\s+missing\s+/);
  });

  it('verify <id> --json runs the probes and passes', async () => {
    const r = await iqa(['models', 'verify', 'lpips-squeeze', '--json'], SHARED_MODELS);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { pass: boolean; models: { id: string; provider: string; probes: { probe: string; pass: boolean; outputs: { maxAbs: number }[] }[] }[] };
    expect(doc.pass).toBe(true);
    expect(doc.models[0]!.probes.map((p) => p.probe)).toEqual(['probe0', 'probe1', 'probe2', 'probe3']);
    expect(doc.models[0]!.probes[3]!.outputs[0]!.maxAbs).toBeLessThan(1e-5);
  });

  it('verify --probe prints one row per output and the tolerance with its reason', async () => {
    const r = await iqa(['models', 'verify', 'nima-arch', '--probe', 'photo'], SHARED_MODELS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nnima-arch\s+photo\s+mean_score\s+\S+\s+\S+\s+ok\s+(cpu|cuda), \d+ ms, random weights\n/);
    expect(r.stdout).toContain('nima-arch: tolerance max abs 0.0001, rel to max 0.0001 (provenance suggestion');
  });

  it('a missing model, an unknown id or a bad file is one iqa: line and a non-zero exit', async () => {
    const missing = await iqa(['models', 'verify', 'lpips-vgg'], SHARED_MODELS);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^iqa: model lpips-vgg is not installed: lpips_vgg_v0\.1\.onnx is not in .*; source: vgg16-397923af\.pth/);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    const unknown = await iqa(['models', 'verify', 'nope'], SHARED_MODELS);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/^iqa: command-argument value 'nope' is invalid for argument 'id'\. unknown model \(known: lpips-alex/);
    const bad = join(tmp, 'lpips_alex_v0.1.onnx');
    writeFileSync(bad, 'garbage');
    const install = await iqa(['models', 'install', bad], tmp);
    expect(install.code).toBe(1);
    expect(install.stderr).toMatch(/^iqa: model lpips-alex: .* has sha256 [0-9a-f]{64}, expected 20f235b98cf641b8df89c7d5675d5a7a59a3246780386536da276972fec8a347 for lpips_alex_v0\.1\.onnx/);
  });

  it('install copies a verified file; verify without an id then checks what is installed', async () => {
    const dir = join(tmp, 'models');
    const r = await iqa(['models', 'install', join(SHARED_MODELS, 'cnniqa/cnniqa_live.onnx')], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`installed cnniqa-live: ${join(dir, 'cnniqa', 'cnniqa_live.onnx')} (sha256 d5078ec5097a44385684e4a93b36f40798ac0122176e4297b82ea9e9a8b97140, matches the manifest)`);
    expect(r.stdout).toContain('note: lidq92/CNNIQA states no licence');
    const v = await iqa(['models', 'verify', '--json'], dir);
    expect(v.code).toBe(0);
    const doc = JSON.parse(v.stdout) as { pass: boolean; models: { id: string; pass: boolean }[] };
    expect(doc.models.map((m) => [m.id, m.pass])).toEqual([['cnniqa-live', true]]);
  });
});
