import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.js';
import { AuditRepository } from '../store/audit-repository.js';
import { DirectoryRepository } from '../store/directory-repository.js';
import { PolicyRepository } from '../store/policy-repository.js';
import type { DatabaseSchema } from '../store/schema.js';
import type { GroupData } from './sync/user-record.js';
import { diffPolicy } from './policy/policy-diff.js';
import { defaultPolicy, parsePolicy, PolicyError, validatePolicyReferences, type Policy } from './policy/policy.js';
import { planVisibility, type VisibilityResult } from './visibility/recompute.js';

export interface TenantPolicyDeps {
  db: Kysely<DatabaseSchema>;
  cipher: FieldCipher;
}

/** The tenant's policy and its version (0 until an administrator first saves one). */
export async function loadPolicy(deps: TenantPolicyDeps, tenantId: string): Promise<{ policy: Policy; version: number }> {
  const stored = await new PolicyRepository(deps.db).get(tenantId);
  return stored ? { policy: parsePolicy(stored.json), version: stored.version } : { policy: defaultPolicy(), version: 0 };
}

/** Someone else saved the policy since this edit started: reload and edit again. */
export class PolicyConflict extends Error {
  constructor(readonly currentVersion: number) {
    super(`The policy was changed by someone else (now version ${currentVersion}); reload it and apply your edit again.`);
    this.name = 'PolicyConflict';
  }
}

/**
 * Validates and saves a policy edit, audits it (who, when, before, after, and the readable
 * changes), and applies it to every audience at once so devices see it at their next sync.
 */
export async function savePolicy(
  deps: TenantPolicyDeps,
  tenantId: string,
  input: unknown,
  expectedVersion: number,
  actor: { id: string; name: string | null },
): Promise<{ policy: Policy; version: number; changes: string[]; visibility: VisibilityResult }> {
  const policy = parsePolicy(input);
  const directory = new DirectoryRepository(deps.db, deps.cipher);
  const groups = new Map((await directory.getGroups<GroupData>(tenantId)).map((g) => [g.id, g.data.displayName]));
  const issues = validatePolicyReferences(policy, (id) => groups.has(id));
  if (issues.length > 0) throw new PolicyError(issues);

  const before = await loadPolicy(deps, tenantId);
  if (before.version !== expectedVersion) throw new PolicyConflict(before.version);
  const changes = diffPolicy(before.policy, policy, (id) => groups.get(id) ?? undefined);
  // Hidden fields change every card; exclusions and groups change membership of audiences.
  const allContent = JSON.stringify(before.policy.hiddenFields) !== JSON.stringify(policy.hiddenFields);
  const apply = await planVisibility(deps, tenantId, policy, { changedUsers: new Set(), allContent });
  // The policy, its audit entry and its effect on every audience commit together: a crash or an
  // error half-way must not leave a saved policy that devices never see (nothing re-applies a
  // policy later unless the directory changes).
  const visibility = await deps.db.transaction().execute(async (trx) => {
    if (!(await new PolicyRepository(trx).save(tenantId, policy, expectedVersion, actor.id))) return undefined;
    await new AuditRepository(trx).append({ tenantId, actor, action: 'policy.update', target: 'policy', before: before.policy, after: { ...policy, changes } });
    return apply(trx);
  });
  if (!visibility) throw new PolicyConflict((await loadPolicy(deps, tenantId)).version);
  return { policy, version: expectedVersion + 1, changes, visibility };
}
