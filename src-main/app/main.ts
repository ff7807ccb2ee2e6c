/**
 * The Electron composition root: one window, security settings, the IPC transport over the engine.
 * Nothing else lives here; everything it wires is testable without Electron.
 */
import { app, BrowserWindow, session, shell, utilityProcess } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../common/csp';
import { isAllowedExternalUrl } from '../host/external-links';
import { Engine } from '../services/engine';
import { setLauncherChannel } from '../services/media/process-launcher';
import { defaultHostRoots } from '../services/access/path-access';
import { registerDesktopDialogs } from '../host/electron-dialogs';
import { registerIpc } from '../host/electron-ipc';
import { attachLanMode } from '../host/lan-host';

// better-sqlite3 built for Electron's ABI (scripts/electron-native.mjs), kept apart from the Node build.
const electronSqlite = join(__dirname, '..', 'electron-native', `better_sqlite3-electron-${process.versions.electron}.node`);
if (!process.env.IQA_SQLITE_BINDING && existsSync(electronSqlite)) process.env.IQA_SQLITE_BINDING = electronSqlite;

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const rendererRoot = pathToFileURL(join(__dirname, '..', 'renderer') + '/').href;
const isTrustedUrl = (url: string) => url.startsWith(rendererRoot);

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'IQA Studio',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The app never navigates away from its own page nor opens windows; links go to the system browser.
  const stayHome = (e: { preventDefault(): void }, url: string) => {
    if (!isTrustedUrl(url)) e.preventDefault();
  };
  win.webContents.on('will-navigate', stayHome);
  win.webContents.on('will-redirect', stayHome);
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadFile(rendererIndex);
  return win;
}

app.enableSandbox();
app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The app needs no web permission (camera, notifications, clipboard-read, ...): deny requests and
  // synchronous checks alike.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The packaged binary cannot fork a Node process (its runAsNode fuse is off): the process launcher
  // runs as a utility process, which Electron ends with the app.
  setLauncherChannel((script) => {
    const child = utilityProcess.fork(script, [], { serviceName: 'IQA Studio process launcher', stdio: 'ignore' });
    return {
      send: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.once('exit', l),
      ref: () => {},
      unref: () => {},
      kill: () => void child.kill(),
    };
  });
  const engine = new Engine({ userDataDir: app.getPath('userData'), roots: defaultHostRoots() });
  // LAN mode: off until the researcher turns it on for a study (docs/lan.md).
  attachLanMode(engine, join(__dirname, '..', 'renderer'));
  registerIpc(engine.handlers, engine.jobs, isTrustedUrl, () => BrowserWindow.getAllWindows());
  registerDesktopDialogs(isTrustedUrl, (picked) => engine.access.allow(picked));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('will-quit', () => engine.close());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});
