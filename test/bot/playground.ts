import fs from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'undici';
import { contosoPlayground, playgroundConfigYaml } from '../../scripts/lib/playground-config.mjs';
import { projectRoot } from '../../src/project.js';
import { freePort, spawnProcess, type Spawned } from '../helpers/processes.js';
import type { Json } from './bot-fixture.js';

/** The Playground's CLI script, run with this Node (the .bin shim is a symlink to it). */
const CLI = path.join(projectRoot, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const WAIT_MS = 15_000;
/** Grace Kim of Contoso (Engineering) chats with the bot. */
const CONFIG = contosoPlayground('grace.kim');

/** A message the Playground shows in its chat: what the bot sent, as its web UI receives it. */
export interface ChatMessage {
  action: 'createMessage' | 'updateMessage' | string;
  conversationId: string;
  messageId: string;
  text?: string;
  attachments?: { contentType: string; content: Json }[];
}

/**
 * The Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground 0.2.28) run as a child
 * process against a bot endpoint, offline (`--disable-telemetry`, no browser), with a config file
 * that makes its user Grace Kim of the dev tenant's Contoso.
 *
 * It is driven through the same HTTP and WebSocket API its own web UI uses (read from its bundle,
 * dist/index.js; internal, so a Playground upgrade may move it):
 * - `POST /_debug/conversation/{id}/installation`: the app is installed (installationUpdate and
 *   conversationUpdate with the bot in membersAdded);
 * - `POST /_conversation/v1/conversations/{id}/messages` `{from:{id}, text, textFormat}`: the user types;
 * - `POST /_conversation/v1/invoke` `{name:'adaptiveCard/action', value, from, conversation, replyToId}`:
 *   the user presses an Action.Execute button;
 * - `ws /_ws_conversation/v1/conversations/stream`: what the bot sends back (createMessage, updateMessage).
 */
export class Playground {
  readonly messages: ChatMessage[] = [];
  private readonly listeners = new Set<() => void>();
  private constructor(
    readonly base: string,
    private readonly process: Spawned,
    private readonly socket: WebSocket,
  ) {}

  readonly user = CONFIG.currentUser;
  readonly conversationId = CONFIG.personalChatId;

  static async start(endpoint: string, dir: string): Promise<Playground> {
    fs.writeFileSync(path.join(dir, '.m365agentsplayground.yml'), playgroundConfigYaml(CONFIG));
    const port = await freePort();
    const child = spawnProcess(process.execPath, [CLI, 'start', '--app-endpoint', endpoint, '--channel-id', 'msteams', '--port', String(port), '--disable-telemetry'], {
      // Its log (devTools/) and config file live in its working directory.
      cwd: dir,
      env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' },
    });
    try {
      await child.waitFor(/Listening on \d+/, WAIT_MS);
      const base = `http://127.0.0.1:${port}`;
      const socket = new WebSocket(`ws://127.0.0.1:${port}/_ws_conversation/v1/conversations/stream`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the Playground WebSocket did not open')), WAIT_MS);
        socket.addEventListener('open', () => (clearTimeout(timer), resolve()));
        socket.addEventListener('error', () => (clearTimeout(timer), reject(new Error('the Playground WebSocket failed'))));
      });
      const pg = new Playground(base, child, socket);
      socket.addEventListener('message', (event) => pg.receive(String(event.data)));
      return pg;
    } catch (err) {
      child.child.kill('SIGKILL');
      throw err;
    }
  }

  /** Installs the app in the personal chat, as a user adding the bot in Teams. */
  async install(): Promise<void> {
    await this.post(`/_debug/conversation/${this.conversationId}/installation`, {});
  }

  /** The user types `text` in the personal chat. */
  async say(text: string): Promise<void> {
    await this.post(`/_conversation/v1/conversations/${this.conversationId}/messages`, { from: { id: this.user.id }, text, textFormat: 'plain' });
  }

  /** The user presses an Action.Execute button of message `replyToId`; the invoke response's body. */
  async press(replyToId: string, action: Json): Promise<Json> {
    return this.post('/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      value: { action, trigger: 'manual' },
      from: { id: this.user.id },
      conversation: { id: this.conversationId },
      replyToId,
    });
  }

  /** The first message (from `after` on) matching `test`, waiting up to 15 s for it. */
  waitFor(test: (m: ChatMessage) => boolean, after = 0): Promise<ChatMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(after).find(test);
        if (found) {
          done();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no such message from the bot within ${WAIT_MS} ms; got ${JSON.stringify(this.messages.slice(after)).slice(0, 2000)}\n${this.process.output().slice(-2000)}`));
      }, WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.socket.close();
    this.process.child.kill('SIGTERM');
    const exited = await Promise.race([this.process.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    if (!exited) this.process.child.kill('SIGKILL');
  }

  private receive(data: string): void {
    const event = JSON.parse(data) as { action?: string; actionConversationId?: string; message?: { messageId?: string; text?: string; attachments?: ChatMessage['attachments'] } };
    if (!event.message?.messageId) return;
    this.messages.push({
      action: event.action ?? '',
      conversationId: event.actionConversationId ?? '',
      messageId: event.message.messageId,
      ...(event.message.text ? { text: event.message.text } : {}),
      ...(event.message.attachments ? { attachments: event.message.attachments } : {}),
    });
    for (const l of this.listeners) l();
  }

  private async post(p: string, body: unknown): Promise<Json> {
    const res = await fetch(this.base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(WAIT_MS) });
    const text = await res.text();
    if (!res.ok) throw new Error(`Playground ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}
