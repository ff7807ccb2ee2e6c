/**
 * `iqa models list|install|verify`: the model directory from the command line, through the engine's
 * `models.*` commands (verify is a job). Output for scripts on stdout (--json: one JSON document);
 * failures are thrown as IqaErrors, which main() prints as one `iqa: <message>` line with a non-zero
 * exit. `verify` exits 1 when a probe fails.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { IqaError } from '../common/errors';
import { toJsonNumber } from '../common/json-numbers';
import type { ModelRow, ModelVerificationJson } from '../common/domain';
import { loadManifest } from '../services/models/manifest';
import { withEngine } from './engine-client';
import { createProgress } from './progress';
import { printTable } from './table';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
};

const modelId = (v: string) => {
  const ids = loadManifest().models.map((m) => m.id);
  if (!ids.includes(v)) throw new InvalidArgumentError(`unknown model (known: ${ids.join(', ')})`);
  return v;
};

const sci = (v: number) => (Number.isNaN(v) ? 'NaN' : v === 0 ? '0' : v.toExponential(1));

function statusNote(m: ModelRow): string {
  const notes: string[] = [];
  if (!m.comparable) notes.push(m.comparableNote ?? 'not comparable');
  if (!m.redistributable) notes.push('no licence to redistribute');
  for (const f of m.files) if (f.note && f.state !== 'installed') notes.push(f.note);
  return notes.join('; ');
}

/** A statistic as JSON: NaN -> null, ±Infinity -> strings (common/json-numbers.ts); already converted values as they are. */
const jsonNum = (v: unknown) => (typeof v === 'number' ? toJsonNumber(v) : v);

function verificationJson(v: ModelVerificationJson) {
  return {
    ...v,
    probes: v.probes.map((p) => ({
      ...p,
      outputs: p.outputs.map((o) => ({ ...o, maxAbs: jsonNum(o.maxAbs), maxRel: jsonNum(o.maxRel), relToMax: jsonNum(o.relToMax), refMaxAbs: jsonNum(o.refMaxAbs) })),
    })),
  };
}

/** A statistic for the table (the job's values are numbers, or null for NaN once serialised). */
const sciOf = (v: unknown) => (typeof v === 'number' ? sci(v) : v === null ? 'NaN' : String(v));

export function addModelsCommand(program: Command): void {
  const models = program.command('models').description('neural models and parameter files: list, install, verify (directory: IQA_MODEL_DIR, else <user data>/models)');

  models
    .command('list')
    .description('every supported model with its state: installed, unverified (no known hash), missing or wrong-hash')
    .option('--json', 'print one JSON object')
    .action((o: { json?: boolean }) =>
      withEngine({}, async (engine) => {
      const { dir, models: list } = await engine.call('models.list', {});
      if (o.json) {
        process.stdout.write(JSON.stringify({ dir, models: list }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`model directory: ${dir}\n`);
      printTable(
        ['id', 'state', 'kind', 'file', 'sha256', 'note'],
        list.map((m) => [m.id, m.state, m.kind, m.files.map((f) => f.name).join(', '), m.files.map((f) => (f.actualSha256 ?? f.expectedSha256 ?? '-').slice(0, 12)).join(', '), statusNote(m)]),
      );
      }),
    );

  models
    .command('install')
    .description('check a model file against the manifest (SHA-256) and copy it into the model directory')
    .argument('<file>', 'the model file (its probes.json, probes/ and licence files beside it are copied too)')
    .option('--as <id>', 'the model a locally exported file (no known hash) belongs to', modelId)
    .option('--json', 'print one JSON object')
    .action((file: string, o: { as?: string; json?: boolean }) =>
      withEngine({}, async (engine) => {
        const { notes, ...r } = await engine.call('models.install', { file: resolve(file), ...(o.as !== undefined ? { as: o.as } : {}) });
        if (o.json) {
          process.stdout.write(JSON.stringify(r, null, 2) + '\n');
          return;
        }
        process.stdout.write(`installed ${r.id}: ${r.path} (sha256 ${r.sha256}${r.verified ? ', matches the manifest' : ', unverified: the manifest has no hash for this file'})\n`);
        for (const n of notes) process.stdout.write(`note: ${n}\n`);
      }),
    );

  models
    .command('verify')
    .description("run a model's probe inputs and compare with the reference outputs (all installed models when no id is given)")
    .argument('[id]', 'model id', modelId)
    .option('--probe <name...>', 'only these probes')
    .option('--max-probes <n>', 'at most n probes per model', int)
    .option('--json', 'print one JSON object')
    .action((id: string | undefined, o: { probe?: string[]; maxProbes?: number; json?: boolean }) =>
      withEngine({}, async (engine) => {
        if (o.probe && !id) throw new IqaError('E_INPUT', '--probe needs a model id');
        const modelDir = engine.modelDir;
        const results = await engine.job(
          'models.verify',
          { ...(id ? { id } : {}), ...(o.probe ? { probes: o.probe } : {}), maxProbes: o.maxProbes ?? null },
          o.json ? { update: () => undefined, stop: () => undefined } : createProgress('models'),
        );
        const failed = results.filter((r) => !r.pass);
        if (o.json) {
          process.stdout.write(JSON.stringify({ dir: modelDir, pass: failed.length === 0 && results.length > 0, models: results.map(verificationJson) }, null, 2) + '\n');
        } else {
          const rows: string[][] = [];
          for (const r of results) {
            if (r.skipped) rows.push([r.id, '-', '-', '-', '-', r.pass ? 'ok' : 'FAIL', r.skipped]);
            for (const p of r.probes) {
              for (const out of p.outputs) {
                rows.push([r.id, p.probe, out.name, sciOf(out.maxAbs), sciOf(out.relToMax), out.pass ? 'ok' : 'FAIL', out.problem ?? `${r.provider ?? 'our kernel'}, ${p.runMs.toFixed(0)} ms${r.comparable ? '' : ', random weights'}`]);
              }
            }
          }
          printTable(['model', 'probe', 'output', 'max abs', 'rel to max', 'result', 'note'], rows);
          if (results.length === 0) process.stdout.write(`no installed model in ${modelDir}\n`);
          for (const r of results) {
            if (r.tolerance && r.probes.length) process.stdout.write(`${r.id}: tolerance max abs ${r.tolerance.maxAbs}${r.tolerance.relToMax ? `, rel to max ${r.tolerance.relToMax}` : ''} (${r.tolerance.reason})\n`);
          }
        }
        if (failed.length > 0 || results.length === 0) process.exitCode = 1;
      }),
    );
}
