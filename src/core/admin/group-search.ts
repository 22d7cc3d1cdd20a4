import type { Kysely } from 'kysely';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { DirectoryRepository, type StoredGroup } from '../../store/directory-repository.js';
import type { DatabaseSchema } from '../../store/schema.js';
import type { GroupData } from '../sync/user-record.js';
import type { GroupSummary } from './admin-views.js';
import { MembershipGraph } from '../visibility/membership-graph.js';
import { foldText, wordsOf } from '../directory/search-text.js';

export interface AdminDirectoryDeps {
  db: Kysely<DatabaseSchema>;
  cipher: FieldCipher;
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });


/**
 * Whether a group matches what the administrator typed: every word of the search starts a word of
 * the name ("sal eu" finds "Sales EU"), or the search starts the group's mail address, or it is the
 * group's id (pasted from the Entra admin centre). Case- and accent-insensitive; an empty search
 * matches every group.
 */
export function groupMatcher(search: string): (group: StoredGroup<GroupData>) => boolean {
  const whole = foldText(search.trim());
  if (!whole) return () => true;
  const words = wordsOf(search);
  return (group) => {
    if (group.id === whole) return true;
    if (group.data.mail && foldText(group.data.mail).startsWith(whole)) return true;
    if (words.length === 0) return false;
    const nameWords = wordsOf(group.data.displayName ?? '');
    return words.every((w) => nameWords.some((n) => n.startsWith(w)));
  };
}

/** A–Z by name (unnamed groups last), then by id so equal names keep a stable order. */
function byName(a: StoredGroup<GroupData>, b: StoredGroup<GroupData>): number {
  const an = a.data.displayName;
  const bn = b.data.displayName;
  if (an === null || bn === null) return an === bn ? (a.id < b.id ? -1 : 1) : an === null ? 1 : -1;
  return collator.compare(an, bn) || (a.id < b.id ? -1 : 1);
}

/**
 * The tenant's groups from the synced directory that match `search`, A–Z, at most `limit`, each with
 * how many users it holds through any depth of nesting. Reads ids and links only for the counts;
 * group names and mail are decrypted to match them.
 */
export async function searchGroups(deps: AdminDirectoryDeps, tenantId: string, query: { search: string; limit: number }): Promise<GroupSummary[]> {
  const directory = new DirectoryRepository(deps.db, deps.cipher);
  const matches = groupMatcher(query.search);
  const found = (await directory.getGroups<GroupData>(tenantId)).filter(matches).sort(byName).slice(0, query.limit);
  if (found.length === 0) return [];
  const graph = new MembershipGraph(await directory.memberships(tenantId));
  return found.map((g) => ({
    id: g.id,
    displayName: g.data.displayName,
    description: g.data.description,
    mail: g.data.mail,
    securityEnabled: g.securityEnabled,
    unified: g.data.groupTypes.some((t) => t.toLowerCase() === 'unified'),
    userCount: graph.transitiveUsers(g.id).size,
  }));
}
