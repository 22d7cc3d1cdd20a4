import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { botRoutes } from '../../bot/bot-routes.js';
import { createBot } from '../../bot/create-bot.js';
import { BotCommands } from '../../bot/commands/bot-commands.js';
import { ConversationMemory } from '../../bot/proactive.js';
import { createBotEndpoint, type BotFrameworkEndpoints } from '../../bot/teams-ai-app.js';
import { parseConfig } from '../../src/config/config.js';
import { createApp } from '../../src/server/app.js';
import { FeedRepository } from '../../src/store/feed-repository.js';
import { serveForTest } from '../helpers/http.js';
import { BotFixture, T, teamsActivity, U } from './bot-fixture.js';

const APP_ID = '5b0a4d00-0000-4000-8000-000000000005';
const SERVICE_URL = 'https://smba.trafficmanager.net/teams/';
const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/**
 * Production mode: botbuilder must refuse every request that does not carry a valid Bot Framework
 * token before the bot sees it. A local stand-in serves the Bot Framework's OpenID metadata and
 * signing key (with the msteams endorsement), so a token signed with that key proves that the checks
 * can pass, and tokens signed otherwise prove that the signature is what they check.
 */
describe('bot endpoint in production mode (Bot Framework authentication, single tenant)', () => {
  let f: BotFixture;
  let keys: { close: () => Promise<void> };
  let bot: { base: string; close: () => Promise<void> };
  let botFrameworkKey: CryptoKey;
  let otherKey: CryptoKey;

  beforeAll(async () => {
    f = await BotFixture.start();
    const signer = await generateKeyPair('RS256', { extractable: true });
    botFrameworkKey = signer.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = await exportJWK(signer.publicKey);

    const metadata = express();
    let metadataBase = '';
    metadata.get('/v1/.well-known/openidconfiguration', (_req, res) => res.json({ issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${metadataBase}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    metadata.get('/v1/keys', (_req, res) => res.json({ keys: [{ ...jwk, kid: 'bf-key', use: 'sig', endorsements: ['msteams'] }] }));
    const served = await serveForTest(metadata);
    metadataBase = served.base;
    keys = served;

    // The public cloud's values (botframework-connector AuthenticationConstants), keys from the stand-in.
    const endpoints: BotFrameworkEndpoints = {
      ValidateAuthority: true,
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
      OAuthUrl: 'https://api.botframework.com',
      ToBotFromChannelOpenIdMetadataUrl: `${metadataBase}/v1/.well-known/openidconfiguration`,
      ToBotFromEmulatorOpenIdMetadataUrl: `${metadataBase}/v1/.well-known/openidconfiguration`,
      CallerId: 'urn:botframework:azure',
    };
    const config = parseConfig({ SECRET_DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), TEAMSFX_ENV: 'dev', BOT_ID: APP_ID, SECRET_BOT_PASSWORD: 'bot-client-secret-value', BOT_TENANT_ID: T.contoso });
    expect(config.bot.mode).toBe('bot-framework');
    if (config.bot.mode !== 'bot-framework') return;
    const memory = new ConversationMemory({ references: f.references, tenants: f.store.tenants, feed: new FeedRepository(f.store.db) });
    const endpoint = createBotEndpoint(config.bot, { commands: new BotCommands(f.deps), memory, logger: f.logger }, endpoints);
    bot = await serveForTest(createApp({ logger: f.logger, store: f.store, version: 't', apiRouters: [botRoutes(endpoint.handle)] }));
  });
  afterAll(async () => {
    await bot?.close();
    await keys?.close();
    await f?.stop();
  });
  beforeEach(async () => {
    await f.references.delete(T.contoso, U.grace);
    // botbuilder logs every refused request to the console; the assertions say what matters.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // A user joining the chat: the bot answers nothing (no outbound call needed) but remembers the
  // conversation, which shows whether the bot ran at all.
  const activity = JSON.stringify(teamsActivity(U.grace, T.contoso, { type: 'conversationUpdate', membersAdded: [{ id: `29:${U.grace}`, name: 'Grace' }], serviceUrl: SERVICE_URL }));
  const post = (authorization?: string) =>
    fetch(`${bot.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: activity });
  const token = (key: CryptoKey, claims: { iss?: string; aud?: string; serviceurl?: string; exp?: string } = {}) =>
    new SignJWT({ serviceurl: claims.serviceurl ?? SERVICE_URL })
      .setProtectedHeader({ alg: 'RS256', kid: 'bf-key' })
      .setIssuer(claims.iss ?? BOT_FRAMEWORK_ISSUER)
      .setAudience(claims.aud ?? APP_ID)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m')
      .sign(key);
  const ranTheBot = async () => (await f.references.get(T.contoso, U.grace)) !== undefined;

  it('accepts a token the Bot Framework signed for this bot, and runs the bot (positive control)', async () => {
    const res = await post(`Bearer ${await token(botFrameworkKey)}`);
    expect(res.status).toBe(200);
    expect(await ranTheBot()).toBe(true);
  });

  it('refuses a request without an Authorization header (401), without running the bot', async () => {
    expect((await post()).status).toBe(401);
    expect(await ranTheBot()).toBe(false);
  });

  it.each([
    ['not a JWT', async () => 'Bearer not-a-token'],
    ['not a bearer token', async () => 'Basic dXNlcjpwYXNz'],
    ['for another bot', async () => `Bearer ${await token(botFrameworkKey, { aud: '0f0f0f0f-0000-4000-8000-000000000000' })}`],
    ['from another issuer', async () => `Bearer ${await token(botFrameworkKey, { iss: 'https://evil.example' })}`],
    ['for another service URL', async () => `Bearer ${await token(botFrameworkKey, { serviceurl: 'https://evil.example/teams/' })}`],
    ['expired', async () => `Bearer ${await token(botFrameworkKey, { exp: '-10m' })}`],
  ])('refuses a token %s (401), without running the bot', async (_what, header) => {
    expect((await post(await header())).status).toBe(401);
    expect(await ranTheBot()).toBe(false);
  });

  it('refuses a token signed with another key, without running the bot', async () => {
    const res = await post(`Bearer ${await token(otherKey)}`);
    // botbuilder 4.23 raises a failed signature check as a plain error (a 500 echoing it); our
    // adapter makes every failure to verify a 401 without the library's detail.
    expect(res.status).toBe(401);
    expect(await res.text()).not.toMatch(/signature/i);
    expect(await ranTheBot()).toBe(false);
  });
});

describe('bot configuration', () => {
  const KEY = Buffer.alloc(32, 3).toString('base64');

  it('runs unauthenticated (local mode) only without a password, and only in the local environment', () => {
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY }).bot).toEqual({ mode: 'local', appId: undefined });
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, BOT_ID: APP_ID }).bot).toEqual({ mode: 'local', appId: APP_ID });
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, TEAMSFX_ENV: 'dev', BOT_ID: APP_ID }).bot).toMatchObject({ mode: 'off', reason: expect.stringContaining('SECRET_BOT_PASSWORD is not set') });
    // A password always means Bot Framework authentication, in the local environment too.
    expect(parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, BOT_ID: APP_ID, SECRET_BOT_PASSWORD: 'pw-pw-pw', BOT_TENANT_ID: T.contoso }).bot).toEqual({ mode: 'bot-framework', appId: APP_ID, password: 'pw-pw-pw', tenantId: T.contoso });
  });

  it('a password needs the single-tenant registration\'s app id and tenant', () => {
    expect(() => parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, SECRET_BOT_PASSWORD: 'pw-pw-pw' })).toThrow(/BOT_ID: is required with SECRET_BOT_PASSWORD[\s\S]*BOT_TENANT_ID: is required with SECRET_BOT_PASSWORD/);
    expect(() => parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, BOT_ID: APP_ID, SECRET_BOT_PASSWORD: 'pw-pw-pw', BOT_TENANT_ID: 'tenant' })).toThrow(/BOT_TENANT_ID/);
  });

  it('with the bot off, nothing is created to mount at /api/messages, and the reason is logged', async () => {
    const f = await BotFixture.start();
    try {
      const warnings: unknown[] = [];
      const logger = Object.assign(Object.create(f.logger), { warn: (...args: unknown[]) => warnings.push(args) });
      const config = parseConfig({ SECRET_DATA_ENCRYPTION_KEY: KEY, TEAMSFX_ENV: 'dev', BOT_ID: APP_ID });
      expect(createBot({ config: config.bot, store: f.store, devices: f.devices.service, cipher: f.cipher, logger })).toBeUndefined();
      expect(JSON.stringify(warnings)).toContain('SECRET_BOT_PASSWORD is not set');
    } finally {
      await f.stop();
    }
  });
});
