/**
 * The Electron IPC transport of the contract: one ipcMain.handle per command, on the channel the
 * contract derives from its name. The sender frame must be the app's own page (file:// from the
 * build), and the payload goes through the same dispatch (schema validation, typed errors) as HTTP.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES, ipcChannel } from '../common/contract-names';
import type { Handlers } from '../common/contract';
import type { JobManager } from '../services/jobs/job-manager';
import { dispatch, warmValidators } from './dispatch';

export function registerIpc(handlers: Handlers, jobs: JobManager, isTrustedUrl: (url: string) => boolean, windows: () => BrowserWindow[]): () => void {
  warmValidators();
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event: IpcMainInvokeEvent, payload: unknown) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedUrl(url)) return { ok: false, error: { code: 'E_UNAUTHORIZED', message: `IPC from untrusted page ${url}` } };
      return dispatch(handlers, name, payload);
    });
  }
  const unsubscribe = jobs.onUpdate((job) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(ipcChannel(EVENT_NAMES[0]), job);
  });
  return () => {
    unsubscribe();
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(ipcChannel(name));
  };
}
