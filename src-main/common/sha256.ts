/** A SHA-256 as stored and used in file names: 64 lower-case hex digits, nothing else. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}
