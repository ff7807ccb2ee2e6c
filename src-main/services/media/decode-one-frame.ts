/**
 * One frame out of ffmpeg as raw bytes: a short-lived decoder whose arguments select the frame and the
 * pixel format (the viewer's seek, the participant page's image). Null when the decoder wrote no frame
 * (a frame past the end); E_MEDIA when it failed or wrote a size other than one frame's.
 */
import { IqaError } from '../../common/errors';
import { locateFfmpeg } from './ffmpeg-locate';
import { launchProcess } from './process-launcher';

export function decodeOneFrame(file: string, args: string[], size: number, signal?: AbortSignal): Promise<Uint8Array | null> {
  const { ffmpeg } = locateFfmpeg();
  return launchProcess(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'], signal }).then((child) => new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
    child.on('error', (err) => {
      if (err.name === 'AbortError') reject(err);
      else reject(new IqaError('E_FFMPEG_MISSING', `cannot run ffmpeg for ${file}: ${err.message}`, { file }));
    });
    child.on('close', (code) => {
      if (code !== 0) {
        const line = stderr.trim().split('\n').pop() ?? `exit code ${code}`;
        return reject(new IqaError('E_MEDIA', `${file}: decoding failed (${line})`, { file }));
      }
      if (got === 0) return resolve(null);
      if (got !== size) return reject(new IqaError('E_MEDIA', `${file}: the decoder wrote ${got} bytes for one ${size}-byte frame`, { file }));
      resolve(new Uint8Array(Buffer.concat(chunks, got)));
    });
  }));
}
