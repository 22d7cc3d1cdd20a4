import { describe, expect, it } from 'vitest';
import { parseIntent, type Intent } from '../../bot/commands/intents.js';

describe('what a message asks for', () => {
  const cases: [string | undefined, Intent][] = [
    ['connect a device', 'connect'],
    ['Sync', 'connect'],
    ['sync my phone please', 'connect'],
    ['I got a new phone!', 'connect'],
    ['how do I connect my Android?', 'connect'],
    ['help me connect my iPad', 'connect'],
    ['QR', 'connect'],
    ['devices', 'devices'],
    ['My devices', 'devices'],
    ['show my devices', 'devices'],
    ['remove my iPhone', 'devices'],
    ['disconnect my phone', 'devices'],
    ['revoke', 'devices'],
    ['status', 'status'],
    ['sync status', 'status'],
    ['how many contacts do I get?', 'status'],
    ['when did it last sync', 'status'],
    ['help', 'help'],
    ['?', 'help'],
    ['Hello', 'help'],
    ['what can you do?', 'help'],
    ['', 'help'],
    [undefined, 'help'],
    ['what is the weather like', 'unknown'],
    ['thanks', 'unknown'],
  ];
  it.each(cases)('%j → %s', (text, intent) => {
    expect(parseIntent(text)).toBe(intent);
  });
});
