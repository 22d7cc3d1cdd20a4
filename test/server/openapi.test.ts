import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstOpenApi, documentedOperations, openApi } from '../helpers/openapi.js';
import { startTabApiServer, type TabApiServer } from '../helpers/tab-api-server.js';

/**
 * docs/openapi.yaml is the tab API's contract: a valid OpenAPI 3.1 document whose every operation
 * the server routes. Response bodies are checked against it by every API test (test/helpers/openapi.ts
 * through TabApiServer.call); here the checker itself is shown to catch what it must.
 */
describe('docs/openapi.yaml', () => {
  let s: TabApiServer;
  beforeAll(async () => {
    s = await startTabApiServer();
  });
  afterAll(() => s?.stop());

  it('is OpenAPI 3.1 with every operation named, summarised and answering its errors in the common shape', () => {
    expect(openApi.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const { method, template } of documentedOperations()) {
      const op = openApi.paths[template][method.toLowerCase()];
      expect(op.operationId, `${method} ${template}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(op.operationId), `duplicate ${op.operationId}`).toBe(false);
      ids.add(op.operationId);
      expect(op.summary, `${method} ${template}`).toBeTruthy();
      if (template !== '/api/tab-config') expect(op.responses['401'], `${method} ${template} must document 401`).toBeDefined();
      if (template.startsWith('/api/admin/')) expect(op.responses['403'], `${method} ${template} must document 403`).toBeDefined();
    }
    expect(ids.size).toBeGreaterThanOrEqual(17);
  });

  it('the checker refuses undocumented operations and statuses, and bodies that do not match', () => {
    expect(() => checkAgainstOpenApi('GET', '/api/nope', 200, 'application/json', {})).toThrow(/does not document GET \/api\/nope/);
    expect(() => checkAgainstOpenApi('GET', '/api/me', 418, 'application/json', {})).toThrow(/does not list status 418/);
    expect(() => checkAgainstOpenApi('GET', '/api/me', 200, 'application/json', { user: { id: 'x' } })).toThrow(/does not match/);
    expect(() => checkAgainstOpenApi('GET', '/api/directory/abc', 404, 'application/json', { error: { code: 'ContactNotFound' } })).toThrow(/message/);
    expect(() => checkAgainstOpenApi('GET', '/api/directory/abc/photo', 200, 'text/html', '<p>')).toThrow(/content type text\/html/);
    expect(() => checkAgainstOpenApi('GET', '/api/admin/policy', 401, 'application/json', { error: { code: 'Unauthorized', message: 'no' } })).not.toThrow();
  });

  it('GET /api/tab-config gives msal-browser the app, a multi-tenant authority on the configured host and the API scope', async () => {
    const res = await s.call('GET', '/api/tab-config');
    expect(await res.json()).toEqual({
      clientId: s.config.entra.clientId, authority: `${s.dev.baseUrl}/organizations`, knownAuthorities: [s.dev.host],
      apiScope: 'api://localhost:53000/botid-5b0a4d00-0000-4000-8000-000000000005/access_as_user',
    });
  });

  it('the server routes every documented operation, and refuses each without a token', async () => {
    // Without a token everything under /api but tab-config is 401, routed or not; with a signed-in
    // user's token, an operation the server lacks would be 404 with the router's code "NotFound".
    const grace = await s.signIn('8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33', 'grace.kim@contoso.example');
    for (const { method, template } of documentedOperations()) {
      const path = template.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const body = method === 'PUT' || method === 'POST' ? {} : undefined;
      expect((await s.call(method, path, undefined, body)).status, `${method} ${path}`).toBe(template === '/api/tab-config' ? 200 : 401);
      const res = await s.call(method, path, grace, body);
      const code = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { error?: { code?: string } }).error?.code : undefined;
      expect(code, `${method} ${path} is not routed`).not.toBe('NotFound');
    }
  });
});
