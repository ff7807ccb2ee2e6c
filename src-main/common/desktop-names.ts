/**
 * The desktop-only page request (native open dialogs, common/desktop.ts) as names and types, free of
 * zod so the preload and the renderer can import it; desktop.ts holds its schema.
 */
export const PICK_PATH_CHANNEL = 'iqa:desktop:pick-path';

export interface PickPathRequest {
  kind: 'folder' | 'file';
  title?: string;
  /** For files: e.g. [{ name: 'CSV manifest', extensions: ['csv'] }]. */
  filters?: { name: string; extensions: string[] }[];
}

/** The chosen absolute path, or null when the user cancelled. */
export interface PickPathReply {
  path: string | null;
}
