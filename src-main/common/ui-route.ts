/**
 * Where the UI opens: a project, and in it the viewer of one distorted stimulus, written in the page
 * address's fragment beside the web host's token (`#token=…&project=<dir>&stimulus=<id>`). `iqa view`
 * prints such an address; the page reads it when it starts and keeps it up to date while the viewer is
 * open, so a reload comes back to the same view. The fragment never reaches the server or its logs.
 */

export interface UiRoute {
  /** Absolute project folder. */
  project: string | null;
  /** A distorted stimulus of that project whose viewer is open. */
  stimulus: number | null;
}

const PROJECT = 'project';
const STIMULUS = 'stimulus';

/** The route in a fragment (with or without its '#'); other parameters (the token) are ignored. */
export function parseUiRoute(fragment: string): UiRoute {
  const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
  const project = params.get(PROJECT) || null;
  const raw = params.get(STIMULUS);
  const id = raw !== null && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null;
  return { project, stimulus: project !== null ? id : null };
}

/**
 * `fragment` (without '#') with the route's parameters set, or removed where null; other parameters
 * keep their order and value.
 */
export function withUiRoute(fragment: string, route: UiRoute): string {
  const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
  params.delete(PROJECT);
  params.delete(STIMULUS);
  if (route.project !== null) {
    params.set(PROJECT, route.project);
    if (route.stimulus !== null) params.set(STIMULUS, String(route.stimulus));
  }
  return params.toString();
}
