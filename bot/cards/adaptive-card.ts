/**
 * The few Adaptive Card shapes the bot builds (https://adaptivecards.io/explorer/), as plain JSON.
 * Version 1.5: Teams wants it for Universal Actions (Action.Execute), and it is the highest Teams
 * renders. Images may be `data:` URIs (1.2+).
 */
export const CARD_VERSION = '1.5';

export type CardElement = Record<string, unknown> & { type: string };
export type CardAction = Record<string, unknown> & { type: 'Action.OpenUrl' | 'Action.Execute' | 'Action.Submit'; title: string };

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  actions?: CardAction[];
  /** Screen readers and notifications read this when the card cannot be shown. */
  fallbackText?: string;
}

export function card(body: CardElement[], actions: CardAction[] = [], fallbackText?: string): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    ...(actions.length > 0 ? { actions } : {}),
    ...(fallbackText ? { fallbackText } : {}),
  };
}

export function heading(text: string): CardElement {
  return { type: 'TextBlock', text, size: 'Large', weight: 'Bolder', wrap: true, style: 'heading' };
}

export function text(value: string, options: { subtle?: boolean; color?: 'Good' | 'Attention' | 'Warning'; weight?: 'Bolder'; spacing?: 'Medium' | 'Large' } = {}): CardElement {
  return { type: 'TextBlock', text: value, wrap: true, ...(options.subtle ? { isSubtle: true, size: 'Small' } : {}), ...(options.color ? { color: options.color } : {}), ...(options.weight ? { weight: options.weight } : {}), ...(options.spacing ? { spacing: options.spacing } : {}) };
}

export function facts(pairs: [title: string, value: string][]): CardElement {
  return { type: 'FactSet', facts: pairs.map(([title, value]) => ({ title, value })) };
}

/**
 * A time as Teams shows it in the reader's own time zone and locale: the DATE()/TIME() functions of
 * Adaptive Card text (https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features),
 * which take RFC 3339 without fractional seconds.
 */
export function localDateTime(at: Date): string {
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
}

export function localTime(at: Date): string {
  return `{{TIME(${at.toISOString().replace(/\.\d{3}Z$/, 'Z')})}}`;
}

export function openUrl(title: string, url: string): CardAction {
  return { type: 'Action.OpenUrl', title, url };
}

export function execute(title: string, verb: string, data: Record<string, unknown> = {}, style?: 'positive' | 'destructive'): CardAction {
  return { type: 'Action.Execute', title, verb, data, ...(style ? { style } : {}) };
}

/** A button that sends `message` as if the user typed it (Teams' imBack), e.g. "connect a device". */
export function say(title: string, message: string): CardAction {
  return { type: 'Action.Submit', title, data: { msteams: { type: 'imBack', value: message } } };
}
