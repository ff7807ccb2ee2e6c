/**
 * Sandboxed preload: exposes exactly one method per contract command (and one event subscription per
 * contract event) to the page as `window.iqa`, plus the native open dialog (common/desktop.ts). No generic send/invoke of arbitrary channels, no Node
 * objects cross the bridge. Only contract names (common/contract-names.ts, common/desktop-names.ts: no
 * zod, no schemas) are imported; the main process validates every payload.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES, ipcChannel, type EventName } from '../common/contract-names';
import { PICK_PATH_CHANNEL } from '../common/desktop-names';

const commands: Record<string, (input: unknown) => Promise<unknown>> = {};
for (const name of COMMAND_NAMES) {
  const channel = ipcChannel(name);
  commands[name] = (input: unknown) => ipcRenderer.invoke(channel, input);
}

function on(event: EventName, listener: (data: unknown) => void): () => void {
  if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`);
  const channel = ipcChannel(event);
  const wrapped = (_e: IpcRendererEvent, data: unknown) => listener(data);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
}

/** Native open dialogs (desktop only); the main process validates the request. */
const desktop = { pickPath: (request: unknown) => ipcRenderer.invoke(PICK_PATH_CHANNEL, request) };

contextBridge.exposeInMainWorld('iqa', { commands, on, desktop, transport: 'ipc' });
