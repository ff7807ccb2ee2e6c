/**
 * Native open dialogs for the desktop page (common/desktop.ts): validated payload, the app's own
 * page only, the dialog attached to the asking window.
 */
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type OpenDialogOptions } from 'electron';
import { PICK_PATH_CHANNEL, pickPathSchema, type PickPathReply } from '../common/desktop';

/**
 * `onPicked` receives every path the user picked: a native dialog is the user's own choice, so the
 * engine may then use that folder, or that one file, even outside its roots.
 */
export function registerDesktopDialogs(isTrustedUrl: (url: string) => boolean, onPicked: (path: string) => void): () => void {
  ipcMain.handle(PICK_PATH_CHANNEL, async (event: IpcMainInvokeEvent, payload: unknown): Promise<PickPathReply> => {
    if (!isTrustedUrl(event.senderFrame?.url ?? '')) return { path: null };
    const req = pickPathSchema.safeParse(payload);
    if (!req.success) return { path: null };
    const options: OpenDialogOptions = {
      properties: req.data.kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'],
      ...(req.data.title ? { title: req.data.title } : {}),
      ...(req.data.filters ? { filters: req.data.filters } : {}),
    };
    const win = BrowserWindow.fromWebContents(event.sender);
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    const path = r.canceled ? null : (r.filePaths[0] ?? null);
    if (path) onPicked(path);
    return { path };
  });
  return () => ipcMain.removeHandler(PICK_PATH_CHANNEL);
}
