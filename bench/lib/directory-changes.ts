import { performance } from 'node:perf_hooks';
import type { DevTenantListing, DevTenantProcess } from './dev-tenant-process.js';
import { sample } from './stats.js';

export interface ChangeSet {
  jobTitles: number;
  /** Membership links added plus removed. */
  membershipChanges: number;
  wallMs: number;
}

/**
 * Changes the directory through the dev tenant's control API, as people and HR would: `jobTitles`
 * users get a new job title, and `moves` employees change department (removed from one department
 * group, added to another: two membership changes each). Everyone is picked with a seeded PRNG.
 */
export async function changeDirectory(
  dev: DevTenantProcess,
  tenant: DevTenantListing,
  graph: { baseUrl: string; token: string },
  options: { jobTitles: number; moves: number; seed: number; keep: string },
): Promise<ChangeSet> {
  const started = performance.now();
  const t = encodeURIComponent(tenant.id);
  const retitled = sample(tenant.users.filter((u) => u.id !== options.keep), options.jobTitles, options.seed);
  await pool(retitled, 8, (u, i) => dev.control('PATCH', `/tenants/${t}/users/${u.id}`, { jobTitle: `Benchmark Title ${i}` }));

  const departments = tenant.groups.filter((g) => g.displayName.startsWith('Department - '));
  if (departments.length < 2) throw new Error('the synthetic tenant has fewer than two department groups');
  const from = departments.slice(0, Math.min(5, departments.length));
  const perDepartment = Math.ceil(options.moves / from.length);
  const moves: { userId: string; from: string; to: string }[] = [];
  for (const [i, group] of from.entries()) {
    const res = await fetch(`${graph.baseUrl}/groups/${group.id}/members?$select=id&$top=999`, { headers: { authorization: `Bearer ${graph.token}` } });
    if (!res.ok) throw new Error(`GET members of ${group.displayName}: ${res.status} ${await res.text()}`);
    const members = ((await res.json()) as { value: { '@odata.type': string; id: string }[] }).value.filter((m) => m['@odata.type'] === '#microsoft.graph.user' && m.id !== options.keep);
    const to = departments[(i + 1) % departments.length]!.id;
    for (const m of sample(members, perDepartment, options.seed + i)) if (moves.length < options.moves) moves.push({ userId: m.id, from: group.id, to });
  }
  let membershipChanges = 0;
  await pool(moves, 8, async (m) => {
    await dev.control('DELETE', `/tenants/${t}/groups/${m.from}/members/${m.userId}`);
    const added = await dev.control('POST', `/tenants/${t}/groups/${m.to}/members`, { id: m.userId }, [409]);
    membershipChanges += added.ok ? 2 : 1;
  });
  return { jobTitles: retitled.length, membershipChanges, wallMs: Math.round(performance.now() - started) };
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const res = await work(items[i]!, i);
      if (res instanceof Response) await res.body?.cancel();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
