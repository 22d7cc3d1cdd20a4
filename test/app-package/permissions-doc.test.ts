import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, readText, root } from './helpers.js';

interface Row {
  permission: string;
  adminConsent: string;
  usedFor: string;
  codePath: string;
}

/** The rows of the table under "## Microsoft Graph permissions" in docs/permissions.md. */
function permissionTable(): Row[] {
  const doc = readText('docs/permissions.md');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Microsoft Graph permissions'));
  if (!section) throw new Error('docs/permissions.md has no "## Microsoft Graph permissions" section');
  return section
    .split('\n')
    .filter((line) => /^\|\s*`/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const [permission, adminConsent, usedFor, codePath] = cells;
      return { permission: permission!.replace(/`/g, ''), adminConsent: adminConsent!, usedFor: usedFor!, codePath: codePath! };
    });
}

describe('docs/permissions.md', () => {
  const rows = permissionTable();
  const aad = readJson('appPackage/aad.manifest.json');
  const graph = readJson('appPackage/graph-permissions.json');

  it('lists exactly the permissions that the Entra app registration requests', () => {
    const requested = aad.requiredResourceAccess.flatMap((r: { resourceAccess: { id: string }[] }) => r.resourceAccess.map((a) => a.id));
    expect(rows.map((r) => r.permission).sort()).toEqual([...requested].sort());
  });

  it('says which permissions need admin consent', () => {
    for (const row of rows) {
      expect(row.adminConsent, row.permission).toBe(graph.delegated[row.permission].adminConsent ? 'yes' : 'no');
    }
  });

  it('explains every permission and names the code that uses it', () => {
    for (const row of rows) {
      expect(row.usedFor.length, row.permission).toBeGreaterThan(20);
      const paths = [...row.codePath.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      if (paths.length === 0) {
        expect(row.codePath, `${row.permission}: code path`).toMatch(/^TBD \(issues? \d+(, \d+)*\)$/);
      }
      for (const p of paths) {
        const [file, symbol] = p.split('#') as [string, string | undefined];
        expect(fs.existsSync(path.join(root, file)), `${row.permission}: ${file} exists`).toBe(true);
        if (symbol) expect(fs.readFileSync(path.join(root, file), 'utf8'), `${row.permission}: ${p}`).toMatch(new RegExp(`\\b${symbol}\\b`));
      }
    }
  });

  it('tells administrators how to review and revoke consent', () => {
    const doc = readText('docs/permissions.md');
    expect(doc).toMatch(/Enterprise applications/);
    expect(doc).toMatch(/## Reviewing and granting consent/);
    expect(doc).toMatch(/## Revoking consent/);
  });
});
