/**
 * Saving files from the page: an <a download> made in code and clicked. Text (exports, SVG) goes
 * through a Blob and an object URL (revoked once the download has started); a chart drawn at print resolution becomes a PNG
 * data: URL. Both are downloads, not navigations, so the CSP (no navigation rules) and the desktop
 * window's will-navigate guard leave them alone; tested in test/e2e/analysis-flow.test.ts.
 */

function clickLink(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}

export function downloadText(file: { filename: string; mime: string; content: string }): void {
  const textual = /^text\/|json$|xml$|x-tex$/.test(file.mime);
  const type = textual && !/charset=/i.test(file.mime) ? `${file.mime};charset=utf-8` : file.mime;
  const url = URL.createObjectURL(new Blob([file.content], { type }));
  clickLink(url, file.filename);
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Saves a data: URL (a chart drawn at print resolution: lib/charts.ts chartPngDataUrl). */
export function downloadDataUrl(url: string, filename: string): void {
  clickLink(url, filename);
}

/** A file name part from free text: letters, digits, dot, dash, underscore. */
export const safeFilePart = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'chart';
