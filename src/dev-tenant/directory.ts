/**
 * The data of one dev tenant: users, groups and memberships, with a change log that delta queries
 * read. In memory on purpose: the stand-in is seeded at start, and tests drive changes through the
 * control API. Everything is indexed so that 100k users page and delta in time proportional to the
 * page, not the tenant.
 */

export interface DevUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mailNickname: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  companyName: string | null;
  businessPhones: string[];
  mobilePhone: string | null;
  city: string | null;
  country: string | null;
  employeeId: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  showInAddressList: boolean | null;
  /** Licences; rooms and shared mailboxes have none. */
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  /** Directory roles (template ids), as Entra puts in the `wids` claim. */
  directoryRoles: string[];
  createdDateTime: string;
}

export type DevUserInput = Partial<Omit<DevUser, 'id' | 'createdDateTime'>> & Pick<DevUser, 'userPrincipalName' | 'displayName'> & { id?: string };

export interface DevPhoto {
  contentType: string;
  bytes: Buffer;
  width: number;
  height: number;
}

export interface DevGroup {
  id: string;
  displayName: string;
  description: string | null;
  mail: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
  createdDateTime: string;
}

export type DevGroupInput = Partial<Omit<DevGroup, 'id' | 'createdDateTime'>> & Pick<DevGroup, 'displayName'> & { id?: string };

export type MemberType = 'user' | 'group';

/** One entry of a group's member log: what `members@delta` reports. */
export interface MemberChange {
  seq: number;
  memberId: string;
  memberType: MemberType;
  op: 'add' | 'remove';
}

interface Tracked<T> {
  value: T;
  /** Position in creation order, the cursor of a first delta round. */
  createdSeq: number;
  /** Every change's sequence number, ascending (creation included). */
  changes: number[];
  /** Set once deleted; the object stays as a tombstone so delta can report `@removed`. */
  removed?: { seq: number; reason: 'changed' | 'deleted' };
  /** Wall-clock time of each change, for the replication-lag fault. */
  changedAt: number[];
}

export interface DeltaItem<T> {
  id: string;
  value: T;
  removed?: { reason: 'changed' | 'deleted' };
  /** For groups: member changes since the round's start token (all members on a first round). */
  members?: { id: string; type: MemberType; removed: boolean }[];
}

class ChangeTracked<T extends { id: string }> {
  readonly byId = new Map<string, Tracked<T>>();
  /** Ids in creation order (tombstones included), for first rounds. */
  readonly creationOrder: string[] = [];
  /** (seq, id) of every change in seq order, for later rounds. */
  readonly log: { seq: number; id: string }[] = [];

  record(id: string, seq: number, at: number): void {
    const t = this.byId.get(id)!;
    t.changes.push(seq);
    t.changedAt.push(at);
    this.log.push({ seq, id });
  }
}

export class DevDirectory {
  private seq = 0;
  readonly users = new ChangeTracked<DevUser>();
  readonly groups = new ChangeTracked<DevGroup>();
  readonly photos = new Map<string, DevPhoto>();
  /** groupId → memberId → type */
  private readonly members = new Map<string, Map<string, MemberType>>();
  /** memberId → groupIds it is a direct member of */
  private readonly memberOf = new Map<string, Set<string>>();
  private readonly memberLog = new Map<string, MemberChange[]>();
  private readonly upnIndex = new Map<string, string>();

