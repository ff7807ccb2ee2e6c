/**
 * A contract reply read from an HTTP answer as the page reads it (src-renderer/src/lib/api.ts): the
 * viewer's pixels in the binary format of common/binary-reply.ts, everything else as JSON.
 */
import { BINARY_REPLY_TYPE, decodeBinaryReply } from '../../src-main/common/binary-reply';

export function replyOf(contentType: string | null | undefined, body: Uint8Array): unknown {
  if (contentType === BINARY_REPLY_TYPE) return decodeBinaryReply(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  return JSON.parse(new TextDecoder().decode(body));
}

export const isBinaryReply = (contentType: unknown): boolean => contentType === BINARY_REPLY_TYPE;
