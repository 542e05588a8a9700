// The Proposals tab: proposals open for voting and those decided, a form for a
// new one, one proposal's page, and your standing delegations.
import { useEffect, useState } from 'preact/hooks';
import { api, describeError, type BylawsView, type JoinRequestView, type MemberView, type Problem, type ProposalView } from './api';
import { ErrorBox } from './ErrorBox';
import { formatAgo, formatDateTime, formatUntil, list } from './format';
import { usePoll } from './poll';
import { kindLabel, methodInfo, outcomeBadge, outcomeTone } from './govern';
import { NewProposalForm, type Amendment } from './NewProposal';
import { ProposalDetail } from './ProposalDetail';
import { MyDelegations } from './Delegations';

// How often the list is refreshed while the tab is on screen.
export const proposalsPollMs = 5000;

// Proposals waiting for this member's vote.
export function awaitingVote(ps: ProposalView[]): number {
  return ps.filter((p) => p.status === 'open' && p.canVote && !p.myVote).length;
}

export function ProposalsPanel({
  active,
  generation,
  bylaws,
  amend,
  onAmendDone,
  members,
  requests,
  refreshStatus,
  onList,
}: {
  active: boolean;
  generation: number;
  bylaws: BylawsView | undefined;
  // A bylaws amendment asked for elsewhere (the Bylaws tab): the form opens with it.
  amend?: Amendment | null;
  // The form that opened with it was submitted or cancelled.
  onAmendDone?: () => void;
  members: MemberView[];
  requests: JoinRequestView[];
  refreshStatus: () => Promise<void>;
  // Told the list each time it loads (the tab shows how many await your vote).
  onList?: (ps: ProposalView[]) => void;
}) {
  const [items, setItems] = useState<ProposalView[] | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [selected, setSelected] = useState('');
  const [creating, setCreating] = useState(false);
  // The proposal whose page was just left: its row takes the focus back.
  const [returnTo, setReturnTo] = useState('');

  useEffect(() => {
    if (selected || !returnTo) return;
    document.querySelector<HTMLButtonElement>(`[data-testid=proposal-row][data-id="${returnTo}"] [data-testid=proposal-open]`)?.focus();
    setReturnTo('');
  }, [selected, returnTo]);

  const load = async () => {
    try {
      const ps = list(await api.proposals());
      setItems(ps);
      setProblem(null);
      onList?.(ps);
    } catch (e) {
      setProblem(describeError(e));
    }
  };

  useEffect(() => {
    void load();
  }, [generation]);

  usePoll(
    async () => {
      await Promise.allSettled([load(), refreshStatus()]);
    },
    proposalsPollMs,
    // At once when the tab is shown or a proposal's page is left, then every few seconds.
    active && !selected,
  );

  useEffect(() => {
    if (!amend) return;
    setSelected('');
    setCreating(true);
  }, [amend]);

  function open(id: string) {
    setCreating(false);
    setSelected(id);
  }

  if (selected) {
    return (
      <ProposalDetail
        key={selected}
        id={selected}
        active={active}
        initial={items?.find((p) => p.id === selected)}
        members={members}
        refreshStatus={refreshStatus}
        onChanged={() => void load()}
        onBack={() => {
          setReturnTo(selected);
          setSelected('');
        }}
      />
    );
  }

  const all = items ?? [];
  const open_ = all.filter((p) => p.status !== 'closed');
  const closed = all.filter((p) => p.status === 'closed');

  return (
    <div class="stack" data-testid="proposals-view">
      <div class="row spread">
        <p class="muted lead">Proposals are how the members decide together. Open one, vote, and see what was decided.</p>
        {!creating && (
          <button type="button" data-testid="new-proposal" aria-expanded={creating} onClick={() => setCreating(true)}>
            New proposal
          </button>
        )}
      </div>
      {creating && (
        <NewProposalForm
          key={amend ? 'amend' : 'new'}
          bylaws={bylaws}
          amend={amend ?? undefined}
          members={members}
          requests={requests}
          onCancel={() => {
            setCreating(false);
            onAmendDone?.();
          }}
          onCreated={(p) => {
            setItems((xs) => [p, ...list(xs).filter((x) => x.id !== p.id)]);
            open(p.id);
            onAmendDone?.();
          }}
        />
      )}
      {problem && <ErrorBox problem={problem} onRetry={load} />}
      {items === undefined && !problem ? (
        <p class="muted">Loading proposals…</p>
      ) : (
        <>
          <section class="stack" aria-labelledby="open-proposals-title">
            <h3 id="open-proposals-title">Open for voting</h3>
            {open_.length === 0 ? (
              <p class="empty" data-testid="no-open-proposals">
                Nothing to vote on right now.
              </p>
            ) : (
              <ProposalList items={open_} onOpen={open} />
            )}
          </section>
          <section class="stack" aria-labelledby="closed-proposals-title">
            <h3 id="closed-proposals-title">Decided</h3>
            {closed.length === 0 ? <p class="empty">No proposal has been closed yet.</p> : <ProposalList items={closed} onOpen={open} />}
          </section>
        </>
      )}
      <MyDelegations members={members} generation={generation} />
    </div>
  );
}

