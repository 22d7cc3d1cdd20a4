import { ClientAuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { AssertionInvalid, ClaimsChallenge, ConsentRequired, GrantLapsed, IdentityError, IdentityUnavailable } from '../../src/auth/auth-errors.js';
import { translateOboError, translateSilentError } from '../../src/auth/msal-errors.js';

const T = 'aaaaaaaa-0000-4000-8000-000000000001';
const holder = { homeAccountId: `u.${T}`, name: 'Ethan Walker' };
const interaction = (aadsts: number, subError = '', claims = '') => new InteractionRequiredAuthError('invalid_grant', 'corr', `AADSTS${aadsts}: description`, subError, '', '', claims, String(aadsts));
const server = (error: string, aadsts: number | undefined, status: number) => new ServerError(error, 'corr', aadsts ? `AADSTS${aadsts}: description` : 'description', '', aadsts === undefined ? undefined : String(aadsts), status);

/** One case per Entra answer: what a tab request or a sync round gets instead. */
describe('msal error translation', () => {
  it.each([
    ['consent_required', interaction(65001, 'consent_required'), ConsentRequired],
    ['AADSTS50076 with claims', interaction(50076, 'basic_action', '{"access_token":{"capolids":{"essential":true}}}'), ClaimsChallenge],
    ['AADSTS500133', server('invalid_grant', 500133, 400), AssertionInvalid],
    ['AADSTS50013', server('invalid_grant', 50013, 400), AssertionInvalid],
    ['network error', new ClientAuthError('network_error', 'corr'), IdentityUnavailable],
    ['metadata unreachable', new ClientAuthError('endpoints_resolution_error', 'corr'), IdentityUnavailable],
    ['503 from the token endpoint', server('temporarily_unavailable', undefined, 503), IdentityUnavailable],
    ['invalid_client', server('invalid_client', 7000215, 401), IdentityError],
  ])('on-behalf-of: %s', (_label, err, expected) => {
    const translated = translateOboError(err, T, ['User.Read.All'], true);
    expect(translated).toBeInstanceOf(expected);
    expect((translated as Error).cause).toBe(err);
  });

  it('keeps the claims string and the AADSTS number', () => {
    const claims = '{"access_token":{"capolids":{"essential":true,"values":["x"]}}}';
    expect(translateOboError(interaction(50076, 'basic_action', claims), T, [], true)).toMatchObject({ claims, aadsts: 50076, tenantId: T });
    expect(translateOboError(server('invalid_grant', 500133, 400), T, [], true)).toMatchObject({ reason: 'expired', aadsts: 500133 });
  });

  it('passes errors that are not msal\'s through untouched', () => {
    const err = new Error('database down');
    expect(translateOboError(err, T, [], true)).toBe(err);
    expect(translateSilentError(err, T, holder)).toBe(err);
  });

  it.each([
    [interaction(50057), 'account-disabled'],
    [interaction(50034), 'account-deleted'],
    [interaction(70008), 'refresh-token-expired'],
    [interaction(700082), 'refresh-token-expired'],
    [interaction(50173), 'refresh-token-revoked'],
    [interaction(65001, 'consent_required'), 'consent-revoked'],
    [interaction(50076, 'basic_action', '{}'), 'interaction-required'],
    [new InteractionRequiredAuthError('no_tokens_found', 'corr'), 'not-in-cache'],
    [interaction(9999999), 'rejected'],
  ])('sync: %s → GrantLapsed %s', (err, reason) => {
    const translated = translateSilentError(err, T, holder);
    expect(translated).toBeInstanceOf(GrantLapsed);
    expect(translated).toMatchObject({ reason, tenantId: T, holder });
  });

  it('sync: Entra unreachable is not a lapse', () => {
    expect(translateSilentError(new ClientAuthError('network_error', 'corr'), T, holder)).toBeInstanceOf(IdentityUnavailable);
    expect(translateSilentError(server('server_error', undefined, 500), T, holder)).toBeInstanceOf(IdentityUnavailable);
  });
});
