import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('switchboard config check with a bot password', () => {
  const tmp = tempDir();
  const saved = { cwd: process.cwd(), env: { ...process.env } };
  afterEach(() => {
    process.chdir(saved.cwd);
    process.env = { ...saved.env };
    tmp.remove();
  });

  it('prints the bot settings with the password hidden', async () => {
    process.chdir(tmp.dir);
    Object.assign(process.env, {
      TEAMSFX_ENV: 'test', SECRET_DATA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      BOT_ID: '5b0a4d00-0000-4000-8000-000000000005', BOT_TENANT_ID: '8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33', SECRET_BOT_PASSWORD: 'very-secret-bot-password',
    });
    let out = '';
    const collect = (s: string) => {
      out += s;
      return true;
    };
    const code = await runCli(['config', 'check'], { out: collect, err: collect });
    expect(code).toBe(0);
    expect(JSON.parse(out).bot).toEqual({ mode: 'bot-framework', appId: '5b0a4d00-0000-4000-8000-000000000005', password: '[set]', tenantId: '8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33' });
    expect(out).not.toContain('very-secret-bot-password');
  });
});
