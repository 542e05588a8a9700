export function shortHex(hex: string, n = 12): string {
  return hex && hex.length > n ? hex.slice(0, n) : hex || '';
}

export function formatDate(rfc3339: string | undefined): string {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (isNaN(d.getTime())) return rfc3339;
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
}

export function formatDateTime(rfc3339: string | undefined): string {
  if (!rfc3339) return '—';
  const d = new Date(rfc3339);
  if (isNaN(d.getTime())) return rfc3339;
  return d.toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
}

export function list<T>(xs: T[] | null | undefined): T[] {
  return Array.isArray(xs) ? xs : [];
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}
