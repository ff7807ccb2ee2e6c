/**
 * Desktop-only requests of the page that are not engine commands: native open dialogs. They exist
 * only in the Electron app (the browser has no access to the engine machine's file dialogs, so there
 * the path fields are typed). One IPC channel, its payload validated like every contract message.
 */
import { z } from 'zod';
import type { PickPathRequest } from './desktop-names';

export { PICK_PATH_CHANNEL, type PickPathRequest, type PickPathReply } from './desktop-names';

export const pickPathSchema = z.strictObject({
  kind: z.enum(['folder', 'file']),
  title: z.string().max(200).optional(),
  /** For files: e.g. [{ name: 'CSV manifest', extensions: ['csv'] }]. */
  filters: z
    .array(z.strictObject({ name: z.string().min(1).max(100), extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,10}$/)).min(1).max(20) }))
    .max(10)
    .optional(),
});
// The schema parses to exactly the request type the page is written against.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const PICK_PATH_TYPES_MATCH: Same<z.output<typeof pickPathSchema>, PickPathRequest> = true;
