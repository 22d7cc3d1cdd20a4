import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Switchboard's package.json, found from this file whether run from src/ or dist/. */
export const projectRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && JSON.parse(fs.readFileSync(candidate, 'utf8')).name === 'switchboard') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Switchboard package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
})();

export const version: string = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version;
