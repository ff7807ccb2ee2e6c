/**
 * `iqa align --ref R --dist D [--max-offset N] [--json]`: the temporal alignment check of two video
 * files (docs/alignment.md): constant offset, dropped and duplicated reference frames, frame rates,
 * time bases, start times, a confidence, and the metrics' alignment options that would line the pair
 * up. The same service as the contract's `align.check` (which takes a project's stimulus); here the
 * analysis runs inline, the command line having no other work on its thread.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ALIGN_DEFAULT_MAX_OFFSET, ALIGN_MAX_OFFSET_LIMIT } from '../common/contract-names';
import type { AlignmentReport } from '../common/contract-types';
import type { RawVideoGeometry } from '../common/domain';
import { alignmentOfPair } from '../services/align/align-pair';
import { parseYuv } from './project-commands';

const maxOffsetArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > ALIGN_MAX_OFFSET_LIMIT) throw new InvalidArgumentError(`expected a whole number of frames from 0 to ${ALIGN_MAX_OFFSET_LIMIT}`);
  return n;
};

/** The metrics options that apply the suggested policy (what to pass to `iqa metrics` / `iqa run`). */
function policyFlags(r: AlignmentReport): string {
  const p = r.policy;
  const flags = [p.skipRef ? `--skip-ref ${p.skipRef}` : '', p.skipDist ? `--skip-dist ${p.skipDist}` : '', p.truncate ? '--truncate' : '', p.ignoreFps ? '--ignore-fps' : ''].filter(Boolean);
  return flags.length ? flags.join(' ') : 'none needed';
}

function printReport(r: AlignmentReport, out: (s: string) => void): void {
  const verdict = r.aligned === null ? 'cannot tell' : r.aligned ? 'aligned' : 'not aligned';
  out(`${verdict} (confidence ${r.confidence.toFixed(2)}): offset ${r.offset > 0 ? '+' : ''}${r.offset}, ${r.dropped.length} dropped, ${r.duplicated.length} duplicated\n`);
  out(`frames: reference ${r.frames.ref}, distorted ${r.frames.dist} (${r.frames.matched} matched, by ${r.matchedBy})\n`);
  out(`fps: reference ${r.fps.ref ?? 'unknown'}, distorted ${r.fps.dist ?? 'unknown'}\n`);
  if (r.dropped.length) out(`dropped (reference frames): ${r.dropped.join(' ')}\n`);
  if (r.duplicated.length) out(`duplicated (reference frames): ${r.duplicated.join(' ')}\n`);
  out(`metrics options: ${policyFlags(r)}${r.policyExact ? '' : ' (not enough: drops, duplicates or a rate conversion remain inside)'}\n`);
  for (const n of r.notes) out(`note: ${n}\n`);
}

export function addAlignCommand(program: Command): void {
  program
    .command('align')
    .description('temporal alignment of a distorted video with its reference: offset, dropped and duplicated frames, frame rates')
    .requiredOption('--ref <file>', 'reference video')
    .requiredOption('--dist <file>', 'distorted video')
    .option('--max-offset <frames>', `largest offset searched, in frames (default ${ALIGN_DEFAULT_MAX_OFFSET})`, maxOffsetArg)
    .option('--accept-decode-errors', "decode damaged files' concealed frames instead of failing")
    .option('--yuv <geometry>', 'geometry of raw .yuv inputs: WIDTHxHEIGHT:PIXFMT@FPS', parseYuv)
    .option('--json', 'print one JSON object')
    .action(async (o: { ref: string; dist: string; maxOffset?: number; acceptDecodeErrors?: boolean; yuv?: RawVideoGeometry; json?: boolean }) => {
      const r = await alignmentOfPair(
        { ref: resolve(o.ref), dist: resolve(o.dist), refRaw: o.yuv, distRaw: o.yuv },
        { maxOffset: o.maxOffset, acceptDecodeErrors: o.acceptDecodeErrors },
      );
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else printReport(r, (s) => process.stdout.write(s));
    });
}
