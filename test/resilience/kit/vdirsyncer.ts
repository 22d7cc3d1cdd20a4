import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DeviceLogin } from './product.js';

const VDIRSYNCER = '/usr/bin/vdirsyncer';

/**
 * A device as Debian's vdirsyncer (a real CardDAV client) keeps it: discovery from the server root,
 * then sync-collection and multiget, one .vcf per card in a local folder. `cards()` is the device's
 * local copy, what convergence is judged on.
 */
export class VdirsyncerDevice {
  readonly dir: string;
  private readonly config: string;
  private discovered = false;

  constructor(
    root: string,
    /** The server's base URL (http://127.0.0.1:port), or a balancer's. */
    baseUrl: string,
    readonly login: DeviceLogin,
  ) {
    // A missing client is a broken test machine, not a reason to skip: .ci/run installs it.
    if (!fs.existsSync(VDIRSYNCER)) throw new Error(`${VDIRSYNCER} is not installed: run .ci/run, or apt-get install vdirsyncer`);
    this.dir = path.join(root, `vdirsyncer-${login.username}`);
    fs.mkdirSync(path.join(this.dir, 'contacts'), { recursive: true });
    this.config = path.join(this.dir, 'config');
    this.setBaseUrl(baseUrl);
  }

  /** Points the device at another address (a balancer, a restarted server on a new port). */
  setBaseUrl(baseUrl: string): void {
    fs.writeFileSync(
      this.config,
      [
        '[general]', `status_path = "${this.dir}/status/"`, '',
        '[pair directory]', 'a = "phone"', 'b = "switchboard"', 'collections = ["from b"]', '',
        '[storage phone]', 'type = "filesystem"', `path = "${this.dir}/contacts/"`, 'fileext = ".vcf"', '',
        '[storage switchboard]', 'type = "carddav"', `url = "${baseUrl}/"`, `username = "${this.login.username}"`, `password = "${this.login.password}"`, 'read_only = true', '',
      ].join('\n'),
    );
  }

  private run(args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(VDIRSYNCER, ['--config', this.config, ...args], { env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      // "Should vdirsyncer attempt to create it?" for the local collection: yes.
      child.stdin.end('y\ny\ny\n');
      // Bounded: a hung client must fail the test, not stall the suite.
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, output });
      });
    });
  }

  /** discover (first time) and sync; throws with vdirsyncer's output when it fails. */
  async sync(): Promise<void> {
    if (!this.discovered) {
      const d = await this.run(['discover']);
      if (d.code !== 0) throw new Error(`vdirsyncer discover failed (${d.code}):\n${d.output}`);
      this.discovered = true;
    }
    const s = await this.run(['sync']);
    if (s.code !== 0) throw new Error(`vdirsyncer sync failed (${s.code}):\n${s.output}`);
  }

  /** The local copy: the text of every .vcf vdirsyncer wrote. */
  cards(): string[] {
    const book = path.join(this.dir, 'contacts', 'contacts');
    return fs.existsSync(book) ? fs.readdirSync(book).filter((n) => n.endsWith('.vcf')).map((n) => fs.readFileSync(path.join(book, n), 'utf8')) : [];
  }
}
