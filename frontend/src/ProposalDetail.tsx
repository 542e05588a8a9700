// One proposal: what it says, its rules in words, your ballot, the results
// (or why they are hidden), closing, and every ballot with whether it counts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError, errorText, type BylawsChangeView, type DiffLineView, type MemberView, type Problem, type ProposalView, type ResultView } from './api';
import { ErrorBox, InlineError } from './ErrorBox';
import { formatAgo, formatDateTime, formatUntil, list, plural } from './format';
import { usePoll } from './poll';
import { ResultChart } from './Chart';
import { DelegateOnProposal } from './Delegations';
import { VoteForm } from './Vote';
import { describeVote, fractionText, pct, withLocalTimes, kindLabel, methodInfo, outcomeTone, outcomeWords, isChoiceMethod } from './govern';
import { roleList } from './Members';
import { AgreementTerms } from './AgreementProposal';
import { TextDiff } from './Diff';

// How often an open proposal's page asks for new votes.
export const proposalPollMs = 3000;

export const statusWords: Record<string, string> = {
  open: 'Open for voting',
  ended: 'Voting ended, not closed yet',
  closed: 'Closed',
};

export function ProposalDetail({
  id,
  active,
  initial,
  members,
  onBack,
  onChanged,
  refreshStatus,
}: {
  id: string;
  // Whether the Proposals tab is on screen (it polls only then).
  active: boolean;
  // The list's view of it (without ballots), shown until the full one arrives.
  initial?: ProposalView;
  members: MemberView[];
  onBack: () => void;
  // Something changed here (a vote, a close): the list should reload.
  onChanged: () => void;
  refreshStatus: () => Promise<void>;
}) {
  const [p, setP] = useState<ProposalView | undefined>(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = async () => {
    try {
      const v = await api.proposal(id);
      setP(v);
      setProblem(null);
    } catch (e) {
      setProblem(describeError(e));
    }
  };
  useEffect(() => {
    void load();
    heading.current?.focus();
  }, [id]);
  // Votes and the close arrive from other members until it is closed; nothing changes after.
  usePoll(
    async () => {
      await Promise.allSettled([load(), refreshStatus()]);
    },
    proposalPollMs,
    active && p?.status !== 'closed',
    false,
  );

  function updated(v: ProposalView) {
    setP(v);
    onChanged();
  }

  return (
    <article class="proposal stack" data-testid="proposal-detail" data-id={id} data-status={p?.status ?? ''}>
      <div>
        <button type="button" class="link back" data-testid="proposals-back" onClick={onBack}>
          ← All proposals
        </button>
      </div>
      {problem && <ErrorBox problem={problem} onRetry={load} />}
      {!p ? (
        <p class="muted">Loading the proposal…</p>
      ) : (
        <>
          <header class="proposal-head">
            <h2 ref={heading} tabIndex={-1} data-testid="proposal-title">
              {p.title}
            </h2>
            <p class="muted">
              <span class={`status-pill status-${p.status}`} data-testid="proposal-status" data-status={p.status}>
                {statusWords[p.status] ?? p.status}
              </span>{' '}
              {kindLabel(p.kind)} proposal by {p.author || 'a member'}, opened{' '}
              <time dateTime={p.opened}>{formatDateTime(p.opened)}</time>
            </p>
          </header>
          <Subject p={p} />
          {p.body && <div class="proposal-body">{p.body}</div>}
          <Rules p={p} />
          <Participation p={p} />
          <MyBallot p={p} members={members} onVoted={updated} reload={load} />
          <Results p={p} />
          <Closing p={p} onClosed={updated} />
          <Ballots p={p} />
        </>
      )}
    </article>
  );
}

function Subject({ p }: { p: ProposalView }) {
  switch (p.kind) {
    case 'removal':
      return (
        <p class="subject" data-testid="proposal-subject">
          If it passes, <strong>{p.subject}</strong> stops being a member of the co-op.
        </p>
      );
    case 'member-change':
      return (
        <p class="subject" data-testid="proposal-subject">
          If it passes, <strong>{p.subject}</strong> becomes a member of class <strong>{p.class}</strong> with the roles{' '}
          {roleList(p.roles)}.
        </p>
      );
    case 'admission':
      return (
        <p class="subject" data-testid="proposal-subject">
          If it passes, <strong>{p.subject}</strong> is admitted as a member of class <strong>{p.class}</strong>
          {list(p.roles).length > 0 && <> with the roles {roleList(p.roles)}</>}.
        </p>
      );
    case 'bylaws':
      return p.bylaws ? <BylawsSubject p={p} /> : null;
    case 'agreement':
      return p.agreement ? <AgreementTerms a={p.agreement} /> : null;
  }
  return null;
}

const changeWords: Record<string, string> = { added: 'Added', changed: 'Changed', removed: 'Removed' };

// A bylaws proposal: what it changes in the bylaws in force when it opened
// (not today's, which a later amendment may have changed), then the
// proposed bylaws whole.
function BylawsSubject({ p }: { p: ProposalView }) {
  const b = p.bylaws!;
  const changes = list(p.bylawsChanges);
  const special = Object.entries(b.special ?? {});
  return (
    <section class="subject stack" data-testid="proposal-subject" aria-labelledby={`changes-${p.id}`}>
      <h3 id={`changes-${p.id}`}>{p.bylawsBase ? 'What it changes' : 'The new bylaws'}</h3>
      {!p.bylawsBase ? null : changes.length === 0 ? (
        <p data-testid="bylaws-no-changes">If it passes, nothing changes: these are the bylaws that were in force when it opened.</p>
      ) : (
        <>
          <p>If it passes, the bylaws in force when it opened change:</p>
          <ul class="bylaws-changes" data-testid="bylaws-changes">
            {changes.map((c, i) => (
              <BylawsChange key={i} c={c} diff={c.what === 'text' ? list(p.bylawsTextDiff) : []} />
            ))}
          </ul>
        </>
      )}
      {list(p.warnings).map((w, i) => (
        <p class="notice" role="note" key={i} data-testid="proposal-warning">
          Note: {w}.
        </p>
      ))}
      <details data-testid="bylaws-whole">
        <summary>The proposed bylaws, whole</summary>
        <ul>
          <li>Quorum: {b.quorum}</li>
          <li>Threshold: {b.threshold}</li>
          <li>
            Admission:{' '}
            {b.admissionRule === 'by-decision'
              ? 'the members decide on each request to join'
              : `a member with the role ${list(b.admitRoles).join(' or ') || '(none)'} admits directly`}
          </li>
          <li>
            Member classes:{' '}
            {list(b.classes)
              .map((c) => `${c.name}${c.votes ? '' : ' (does not vote)'}`)
              .join(', ')}
          </li>
          {list(b.methods).length > 0 && <li>Decision methods allowed: {list(b.methods).map((m) => methodInfo(m).label).join(', ')}</li>}
          <li>After a proposal’s voting ends, only its author may close it for {plural(b.closeGraceHours, 'hour')}.</li>
          <li data-testid="bylaws-whole-tellers">
            {b.tellers > 0
              ? `A close decides once ${plural(b.tellers, 'other member')} ${b.tellers === 1 ? 'has' : 'have'} co-signed it.`
              : 'A close decides on its closer’s word alone (no tellers).'}
          </li>
          {special.map(([kind, r]) => (
            <li key={kind}>
              {kindLabel(kind)} proposals need quorum {r.quorum} and more than {r.threshold} of the yes and no votes
              {list(r.methods).length > 0 ? `, by ${list(r.methods).map((m) => methodInfo(m).label).join(' or ')} only` : ''}.
            </li>
          ))}
        </ul>
        <div class="bylaws-text">{b.text}</div>
      </details>
    </section>
  );
}

function BylawsChange({ c, diff }: { c: BylawsChangeView; diff: DiffLineView[] }) {
  return (
    <li data-testid="bylaws-change" data-what={c.what} data-name={c.name} data-change={c.change}>
      <span class="tag">{changeWords[c.change] ?? c.change}</span> <strong>{c.label}</strong>
      {c.change === 'added' && (
        <>
          : <span class="diff-add">{c.after}</span>
        </>
      )}
      {c.change === 'removed' && (
        <>
          : <span class="diff-del">{c.before}</span>
        </>
      )}
      {c.change === 'changed' && (c.before || c.after) && (
        <>
          : <span class="diff-del">{c.before}</span> → <span class="diff-add">{c.after}</span>
        </>
      )}
      {c.note && <span class="hint">{c.note}</span>}
      {diff.some((l) => l.op !== 'same') && (
        <TextDiff lines={diff} testid="bylaws-text-diff" label="Changes to the text of the bylaws, line by line" />
      )}
    </li>
  );
}

// The smallest number of members that meets the quorum, in integer arithmetic.
function quorumMembers(eligible: number, num: number, den: number): number {
  if (!den) return 0;
  return Math.floor((eligible * num + den - 1) / den);
}

function Rules({ p }: { p: ProposalView }) {
  const m = methodInfo(p.method);
  const options = list(p.options);
  const need = quorumMembers(p.eligible, p.quorum?.num ?? 0, p.quorum?.den ?? 1);
  return (
    <section class="rules" aria-labelledby={`rules-${p.id}`} data-testid="proposal-rules">
      <h3 id={`rules-${p.id}`}>How it is decided</h3>
      <ul>
        <li data-testid="rule-method">
          <strong>{m.label}.</strong> {m.help}
        </li>
        {isChoiceMethod(p.method) && (
          <li>
            The options:
            <ol class="option-list">
              {options.map((o, i) => (
                <li key={i}>{o}</li>
              ))}
            </ol>
            {p.method === 'ranked' && p.seats > 1 && <>{plural(p.seats, 'option')} will be chosen. </>}
            {p.method === 'score' && <>Scores go from 0 to {p.maxScore}. </>}
            {p.method === 'dot' && <>Each member has {plural(p.dots, 'dot')}. </>}
          </li>
        )}
        {p.method !== 'advice' && (
          <li data-testid="rule-quorum">
            Quorum {p.quorum?.text}: at least {plural(need, 'member')} of the {p.eligible} who may vote must take part
            (abstaining counts as taking part).
          </li>
        )}
        {p.method === 'majority' && (
          <li data-testid="rule-threshold">It passes when more than {p.threshold?.text} of the yes and no votes are yes.</li>
        )}
        <li>
          {list(p.classes).length > 0
            ? `Members of the class ${list(p.classes).join(' or ')} may vote: ${p.eligible} in all.`
            : `Every member of a class that votes may vote: ${p.eligible} in all.`}
        </li>
        <li data-testid="rule-closes">
          {p.status === 'open' ? (
            <>
              Voting ends <time dateTime={p.closes}>{formatDateTime(p.closes)}</time> ({formatUntil(p.closes)}).
            </>
          ) : (
            <>
              Voting ended <time dateTime={p.closes}>{formatDateTime(p.closes)}</time>.
            </>
          )}
        </li>
        {(p.hidden || p.hiddenNotice) && <li>The results stay hidden until it is closed.</li>}
      </ul>
    </section>
  );
}

function Participation({ p }: { p: ProposalView }) {
  return (
    <p class="participation-line" data-testid="voted" data-voted={p.voted} data-eligible={p.eligible}>
      <strong>
        {p.voted} of {p.eligible}
      </strong>{' '}
      members {p.status === 'open' ? 'have voted so far' : 'voted'}.
    </p>
  );
}

function MyBallot({
  p,
  members,
  onVoted,
  reload,
}: {
  p: ProposalView;
  members: MemberView[];
  onVoted: (v: ProposalView) => void;
  reload: () => Promise<void>;
}) {
  return (
    <section class="my-ballot stack" aria-labelledby={`ballot-${p.id}`}>
      <h3 id={`ballot-${p.id}`}>Your vote</h3>
      {p.myVote ? (
        <p data-testid="my-vote">
          Your vote: <strong>{describeVote(p, p.myVote)}</strong>
        </p>
      ) : p.myProxy ? (
        <p data-testid="my-proxy">
          <strong>{p.myProxy}</strong> votes for you by proxy on this proposal.
          {p.canVote && ' A vote of your own replaces theirs.'}
        </p>
      ) : (
        <p class="muted" data-testid="my-vote-none">
          {p.canVote ? 'You have not voted yet.' : 'You did not vote.'}
        </p>
      )}
      {p.canVote ? (
        <>
          {/* Keyed by the proposal so a poll never resets what you are filling in. */}
          <VoteForm key={p.id} p={p} onVoted={onVoted} />
          {!p.myVote && <DelegateOnProposal proposalId={p.id} members={members} onDone={() => void reload()} />}
        </>
      ) : p.status === 'open' ? (
        <p class="muted" data-testid="cannot-vote">
          You are not on the list of members who may vote on this proposal.
        </p>
      ) : (
        <p class="muted">Voting has ended.</p>
      )}
    </section>
  );
}

function Results({ p }: { p: ProposalView }) {
  const r = p.result;
  const final = p.status === 'closed';
  return (
    <section class="results stack" aria-labelledby={`results-${p.id}`} data-testid="results">
      <h3 id={`results-${p.id}`}>{final ? 'Result' : 'The count so far'}</h3>
      {p.hidden || !r ? (
        <p class="notice" data-testid="hidden-notice">
          {p.hiddenNotice || 'The results are not shown yet.'}{' '}
          <span data-testid="hidden-voted">
            {p.voted} of {p.eligible} members have voted.
          </span>
        </p>
      ) : (
        <>
          <Outcome p={p} r={r} final={final} />
          <Numbers p={p} r={r} />
          <ResultChart p={p} r={r} />
        </>
      )}
    </section>
  );
}

function Outcome({ p, r, final }: { p: ProposalView; r: ResultView; final: boolean }) {
  const tone = outcomeTone(r.outcome);
  if (!final) {
    return (
      <div class="outcome running" data-testid="running-outcome" data-outcome={r.outcome}>
        <p>
          <strong>If voting ended now: {outcomeWords(p, r)}.</strong>
        </p>
        {r.why && <p class="muted">{r.why}</p>}
      </div>
    );
  }
  return (
    <div class={`outcome final ${tone}`} data-testid="outcome" data-outcome={r.outcome} role="status">
      <p class="outcome-head">{outcomeWords(p, r)}</p>
      {r.why && <p data-testid="outcome-why">{r.why}</p>}
    </div>
  );
}

function Numbers({ p, r }: { p: ProposalView; r: ResultView }) {
  return (
    <ul class="numbers">
      <li data-testid="participation">
        Took part: {r.cast} of {r.eligible} members ({pct(r.participation.num, r.participation.den)})
        {p.method !== 'advice' && <span class="muted"> · quorum {p.quorum?.text}</span>}
      </li>
      {r.support && (
        <li data-testid="support">
          Support: {fractionText(r.support)} of the yes and no votes
          {p.method === 'majority' && <span class="muted"> · needs more than {p.threshold?.text}</span>}
        </li>
      )}
      {r.quota ? <li>Quota to be elected: {r.quota}</li> : null}
    </ul>
  );
}

function Closing({ p, onClosed }: { p: ProposalView; onClosed: (v: ProposalView) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function close() {
    setBusy(true);
    setError('');
    try {
      onClosed(await api.closeProposal(p.id));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="closing stack" aria-labelledby={`closing-${p.id}`}>
      <h3 id={`closing-${p.id}`}>Closing</h3>
      {p.closeNote && (
        <p class="muted" data-testid="close-note">
          {withLocalTimes(p.closeNote)}
        </p>
      )}
      <Awaiting p={p} />
      {p.status === 'closed' && (
        <p data-testid="closed-info">
          Closed by <strong>{p.closedBy || 'a member'}</strong> on <time dateTime={p.closedAt}>{formatDateTime(p.closedAt)}</time>.
          {p.effect && (
            <>
              {' '}
              <span data-testid="effect">What changed: {p.effect}.</span>
            </>
          )}
        </p>
      )}
      {p.canClose && (
        <div>
          <p>Closing counts the votes as this computer holds them and records the result for everyone.</p>
          <button type="button" data-testid="close-proposal" disabled={busy} onClick={close}>
            {busy ? 'Closing…' : 'Close and count the votes'}
          </button>
        </div>
      )}
      {error && <InlineError text={error} />}
    </section>
  );
}

// The closes signed and awaiting their tellers' co-signatures.
function Awaiting({ p }: { p: ProposalView }) {
  const closes = list(p.awaiting);
  if (closes.length === 0) return null;
  return (
    <ul class="awaiting" data-testid="pd-awaiting">
      {closes.map((a) => {
        const names = list(a.tellers);
        return (
          <li key={a.record} data-testid="pd-awaiting-close" data-record={a.record}>
            Awaiting tellers: {names.length} of {a.need} co-signed{names.length > 0 ? ` (${names.join(', ')})` : ''}, for the close by{' '}
            <strong>{a.by || 'a member'}</strong>.
          </li>
        );
      })}
    </ul>
  );
}

function Ballots({ p }: { p: ProposalView }) {
  const ballots = list(p.ballots);
  if (p.hidden || ballots.length === 0) return null;
  return (
    <section class="stack" aria-labelledby={`ballots-${p.id}`}>
      <h3 id={`ballots-${p.id}`}>Ballots</h3>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Vote</th>
              <th scope="col">Counts?</th>
              <th scope="col">Cast</th>
            </tr>
          </thead>
          <tbody>
            {ballots.map((b) => (
              <tr key={b.id} data-testid="ballot-row" data-counted={b.counted ? 'yes' : 'no'}>
                <th scope="row">
                  <span class="member-name">{b.voter}</span>
                  {list(b.proxies).length > 0 && <span class="hint">also for {list(b.proxies).join(', ')}</span>}
                </th>
                <td>{describeVote(p, b.vote)}</td>
                <td>
                  {b.counted ? <span class="tag ok">Counts</span> : <span class="tag">Does not count</span>}
                  {b.why && <span class="hint">{b.why}</span>}
                </td>
                <td>
                  <time dateTime={b.cast} title={formatDateTime(b.cast)}>
                    {formatAgo(b.cast)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
