import type { AdminGroup, ContactField } from '../../../src/server/tab-api-types';
import { ApiRequestError } from '../api/client';

/** Display helpers shared by the admin sections: one place for dates, durations, counts and labels. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatCount(n: number): string {
  return Number.isInteger(n) ? integer.format(n) : decimal.format(n);
}

/** `1 user`, `2 users`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${decimal.format(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Security, Microsoft 365, or distribution list (mail-enabled, neither). */
export function groupKind(group: Pick<AdminGroup, 'securityEnabled' | 'unified'>): string {
  if (group.unified) return 'Microsoft 365';
  if (group.securityEnabled) return 'Security';
  return 'Distribution';
}

/** A group's name for the page: its display name, or a plain note when the directory no longer has it. */
export function groupLabel(id: string, names: Record<string, string | null | undefined>): string {
  const name = names[id];
  if (name) return name;
  return name === null ? `Unknown group (${id})` : id;
}

const FIELD_LABELS: Record<ContactField, string> = {
  displayName: 'Display name',
  givenName: 'Given name',
  surname: 'Surname',
  mail: 'Email',
  userPrincipalName: 'Sign-in name (UPN)',
  jobTitle: 'Job title',
  department: 'Department',
  officeLocation: 'Office',
  companyName: 'Company',
  businessPhones: 'Business phones',
  mobilePhone: 'Mobile phone',
  city: 'City',
  country: 'Country or region',
};

export function fieldLabel(field: ContactField): string {
  return FIELD_LABELS[field] ?? field;
}

/** A readable message for any failure; aborted requests are the caller's business (see isAbort). */
export function errorText(err: unknown): string {
  if (err instanceof ApiRequestError) {
    if (err.status === 403) return 'Only tenant administrators can use the admin settings.';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException ? err.name === 'AbortError' : err instanceof Error && err.name === 'AbortError';
}
