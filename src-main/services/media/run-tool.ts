/** Runs ffmpeg/ffprobe as a child process without a shell, with cancellation and bounded output. */
import { IqaError } from '../../common/errors';
import { launchProcess } from './process-launcher';

export interface ToolResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

const MAX_STDERR = 64 * 1024;

export function runTool(
  command: string,
  args: readonly string[],
  options: { signal?: AbortSignal; maxStdout?: number; timeoutMs?: number } = {},
): Promise<ToolResult> {
  const maxStdout = options.maxStdout ?? 64 * 1024 * 1024;
  return launchProcess(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal, timeoutMs: options.timeoutMs }).then((child) => new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let outLen = 0;
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      outLen += chunk.length;
      if (outLen <= maxStdout) out.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).name === 'AbortError') reject(new IqaError('E_CANCELLED', 'cancelled'));
      else reject(new IqaError('E_FFMPEG_MISSING', `cannot run ${command}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (outLen > maxStdout) {
        reject(new IqaError('E_MEDIA', `${command} wrote more than ${maxStdout} bytes`));
        return;
      }
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  }));
}

/** The last meaningful line ffmpeg printed, for one-line error messages. */
export function lastErrorLine(stderr: string, file?: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const line = lines[lines.length - 1] ?? 'no error message';
  // ffmpeg prefixes many messages with the input path; the caller's message already names the file.
  return file && line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line;
}
