/**
 * Progress on stderr: a cli-progress bar on a terminal. When stderr is a pipe or a file, nothing, or
 * with `lines` one plain line `[done/total] message` each time the message changes (a file imported,
 * a pair begun) and at the end, so that a log shows what was done without a bar's redraws.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number | null, label?: string): void;
  stop(): void;
}

export const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

export function createProgress(unit: string, options: { lines?: boolean } = {}): Progress {
  if (!process.stderr.isTTY) return options.lines ? progressLines(unit) : NO_PROGRESS;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `{bar} {value}/{total} ${unit} | ETA {eta_formatted} | {label}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label = '') {
      if (!started) {
        bar.start(total ?? done, done, { label });
        started = true;
      }
      if (total !== null) bar.setTotal(total);
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function progressLines(unit: string): Progress {
  let last: { label: string; done: number } | null = null;
  return {
    update(done, total, label = '') {
      if (label === '' && done === 0) return;
      const line = `[${done}/${total ?? '?'}${unit === 'files' ? '' : ` ${unit}`}] ${label}`.trimEnd();
      // A new message is a new line; the final count is one more unless the message said it already.
      const complete = total !== null && done >= total;
      if (label === last?.label && !(complete && last.done !== done)) return;
      last = { label, done };
      process.stderr.write(`${line}\n`);
    },
    stop: () => undefined,
  };
}
