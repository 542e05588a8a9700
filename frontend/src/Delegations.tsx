// Letting another member vote for you: on one proposal (from its page), or on
// a kind of proposal or every proposal (My delegations, on the Proposals tab).
import { useEffect, useState } from 'preact/hooks';
import { api, describeError, errorText, type DelegationView, type MemberView, type Problem } from './api';
import { ErrorBox, InlineError } from './ErrorBox';
import { list } from './format';
import { KINDS } from './govern';

// Members who can hold your vote: current members other than you.
function delegates(members: MemberView[]): MemberView[] {
  return members.filter((m) => !m.me && !m.left);
}

export function MemberSelect({
  id,
  testid,
  members,
  value,
  onChange,
  label,
}: {
  id: string;
  testid: string;
  members: MemberView[];
  value: string;
  onChange: (v: string) => void;
  label: string;
}) {
  return (
    <>
      <label for={id}>{label}</label>
      <select id={id} data-testid={testid} value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">Choose a member…</option>
        {members.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
            {m.me ? ' (you)' : ''}
          </option>
        ))}
      </select>
    </>
  );
}

// On a proposal's page: "Let someone vote for me on this proposal".
export function DelegateOnProposal({
  proposalId,
  members,
  onDone,
}: {
  proposalId: string;
  members: MemberView[];
  onDone: () => void;
}) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const others = delegates(members);

  async function submit(e: Event) {
    e.preventDefault();
    if (!to) return setError('Please choose who should vote for you.');
    setBusy(true);
    setError('');
    setDone('');
    try {
      const d = await api.delegate(to, proposalId, '');
      setDone(`${d.delegate} will vote for you on this proposal, unless you vote yourself.`);
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <details class="delegate-here">
      <summary data-testid="delegate-open">Let someone vote for me on this proposal</summary>
      {others.length === 0 ? (
        <p class="empty">There is no other member to ask yet.</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p class="hint">
            Their vote then counts for you too. A vote of your own always replaces theirs, and you can withdraw this under My
            delegations.
          </p>
          <div class="row">
            <MemberSelect
              id={`delegate-${proposalId}`}
              testid="delegate-select"
              label="Who"
              members={others}
              value={to}
              onChange={setTo}
            />
            <button type="submit" class="secondary" data-testid="delegate-submit" disabled={busy}>
              {busy ? 'Saving…' : 'Let them vote for me'}
            </button>
          </div>
          {error && <InlineError text={error} />}
          {done && (
            <p class="success" role="status" data-testid="delegate-result">
              {done}
            </p>
          )}
        </form>
      )}
    </details>
  );
}

// The Proposals tab's "My delegations": the standing ones, a form for a new
// one (a kind of proposal, or every proposal), and a way to withdraw each.
export function MyDelegations({ members, generation }: { members: MemberView[]; generation: number }) {
  const [items, setItems] = useState<DelegationView[] | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [to, setTo] = useState('');
  const [kind, setKind] = useState('');
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const others = delegates(members);

  const load = () =>
    api.delegations().then(
      (v) => {
        setItems(list(v));
        setProblem(null);
      },
      (e) => setProblem(describeError(e)),
    );

  useEffect(() => {
    void load();
  }, [generation]);

  async function add(e: Event) {
    e.preventDefault();
    if (!to) return setError('Please choose who should vote for you.');
    setBusy('add');
    setError('');
    setDone('');
    try {
      const d = await api.delegate(to, '', kind);
      setTo('');
      await load();
      setDone(`${d.delegate} now votes for you on ${d.scope}, unless you vote yourself.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy('');
    }
  }

  async function end(d: DelegationView) {
    setBusy(d.id);
    setError('');
    setDone('');
    try {
      await api.endDelegation(d.id);
      await load();
      setDone(`${d.delegate} no longer votes for you on ${d.scope}.`);
    } catch (err) {
      setError(errorText(err));
      void load(); // it may have been withdrawn all the same
    } finally {
      setBusy('');
    }
  }

  return (
    <section class="delegations stack" aria-labelledby="delegations-title" data-testid="delegations">
      <h3 id="delegations-title">My delegations</h3>
      <p class="muted">
        If you cannot follow every decision, another member can vote for you. Their vote counts for you only when you have not
        voted yourself.
      </p>
      {problem ? (
        <ErrorBox problem={problem} onRetry={load} />
      ) : items === undefined ? (
        <p class="muted">Loading your delegations…</p>
      ) : items.length === 0 ? (
        <p class="empty" data-testid="no-delegations">
          Nobody votes for you: you vote for yourself on everything.
        </p>
      ) : (
        <ul class="plain-list">
          {items.map((d) => (
            <li key={d.id} data-testid="delegation-row" data-id={d.id} class="row">
              <span>
                <strong>{d.delegate || d.delegateId.slice(0, 12)}</strong> votes for you on {d.scope}.
              </span>
              <button
                type="button"
                class="small secondary"
                data-testid="end-delegation"
                aria-label={`Withdraw: ${d.delegate} no longer votes for you on ${d.scope}`}
                disabled={busy !== ''}
                onClick={() => end(d)}
              >
                {busy === d.id ? 'Withdrawing…' : 'Withdraw'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <form onSubmit={add} noValidate class="row">
          <MemberSelect id="delegation-member" testid="delegation-member" label="Let" members={others} value={to} onChange={setTo} />
          <label for="delegation-scope">vote for me on</label>
          <select id="delegation-scope" data-testid="delegation-scope" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">every proposal</option>
            {KINDS.map((k) => (
              <option key={k.id} value={k.id}>
                {k.short.toLowerCase()} proposals
              </option>
            ))}
          </select>
          <button type="submit" class="secondary" data-testid="delegation-add" disabled={busy !== ''}>
            {busy === 'add' ? 'Saving…' : 'Save'}
          </button>
        </form>
      )}
      {error && <InlineError text={error} />}
      {done && (
        <p class="success" role="status" data-testid="delegation-result">
          {done}
        </p>
      )}
    </section>
  );
}
