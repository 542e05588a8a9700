// The ballot for one proposal, with the control its method needs: positions
// (with a reason), one choice, approvals, a ranking (drag and drop, or the
// up and down buttons), score sliders, or dots.
import { useRef, useState } from 'preact/hooks';
import { api, errorText, type ProposalView, type VoteInput } from './api';
import { InlineError } from './ErrorBox';
import { list, plural } from './format';
import { NEEDS_REASON, POSITIONS, isChoiceMethod, optionName, positionLabel } from './govern';

const positionHints: Record<string, string> = {
  object: 'You think it would harm the co-op. Say why, and what would have to change.',
  block: 'You cannot live with it. Say why; a block stops the proposal.',
  abstain: 'You take part (it counts toward the quorum) without taking a side.',
  consent: 'You can live with it, even if it is not your first choice.',
};

function initialPoints(p: ProposalView, mine: VoteInput | null): number[] {
  const n = list(p.options).length;
  const given = list(mine?.points);
  return Array.from({ length: n }, (_, i) => given[i] ?? 0);
}

export function VoteForm({ p, onVoted }: { p: ProposalView; onVoted: (v: ProposalView) => void }) {
  const method = p.method;
  const options = list(p.options);
  const mine = p.myVote;
  const positions = POSITIONS[method];
  const choice = isChoiceMethod(method);
  const mineAbstains = !!mine && mine.position === 'abstain' && list(mine.choices).length === 0 && list(mine.points).length === 0;
  const maxScore = p.maxScore || 5;
  const dotsTotal = p.dots || 0;

  const [position, setPosition] = useState(mine?.position ?? '');
  const [reason, setReason] = useState(mine?.reason ?? '');
  const [abstain, setAbstain] = useState(choice && mineAbstains);
  const [single, setSingle] = useState<number | null>(method === 'single-choice' && mine ? (list(mine.choices)[0] ?? null) : null);
  const [approved, setApproved] = useState<number[]>(method === 'approval' && mine ? list(mine.choices) : []);
  const [ranking, setRanking] = useState<number[]>(
    method === 'ranked' && mine && list(mine.choices).length ? list(mine.choices) : options.map((_, i) => i),
  );
  const [points, setPoints] = useState<number[]>(() => initialPoints(p, mine));
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  function ballot(): VoteInput | string {
    if (positions) {
      if (!position) return 'Please choose your position.';
      if (NEEDS_REASON.includes(position) && !reason.trim()) {
        return position === 'object' ? 'An objection needs a reason: please say why.' : 'A block needs a reason: please say why.';
      }
      return { position, reason: reason.trim(), choices: [], points: [] };
    }
    if (abstain) return { position: 'abstain', reason: '', choices: [], points: [] };
    switch (method) {
      case 'single-choice':
        if (single === null) return 'Please choose an option (or abstain).';
        return { position: '', reason: '', choices: [single], points: [] };
      case 'approval':
        return { position: '', reason: '', choices: [...approved].sort((a, b) => a - b), points: [] };
      case 'ranked':
        if (ranking.length === 0) return 'Please rank at least one option (or abstain).';
        return { position: '', reason: '', choices: ranking, points: [] };
      case 'score':
        return { position: '', reason: '', choices: [], points };
      case 'dot': {
        const used = points.reduce((a, b) => a + b, 0);
        if (used < 1) return 'Please place at least one dot (or abstain).';
        if (used > dotsTotal) return `You have ${plural(dotsTotal, 'dot')}; please take some back.`;
        return { position: '', reason: '', choices: [], points };
      }
    }
    return `This screen does not know the method “${method}”.`;
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const b = ballot();
    setDone('');
    if (typeof b === 'string') return setError(b);
    setError('');
    setBusy(true);
    try {
      const v = await api.vote(p.id, b);
      setDone(mine ? 'Your vote was changed.' : 'Thank you: your vote is recorded.');
      onVoted(v);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="vote" data-testid="vote-form" onSubmit={submit} noValidate>
      {positions && (
        <fieldset class="positions">
          <legend>Your position</legend>
          {positions.map((pos) => (
            <label key={pos} class={`choice pos-${pos}`}>
              <input
                type="radio"
                name={`position-${p.id}`}
                value={pos}
                data-testid={`position-${pos}`}
                checked={position === pos}
                onChange={() => setPosition(pos)}
              />
              <span>
                {positionLabel(pos)}
                {positionHints[pos] && method !== 'majority' && <span class="hint">{positionHints[pos]}</span>}
              </span>
            </label>
          ))}
          <div class="field">
            <label for={`reason-${p.id}`}>
              Reason {NEEDS_REASON.includes(position) ? '(needed)' : '(optional)'}
            </label>
            <textarea
              id={`reason-${p.id}`}
              data-testid="vote-reason"
              rows={2}
              value={reason}
              required={NEEDS_REASON.includes(position)}
              aria-required={NEEDS_REASON.includes(position)}
              onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </div>
        </fieldset>
      )}

      {choice && (
        <>
          <fieldset class="options" disabled={abstain}>
            <legend>{choiceLegend(method, maxScore, dotsTotal, p.seats)}</legend>
            {method === 'single-choice' &&
              options.map((o, i) => (
                <label key={i} class="choice">
                  <input
                    type="radio"
                    name={`choice-${p.id}`}
                    data-testid={`choice-${i}`}
                    checked={single === i}
                    onChange={() => setSingle(i)}
                  />
                  <span>{o}</span>
                </label>
              ))}
            {method === 'approval' && (
              <>
                {options.map((o, i) => (
                  <label key={i} class="choice">
                    <input
                      type="checkbox"
                      data-testid={`approve-${i}`}
                      checked={approved.includes(i)}
                      onChange={(e) => {
                        const on = (e.currentTarget as HTMLInputElement).checked;
                        setApproved((xs) => (on ? [...xs.filter((x) => x !== i), i] : xs.filter((x) => x !== i)));
                      }}
                    />
                    <span>{o}</span>
                  </label>
                ))}
                {approved.length === 0 && <p class="hint">Ticking none counts as taking part without approving any.</p>}
              </>
            )}
            {method === 'ranked' && <Ranking p={p} ranking={ranking} setRanking={setRanking} />}
            {method === 'score' && (
              <div class="scores">
                {options.map((o, i) => (
                  <div class="score-row" key={i}>
                    <label for={`score-${p.id}-${i}`}>{o}</label>
                    <input
                      type="range"
                      id={`score-${p.id}-${i}`}
                      data-testid={`score-${i}`}
                      min={0}
                      max={maxScore}
                      step={1}
                      value={points[i]}
                      aria-valuetext={`${points[i]} of ${maxScore}`}
                      onInput={(e) => {
                        const v = Number((e.currentTarget as HTMLInputElement).value);
                        setPoints((xs) => xs.map((x, j) => (j === i ? v : x)));
                      }}
                    />
                    <output for={`score-${p.id}-${i}`} data-testid={`score-value-${i}`}>
                      {points[i]}
                    </output>
                  </div>
                ))}
              </div>
            )}
            {method === 'dot' && <Dots p={p} points={points} setPoints={setPoints} total={dotsTotal} />}
          </fieldset>
          <label class="choice abstain">
            <input type="checkbox" data-testid="vote-abstain" checked={abstain} onChange={(e) => setAbstain((e.currentTarget as HTMLInputElement).checked)} />
            <span>
              I abstain
              <span class="hint">You take part (it counts toward the quorum) without choosing.</span>
            </span>
          </label>
        </>
      )}

      {error && <InlineError text={error} />}
      <div class="row">
        <button type="submit" data-testid="vote-submit" disabled={busy}>
          {busy ? 'Sending your vote…' : mine ? 'Change my vote' : 'Cast my vote'}
        </button>
        {done && (
          <span class="muted" role="status" data-testid="vote-done">
            {done}
          </span>
        )}
      </div>
    </form>
  );
}

function choiceLegend(method: string, maxScore: number, dots: number, seats: number): string {
  switch (method) {
    case 'single-choice':
      return 'Choose one option';
    case 'approval':
      return 'Tick every option you can accept';
    case 'ranked':
      return seats > 1
        ? `Put the options in your order of preference (${seats} will be chosen)`
        : 'Put the options in your order of preference';
    case 'score':
      return `Give each option a score from 0 to ${maxScore}`;
    case 'dot':
      return `Spread up to ${plural(dots, 'dot')} over the options`;
  }
  return 'Your choice';
}

// A ranking: the ranked options in order (drag an option onto another to take
// its place, or use the buttons), and those left unranked.
function Ranking({ p, ranking, setRanking }: { p: ProposalView; ranking: number[]; setRanking: (r: number[]) => void }) {
  const options = list(p.options);
  const unranked = options.map((_, i) => i).filter((i) => !ranking.includes(i));
  const [dragged, setDragged] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const [said, setSaid] = useState('');
  const root = useRef<HTMLDivElement>(null);

  function place(opt: number, pos: number) {
    const next = ranking.filter((x) => x !== opt);
    const at = Math.max(0, Math.min(pos, next.length));
    next.splice(at, 0, opt);
    setRanking(next);
    setSaid(`${optionName(p, opt)} is now number ${at + 1}.`);
    return { next, at };
  }

  // The pressed button may now be disabled (top or bottom): the focus moves to the other one.
  function move(opt: number, by: -1 | 1) {
    const { next, at } = place(opt, ranking.indexOf(opt) + by);
    const stuck = (by < 0 && at === 0) || (by > 0 && at === next.length - 1);
    if (stuck && next.length > 1) {
      const other = by < 0 ? 'down' : 'up';
      requestAnimationFrame(() => root.current?.querySelector<HTMLButtonElement>(`[data-testid=rank-${other}-${opt}]`)?.focus());
    }
  }

  function remove(opt: number) {
    setRanking(ranking.filter((x) => x !== opt));
    setSaid(`${optionName(p, opt)} is no longer ranked.`);
  }

  function add(opt: number) {
    setRanking([...ranking.filter((x) => x !== opt), opt]);
    setSaid(`${optionName(p, opt)} is now number ${ranking.length + 1}.`);
  }

  function draggedOption(e: DragEvent): number | null {
    if (dragged !== null) return dragged;
    const v = Number(e.dataTransfer?.getData('text/plain'));
    return Number.isInteger(v) && v >= 0 && v < options.length ? v : null;
  }

  function start(e: DragEvent, opt: number) {
    setDragged(opt);
    if (e.dataTransfer) {
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', String(opt));
    }
  }

  function end() {
    setDragged(null);
    setOver(null);
  }

  function allow(e: DragEvent, pos: number | null) {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    setOver(pos);
  }

  function dropAt(e: DragEvent, pos: number) {
    e.preventDefault();
    e.stopPropagation();
    const opt = draggedOption(e);
    if (opt !== null) place(opt, pos);
    end();
  }

  return (
    <div class="ranking" ref={root}>
      <p class="hint" id={`rank-help-${p.id}`}>
        Drag an option onto another to take its place, or use the arrow buttons. Options you leave unranked get none of
        your support.
      </p>
      <ol
        class={`rank-list${dragged !== null && over === ranking.length ? ' drop-end' : ''}`}
        data-testid="rank-list"
        aria-label="Your ranking, first choice first"
        aria-describedby={`rank-help-${p.id}`}
        onDragOver={(e) => allow(e, ranking.length)}
        onDrop={(e) => dropAt(e, ranking.length)}
      >
        {ranking.map((opt, pos) => {
          const name = optionName(p, opt);
          return (
            <li
              key={opt}
              class={`rank-item${dragged === opt ? ' dragging' : ''}${over === pos && dragged !== opt ? ' drop-here' : ''}`}
              data-testid="rank-item"
              data-option={opt}
              draggable
              onDragStart={(e) => start(e, opt)}
              onDragEnd={end}
              onDragOver={(e) => {
                e.stopPropagation();
                allow(e, pos);
              }}
              onDrop={(e) => dropAt(e, pos)}
            >
              <span class="rank-pos" aria-hidden="true">
                {pos + 1}
              </span>
              <span class="grip" aria-hidden="true">
                ⠿
              </span>
              <span class="rank-name">{name}</span>
              <span class="rank-buttons">
                <button type="button" class="small secondary" data-testid={`rank-up-${opt}`} aria-label={`Move ${name} up`} disabled={pos === 0} onClick={() => move(opt, -1)}>
                  ↑
                </button>
                <button
                  type="button"
                  class="small secondary"
                  data-testid={`rank-down-${opt}`}
                  aria-label={`Move ${name} down`}
                  disabled={pos === ranking.length - 1}
                  onClick={() => move(opt, 1)}
                >
                  ↓
                </button>
                <button type="button" class="small secondary" data-testid={`rank-remove-${opt}`} aria-label={`Leave ${name} unranked`} onClick={() => remove(opt)}>
                  Unrank
                </button>
              </span>
            </li>
          );
        })}
        {ranking.length === 0 && <li class="empty">Nothing ranked yet: add options from below.</li>}
      </ol>
      {unranked.length > 0 && (
        <div
          class="unranked"
          onDragOver={(e) => allow(e, null)}
          onDrop={(e) => {
            e.preventDefault();
            const opt = draggedOption(e);
            if (opt !== null && ranking.includes(opt)) remove(opt);
            end();
          }}
        >
          <p class="muted">Not ranked</p>
          <ul>
            {unranked.map((opt) => {
              const name = optionName(p, opt);
              return (
                <li key={opt} class="rank-item unranked-item" data-testid="unranked-item" data-option={opt} draggable onDragStart={(e) => start(e, opt)} onDragEnd={end}>
                  <span class="rank-name">{name}</span>
                  <button type="button" class="small secondary" data-testid={`rank-add-${opt}`} aria-label={`Rank ${name}`} onClick={() => add(opt)}>
                    Add to my ranking
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <p class="sr-only" aria-live="polite">
        {said}
      </p>
    </div>
  );
}

// Dots: one stepper per option; never more than the total placed.
function Dots({ p, points, setPoints, total }: { p: ProposalView; points: number[]; setPoints: (f: (xs: number[]) => number[]) => void; total: number }) {
  const used = points.reduce((a, b) => a + b, 0);
  const left = total - used;
  const [said, setSaid] = useState('');
  const step = (i: number, by: 1 | -1) => {
    const n = Math.max(0, points[i] + by);
    if (by < 0 || left > 0) setSaid(`${optionName(p, i)}: ${plural(n, 'dot')}.`);
    setPoints((xs) => {
      const sum = xs.reduce((a, b) => a + b, 0);
      if (by > 0 && sum >= total) return xs;
      return xs.map((x, j) => (j === i ? Math.max(0, x + by) : x));
    });
  };
  return (
    <div class="dots">
      <p class={left === 0 ? 'dots-left none' : 'dots-left'} data-testid="dots-left" aria-live="polite" data-left={left}>
        {left === 0 ? `All ${plural(total, 'dot')} placed.` : `${plural(left, 'dot')} left of ${total}.`}
      </p>
      <p class="sr-only" aria-live="polite">
        {said}
      </p>
      {list(p.options).map((o, i) => (
        <div class="dot-row" key={i}>
          <span class="dot-name" id={`dot-name-${p.id}-${i}`}>
            {o}
          </span>
          <button type="button" class="small secondary" data-testid={`dot-minus-${i}`} aria-label={`One dot less for ${o}`} disabled={points[i] === 0} onClick={() => step(i, -1)}>
            −
          </button>
          <span class="dot-count" data-testid={`dot-count-${i}`}>
            {points[i]}
          </span>
          <button type="button" class="small secondary" data-testid={`dot-plus-${i}`} aria-label={`One dot more for ${o}`} disabled={left <= 0} onClick={() => step(i, 1)}>
            +
          </button>
          <span class="dot-pips" aria-hidden="true">
            {'●'.repeat(Math.min(points[i], 50))}
          </span>
        </div>
      ))}
    </div>
  );
}
