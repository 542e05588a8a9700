// A text's changes, line by line, with long runs of unchanged lines folded
// into one row: agreement versions and bylaws proposals show them alike.
import type { DiffLineView } from './api';
import { plural } from './format';

type DiffRow = DiffLineView | { op: 'skip'; text: string; count: number };

// foldDiff keeps `context` lines around each change and counts the rest.
export function foldDiff(lines: DiffLineView[], context = 2): DiffRow[] {
  const keep = lines.map((l) => l.op !== 'same');
  lines.forEach((l, i) => {
    if (l.op === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const out: DiffRow[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (keep[i]) {
      if (skipped) out.push({ op: 'skip', text: '', count: skipped });
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped) out.push({ op: 'skip', text: '', count: skipped });
  return out;
}

export function TextDiff({ lines, testid, label }: { lines: DiffLineView[]; testid: string; label: string }) {
  return (
    <pre class="diff" data-testid={testid} tabIndex={0} aria-label={label}>
      {foldDiff(lines).map((l, i) =>
        l.op === 'skip' ? (
          <span key={i} class="diff-line diff-skip">
            {`  … ${plural((l as { count: number }).count, 'unchanged line')}\n`}
          </span>
        ) : (
          <span key={i} class={`diff-line diff-${l.op}`} data-op={l.op}>
            <span aria-hidden="true">{l.op === 'add' ? '+ ' : l.op === 'del' ? '- ' : '  '}</span>
            {l.op === 'add' && <span class="sr-only">Added: </span>}
            {l.op === 'del' && <span class="sr-only">Removed: </span>}
            {`${l.text}\n`}
          </span>
        ),
      )}
    </pre>
  );
}
