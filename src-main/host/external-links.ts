/**
 * Links the desktop app may hand to the system browser: documentation and the references the UI
 * cites, over https only. Anything else a page tries to open (another scheme, another host, a
 * credential-carrying URL) is dropped, so a compromised page cannot launch arbitrary handlers.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'github.com',
  'www.itu.int',
  'doi.org',
  'arxiv.org',
  'netflixtechblog.com',
];

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && EXTERNAL_LINK_HOSTS.includes(url.hostname);
}
