/** "2/4" → { index: 2, count: 4 } (1-based, as Slurm's array task ids); null when malformed. */
export function parseShardSpec(text: string): { index: number; count: number } | null {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : null;
}
