// `npm run playground`: Switchboard and the Microsoft 365 Agents Playground, to chat with the bot by
// hand without Teams or a bot registration. Builds and starts the server as `npm start` does (the
// local environment: no bot password, so the bot accepts the Playground's unauthenticated requests),
// then the Playground, which chats as a Contoso user of the local dev tenant.
//
//   npm run playground                        # as amelia.hart@contoso.example
//   npm run playground -- --user jonas.becker # as another Contoso user (see docs/bot.md)
//
// Ctrl-C stops both. The Playground's web UI opens in the browser (TEAMSAPPTESTER_BROWSER=none: not).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureDeps, run } from './lib/ensure-deps.mjs';
import { contosoPlayground, playgroundConfigYaml } from './lib/playground-config.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { user: { type: 'string', default: 'amelia.hart' }, port: { type: 'string', default: '56150' } } });
const playgroundConfig = contosoPlayground(options.user);

ensureDeps(root);
console.log('Building…');
run(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root });

// The settings the server will run with (validated, secrets hidden): where it listens, its CA, the bot's mode.
const check = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'config', 'check'], { cwd: root, encoding: 'utf8' });
if (check.status !== 0) {
  process.stderr.write(check.stderr || check.stdout);
  process.exit(check.status ?? 1);
}
const config = JSON.parse(check.stdout);
if (config.bot.mode !== 'local') {
  console.error(
    `The bot is in "${config.bot.mode}" mode here. The Playground sends requests without a Bot Framework token, which only the ` +
      'local mode accepts: run in the local environment (TEAMSFX_ENV=local) without SECRET_BOT_PASSWORD.',
  );
  process.exit(1);
}

// The Playground reads its configuration from, and writes its log (devTools/) to, its working directory.
const playgroundDir = path.join(config.dataDir, 'playground');
fs.mkdirSync(playgroundDir, { recursive: true });
fs.writeFileSync(path.join(playgroundDir, '.m365agentsplayground.yml'), playgroundConfigYaml(playgroundConfig));

const children = [];
const stopAll = (signal) => children.forEach((c) => c.exitCode === null && c.kill(signal));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));

const server = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'dist', 'server.js')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
children.push(server);
server.on('exit', (code) => {
  stopAll('SIGTERM');
  process.exit(code ?? 1);
});

// Start the Playground once the server prints its banner (it is listening by then).
let started = false;
server.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (started || !chunk.toString().includes('is running')) return;
  started = true;
  startPlayground();
});

function startPlayground() {
  const endpoint = `${config.publicUrl}/api/messages`;
  const env = { ...process.env };
  // The server's certificate comes from the local CA; the Playground (Node) must trust it to reach the bot.
  if (config.tls.mode === 'dev-ca') env.NODE_EXTRA_CA_CERTS = path.join(config.tls.dir, 'ca.crt');
  const cli = path.join(root, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
  const playground = spawn(process.execPath, [cli, 'start', '--app-endpoint', endpoint, '--channel-id', 'msteams', '--port', options.port, '--disable-telemetry'], { cwd: playgroundDir, env, stdio: 'inherit' });
  children.push(playground);
  playground.on('exit', () => stopAll('SIGTERM'));
  console.log(
    [
      '',
      `  Agents Playground: http://localhost:${options.port} (chatting as ${playgroundConfig.currentUser.name}, ${playgroundConfig.currentUser.upn})`,
      `  Bot endpoint:      ${endpoint} (local mode: no Bot Framework authentication)`,
      '  First sign in to the tab as ethan.walker@contoso.example (consent, first sync) and set a policy; see docs/bot.md.',
      '',
    ].join('\n'),
  );
}
