const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "in 15 minutes", "just now": the largest whole unit, in the browser's language. */
export function relativeTime(iso: string, now: number = Date.now(), locale?: string): string {
  const diff = new Date(iso).getTime() - now;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return format.format(Math.round(diff / ms), unit);
  }
  return Math.abs(diff) < 45_000 ? 'just now' : format.format(Math.round(diff / 60_000), 'minute');
}

/** The absolute time for a tooltip or title: "23 Nov 2025, 14:05". */
export function absoluteTime(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}
