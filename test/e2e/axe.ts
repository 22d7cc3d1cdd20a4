import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';
import { WAIT_MS } from './tab-harness.js';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical findings in a page or frame as it is now (rule id and elements),
 * judged once nothing is mid-animation and a closed modal's aria-hidden
 * has been lifted, leaving out Fluent's tabster focus sentinels (a known false positive).
 */
export async function seriousViolations(target: Page | Frame): Promise<{ id: string; targets: string[] }[]> {
  if (!(await target.evaluate('typeof window.axe === "object"'))) await target.addScriptTag({ content: AXE_SOURCE });
  // Drawers and dialogs fade in and out (Web Animations): judge colours once nothing is mid-fade.
  await target.waitForFunction('document.getAnimations().every((a) => a.playState !== "running")', undefined, { timeout: WAIT_MS });
  // A closed modal's aria-hidden on the page is lifted a moment after it closes (Fluent's tabster).
  await target.waitForFunction('document.querySelector("[role=dialog]") !== null || !document.getElementById("root").hasAttribute("aria-hidden")', undefined, { timeout: WAIT_MS });
  // Strings evaluated in the page: test files are type-checked without the DOM library. Fluent's
  // tabster puts aria-hidden sentinels with tabindex=0 around focus zones; they only hand focus on.
  return target.evaluate(`window.axe.run({ exclude: [['[data-tabster-dummy]']] }).then((result) => result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, targets: v.nodes.map((n) => JSON.stringify(n.target)) })))`);
}
