import { listMyDevices, revokeMyDevice } from '../../src/devices/device-api.js';
import { HttpError } from '../../src/server/errors.js';
import type { BotCaller } from './caller.js';
import type { CommandDeps } from './deps.js';
import type { Notice, Reply } from './replies.js';

/** "devices": the caller's active devices, each with its revoke button. */
export async function listDevices(deps: Pick<CommandDeps, 'devices'>, caller: BotCaller, notice?: Notice): Promise<Reply> {
  const { devices } = await listMyDevices(deps.devices, { ...caller, isAdmin: false });
  return { kind: 'devices', devices, ...(notice ? { notice } : {}) };
}

/** The longest device id the store hands out is 26 characters; anything far longer is not one. */
const MAX_DEVICE_ID = 64;

/**
 * A revoke button: revokes one of the caller's own devices and answers with the updated list. The
 * device id comes from the card, so it is untrusted: the owner check is the caller's (validated)
 * identity, and another user's device reads exactly like an unknown one.
 */
export async function revokeDevice(deps: Pick<CommandDeps, 'devices'>, caller: BotCaller, data: unknown): Promise<Reply> {
  const deviceId = (data as { deviceId?: unknown } | null | undefined)?.deviceId;
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > MAX_DEVICE_ID) {
    return listDevices(deps, caller, { tone: 'attention', text: 'That button did not name a device. Here is your current list.' });
  }
  const before = (await listMyDevices(deps.devices, { ...caller, isAdmin: false })).devices.find((d) => d.id === deviceId);
  try {
    await revokeMyDevice(deps.devices, { ...caller, isAdmin: false }, deviceId);
  } catch (err) {
    if (!(err instanceof HttpError && err.code === 'DeviceNotFound')) throw err;
    return listDevices(deps, caller, { tone: 'attention', text: 'That device was already revoked.' });
  }
  const name = before?.name ?? 'The device';
  return listDevices(deps, caller, { tone: 'good', text: `Revoked: ${name}. It can no longer sync your company contacts; remove the account from the device to clear them.` });
}
