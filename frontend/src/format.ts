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

// "just now", "5 min ago", "3 h ago", else the date and time.
export function formatAgo(rfc3339: string | undefined, now = Date.now()): string {
  if (!rfc3339) return '—';
  const t = new Date(rfc3339).getTime();
  if (isNaN(t)) return rfc3339;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return formatDateTime(rfc3339);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 6 * 3600) return `${Math.floor(s / 3600)} h ago`;
  return formatDateTime(rfc3339);
}

export function formatBytes(n: number | undefined): string {
  const b = n ?? 0;
  if (b < 1000) return plural(b, 'byte');
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = b / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

// "in 5 min", "in 3 h", "in 2 days" for a time ahead; formatAgo for one past.
export function formatUntil(rfc3339: string | undefined, now = Date.now()): string {
  if (!rfc3339) return '—';
  const t = new Date(rfc3339).getTime();
  if (isNaN(t)) return rfc3339;
  const s = Math.round((t - now) / 1000);
  if (s <= 0) return formatAgo(rfc3339, now);
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.ceil(s / 60)} min`;
  if (s < 48 * 3600) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} days`;
}
