import { InteractionRequiredAuthError, type AccountInfo, type AuthenticationResult } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { GrantLapsed } from '../../src/auth/auth-errors.js';
import { DelegatedTokens, type DelegatedTokensDeps } from '../../src/auth/delegated-tokens.js';
import type { SyncAccount } from '../../src/store/token-cache-repository.js';

const T = 'aaaaaaaa-0000-4000-8000-000000000001';

/** DelegatedTokens' bookkeeping of whose grant sync runs on, with msal and the store as fakes. */
function setup(initial?: SyncAccount) {
  let stored = initial;
  let silent: () => Promise<AuthenticationResult> = async () => result('token-1');
  const deps: DelegatedTokensDeps = {
    authorityHost: 'https://login.microsoftonline.com',
    cache: { run: (_scope, fn) => fn(), exclusive: (_scope, fn) => fn() },
    grants: {
      getSyncAccount: async () => stored,
      setSyncAccount: async (_tenant, account) => void (stored = account ?? undefined),
    },
    msal: {
      acquireTokenOnBehalfOf: async () => null,
      acquireTokenSilent: () => silent(),
      getTokenCache: () => ({ getAllAccounts: async () => (stored ? [account(stored.homeAccountId)] : []) }) as never,
    },
  };
  return {
    tokens: new DelegatedTokens(deps),
    stored: () => stored,
    setSilent: (fn: () => Promise<AuthenticationResult>) => void (silent = fn),
    replace: (account: SyncAccount) => void (stored = account),
  };
}

const account = (homeAccountId: string) => ({ homeAccountId, tenantId: T, environment: 'login.microsoftonline.com', username: '', localAccountId: '' }) as AccountInfo;
const result = (accessToken: string) => ({ accessToken, fromCache: false, expiresOn: new Date(Date.now() + 3600_000) }) as AuthenticationResult;
const grant = (homeAccountId: string, isAdmin: boolean, lapse: SyncAccount['lapse'] = null): SyncAccount => ({ homeAccountId, name: homeAccountId, isAdmin, grantedAt: new Date(0), lapse });
const lapsed = { at: new Date(0), reason: 'account-disabled', aadsts: 50057 };

describe('whose grant background sync runs on', () => {
  it.each([
    ['nobody yet', undefined, grant('user', false), true],
    ['a non-admin, then an admin', grant('user', false), grant('admin', true), true],
    ['an admin, then a non-admin', grant('admin', true), grant('user', false), false],
    ['an admin, then another admin', grant('admin', true), grant('admin2', true), false],
    ['a non-admin, then another non-admin', grant('user', false), grant('user2', false), false],
    ['a lapsed admin, then a non-admin', grant('admin', true, lapsed), grant('user', false), true],
    ['the same user again (fresh grant)', grant('user', false, lapsed), grant('user', false), true],
  ])('%s → replaced: %s', async (_label, current, candidate, replaced) => {
    const { tokens, stored } = setup(current);
    expect(await tokens.rememberSyncAccount(T, candidate)).toBe(replaced);
    expect(stored()?.homeAccountId).toBe(replaced ? candidate.homeAccountId : current?.homeAccountId);
    if (replaced) expect(stored()?.lapse).toBeNull();
  });

  it('a lapsed grant is not used without a forced refresh, and a successful forced refresh clears the lapse', async () => {
    const { tokens, stored } = setup(grant('admin', true, lapsed));
    await expect(tokens.forSync(T)).rejects.toMatchObject({ name: 'GrantLapsed', reason: 'account-disabled', aadsts: 50057 });
    expect(await tokens.forSync(T, { forceRefresh: true })).toBe('token-1');
    expect(stored()?.lapse).toBeNull();
  });

  it('a lapse is not written over a grant recorded meanwhile', async () => {
    const { tokens, stored, setSilent, replace } = setup(grant('admin', true));
    setSilent(async () => {
      // While the refresh is under way, another user signs in and records a fresh grant.
      replace(grant('newcomer', false));
      throw new InteractionRequiredAuthError('invalid_grant', 'corr', 'AADSTS50057: disabled', '', '', '', '', '50057');
    });
    await expect(tokens.forSync(T, { forceRefresh: true })).rejects.toBeInstanceOf(GrantLapsed);
    expect(stored()).toMatchObject({ homeAccountId: 'newcomer', lapse: null });
  });
});
