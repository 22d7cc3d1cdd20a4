import { addMyDevice } from '../../src/devices/device-api.js';
import { HttpError } from '../../src/server/errors.js';
import { noAccess } from './access.js';
import type { BotCaller } from './caller.js';
import type { CommandDeps } from './deps.js';
import type { Reply } from './replies.js';

/**
 * "connect a device": a single-use enrollment link with its QR code, through the same operation as
 * the tab's Add device, so the rules (access, device limit) are the same everywhere.
 */
export async function connectDevice(deps: CommandDeps, caller: BotCaller): Promise<Reply> {
  try {
    const link = await addMyDevice(deps.devices, { ...caller, isAdmin: false });
    return { kind: 'enrollment', link };
  } catch (err) {
    if (err instanceof HttpError && err.code === 'NoAccess') return noAccess(deps, caller);
    if (err instanceof HttpError && err.code === 'TooManyDevices') return { kind: 'too-many-devices', message: err.message };
    throw err;
  }
}
