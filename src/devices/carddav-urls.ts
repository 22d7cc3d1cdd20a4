/**
 * Where a device finds its address book (RFC 6352 §7, RFC 6764 §5). The CardDAV server (src/carddav)
 * answers these paths; onboarding, the CLI and the tab print them. One principal and exactly one
 * address book per device: macOS shows only an account's first book, iOS syncs every book it finds.
 */
export interface CardDavUrls {
  /** The server root: clients that discover via /.well-known/carddav start here. */
  serverUrl: string;
  wellKnownUrl: string;
  principalUrl: string;
  addressBookHomeUrl: string;
  addressBookUrl: string;
}

export function cardDavUrls(publicUrl: string, deviceId: string): CardDavUrls {
  const base = publicUrl.replace(/\/+$/, '');
  const id = encodeURIComponent(deviceId);
  return {
    serverUrl: `${base}/`,
    wellKnownUrl: `${base}/.well-known/carddav`,
    principalUrl: `${base}/dav/principals/${id}/`,
    addressBookHomeUrl: `${base}/dav/addressbooks/${id}/`,
    addressBookUrl: `${base}/dav/addressbooks/${id}/contacts/`,
  };
}

/**
 * A link DAVx⁵ opens with the login form filled in: `davx5://user:password@host[:port]/path/`.
 * DAVx⁵ turns `davx5://` into https and `carddav://` into http (its LoginActivity), splits the user
 * info at the first colon (our user names and passwords contain none) and keeps the port.
 */
export function davx5Link(principalUrl: string, username: string, password: string): string {
  const url = new URL(principalUrl);
  const scheme = url.protocol === 'https:' ? 'davx5' : 'carddav';
  return `${scheme}://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${url.host}${url.pathname}`;
}
