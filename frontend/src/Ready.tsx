import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError, type BylawsView, type JoinRequestView, type MemberView, type Problem, type StatusView } from './api';
import { ErrorBox } from './ErrorBox';
import { formatDate, formatDateTime, list, plural } from './format';
import { DEFAULT_TELLERS, kindLabel, KINDS, methodInfo } from './govern';
import type { Amendment } from './NewProposal';
import { InviteBox, JoinRequests, MembersTable, roleList } from './Members';
import { PeersPanel } from './Peers';
import { BundlesPanel } from './Bundles';
import { ProposalsPanel, awaitingVote } from './Proposals';
import { DataPanel } from './MyData';
import { usePoll } from './poll';

type TabId = 'coop' | 'bylaws' | 'members' | 'proposals' | 'data' | 'peers' | 'bundles' | 'node';
const TABS: { id: TabId; label: string }[] = [
  { id: 'coop', label: 'Co-op' },
  { id: 'bylaws', label: 'Bylaws' },
  { id: 'members', label: 'Members' },
  { id: 'proposals', label: 'Proposals' },
  { id: 'data', label: 'My data' },
  { id: 'peers', label: 'Peers' },
  { id: 'bundles', label: 'Bundles' },
  { id: 'node', label: 'This node' },
];

// How often the join requests are checked while the Members tab is on screen.
const requestsPollMs = 5000;

type Loaded<T> = { value?: T; problem?: Problem };

export function ReadyView({
  status,
  generation,
  onChanged,
  refreshStatus,
}: {
  status: StatusView;
  generation: number;
  // A full refresh (status, bylaws, members, requests) after a change made here.
  onChanged: () => void;
  // A quiet status refresh, for polling.
  refreshStatus: () => Promise<void>;
}) {
  const [tab, setTab] = useState<TabId>('coop');
  const [bylaws, setBylaws] = useState<Loaded<BylawsView>>({});
  const [members, setMembers] = useState<Loaded<MemberView[]>>({});
  const [requests, setRequests] = useState<Loaded<JoinRequestView[]>>({});
  // Open proposals waiting for your vote (the Proposals tab's count).
  const [awaiting, setAwaiting] = useState(0);
  // Current data agreement versions waiting for your answer (the My data tab's count).
  const [unanswered, setUnanswered] = useState(0);
  // A bylaws amendment asked for on the Bylaws tab, opened on the Proposals tab.
  const [amend, setAmend] = useState<Amendment | null>(null);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  const loadRequests = () =>
    api.joinRequests().then(
      (value) => setRequests({ value: list(value) }),
      (e) => setRequests({ problem: describeError(e) }),
    );
  usePoll(loadRequests, requestsPollMs, tab === 'members', false);

  useEffect(() => {
    let live = true;
    api.bylaws().then(
      (value) => live && setBylaws({ value }),
      (e) => live && setBylaws({ problem: describeError(e) }),
    );
    api.members().then(
      (value) => live && setMembers({ value: list(value) }),
      (e) => live && setMembers({ problem: describeError(e) }),
    );
    api.joinRequests().then(
      (value) => live && setRequests({ value: list(value) }),
      (e) => live && setRequests({ problem: describeError(e) }),
    );
    return () => {
      live = false;
    };
  }, [generation]);

  const problems = list(status.problems);
  const waiting = list(requests.value).filter((r) => r.mayAdmit && !r.admitted).length;

  function onTabKey(e: KeyboardEvent) {
    const i = TABS.findIndex((t) => t.id === tab);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i + TABS.length - 1) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next].id);
    tabRefs.current[TABS[next].id]?.focus();
  }

  return (
    <div>
      {problems.length > 0 && tab !== 'node' && (
        <div class="problems-banner" role="status">
          <span>coopnode found {plural(problems.length, 'problem')} with this node.</span>{' '}
          <button type="button" class="link" onClick={() => setTab('node')}>
            See them
          </button>
        </div>
      )}
      <div class="tabs" role="tablist" aria-label="Sections" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            type="button"
            role="tab"
            key={t.id}
            id={`tab-${t.id}`}
            data-testid={`tab-${t.id}`}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            class={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {t.id === 'members' && members.value && <span class="count">{members.value.length}</span>}
            {t.id === 'members' && waiting > 0 && (
              <span class="count warn" title={`${plural(waiting, 'request')} to join waiting for you`}>
                <span aria-hidden="true">+{waiting}</span>
                <span class="sr-only">, {plural(waiting, 'request')} to join waiting</span>
              </span>
            )}
            {t.id === 'proposals' && awaiting > 0 && (
              <span class="count warn" title={`${plural(awaiting, 'proposal')} waiting for your vote`}>
                <span aria-hidden="true">{awaiting}</span>
                <span class="sr-only">, {plural(awaiting, 'proposal')} waiting for your vote</span>
              </span>
            )}
            {t.id === 'data' && unanswered > 0 && (
              <span class="count warn" title={`${plural(unanswered, 'data agreement')} waiting for your answer`}>
                <span aria-hidden="true">{unanswered}</span>
                <span class="sr-only">, {plural(unanswered, 'data agreement')} waiting for your answer</span>
              </span>
            )}
            {t.id === 'peers' && status.network && <span class="count">{status.network.connected ?? 0}</span>}
            {t.id === 'node' && problems.length > 0 && <span class="count warn">{problems.length}</span>}
          </button>
        ))}
      </div>
      {/* All panels are rendered (hidden when not selected) so tests and find-in-page see them. */}
      <Panel id="coop" tab={tab}>
        <CoopPanel status={status} />
      </Panel>
      <Panel id="bylaws" tab={tab}>
        <Load loaded={bylaws} what="bylaws">
          {(b) => (
            <BylawsPanel
              bylaws={b}
              onAmend={(a) => {
                setAmend(a);
                setTab('proposals');
              }}
            />
          )}
        </Load>
      </Panel>
      <Panel id="members" tab={tab}>
        <div class="stack">
          <Load loaded={members} what="members">
            {(m) => <MembersTable members={m} />}
          </Load>
          <Load loaded={requests} what="requests to join">
            {(r) => <JoinRequests requests={r} classes={list(bylaws.value?.classes)} onAdmitted={onChanged} />}
          </Load>
          <InviteBox requests={requests.value} />
        </div>
      </Panel>
      <Panel id="proposals" tab={tab}>
        <ProposalsPanel
          active={tab === 'proposals'}
          generation={generation}
          bylaws={bylaws.value}
          amend={amend}
          onAmendDone={() => setAmend(null)}
          members={list(members.value)}
          requests={list(requests.value)}
          refreshStatus={refreshStatus}
          onList={(ps) => setAwaiting(awaitingVote(ps))}
        />
      </Panel>
      <Panel id="data" tab={tab}>
        <DataPanel status={status} active={tab === 'data'} generation={generation} refreshStatus={refreshStatus} onPending={setUnanswered} />
      </Panel>
      <Panel id="peers" tab={tab}>
        <PeersPanel status={status} active={tab === 'peers'} refreshStatus={refreshStatus} />
      </Panel>
      <Panel id="bundles" tab={tab}>
        <BundlesPanel status={status} onImported={onChanged} />
      </Panel>
      <Panel id="node" tab={tab}>
        <NodePanel status={status} />
      </Panel>
    </div>
  );
}

