/**
 * Typed application errors. Every failure that reaches a user, a CLI exit or a transport is an
 * IqaError with a stable `code`, a one-line message that names the file (or input) and the problem,
 * and optional structured `details`. Errors cross process and transport boundaries as plain
 * `WireError` objects and are rebuilt on the other side.
 */
export const ERROR_CODES = [
  'E_INPUT', // a malformed command, argument or schema violation
  'E_NOT_FOUND', // a project, stimulus, file or job that does not exist
  'E_NOT_PROJECT', // a folder that is not an IQA Studio project
  'E_EXISTS', // a project that already exists where one is being created
  'E_MEDIA', // a file that cannot be read or decoded (corrupt, empty, truncated)
  'E_UNSUPPORTED', // a format or option the engine does not handle
  'E_MISMATCH', // reference and distorted disagree (size, frames, fps, bit depth)
  'E_FFMPEG_MISSING', // no usable ffmpeg/ffprobe
  'E_MODEL', // a missing, corrupt or wrong-hash model
  'E_STORE', // the project database cannot be opened or written
  'E_CANCELLED', // a job stopped because the user cancelled it
  'E_UNAUTHORIZED', // a host request without the right token
  'E_FORBIDDEN', // a path outside the folders a host request may use, or on a pseudo-filesystem
  'E_INTERNAL', // a bug: anything not anticipated above
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  file?: string;
  details?: unknown;
}

export class IqaError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { file?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IqaError';
    this.code = code;
    this.file = options.file;
    this.details = options.details;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.file !== undefined) wire.file = this.file;
    if (this.details !== undefined) wire.details = this.details;
    return wire;
  }

  static fromWire(wire: WireError): IqaError {
    return new IqaError(wire.code, wire.message, { file: wire.file, details: wire.details });
  }
}

/** Any thrown value as a typed error; unknown failures become E_INTERNAL and keep their message. */
export function toIqaError(err: unknown): IqaError {
  if (err instanceof IqaError) return err;
  if (err instanceof Error) return new IqaError('E_INTERNAL', err.message, { cause: err });
  return new IqaError('E_INTERNAL', String(err));
}

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WireError).message === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as WireError).code)
  );
}
