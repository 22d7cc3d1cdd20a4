import type { GroupData } from '../../src/core/sync/user-record.js';
import type { BotCaller } from './caller.js';
import type { CommandDeps } from './deps.js';
import type { Reply } from './replies.js';
import { whoToAsk } from './who-to-ask.js';

const RECENT_RUNS = 20;

/** "status": how many contacts the caller receives, from which groups, and when things last synced. */
export async function status(deps: CommandDeps, caller: BotCaller): Promise<Reply> {
  const { tenantId, userId } = caller;
  const [audienceId, runs, devices] = await Promise.all([
    deps.feed.audienceOf(tenantId, userId),
    deps.syncRuns.recentRuns(tenantId, RECENT_RUNS),
    deps.devices.listDevices(tenantId, userId),
  ]);
  const receiving = audienceId === undefined ? null : await audienceFacts(deps, tenantId, audienceId);
  const lastSucceeded = runs.find((r) => r.status === 'succeeded');
  const lastSeen = devices.map((d) => d.lastSeenAt?.getTime() ?? 0).reduce((a, b) => Math.max(a, b), 0);
  return {
    kind: 'status',
    status: {
      receiving,
      askWhom: receiving ? [] : await whoToAsk(deps.admins, tenantId),
      lastSync: lastSucceeded?.finished_at ? new Date(lastSucceeded.finished_at) : null,
      latestRoundFailed: runs[0]?.status === 'failed',
      devices: devices.length,
      lastDeviceSync: lastSeen > 0 ? new Date(lastSeen) : null,
    },
  };
}

async function audienceFacts(deps: CommandDeps, tenantId: string, audienceId: number): Promise<{ contacts: number; groups: string[] }> {
  const [audiences, contacts] = await Promise.all([deps.feed.audiences(tenantId), deps.feed.countContacts(audienceId)]);
  const groupIds = audiences.find((a) => a.id === audienceId)?.groups ?? [];
  const groups = await deps.directory.getGroups<GroupData>(tenantId, groupIds);
  // A group deleted from the directory since the policy named it keeps its place, unnamed.
  const names = groupIds.map((id) => groups.find((g) => g.id === id)?.data.displayName ?? 'a group no longer in the directory');
  return { contacts, groups: names.sort((a, b) => a.localeCompare(b)) };
}
