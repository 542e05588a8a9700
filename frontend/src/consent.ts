// Words for consent and data agreements, shared by the My data tab and the
// proposal pages. Statuses are W3C DPV terms; the screen says them in words
// and keeps the term beside them.
import type { AgreementVersionView, ConsentView, PurposeView } from './api';
import { list, plural } from './format';

// The DPV consent status behind an item's answer for a purpose, in plain words.
export function statusWords(status: string): string {
  switch (status) {
    case 'ConsentGiven':
      return 'You gave consent';
    case 'RenewedConsentGiven':
      return 'You gave consent again';
    case 'ConsentWithdrawn':
      return 'You withdrew consent';
    case 'ConsentExpired':
      return 'Your consent has expired';
    case 'ConsentRefused':
      return 'You said no';
    case '':
      return 'Not asked yet';
    default:
      return status;
  }
}

export function eventWords(c: Pick<ConsentView, 'event' | 'status'>): string {
  switch (c.event) {
    case 'grant':
      return c.status === 'RenewedConsentGiven' ? 'Gave consent again' : 'Gave consent';
    case 'withdraw':
      return 'Withdrew consent';
    case 'refuse':
      return 'Opted out';
    default:
      return c.event;
  }
}

// This member's answer to a version (AgreementVersionView.mine), in words.
export function mineWords(mine: string): string {
  switch (mine) {
    case 'opted-in':
      return 'You opted in';
    case 'opted-out':
      return 'You opted out';
    case 'withdrawn':
      return 'You withdrew consent';
    case 'expired':
      return 'Your consent expired';
    case 'invalidated':
      return 'Your consent ended when you left';
    case '':
      return 'Not answered';
    default:
      return mine;
  }
}

// A purpose's label from the co-op's list, else its DPV term.
export function purposeLabel(purposes: PurposeView[], id: string): string {
  return purposes.find((p) => p.id === id)?.label || id;
}

const durationUnits: [string, string][] = [
  ['Y', 'year'],
  ['M', 'month'],
  ['W', 'week'],
  ['D', 'day'],
];
const timeUnits: [string, string][] = [
  ['H', 'hour'],
  ['M', 'minute'],
  ['S', 'second'],
];

export const durationPattern = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

// An ISO 8601 duration in words: "P3Y" → "3 years", "P1Y6M" → "1 year and 6 months".
export function durationWords(d: string): string {
  if (!d) return '—';
  const m = /^P([^T]*)(?:T(.*))?$/.exec(d);
  if (!m || !durationPattern.test(d)) return d;
  const parts: string[] = [];
  const take = (s: string | undefined, units: [string, string][]) => {
    for (const [u, word] of units) {
      const x = new RegExp(`(\\d+)${u}`).exec(s ?? '');
      if (x) parts.push(plural(Number(x[1]), word));
    }
  };
  take(m[1], durationUnits);
  take(m[2], timeUnits);
  if (parts.length === 0) return d;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

// The items a consent event names, in words.
export function itemsWords(c: Pick<ConsentView, 'items' | 'itemTitles' | 'categories'>): string {
  if (list(c.categories).includes('all')) return 'All your items, now and later';
  const titles = list(c.itemTitles).length ? list(c.itemTitles) : list(c.items).map((i) => i.slice(0, 12));
  return titles.length ? titles.join(', ') : '—';
}

export function splitCommas(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

// A current version this member never answered (the node says "" for
// nothing else: a withdrawn or expired answer is named).
export function unanswered(v: AgreementVersionView): boolean {
  return v.current && v.mine === '';
}

// A royalty share as the node gives it ("1/2", "50/100", "50%") with its percentage.
export function shareWords(s: string): string {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s || '');
  if (!m || Number(m[2]) === 0) return s || '—';
  return `${m[1]}/${m[2]} (${Math.round((100 * Number(m[1])) / Number(m[2]))}%)`;
}
