/**
 * LAN mode (issue 12, docs/lan.md): a study served to participants' browsers on other machines by a
 * listener of its own. Names and types only (no zod, no Node): the renderer imports them.
 *
 * The participant page lives under `/p/<token>/` on that listener; its API calls go to
 * `/p/<token>/api/<command>`, for the participant commands below only, without a project folder or a
 * study id (the listener fixes both from the token). A session's later calls carry the session key the
 * listener returned with `sessions.enrol`, in the `X-Session-Key` header.
 */

/** The commands a LAN page may call: what the participant screen needs, nothing else. */
export const LAN_PARTICIPANT_COMMANDS = [
  'studies.progress',
  'sessions.enrol',
  'sessions.current',
  'sessions.update',
  // Consent, demographics and the vision check record, before the trials.
  'sessions.participant',
  'ratings.submit',
  'sessions.stimulus',
  'sessions.upcoming',
  // A video's playable file, in chunks, for the sessions that show it (services/study/playable-copy.ts).
  'sessions.video',
  // A trial whose voting time ran out: recorded as timed out, with no rating (services/study/sessions.ts).
  'sessions.timeout',
] as const;
export type LanParticipantCommand = (typeof LAN_PARTICIPANT_COMMANDS)[number];

/** The header that carries a session's key on a LAN page's calls (and the enrol reply). */
export const LAN_SESSION_KEY_HEADER = 'x-session-key';

/** A study token: 32 random bytes, base64url (43 characters). */
export const LAN_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The participant page's path prefix for a token. */
export const lanPagePath = (token: string): string => `/p/${token}/`;

/**
 * The token of a LAN participant page's address (`/p/<token>/…`), or null for any other page. The
 * renderer decides with it whether it is the participant-only page.
 */
export function lanTokenFromPath(pathname: string): string | null {
  const m = /^\/p\/([^/]+)(?:\/|$)/.exec(pathname);
  return m && LAN_TOKEN_PATTERN.test(m[1]!) ? m[1]! : null;
}

/** A network interface the listener can bind to (IPv4). */
export interface LanInterface {
  /** The interface's name (e.g. eth0, en0, Wi-Fi). */
  name: string;
  address: string;
  /** Loopback: reachable from this machine only. */
  internal: boolean;
}

/** A running LAN listener of a study. */
export interface LanListenerInfo {
  studyId: number;
  /** The participant page's address, token included: what the researcher hands out. */
  url: string;
  token: string;
  /** The address as a QR code (an SVG document). */
  qrSvg: string;
  host: string;
  port: number;
  startedAt: string;
}

export interface LanStatus {
  /** null when the study's LAN mode is off. */
  listener: LanListenerInfo | null;
  /** Sessions that called the listener in the last two minutes. */
  active: number;
  /** Sessions enrolled or resumed through this listener since it started. */
  sessions: number;
  /** The interfaces the listener may bind to, the default first. */
  interfaces: LanInterface[];
}