function Panel({ id, tab, children }: { id: TabId; tab: TabId; children: ComponentChildren }) {
  return (
    <section class="panel" role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} hidden={tab !== id} tabIndex={0}>
      {children}
    </section>
  );
}

function Load<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (v: T) => ComponentChildren }) {
  if (loaded.problem) return <ErrorBox problem={loaded.problem} />;
  if (loaded.value === undefined) return <p class="muted">Loading {what}…</p>;
  return <>{children(loaded.value)}</>;
}

function Facts({ children }: { children: ComponentChildren }) {
  return <dl class="facts">{children}</dl>;
}

function Fact({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>
        {children}
        {hint && <span class="hint">{hint}</span>}
      </dd>
    </div>
  );
}

function Hex({ value }: { value: string | undefined }) {
  return value ? <code class="hex">{value}</code> : <span class="muted">—</span>;
}

function CoopPanel({ status }: { status: StatusView }) {
  const c = status.coop;
  if (!c) return <p class="muted">No co-op details.</p>;
  return (
    <Facts>
      <Fact label="Name">{c.name}</Fact>
      <Fact label="Co-op ID" hint="The ID of the record that founded it.">
        <Hex value={c.id} />
      </Fact>
      <Fact label="Founded">
        <time dateTime={c.founded}>{formatDate(c.founded)}</time>
      </Fact>
      <Fact label="Members">{c.members}</Fact>
    </Facts>
  );
}

const votingRules: Record<string, string> = {
  'one-member-one-vote': 'One member, one vote',
};

