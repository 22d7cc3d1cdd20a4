import express from 'express';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { botRoutes } from '../../bot/bot-routes.js';
import { createBotEndpoint, type BotFrameworkEndpoints } from '../../bot/teams-ai-app.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { createApp } from '../../src/server/app.js';
import { openStore, type Store } from '../../src/store/store.js';
import { serveForTest } from '../helpers/http.js';
import { timed } from './kit/report.js';

const APP_ID = '5b0a4d00-0000-4000-8000-000000000005';
const TENANT = '8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33';
const USER = 'c000000b-5eed-4000-8000-00000000000b';
const SERVICE_URL = 'https://smba.trafficmanager.net/teams/';
const ISSUER = 'https://api.botframework.com';
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Part 1 for the bot endpoint (/api/messages) in production mode: botbuilder's Bot Framework
 * authentication, with the Bot Framework's OpenID metadata and keys served by a loopback stand-in
 * (bot/teams-ai-app.ts takes the endpoints as a seam; the public ones are not reachable from here).
 * Forged and wrong tokens must be refused before the bot runs: the bot's collaborators record every
 * call, and none may happen. The activity is a member joining, which the bot answers without any
 * outbound call, so nothing here leaves the machine even when the control case runs the bot.
 */
describe('resilience: forged tokens on the bot endpoint (production mode)', () => {
  let keys: { close: () => Promise<void> };
  let bot: { base: string; close: () => Promise<void> };
  let store: Store;
  let signer: CryptoKey;
  let unendorsed: CryptoKey;
  let attacker: CryptoKey;
  let publicPem: string;
  const ran: string[] = [];

  beforeAll(async () => {
    // botbuilder prints every refused request to the console; the assertions say what matters.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const pair = await generateKeyPair('RS256', { extractable: true });
    signer = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    const other = await generateKeyPair('RS256', { extractable: true });
    unendorsed = other.privateKey;
    attacker = (await generateKeyPair('RS256')).privateKey;
    const stand = express();
    let base = '';
    stand.get('/v1/.well-known/openidconfiguration', (_req, res) => res.json({ issuer: ISSUER, jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    stand.get('/v1/keys', async (_req, res) =>
      res.json({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'bf-key', use: 'sig', endorsements: ['msteams'] }, { ...(await exportJWK(other.publicKey)), kid: 'bf-other', use: 'sig', endorsements: ['skype'] }] }),
    );
    const served = await serveForTest(stand);
    base = served.base;
    keys = served;
    const endpoints: BotFrameworkEndpoints = {
      ValidateAuthority: true, ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com', ToChannelFromBotOAuthScope: ISSUER, ToBotFromChannelTokenIssuer: ISSUER, OAuthUrl: ISSUER,
      ToBotFromChannelOpenIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`, ToBotFromEmulatorOpenIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`, CallerId: 'urn:botframework:azure',
    };
    const config = parseConfig({ SECRET_DATA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'), TEAMSFX_ENV: 'production', BOT_ID: APP_ID, SECRET_BOT_PASSWORD: 'bot-client-secret-value', BOT_TENANT_ID: TENANT });
    if (config.bot.mode !== 'bot-framework') throw new Error(`the bot is not in production mode: ${config.bot.mode}`);
    const logger = createLogger('silent');
    // Every collaborator records being called: the bot ran if and only if `ran` is not empty.
    const endpoint = createBotEndpoint(config.bot, {
      commands: {
        welcome: async () => { ran.push('welcome'); return { text: 'hi' }; },
        message: async () => { ran.push('message'); return { text: 'hi' }; },
        action: async () => { ran.push('action'); return { text: 'hi' }; },
      } as unknown as Parameters<typeof createBotEndpoint>[1]['commands'],
      memory: { remember: async () => void ran.push('remember'), forget: async () => void ran.push('forget') },
      logger,
    }, endpoints);
    store = openStore({ kind: 'sqlite', path: ':memory:' });
    bot = await serveForTest(createApp({ logger, store, version: 't', apiRouters: [botRoutes(endpoint.handle)] }));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await bot?.close();
    await keys?.close();
    await store?.close();
  });

  const activity = JSON.stringify({
    type: 'conversationUpdate', channelId: 'msteams', serviceUrl: SERVICE_URL, membersAdded: [{ id: `29:${USER}`, name: 'Grace' }],
    from: { id: `29:${USER}`, aadObjectId: USER }, recipient: { id: `28:${APP_ID}` }, conversation: { id: `a:${USER}`, conversationType: 'personal', tenantId: TENANT }, channelData: { tenant: { id: TENANT } },
  });
  const post = (authorization?: string) => fetch(`${bot.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: activity });
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: JWTPayload = {}): JWTPayload => JSON.parse(JSON.stringify({ iss: ISSUER, aud: APP_ID, serviceurl: SERVICE_URL, iat: now(), nbf: now(), exp: now() + 300, ...over })) as JWTPayload;
  const sign = (payload: JWTPayload, key = signer, kid = 'bf-key') => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(key);

  it('the control: a token the Bot Framework signed for this bot runs the bot', async () => {
    const res = await post(`Bearer ${await sign(claims())}`);
    expect(res.status).toBe(200);
    expect(ran).toContain('remember');
    ran.length = 0;
  });

  it('every forged or wrong token is refused before the bot runs, and the answer carries no data', async () => {
    const valid = await sign(claims());
    const [h, p, s] = valid.split('.') as [string, string, string];
    const cases: [string, string | undefined][] = [
      ['no Authorization header', undefined],
      ['not a JWT', 'Bearer not-a-token'],
      ['Basic credentials', `Basic ${Buffer.from(`${APP_ID}:bot-client-secret-value`).toString('base64')}`],
      ['alg none', `Bearer ${b64url({ alg: 'none', kid: 'bf-key' })}.${b64url(claims())}.`],
      ['HS256 signed with the RSA public key (PEM)', `Bearer ${await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'bf-key' }).sign(new TextEncoder().encode(publicPem))}`],
      ['unknown kid', `Bearer ${await sign(claims(), signer, 'never-published')}`],
      ['attacker key under the real kid', `Bearer ${await sign(claims(), attacker)}`],
      ['claims edited after signing (another service URL)', `Bearer ${h}.${b64url({ ...(JSON.parse(Buffer.from(p, 'base64url').toString()) as object), serviceurl: 'https://evil.example/teams/' })}.${s}`],
      ['a published key not endorsed for msteams', `Bearer ${await sign(claims(), unendorsed, 'bf-other')}`],
      ['wrong audience (another bot)', `Bearer ${await sign(claims({ aud: '0f0f0f0f-0000-4000-8000-000000000000' }))}`],
      ['token for another app (the tab\'s client id)', `Bearer ${await sign(claims({ aud: '5b0a4d00-0000-4000-8000-000000000002' }))}`],
      ['wrong issuer', `Bearer ${await sign(claims({ iss: 'https://evil.example' }))}`],
      ['issuer of an Entra tenant (a user token, not the Bot Framework)', `Bearer ${await sign(claims({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0` }))}`],
      ['expired', `Bearer ${await sign(claims({ iat: now() - 3600, nbf: now() - 3600, exp: now() - 600 }))}`],
      ['not yet valid', `Bearer ${await sign(claims({ nbf: now() + 3600, exp: now() + 7200 }))}`],
      ['no service URL claim', `Bearer ${await sign(claims({ serviceurl: undefined }))}`],
      ['another service URL', `Bearer ${await sign(claims({ serviceurl: 'https://evil.example/teams/' }))}`],
    ];
    const statuses: Record<string, number> = {};
    await timed('tokens', `bot endpoint (production mode): ${cases.length} forged or wrong tokens`, async () => {
      for (const [name, authorization] of cases) {
        const res = await post(authorization);
        const text = await res.text();
        statuses[name] = res.status;
        expect(res.status, `${name}: ${res.status} ${text.slice(0, 200)}`).toBe(401);
        expect(ran, name).toEqual([]);
        expect(text, name).not.toMatch(/Grace|c000000b|conversation/i);
      }
      const not401 = Object.entries(statuses).filter(([, st]) => st !== 401);
      return { tried: cases.length, failures: 0, figures: { refusedWith401: cases.length - not401.length, refusedWithOtherStatus: not401.map(([n, st]) => `${n} → ${st}`).join('; ') || 'none' } };
    });
  });
});
