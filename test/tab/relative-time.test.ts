import { describe, expect, it } from 'vitest';
import { relativeTime } from '../../tab/src/util/relative-time.js';

describe('relative times on the devices page', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it.each([
    ['2025-06-01T11:59:50Z', 'just now'],
    ['2025-06-01T11:57:00Z', '3 minutes ago'],
    ['2025-06-01T09:00:00Z', '3 hours ago'],
    ['2025-05-31T12:00:00Z', 'yesterday'],
    ['2025-06-01T12:15:00Z', 'in 15 minutes'],
  ])('%s is "%s"', (iso, text) => {
    expect(relativeTime(iso, now, 'en')).toBe(text);
  });
});
