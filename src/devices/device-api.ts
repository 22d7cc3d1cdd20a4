import express, { type Request, type RequestHandler, type Router } from 'express';
import { HttpError } from '../server/errors.js';
import { NoAccess, TooManyDevices } from './device-errors.js';
import type { DeviceSummary, DevicesService, EnrollmentLink } from './devices.js';

/** The signed-in person behind a tab or bot request, as the auth middleware (another issue) resolves it. */
export interface Caller {
  tenantId: string;
  userId: string;
  isAdmin: boolean;
  /** For the audit log of administrators' actions. */
  name?: string | null;
}

/** Reads the caller the auth middleware attached to the request; undefined when nobody signed in. */
export type CallerOf = (req: Request) => Caller | undefined;

type Devices = Pick<DevicesService, 'listDevices' | 'startEnrollment' | 'revokeDevice' | 'deviceCounts' | 'revokeAllOf'>;

// The operations, free of HTTP, so the bot can call the same ones with its own caller.

export async function listMyDevices(devices: Devices, caller: Caller): Promise<{ devices: DeviceSummary[] }> {
  return { devices: await devices.listDevices(caller.tenantId, caller.userId) };
}

/** @throws HttpError 403 NoAccess (the user receives no contacts), 409 TooManyDevices. */
export async function addMyDevice(devices: Devices, caller: Caller): Promise<EnrollmentLink> {
  try {
    return await devices.startEnrollment(caller.tenantId, caller.userId);
  } catch (err) {
    if (err instanceof NoAccess) throw new HttpError(403, 'NoAccess', err.message);
    if (err instanceof TooManyDevices) throw new HttpError(409, 'TooManyDevices', err.message);
    throw err;
  }
}

/**
 * Revokes one of the caller's own devices. Another user's device answers 404 exactly like an unknown
 * one, so ids cannot be probed for existence.
 */
export async function revokeMyDevice(devices: Devices, caller: Caller, deviceId: string): Promise<void> {
  if (!(await devices.revokeDevice(caller.tenantId, caller.userId, deviceId))) {
    throw new HttpError(404, 'DeviceNotFound', 'You have no connected device with this id.');
  }
}

/** Display names of a tenant's users by id (from the synced directory); unknown ids are left out. */
export type DisplayNames = (tenantId: string, userIds: string[]) => Promise<Map<string, string | null>>;

export async function adminDeviceCounts(
  devices: Devices,
  caller: Caller,
  displayNames?: DisplayNames,
): Promise<{ users: { userId: string; name: string | null; devices: number; lastSeenAt: Date | null }[] }> {
  requireAdmin(caller);
  const counts = await devices.deviceCounts(caller.tenantId);
  // A bare object id means nothing to an administrator: name each user, when the directory knows them.
  const names = displayNames ? await displayNames(caller.tenantId, counts.map((c) => c.userId)) : new Map<string, string | null>();
  return { users: counts.map((c) => ({ userId: c.userId, name: names.get(c.userId) ?? null, devices: c.devices, lastSeenAt: c.lastSeenAt })) };
}

export async function adminRevokeAll(devices: Devices, caller: Caller, userId: unknown): Promise<{ userId: string; revoked: number }> {
  requireAdmin(caller);
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 200) {
    throw new HttpError(400, 'BadRequest', 'Name the user whose devices to revoke: ?userId=<Entra object id>.');
  }
  const revoked = await devices.revokeAllOf(caller.tenantId, userId, { id: caller.userId, name: caller.name ?? null });
  return { userId, revoked };
}

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new HttpError(403, 'Forbidden', 'Only administrators can see or revoke other people\'s devices.');
}

/**
 * The devices API for the tab (mount on the `/api` router, before its not-found handler):
 *
 * - `GET /devices` → `{ devices: DeviceSummary[] }`
 * - `POST /devices` → 201 `{ enrollmentUrl, expiresAt, qrPngDataUri }`; 403 `NoAccess`, 409 `TooManyDevices`
 * - `DELETE /devices/:id` → 204; 404 `DeviceNotFound` (also for another user's device)
 * - `GET /admin/devices` → `{ users: [{ userId, name, devices, lastSeenAt }] }`; 403 `Forbidden` for non-admins
 * - `DELETE /admin/devices?userId=` → `{ userId, revoked }`
 *
 * Every route answers 401 `Unauthorized` when `callerOf` finds nobody. Errors are HttpErrors, which
 * the app's error handler renders as `{"error":{"code","message"}}`.
 */
export function deviceApiRoutes(deps: { devices: Devices; callerOf: CallerOf; displayNames?: DisplayNames }): Router {
  const router = express.Router();
  const { devices } = deps;
  const withCaller = (fn: (caller: Caller, req: Request) => Promise<{ status?: number; body?: unknown }>): RequestHandler => async (req, res) => {
    const caller = deps.callerOf(req);
    if (!caller) throw new HttpError(401, 'Unauthorized', 'Sign in to Switchboard first.');
    const { status = 200, body } = await fn(caller, req);
    res.setHeader('Cache-Control', 'no-store');
    if (body === undefined) res.status(status).end();
    else res.status(status).json(body);
  };
  router.get('/devices', withCaller(async (caller) => ({ body: await listMyDevices(devices, caller) })));
  router.post('/devices', withCaller(async (caller) => ({ status: 201, body: await addMyDevice(devices, caller) })));
  router.delete('/devices/:id', withCaller(async (caller, req) => {
    await revokeMyDevice(devices, caller, String(req.params.id));
    return { status: 204 };
  }));
  router.get('/admin/devices', withCaller(async (caller) => ({ body: await adminDeviceCounts(devices, caller, deps.displayNames) })));
  router.delete('/admin/devices', withCaller(async (caller, req) => ({ body: await adminRevokeAll(devices, caller, req.query.userId) })));
  return router;
}