function BylawsPanel({ bylaws: b, onAmend }: { bylaws: BylawsView; onAmend: (a: Amendment) => void }) {
  const classes = list(b.classes);
  const admitRoles = list(b.admitRoles);
  // Special rules ("special resolutions"), in the order of the kinds.
  const rules = (b.special as BylawsView['special'] | null | undefined) ?? {};
  const special = KINDS.filter((k) => Object.prototype.hasOwnProperty.call(rules, k.id)).map((k) => [k.id, rules[k.id]] as const);
  return (
    <div class="stack">
      <Facts>
        <Fact label="Voting rule">{votingRules[b.votingRule] ?? b.votingRule}</Fact>
        <Fact label="Quorum" hint="Share of voting members who must take part for a decision to count.">
          {b.quorum?.text ?? '—'}
        </Fact>
        <Fact label="Threshold" hint="Share of the votes cast needed to pass.">
          {b.threshold?.text ?? '—'}
        </Fact>
        <Fact label="Admission">
          {b.admissionRule === 'direct' ? (
            <>
              Direct: a member with the role {admitRoles.length ? roleList(admitRoles) : <span class="muted">(none named)</span>}{' '}
              admits new members.
            </>
          ) : b.admissionRule === 'by-decision' ? (
            'By decision: the members vote on each admission.'
          ) : (
            b.admissionRule || '—'
          )}
        </Fact>
        <Fact label="Tellers" hint="Other members whose nodes check a close against the ballots they hold and co-sign it.">
          <span data-testid="bylaws-tellers">
            {b.tellers > 0
              ? `${plural(b.tellers, 'other member')} co-sign a close before it decides.`
              : 'None: a close decides on its closer’s word alone.'}
          </span>
        </Fact>
        <Fact label="Adopted by record">
          <Hex value={b.adoptedBy} />
        </Fact>
        <Fact label="Adopted">
          <time dateTime={b.adoptedAt}>{formatDateTime(b.adoptedAt)}</time>
        </Fact>
      </Facts>

      {b.tellersAdvice && (
        <div class="notice" role="note" data-testid="bylaws-tellers-advice">
          <p>{b.tellersAdvice}</p>
          <button
            type="button"
            data-testid="bylaws-tellers-amend"
            onClick={() => onAmend({ title: `Tellers: ${DEFAULT_TELLERS} members co-sign each close`, bylaws: { tellers: DEFAULT_TELLERS } })}
          >
            Propose this amendment
          </button>
        </div>
      )}

      <h3>Special rules</h3>
      <p class="hint">Some kinds of proposal may need more than the quorum and threshold above. Support must be more than the threshold.</p>
      {special.length === 0 ? (
        <p class="muted" data-testid="bylaws-special-none">
          None: every kind of proposal is decided by the quorum and threshold above.
        </p>
      ) : (
        <table data-testid="bylaws-special">
          <thead>
            <tr>
              <th scope="col">Kind of proposal</th>
              <th scope="col">Quorum</th>
              <th scope="col">Threshold</th>
              <th scope="col">Decided by</th>
            </tr>
          </thead>
          <tbody>
            {special.map(([kind, r]) => (
              <tr key={kind}>
                <th scope="row">{kindLabel(kind)}</th>
                <td>{r.quorum?.text ?? '—'}</td>
                <td>{r.threshold?.text ?? '—'}</td>
                <td>
                  {list(r.methods).length > 0
                    ? list(r.methods)
                        .map((m) => methodInfo(m).label)
                        .join(' or ')
                    : 'Any method that passes or fails'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Member classes</h3>
      {classes.length === 0 ? (
        <p class="muted">The bylaws define no member classes.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Description</th>
              <th scope="col">Votes</th>
            </tr>
          </thead>
          <tbody>
            {classes.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td>{c.description || <span class="muted">—</span>}</td>
                <td>{c.votes ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Text of the bylaws</h3>
      {b.text ? <div class="bylaws-text">{b.text}</div> : <p class="muted">The bylaws have no text yet.</p>}
    </div>
  );
}

function NodePanel({ status: s }: { status: StatusView }) {
  const problems = list(s.problems);
  return (
    <div class="stack">
      {problems.length > 0 && (
        <div class="problems" role="alert" data-testid="problems">
          <h3>{problems.length === 1 ? 'A problem needs your attention' : 'Problems that need your attention'}</h3>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <Facts>
        <Fact label="Member">{s.me?.name ?? '—'}</Fact>
        <Fact label="Member ID">
          <Hex value={s.me?.memberId} />
        </Fact>
        <Fact label="Member key" hint="Your public signing key as a member.">
          <Hex value={s.me?.memberKey} />
        </Fact>
        <Fact label="Device key" hint="This computer’s public signing key.">
          <Hex value={s.me?.deviceKey} />
        </Fact>
        <Fact label="Home directory">
          <code class="path">{s.home || '—'}</code>
        </Fact>
        <Fact label="Version">{s.version || '—'}</Fact>
        <Fact label="Records" hint="Valid records folded into the co-op’s state.">
          {s.records ?? 0}
        </Fact>
        <Fact label="Pending" hint="Records waiting for earlier records this node has not seen yet.">
          {s.pending ?? 0}
        </Fact>
        <Fact label="Needs a newer version" hint="Signed records of kinds this version does not understand.">
          {s.needsNewer ?? 0}
        </Fact>
        <Fact label="State digest" hint="Two nodes that agree on it hold the same co-op state.">
          <Hex value={s.digest} />
        </Fact>
      </Facts>
    </div>
  );
}
