/**
 * The names an analysis can be broken down (and a scatter plot coloured) by, shared by the engine, the
 * CLI and the UI so that all three offer the same ones:
 * - built-in stimulus properties: `content` (the source content: the reference's stem), `codec` (as
 *   ffprobe names it), `resolution` (width×height, e.g. "1920x1080");
 * - every attribute stored with the stimuli (from file names or the import pattern, e.g. `condition`).
 * A stored attribute with the name of a built-in property takes precedence for that name (it is what
 * the user named it). A stimulus without a value for the name belongs to no group.
 */
export const BUILTIN_BREAKDOWNS = ['content', 'codec', 'resolution'] as const;

/** What the breakdown needs of a stimulus (a subset of domain.Stimulus). */
export interface BreakdownSubject {
  content: string | null;
  referenceName?: string | null;
  codec: string | null;
  width: number;
  height: number;
  attributes: Record<string, string>;
}

/** The value of `name` for a stimulus, or null when it has none. */
export function breakdownValue(s: BreakdownSubject, name: string): string | null {
  if (Object.hasOwn(s.attributes, name)) return s.attributes[name] ?? null;
  switch (name) {
    case 'content':
      return s.content ?? s.referenceName ?? null;
    case 'codec':
      return s.codec ?? null;
    case 'resolution':
      return s.width > 0 && s.height > 0 ? `${s.width}x${s.height}` : null;
    default:
      return null;
  }
}

/** The breakdown names of a set of stimuli: the built-in properties, then the stored attributes (sorted). */
export function breakdownNames(stimuli: readonly BreakdownSubject[]): string[] {
  const attrs = new Set<string>();
  for (const s of stimuli) for (const k of Object.keys(s.attributes)) attrs.add(k);
  const builtin = new Set<string>(BUILTIN_BREAKDOWNS);
  return [...BUILTIN_BREAKDOWNS, ...[...attrs].filter((a) => !builtin.has(a)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
}
