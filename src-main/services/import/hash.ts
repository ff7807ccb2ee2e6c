import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { kindOf } from './scan';

/**
 * SHA-256 of a regular file, streamed (constant memory for any size). The file is opened without
 * blocking and checked through its descriptor before any read: a FIFO or a device put in place of
 * a planned file must fail at once, not hang on open or stream forever.
 */
export function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      const st = fstatSync(fd);
      if (!st.isFile()) {
        closeSync(fd);
        throw new Error(`${kindOf(st)}, not a regular file`);
      }
    } catch (err) {
      reject(err);
      return;
    }
    const hash = createHash('sha256');
    const stream = createReadStream('', { fd, highWaterMark: 1 << 20, signal });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}