  constructor(
    readonly tenantId: string,
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  /** The current change sequence number: a delta token is a position in this sequence. */
  get currentSeq(): number {
    return this.seq;
  }

  // ---- users ----

  addUser(input: DevUserInput): DevUser {
    const id = input.id ?? this.newId();
    const upnKey = input.userPrincipalName.toLowerCase();
    if (this.users.byId.get(id) && !this.users.byId.get(id)!.removed) throw new DirectoryError('conflict', `User ${id} already exists`);
    if (this.upnIndex.has(upnKey)) throw new DirectoryError('conflict', `Another object with the same value for property userPrincipalName already exists: ${input.userPrincipalName}`);
    const user: DevUser = {
      givenName: null, surname: null, mail: null, mailNickname: null, jobTitle: null, department: null, officeLocation: null,
      companyName: null, businessPhones: [], mobilePhone: null, city: null, country: null, employeeId: null, accountEnabled: true,
      userType: 'Member', showInAddressList: null, assignedLicenses: [], directoryRoles: [],
      ...input,
      id,
      createdDateTime: new Date(this.now()).toISOString(),
    };
    const seq = ++this.seq;
    this.users.byId.set(id, { value: user, createdSeq: seq, changes: [], changedAt: [] });
    this.users.creationOrder.push(id);
    this.users.record(id, seq, this.now());
    this.upnIndex.set(upnKey, id);
    return user;
  }

  updateUser(id: string, patch: Partial<Omit<DevUser, 'id' | 'createdDateTime'>>): DevUser {
    const t = this.liveUser(id);
    if (patch.userPrincipalName && patch.userPrincipalName.toLowerCase() !== t.value.userPrincipalName.toLowerCase()) {
      if (this.upnIndex.has(patch.userPrincipalName.toLowerCase())) throw new DirectoryError('conflict', `userPrincipalName ${patch.userPrincipalName} is taken`);
      this.upnIndex.delete(t.value.userPrincipalName.toLowerCase());
      this.upnIndex.set(patch.userPrincipalName.toLowerCase(), id);
    }
    t.value = { ...t.value, ...patch, id };
    this.users.record(id, ++this.seq, this.now());
    return t.value;
  }

  /**
   * Deletes a user. Entra first soft-deletes (delta reports `@removed: {reason: "changed"}`, the
   * object can be restored for 30 days); `permanent` models a hard delete (`reason: "deleted"`).
   * Memberships go with the user, as they do in Entra.
   */
  deleteUser(id: string, permanent = false): void {
    const t = this.liveUser(id);
    for (const groupId of [...(this.memberOf.get(id) ?? [])]) this.removeMember(groupId, id);
    const seq = ++this.seq;
    t.removed = { seq, reason: permanent ? 'deleted' : 'changed' };
    this.users.record(id, seq, this.now());
    this.upnIndex.delete(t.value.userPrincipalName.toLowerCase());
    this.photos.delete(id);
  }

  getUser(idOrUpn: string): DevUser | undefined {
    const id = this.upnIndex.get(idOrUpn.toLowerCase()) ?? idOrUpn;
    const t = this.users.byId.get(id);
    return t && !t.removed ? t.value : undefined;
  }

  /** Live users in creation order. */
  *listUsers(): Iterable<DevUser> {
    for (const id of this.users.creationOrder) {
      const t = this.users.byId.get(id)!;
      if (!t.removed) yield t.value;
    }
  }

  get userCount(): number {
    return this.upnIndex.size;
  }

  /** Photos are not tracked by delta (Graph documents this), so setting one records no change. */
  setPhoto(userId: string, photo: DevPhoto | undefined): void {
    this.liveUser(userId);
    if (photo) this.photos.set(userId, photo);
    else this.photos.delete(userId);
  }

  // ---- groups ----

  addGroup(input: DevGroupInput): DevGroup {
    const id = input.id ?? this.newId();
    if (this.groups.byId.get(id) && !this.groups.byId.get(id)!.removed) throw new DirectoryError('conflict', `Group ${id} already exists`);
    const group: DevGroup = {
      description: null, mail: null, mailEnabled: false, securityEnabled: true, groupTypes: [], visibility: null,
      mailNickname: input.displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || 'group',
      ...input,
      id,
      createdDateTime: new Date(this.now()).toISOString(),
    };
    const seq = ++this.seq;
    this.groups.byId.set(id, { value: group, createdSeq: seq, changes: [], changedAt: [] });
    this.groups.creationOrder.push(id);
    this.groups.record(id, seq, this.now());
    this.members.set(id, new Map());
    this.memberLog.set(id, []);
    return group;
  }

  updateGroup(id: string, patch: Partial<Omit<DevGroup, 'id' | 'createdDateTime'>>): DevGroup {
    const t = this.liveGroup(id);
    t.value = { ...t.value, ...patch, id };
    this.groups.record(id, ++this.seq, this.now());
    return t.value;
  }

  deleteGroup(id: string, permanent = false): void {
    const t = this.liveGroup(id);
    for (const memberId of [...this.members.get(id)!.keys()]) this.removeMember(id, memberId);
    for (const parentId of [...(this.memberOf.get(id) ?? [])]) this.removeMember(parentId, id);
    const seq = ++this.seq;
    t.removed = { seq, reason: permanent ? 'deleted' : 'changed' };
    this.groups.record(id, seq, this.now());
  }

  getGroup(id: string): DevGroup | undefined {
    const t = this.groups.byId.get(id);
    return t && !t.removed ? t.value : undefined;
  }

  *listGroups(): Iterable<DevGroup> {
    for (const id of this.groups.creationOrder) {
      const t = this.groups.byId.get(id)!;
      if (!t.removed) yield t.value;
    }
  }

  // ---- membership ----

  addMember(groupId: string, memberId: string): void {
    this.liveGroup(groupId);
    const type: MemberType = this.getUser(memberId) ? 'user' : this.getGroup(memberId) ? 'group' : missing(memberId);
    if (type === 'group' && (memberId === groupId || this.transitiveGroupIdsOf(groupId).has(memberId))) {
      throw new DirectoryError('badRequest', `Adding group ${memberId} to ${groupId} would create a membership cycle`);
    }
    const members = this.members.get(groupId)!;
    if (members.has(memberId)) throw new DirectoryError('conflict', 'One or more added object references already exist for the following modified properties: \'members\'.');
    members.set(memberId, type);
    let parents = this.memberOf.get(memberId);
    if (!parents) this.memberOf.set(memberId, (parents = new Set()));
    parents.add(groupId);
    this.logMember(groupId, memberId, type, 'add');
  }

  removeMember(groupId: string, memberId: string): void {
    const members = this.members.get(groupId);
    const type = members?.get(memberId);
    if (!members || !type) throw new DirectoryError('notFound', `${memberId} is not a member of ${groupId}`);
    members.delete(memberId);
    this.memberOf.get(memberId)?.delete(groupId);
    this.logMember(groupId, memberId, type, 'remove');
  }

  /** Direct members, users and groups, in the order they were added. */
  directMembers(groupId: string): { id: string; type: MemberType }[] {
    this.liveGroup(groupId);
    return [...this.members.get(groupId)!].map(([id, type]) => ({ id, type }));
  }

  /** Every member reached through nested groups (users and groups), each once. */
  transitiveMembers(groupId: string): { id: string; type: MemberType }[] {
    this.liveGroup(groupId);
    const seen = new Map<string, MemberType>();
    const queue = [groupId];
    while (queue.length > 0) {
      for (const [id, type] of this.members.get(queue.shift()!) ?? []) {
        if (seen.has(id)) continue;
        seen.set(id, type);
        if (type === 'group') queue.push(id);
      }
    }
    return [...seen].map(([id, type]) => ({ id, type }));
  }

  /** Groups the object is a direct member of. */
  directGroupIdsOf(memberId: string): string[] {
    return [...(this.memberOf.get(memberId) ?? [])];
  }

  /** Groups the object is a member of directly or through nesting. */
  transitiveGroupIdsOf(memberId: string): Set<string> {
    const out = new Set<string>();
    const queue = [...(this.memberOf.get(memberId) ?? [])];
    while (queue.length > 0) {
      const g = queue.shift()!;
      if (out.has(g)) continue;
      out.add(g);
      queue.push(...(this.memberOf.get(g) ?? []));
    }
    return out;
  }

  // ---- delta ----

  /**
   * One page of a delta round over users or groups. A round is fixed by `fromSeq` (0 for a first
   * round) and `toSeq` (the sequence number when the round began); `cursor` says where the previous
   * page stopped. Objects changed after `toSeq` show their current state and appear again in the
   * next round. `visibleBefore` hides changes newer than that wall-clock time (replication lag).
   */
  deltaPage(
    kind: 'users' | 'groups',
    round: { fromSeq: number; toSeq: number },
    cursor: number,
    pageSize: number,
    visibleBefore = Infinity,
  ): { items: DeltaItem<DevUser | DevGroup>[]; nextCursor: number | undefined; groupMembersLimit?: number } {
    const tracked: ChangeTracked<DevUser | DevGroup> = kind === 'users' ? this.users : this.groups;
    const items: DeltaItem<DevUser | DevGroup>[] = [];
    if (round.fromSeq === 0) {
      // First round: every live object in creation order; cursor = index into creationOrder.
      let i = cursor;
      for (; i < tracked.creationOrder.length && items.length < pageSize; i++) {
        const id = tracked.creationOrder[i]!;
        const t = tracked.byId.get(id)!;
        if (t.removed || t.createdSeq > round.toSeq || t.changedAt[0]! > visibleBefore) continue;
        items.push(this.deltaItem(kind, t, 0, round.toSeq));
      }
      return { items, nextCursor: i < tracked.creationOrder.length ? i : undefined };
    }
    // Later rounds: changes in (fromSeq, toSeq]; cursor = index into the log. Each object is reported
    // once, at its last change in the range.
    let i = cursor === 0 ? lowerBound(tracked.log, round.fromSeq) : cursor;
    for (; i < tracked.log.length && items.length < pageSize; i++) {
      const { seq, id } = tracked.log[i]!;
      if (seq > round.toSeq) return { items, nextCursor: undefined };
      const t = tracked.byId.get(id)!;
      const lastInRange = lastAtOrBelow(t.changes, round.toSeq);
      if (seq !== lastInRange) continue;
      const at = t.changedAt[t.changes.indexOf(seq)]!;
      if (at > visibleBefore) continue;
      // Created and removed within the range: the client never saw it, so there is nothing to say.
      if (t.removed && t.createdSeq > round.fromSeq) continue;
      items.push(this.deltaItem(kind, t, round.fromSeq, round.toSeq));
    }
    return { items, nextCursor: i < tracked.log.length && tracked.log[i]!.seq <= round.toSeq ? i : undefined };
  }

  private deltaItem(kind: 'users' | 'groups', t: Tracked<DevUser | DevGroup>, fromSeq: number, toSeq: number): DeltaItem<DevUser | DevGroup> {
    const item: DeltaItem<DevUser | DevGroup> = { id: t.value.id, value: t.value };
    if (t.removed && t.removed.seq <= toSeq) item.removed = { reason: t.removed.reason };
    if (kind === 'groups' && !item.removed) item.members = this.memberChanges(t.value.id, fromSeq, toSeq);
    return item;
  }

  /** Net member changes of a group in (fromSeq, toSeq]; a first round (fromSeq 0) lists current members. */
  memberChanges(groupId: string, fromSeq: number, toSeq: number): { id: string; type: MemberType; removed: boolean }[] {
    const net = new Map<string, { type: MemberType; op: 'add' | 'remove' }>();
    const log = this.memberLog.get(groupId) ?? [];
    for (let i = lowerBound(log, fromSeq); i < log.length && log[i]!.seq <= toSeq; i++) {
      const c = log[i]!;
      const before = net.get(c.memberId);
      // add then remove within the range: the client never saw the member, nothing to report.
      if (before && before.op === 'add' && c.op === 'remove' && this.wasAddedInRange(groupId, c.memberId, fromSeq)) net.delete(c.memberId);
      else net.set(c.memberId, { type: c.memberType, op: c.op });
    }
    return [...net].filter(([, v]) => fromSeq > 0 || v.op === 'add').map(([id, v]) => ({ id, type: v.type, removed: v.op === 'remove' }));
  }

  private wasAddedInRange(groupId: string, memberId: string, fromSeq: number): boolean {
    // True when the member was not a member at fromSeq: its last change at or before fromSeq was not an add.
    const log = this.memberLog.get(groupId)!;
    for (let i = lowerBound(log, fromSeq) - 1; i >= 0; i--) {
      if (log[i]!.memberId === memberId) return log[i]!.op === 'remove';
    }
    return true;
  }

  private logMember(groupId: string, memberId: string, memberType: MemberType, op: 'add' | 'remove'): void {
    const seq = ++this.seq;
    this.memberLog.get(groupId)!.push({ seq, memberId, memberType, op });
    // A membership change is a change of the group: groups/delta reports it with members@delta.
    this.groups.record(groupId, seq, this.now());
  }

  private liveUser(id: string): Tracked<DevUser> {
    const t = this.users.byId.get(this.upnIndex.get(id.toLowerCase()) ?? id);
    if (!t || t.removed) throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    return t;
  }

  private liveGroup(id: string): Tracked<DevGroup> {
    const t = this.groups.byId.get(id);
    if (!t || t.removed) throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    return t;
  }
}

export class DirectoryError extends Error {
  constructor(
    readonly kind: 'notFound' | 'conflict' | 'badRequest',
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}

function missing(id: string): never {
  throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

/** Index of the first entry with seq > value (entries sorted by seq). */
function lowerBound(entries: { seq: number }[], value: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.seq <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The largest element ≤ value of an ascending array, or -1. */
function lastAtOrBelow(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? sorted[lo - 1]! : -1;
}
