// Result charts as inline SVG: horizontal bars, one row per position or option,
// and for a ranked count one chart per round. Each chart also says its numbers
// in words (<title>/<desc>), so a screen reader gets the same as the picture.
import type { ProposalView, ResultView } from './api';
import { list } from './format';
import { fractionValue, optionName, positionLabel } from './govern';

const goodPositions = ['yes', 'agree', 'consent'];
const badPositions = ['no', 'disagree', 'object', 'block'];

export type Bar = {
  label: string;
  value: number;
  // What is written after the bar.
  text: string;
  // win: chosen or elected; out: drops out in this round; dim: already out.
  mark?: 'win' | 'out' | 'dim';
  note?: string;
  // The bar's colour only (a position for or against).
  tone?: 'good' | 'bad';
};

const W = 640;
const LABEL_W = 190;
const TEXT_W = 170;
const ROW_H = 30;
const BAR_H = 18;
const PAD = 6;

function clip(s: string, n = 26): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export function BarChart({
  bars,
  title,
  max,
  quota,
  testid = 'result-chart',
}: {
  bars: Bar[];
  title: string;
  // The value of a full-width bar (defaults to the largest value here).
  max?: number;
  // A vertical line at this value (a ranked count's quota), with its label.
  quota?: { value: number; label: string };
  testid?: string;
}) {
  const top = Math.max(max ?? 0, ...bars.map((b) => b.value), quota?.value ?? 0, 1);
  const area = W - LABEL_W - TEXT_W;
  const h = bars.length * ROW_H + PAD * 2 + (quota ? 16 : 0);
  const y0 = PAD + (quota ? 16 : 0);
  const desc = bars.map((b) => `${b.label}: ${b.text}${b.note ? ` (${b.note})` : ''}`).join('; ');
  const qx = quota ? LABEL_W + (area * quota.value) / top : 0;
  return (
    <svg
      class="chart"
      data-testid={testid}
      viewBox={`0 0 ${W} ${h}`}
      width="100%"
      preserveAspectRatio="xMinYMin meet"
      role="img"
      aria-label={`${title}. ${desc}`}
    >
      <title>{title}</title>
      <desc>{desc}</desc>
      {bars.map((b, i) => {
        const y = y0 + i * ROW_H;
        const w = b.value > 0 ? Math.max(2, (area * b.value) / top) : 0;
        return (
          <g key={i} class={`chart-row ${b.mark ?? ''}`} data-mark={b.mark ?? ''}>
            <text class="chart-label" x={LABEL_W - 8} y={y + ROW_H / 2} text-anchor="end" dominant-baseline="middle">
              <title>{b.label}</title>
              {clip(b.label)}
            </text>
            <rect class="chart-track" x={LABEL_W} y={y + (ROW_H - BAR_H) / 2} width={area} height={BAR_H} rx={3} />
            <rect class={`chart-bar ${b.mark ?? ''}${b.tone ? ` tone-${b.tone}` : ''}`} x={LABEL_W} y={y + (ROW_H - BAR_H) / 2} width={w} height={BAR_H} rx={3} />
            <text class="chart-value" x={LABEL_W + area + 8} y={y + ROW_H / 2} dominant-baseline="middle">
              {b.mark === 'win' ? '✓ ' : b.mark === 'out' ? '✗ ' : ''}
              {b.text}
              {b.note ? ` · ${b.note}` : ''}
            </text>
          </g>
        );
      })}
      {quota && (
        <g class="chart-quota">
          <line x1={qx} x2={qx} y1={PAD + 12} y2={h - PAD} />
          <text x={qx} y={PAD + 8} text-anchor="middle">
            {quota.label}
          </text>
        </g>
      )}
    </svg>
  );
}

function countText(method: string, n: number): string {
  switch (method) {
    case 'approval':
      return `${n} ${n === 1 ? 'approval' : 'approvals'}`;
    case 'score':
      return `${n} ${n === 1 ? 'point' : 'points'}`;
    case 'dot':
      return `${n} ${n === 1 ? 'dot' : 'dots'}`;
    case 'ranked':
      return `${n} first ${n === 1 ? 'choice' : 'choices'}`;
    default:
      return `${n} ${n === 1 ? 'vote' : 'votes'}`;
  }
}

// A ranked count's exact value: "2 votes", "7/2 votes (about 3.5)".
function valueText(s: string): string {
  if (!s.includes('/')) return `${s} ${s === '1' ? 'vote' : 'votes'}`;
  return `${s} votes (about ${Number(fractionValue(s).toFixed(2))})`;
}

// The chart(s) for a result: positions, totals per option, or a ranked count round by round.
export function ResultChart({ p, r }: { p: ProposalView; r: ResultView }) {
  const positions = list(r.positions);
  const totals = list(r.totals);
  const rounds = list(r.rounds);
  const winners = list(r.winners);
  const options = list(p.options);

  if (positions.length > 0) {
    return (
      <BarChart
        title="Votes by position"
        bars={positions.map((x) => ({
          label: positionLabel(x.position),
          value: x.count,
          text: countText('position', x.count),
          tone: goodPositions.includes(x.position) ? 'good' : badPositions.includes(x.position) ? 'bad' : undefined,
        }))}
      />
    );
  }

  if (p.method === 'ranked' && rounds.length > 0) {
    const max = Math.max(1, ...rounds.flatMap((rd) => list(rd.votes).map(fractionValue)));
    const elected = new Set<number>();
    const out = new Set<number>();
    return (
      <div class="rounds" data-testid="result-rounds">
        {rounds.map((rd, k) => {
          const bars: Bar[] = options.map((_, i) => {
            const v = list(rd.votes)[i] ?? '0';
            let mark: Bar['mark'];
            let note: string | undefined;
            if (out.has(i)) {
              mark = 'dim';
              note = 'out';
            } else if (elected.has(i)) {
              mark = 'win';
              note = 'elected earlier';
            }
            if (list(rd.elected).includes(i)) {
              mark = 'win';
              note = 'elected';
            }
            if (list(rd.eliminated).includes(i)) {
              mark = 'out';
              note = 'drops out';
            }
            return { label: optionName(p, i), value: fractionValue(v), text: valueText(v), mark, note };
          });
          list(rd.elected).forEach((i) => elected.add(i));
          list(rd.eliminated).forEach((i) => out.add(i));
          return (
            <figure class="round" key={k} data-testid="result-round">
              <figcaption>
                Round {k + 1}
                {rd.exhausted && rd.exhausted !== '0' && (
                  <span class="muted"> · {valueText(rd.exhausted)} with no further choice left</span>
                )}
                {rd.note && <span class="muted"> · {rd.note}</span>}
              </figcaption>
              <BarChart
                title={`Round ${k + 1}`}
                bars={bars}
                max={max}
                quota={r.quota ? { value: r.quota, label: `quota ${r.quota}` } : undefined}
                testid="round-chart"
              />
            </figure>
          );
        })}
      </div>
    );
  }

  if (totals.length > 0) {
    return (
      <BarChart
        title={p.method === 'ranked' ? 'First choices per option' : 'Totals per option'}
        bars={totals.map((n, i) => ({
          label: optionName(p, i),
          value: n,
          text: countText(p.method, n),
          mark: r.outcome === 'elected' && winners.includes(i) ? 'win' : undefined,
          note: r.outcome === 'tie' && winners.includes(i) ? 'tied' : undefined,
        }))}
      />
    );
  }
  return null;
}
