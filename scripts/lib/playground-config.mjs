// The Microsoft 365 Agents Playground's configuration file (`.m365agentsplayground.yml`, schema
// https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json). It decides which tenant id and
// which user (`from.aadObjectId`) the Playground puts on the activities it sends, so the bot sees a
// real user of the local dev tenant's Contoso instead of the Playground's made-up defaults.

const CONTOSO_TENANT_ID = '8f1c6a3e-2b4d-4c5e-9f10-aa11bb22cc33';

/** Some of Contoso's people with their seed number (src/dev-tenant/sample-organisation.ts, CONTOSO_PEOPLE order). */
const PEOPLE = [
  [1, 'Amelia', 'Hart'],
  [4, 'Jonas', 'Becker'],
  [8, 'Marcus', 'Lee'],
  [11, 'Grace', 'Kim'],
  [12, 'Liam', 'Novak'],
  [13, 'Yuki', 'Tanaka'],
  [17, 'Ethan', 'Walker'],
  [20, 'Isabella', 'Garcia'],
];

/** The dev tenant's fixed ids: `c0` + 6 hex digits, `-5eed-4000-8000-` + 12 (sample-organisation.ts, fixedId). */
function contosoUserId(n) {
  return `c0${n.toString(16).padStart(6, '0')}-5eed-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function person([n, given, surname]) {
  const nick = `${given}.${surname}`.toLowerCase();
  return { id: `user-${nick}`, name: `${given} ${surname}`, upn: `${nick}@contoso.example`, aadObjectId: contosoUserId(n), given, surname };
}

/** Contoso user names the Playground can chat as (the part before @contoso.example). */
export const PLAYGROUND_USERS = PEOPLE.map((p) => person(p).upn.split('@')[0]);

/**
 * A configuration in which `user` (e.g. "grace.kim") chats with the bot; the schema also wants
 * exactly five other users, for its group chat and team.
 */
export function contosoPlayground(user = 'grace.kim') {
  const everyone = PEOPLE.map(person);
  const currentUser = everyone.find((p) => p.upn === `${user}@contoso.example`);
  if (!currentUser) throw new Error(`unknown Playground user "${user}"; one of ${PLAYGROUND_USERS.join(', ')}`);
  return { tenantId: CONTOSO_TENANT_ID, currentUser, users: everyone.filter((p) => p !== currentUser).slice(0, 5), personalChatId: 'switchboard-personal-chat' };
}

const q = (s) => JSON.stringify(String(s));

function user(u, indent) {
  const pad = ' '.repeat(indent);
  return [`id: ${q(u.id)}`, `name: ${q(u.name)}`, `userPrincipleName: ${q(u.upn)}`, `aadObjectId: ${q(u.aadObjectId)}`, `givenName: ${q(u.given)}`, `surname: ${q(u.surname)}`, `email: ${q(u.upn)}`]
    .map((line, i) => (i === 0 && indent > 2 ? `${' '.repeat(indent - 2)}- ${line}` : `${pad}${line}`))
    .join('\n');
}

/** The YAML text (JSON strings are valid YAML scalars, so values need no escaping of their own). */
export function playgroundConfigYaml(c) {
  return [
    '# Written by Switchboard (scripts/lib/playground-config.mjs) on every run; edits are lost.',
    'version: "0.1.1"',
    `tenantId: ${q(c.tenantId)}`,
    'bot:',
    '  id: "switchboard-bot"',
    '  name: "Switchboard"',
    'currentUser:',
    user(c.currentUser, 2),
    'users:',
    ...c.users.map((u) => user(u, 4)),
    'personalChat:',
    `  id: ${q(c.personalChatId)}`,
    'groupChat:',
    '  id: "switchboard-group-chat"',
    '  name: "Group chat"',
    'team:',
    '  id: "switchboard-team"',
    '  name: "Contoso"',
    '  aadGroupId: "c9000001-5eed-4000-8000-000000000001"',
    '  channels: []',
    '',
  ].join('\n');
}