function ProposalList({ items, onOpen }: { items: ProposalView[]; onOpen: (id: string) => void }) {
  return (
    <ul class="proposal-list">
      {items.map((p) => (
        <li key={p.id} class="proposal-card" data-testid="proposal-row" data-id={p.id} data-status={p.status} data-title={p.title}>
          <div class="proposal-card-main">
            <button type="button" class="link proposal-open" data-testid="proposal-open" onClick={() => onOpen(p.id)}>
              {p.title}
            </button>
            <p class="muted meta">
              {kindLabel(p.kind)} · {methodInfo(p.method).label} · by {p.author || 'a member'} · <When p={p} />
            </p>
          </div>
          <div class="proposal-card-side">
            <span class="row-voted" data-testid="row-voted" data-voted={p.voted} data-eligible={p.eligible}>
              {p.voted} of {p.eligible} voted
            </span>
            <StateBadge p={p} />
          </div>
        </li>
      ))}
    </ul>
  );
}

function When({ p }: { p: ProposalView }) {
  if (p.status === 'open') {
    return (
      <time dateTime={p.closes} title={formatDateTime(p.closes)}>
        voting ends {formatUntil(p.closes)}
      </time>
    );
  }
  if (p.status === 'ended') {
    return (
      <time dateTime={p.closes} title={formatDateTime(p.closes)}>
        voting ended {formatAgo(p.closes)}
      </time>
    );
  }
  return (
    <time dateTime={p.closedAt} title={formatDateTime(p.closedAt)}>
      closed {formatAgo(p.closedAt)}
    </time>
  );
}

function StateBadge({ p }: { p: ProposalView }) {
  if (p.status === 'closed' && p.result) {
    return (
      <span class={`badge outcome-badge ${outcomeTone(p.result.outcome)}`} data-testid="outcome-badge" data-outcome={p.result.outcome}>
        {outcomeBadge(p.result)}
      </span>
    );
  }
  if (p.status === 'ended') {
    return (
      <span class="badge waiting" data-testid="state-badge">
        {list(p.awaiting).length > 0 ? 'awaiting tellers' : p.canClose ? 'ready to close' : 'waiting to be closed'}
      </span>
    );
  }
  if (p.myVote) {
    return (
      <span class="badge voted" data-testid="state-badge">
        you voted
      </span>
    );
  }
  if (p.myProxy) {
    return (
      <span class="badge voted" data-testid="state-badge">
        {p.myProxy} votes for you
      </span>
    );
  }
  if (p.canVote) {
    return (
      <span class="badge needs" data-testid="state-badge">
        needs your vote
      </span>
    );
  }
  return null;
}
