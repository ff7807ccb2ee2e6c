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

/**
 * The fragment's `name=value` parameters in order, as written (form encoding: '+' is a space). Written
 * without URLSearchParams: common/ compiles with neither DOM nor Node types.
 */
function params(fragment: string): [string, string][] {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  return text
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
    });
}

function decode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** The route in a fragment (with or without its '#'); other parameters (the token) are ignored. */
export function parseUiRoute(fragment: string): UiRoute {
  const all = params(fragment);
  const raw = (name: string) => all.find(([k]) => k === name)?.[1];
  const projectRaw = raw(PROJECT);
  const project = projectRaw === undefined ? null : decode(projectRaw) || null;
  const id = raw(STIMULUS);
  const stimulus = id !== undefined && /^[1-9]\d{0,15}$/.test(id) ? Number(id) : null;
  return { project, stimulus: project !== null ? stimulus : null };
}

/**
 * `fragment` (without '#') with the route's parameters set, or removed where null; the other parameters
 * keep their order and are left as they were written.
 */
export function withUiRoute(fragment: string, route: UiRoute): string {
  const kept = params(fragment).filter(([k]) => k !== PROJECT && k !== STIMULUS);
  if (route.project !== null) {
    kept.push([PROJECT, encodeURIComponent(route.project)]);
    if (route.stimulus !== null) kept.push([STIMULUS, String(route.stimulus)]);
  }
  return kept.map(([k, v]) => `${k}=${v}`).join('&');
}
