/**
 * A connected device, as CardDAV sees it after authentication: an anonymous random id (its user name)
 * belonging to one user of one tenant. Every CardDAV request is answered for exactly this principal.
 */
export interface DevicePrincipal {
  deviceId: string;
  tenantId: string;
  userId: string;
}

/**
 * Checks a device's HTTP Basic credentials. `rate-limited` when too many recent failures for this
 * device or address; undefined for unknown, revoked or wrong credentials (indistinguishably).
 */
export interface DeviceAuthenticator {
  authenticate(username: string, password: string, remoteAddress: string): Promise<DevicePrincipal | 'rate-limited' | undefined>;
  /** Records that the device synced (last seen, client name from the User-Agent). */
  touch(principal: DevicePrincipal, userAgent: string | undefined): Promise<void>;
}
