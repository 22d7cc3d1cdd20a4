/** What a message asks for. The bot has four commands; everything else gets help. */
export type Intent = 'connect' | 'devices' | 'status' | 'help' | 'unknown';

// Checked in this order, because messages mix the commands' words: "sync status" asks for status,
// "remove my phone" for the device list (it has the revoke buttons), "connect my phone" and "add a
// device" for a link, and only then does a bare "devices" or "my devices" mean the list.
const RULES: [Intent, RegExp][] = [
  ['status', /\b(status|how many contacts|which groups|what groups|last sync(ed)?)\b/],
  ['devices', /\b(revoke|remove|disconnect|delete|forget|unlink|list|manage)\b/],
  ['connect', /\b(connect|sync|add|new|set ?up|enrol+(ment)?|register|pair|link|qr|scan|install|onboard)\b|\bcontacts (on|to) my\b/],
  ['devices', /\bdevices?\b|^(my )?(phones?|iphones?|ipads?|macs?|tablets?)$/],
  ['help', /^(\?|hi|hello|hey|start|menu|commands|what can you do|how does (this|it) work)$|\bhelp\b/],
];

/** Maps a message to an intent: case- and punctuation-insensitive; the wiring removed @mentions. */
export function parseIntent(text: string | undefined): Intent {
  const normalised = (text ?? '')
    .toLowerCase()
    .replace(/[!.,;:"'’`*_~()[\]{}]+/g, ' ')
    .replace(/\?+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!normalised) return 'help';
  for (const [intent, pattern] of RULES) if (pattern.test(normalised)) return intent;
  return 'unknown';
}
