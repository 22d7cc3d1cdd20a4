import { describe, expect, it } from 'vitest';
import { envValues, fillJson, manifestSchemaErrors, readJson } from './helpers.js';

describe('Teams app manifest (appPackage/manifest.json)', () => {
  const template = readJson('appPackage/manifest.json');

  it('is on manifest schema 1.29', () => {
    expect(template.manifestVersion).toBe('1.29');
    expect(template.$schema).toBe('https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/MicrosoftTeams.schema.json');
  });

  it('validates against the vendored 1.29 schema once filled from env/.env.local', () => {
    const manifest = fillJson('appPackage/manifest.json', envValues('local'));
    expect(manifestSchemaErrors(manifest)).toEqual([]);
  });

  it('keeps its version in step with package.json', () => {
    expect(template.version).toBe(readJson('package.json').version);
  });

  it('uses Teams Toolkit placeholders for every id and address', () => {
    expect(template.id).toBe('${{TEAMS_APP_ID}}');
    expect(template.bots[0].botId).toBe('${{BOT_ID}}');
    expect(template.webApplicationInfo).toEqual({
      id: '${{AAD_APP_CLIENT_ID}}',
      // The documented resource for a tab and a bot sharing one webApplicationInfo.
      resource: 'api://${{TAB_DOMAIN}}/botid-${{BOT_ID}}',
    });
    expect(template.validDomains).toContain('${{TAB_DOMAIN}}');
  });

  it('has personal tabs for the directory, devices and admin pages, and the bot chat', () => {
    const tabs = Object.fromEntries(template.staticTabs.map((t: any) => [t.entityId, t]));
    expect(tabs.directory.contentUrl).toBe('${{TAB_ENDPOINT}}/tab');
    expect(tabs.devices.contentUrl).toBe('${{TAB_ENDPOINT}}/tab/devices');
    expect(tabs.admin.contentUrl).toBe('${{TAB_ENDPOINT}}/tab/admin');
    expect(tabs.conversations).toBeDefined();
    for (const tab of template.staticTabs) expect(tab.scopes).toEqual(['personal']);
  });

  it('offers the bot in personal scope with its command list', () => {
    const [bot] = template.bots;
    expect(bot.scopes).toEqual(['personal']);
    expect(bot.commandLists).toHaveLength(1);
    expect(bot.commandLists[0].scopes).toEqual(['personal']);
    expect(bot.commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(['connect a device', 'devices', 'status', 'help']);
    for (const command of bot.commandLists[0].commands) expect(command.description).toBeTruthy();
  });

  it('names the two icons', () => {
    expect(template.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });
});
