// The co-op's data agreements, version by version, with this member's answer
// to each (consent is never carried over to a new version); every consent
// event of this member with its full ISO/IEC TS 27560 record; and the
// co-op-wide question "which items may be used for this purpose now".
import { useEffect, useState } from 'preact/hooks';
import {
  api,
  copyText,
  errorText,
  type AgreementVersionView,
  type AgreementView,
  type ConsentDetailView,
  type ConsentQueryView,
  type ConsentView,
  type PurposeView,
} from './api';
import { InlineError } from './ErrorBox';
import { TextDiff } from './Diff';
import { formatAgo, formatDate, formatDateTime, list, plural } from './format';
import { durationWords, eventWords, itemsWords, mineWords, purposeLabel, statusWords, unanswered } from './consent';
import type { DataState } from './MyData';

export function AgreementCard({ agreement: a, state, onChanged }: { agreement: AgreementView; state: DataState; onChanged: () => Promise<void> }) {
  const versions = list(a.versions);
  const current = versions.find((v) => v.current || v.id === a.current) ?? versions[0];
  return (
    <section class="card agreement-card" data-testid="agreement-card" data-agreement={a.id} data-title={a.title} aria-labelledby={`agreement-${a.id}`}>
      <h4 id={`agreement-${a.id}`}>{a.title}</h4>
      {versions.length === 0 && <p class="empty">No version of it has been adopted.</p>}
      {versions.map((v, i) => {
        const body = <VersionView v={v} prev={versions[i + 1]} agreement={a} state={state} onChanged={onChanged} />;
        if (v === current) return <div key={v.id}>{body}</div>;
        return (
          <details key={v.id} class="old-version">
            <summary>
              Version {v.number}, adopted {formatDate(v.adoptedAt)} · {mineWords(v.mine)}
            </summary>
            {body}
          </details>
        );
      })}
    </section>
  );
}

function VersionView({
  v,
  prev,
  agreement,
  state,
  onChanged,
}: {
  v: AgreementVersionView;
  prev?: AgreementVersionView;
  agreement: AgreementView;
  state: DataState;
  onChanged: () => Promise<void>;
}) {
  const purposes = list(v.purposes);
  const recipients = list(v.recipients);
  const headingId = `version-${v.id}`;
  return (
    <article
      class={v.current ? 'agreement-version current' : 'agreement-version'}
      data-testid="agreement-version"
      data-version={v.id}
      data-number={v.number}
      data-mine={v.mine}
      data-current={String(v.current)}
      aria-labelledby={headingId}
    >
      <div class="row spread">
        <h5 id={headingId}>
          Version {v.number}
          {v.current && <span class="badge current">current</span>}
        </h5>
        <span class={`badge mine mine-${v.mine || 'none'}`} data-testid="version-mine">
          {mineWords(v.mine)}
        </span>
      </div>
      <p class="muted meta">
        Adopted <time dateTime={v.adoptedAt}>{formatDate(v.adoptedAt)}</time> by a decision of the members
        {v.title && v.title !== agreement.title && <> as “{v.title}”</>}.
      </p>
      {unanswered(v) && (
        <p class="cta" data-testid="answer-cta">
          <strong>{v.number > 1 ? 'New version: please answer.' : 'Please answer.'}</strong>{' '}
          {v.number > 1
            ? `Your answer to version ${prev?.number ?? v.number - 1} does not carry over: until you opt in, none of your data is used under this version.`
            : 'Until you opt in, none of your data is used under it.'}
        </p>
      )}
      <dl class="facts">
        <div class="fact">
          <dt>Purposes</dt>
          <dd>
            {purposes.length === 0 ? (
              '—'
            ) : (
              <ul class="plain-list" data-testid="version-purposes">
                {purposes.map((p) => (
                  <li key={p.id} data-purpose={p.id}>
                    {p.label || p.id} <code class="muted">{p.id}</code>
                    {p.description && <span class="hint">{p.description}</span>}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div class="fact">
          <dt>Who may use it</dt>
          <dd>{recipients.length ? recipients.join(', ') : '—'}</dd>
        </div>
        <div class="fact">
          <dt>Your share</dt>
          <dd>{v.royalty?.text || v.royalty?.standard || '—'}</dd>
        </div>
        <div class="fact">
          <dt>Kept for</dt>
          <dd>
            {durationWords(v.retention)} {v.retention && <code class="muted">{v.retention}</code>}
          </dd>
        </div>
        <div class="fact">
          <dt>Law</dt>
          <dd>{v.jurisdiction || '—'}</dd>
        </div>
        <div class="fact">
          <dt>Language</dt>
          <dd>{v.language || '—'}</dd>
        </div>
      </dl>
      <details class="agreement-text-box" open={v.current}>
        <summary>The text of version {v.number}</summary>
        <div class="bylaws-text" data-testid="version-text" lang={v.language || undefined}>
          {v.text}
        </div>
        <p class="hint">
          SHA-256 of the text: <code class="hex">{v.textDigest}</code>
        </p>
      </details>
      {(prev || v.number > 1) && <Changes v={v} prevNumber={prev?.number ?? v.number - 1} />}
      <Answer v={v} state={state} onChanged={onChanged} />
    </article>
  );
}

// How many unchanged lines are kept around a change.

function Changes({ v, prevNumber }: { v: AgreementVersionView; prevNumber: number }) {
  const lines = list(v.changes);
  const terms = list(v.terms);
  const changed = lines.some((l) => l.op !== 'same');
  return (
    <section class="changes" data-testid="version-changes" aria-labelledby={`changes-${v.id}`}>
      <h6 id={`changes-${v.id}`}>What changed since version {prevNumber}</h6>
      {terms.length > 0 && (
        <ul data-testid="version-terms">
          {terms.map((t, i) => (
            <li key={i}>{t}</li>
          ))}
        </ul>
      )}
      {changed ? (
        <TextDiff lines={lines} testid="version-diff" label={`Changes to the text since version ${prevNumber}, line by line`} />
      ) : (
        <p class="muted">The text itself did not change.</p>
      )}
    </section>
  );
}

function Answer({ v, state, onChanged }: { v: AgreementVersionView; state: DataState; onChanged: () => Promise<void> }) {
  const [scope, setScope] = useState<'all' | 'some'>('all');
  const [picked, setPicked] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const grants = state.consents.filter((c) => c.version === v.id && c.event === 'grant' && c.active); // newest first
  const optedIn = v.mine === 'opted-in';
  // The event behind a past answer: the refusal, the withdrawal, or the grant that expired.
  const behind = state.consents.find((c) => c.id === v.mineReceipt);
  const scopeName = `scope-${v.id}`;

  async function act(what: string, fn: () => Promise<string>) {
    setBusy(what);
    setError('');
    setDone('');
    try {
      setDone(await fn());
      await onChanged();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy('');
    }
  }

  const optIn = () =>
    act('in', async () => {
      if (scope === 'some' && picked.length === 0) throw new Error('Pick at least one item, or choose all your items.');
      const c = await api.grantConsent({
        version: v.id,
        items: scope === 'some' ? picked : [],
        categories: scope === 'some' ? [] : ['all'],
        purposes: [],
        recipients: [],
        validUntil: '',
        reason: '',
      });
      setPicked([]);
      return `You opted in to version ${v.number}${c.validUntil ? `, until ${formatDate(c.validUntil)}` : ''}.`;
    });

  const optOut = () =>
    act('out', async () => {
      await api.refuseAgreement(v.id, reason.trim());
      setReason('');
      return `You opted out of version ${v.number}: none of your data is used under it.`;
    });

  // Every grant in force under this version ends, in one step (an opt-in
  // may have been split into several by the per-item switches).
  const withdraw = () =>
    act('withdraw', async () => {
      await api.withdrawVersion(v.id, reason.trim());
      setReason('');
      return `You withdrew your consent to version ${v.number}.`;
    });

  const answerable = v.current && !optedIn;
  const reasonField = (optedIn || (v.current && v.mine !== 'opted-out')) && (
    <div class="field reason-field">
      <label for={`reason-${v.id}`}>Reason (optional)</label>
      <input
        id={`reason-${v.id}`}
        data-testid="answer-reason"
        type="text"
        value={reason}
        aria-describedby={`reason-${v.id}-hint`}
        onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
      />
      <p class="hint" id={`reason-${v.id}-hint`}>
        Kept with your answer if you opt out or withdraw.
      </p>
    </div>
  );

  return (
    <div class="answer stack" data-testid="version-answer">
      {optedIn && (
        <p data-testid="answer-state">
          {grants.length <= 1 ? (
            <>
              You opted in
              {grants[0] && (
                <>
                  {' '}
                  <time dateTime={grants[0].time}>{formatAgo(grants[0].time)}</time> for {itemsWords(grants[0]).replace(/^All your/, 'all your')}
                  {grants[0].validUntil && <>, until {formatDate(grants[0].validUntil)}</>}
                </>
              )}
              .
            </>
          ) : (
            <>You gave consent {plural(grants.length, 'time')} under this version, for some items or purposes (see the events below).</>
          )}
        </p>
      )}
      {!optedIn && v.mine && (
        <p data-testid="answer-state">
          {v.mine === 'withdrawn' ? 'You withdrew your consent' : mineWords(v.mine)}
          {behind && v.mine === 'expired' && behind.validUntil && (
            <>
              {' '}
              on <time dateTime={behind.validUntil}>{formatDate(behind.validUntil)}</time>
            </>
          )}
          {behind && v.mine !== 'expired' && (
            <>
              {' '}
              <time dateTime={behind.time}>{formatAgo(behind.time)}</time>
              {behind.reason && <> — “{behind.reason}”</>}
            </>
          )}
          .
        </p>
      )}
      {answerable && (
        <fieldset class="scope">
          <legend>Which of your items may be used under version {v.number}?</legend>
          <label class="choice">
            <input type="radio" name={scopeName} data-testid="opt-in-scope-all" checked={scope === 'all'} onChange={() => setScope('all')} />
            <span>All of them, including those you add later</span>
          </label>
          <label class="choice">
            <input
              type="radio"
              name={scopeName}
              data-testid="opt-in-scope-some"
              checked={scope === 'some'}
              disabled={state.items.length === 0}
              onChange={() => setScope('some')}
            />
            <span>Only the ones I pick</span>
          </label>
          {scope === 'some' && (
            <div class="pick-items">
              {state.items.map((it) => (
                <label class="choice" key={it.id}>
                  <input
                    type="checkbox"
                    data-testid="opt-in-item"
                    data-item-id={it.id}
                    checked={picked.includes(it.id)}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      setPicked((xs) => (on ? [...xs, it.id] : xs.filter((x) => x !== it.id)));
                    }}
                  />
                  <span>{it.title || it.fileName}</span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
      )}
      {reasonField}
      <div class="row">
        {answerable && (
          <button type="button" data-testid="opt-in" disabled={!!busy} onClick={optIn}>
            {busy === 'in' ? 'Opting in…' : `Opt in to version ${v.number}`}
          </button>
        )}
        {answerable && v.mine !== 'opted-out' && (
          <button type="button" class="secondary" data-testid="opt-out" disabled={!!busy} onClick={optOut}>
            {busy === 'out' ? 'Opting out…' : 'Opt out'}
          </button>
        )}
        {optedIn && (
          <button type="button" class="secondary danger" data-testid="withdraw-consent" disabled={!!busy} onClick={withdraw}>
            {busy === 'withdraw' ? 'Withdrawing…' : 'Withdraw my consent'}
          </button>
        )}
      </div>
      {error && <InlineError text={error} />}
      {done && (
        <p class="success" role="status" data-testid="answer-result">
          {done}
        </p>
      )}
    </div>
  );
}

export function ActivityLog({ consents, purposes }: { consents: ConsentView[]; purposes: PurposeView[] }) {
  const [open, setOpen] = useState<string[]>([]);
  if (consents.length === 0) {
    return (
      <p class="empty" data-testid="no-consents">
        You have not given, refused or withdrawn consent yet.
      </p>
    );
  }
  return (
    <div class="table-scroll">
      <table class="consent-log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Agreement</th>
            <th scope="col">Purposes</th>
            <th scope="col">Items</th>
            <th scope="col">Who may use it</th>
            <th scope="col">
              <span class="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {consents.map((c) => {
            const expanded = open.includes(c.id);
            // A withdrawal shows what stopped: the scope of the grant it ends.
            const scope = c.event === 'withdraw' && c.ends ? c.ends : c;
            const ps = list(scope.purposes);
            const rs = list(scope.recipients);
            return [
              <tr key={c.id} data-testid="consent-log-row" data-id={c.id} data-event={c.event} data-status={c.status} data-active={String(c.active)}>
                <td>
                  <time dateTime={c.time} title={formatDateTime(c.time)}>
                    {formatAgo(c.time)}
                  </time>
                </td>
                <th scope="row">
                  {eventWords(c)}
                  {c.event === 'grant' && c.active && <span class="badge voted">in force</span>}
                  <span class="hint">
                    <code>dpv:{c.status}</code>
                    {c.event === 'grant' && !c.active && <> · {c.withdrawnBy ? 'withdrawn later' : c.current ? statusWords(c.current).toLowerCase() : 'no longer in force'}</>}
                    {c.validUntil && c.active && <> · until {formatDate(c.validUntil)}</>}
                  </span>
                  {c.reason && <span class="hint">“{c.reason}”</span>}
                </th>
                <td>
                  {c.agreementTitle} <span class="muted">version {c.versionNumber}</span>
                </td>
                <td>{ps.length ? ps.map((p) => purposeLabel(purposes, p)).join(', ') : <span class="muted">all of the version</span>}</td>
                <td>{itemsWords(scope)}</td>
                <td data-testid="consent-log-recipients">
                  {c.event === 'refuse' ? <span class="muted">—</span> : rs.length ? rs.join(', ') : <span class="muted">all of the version</span>}
                </td>
                <td>
                  <button
                    type="button"
                    class="small secondary"
                    data-testid="consent-details"
                    aria-expanded={expanded}
                    aria-controls={`consent-doc-${c.id}`}
                    onClick={() => setOpen((xs) => (expanded ? xs.filter((x) => x !== c.id) : [...xs, c.id]))}
                  >
                    {expanded ? 'Hide details' : 'Details'}
                  </button>
                </td>
              </tr>,
              expanded && (
                <tr key={`${c.id}-details`} class="details-row" id={`consent-doc-${c.id}`}>
                  <td colSpan={7}>
                    <ConsentDocument id={c.id} />
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}

function ConsentDocument({ id }: { id: string }) {
  const [d, setD] = useState<ConsentDetailView | null>(null);
  const [error, setError] = useState('');
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    let live = true;
    api.consent(id).then(
      (v) => live && setD(v),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (error) return <InlineError text={error} />;
  if (!d) return <p class="muted">Loading the record…</p>;
  return (
    <div class="stack consent-document" data-testid="consent-detail">
      <dl class="facts">
        <div class="fact">
          <dt>Receipt</dt>
          <dd>
            <code class="hex">{d.id}</code>
            <span class="hint">Shared with the co-op, signed.</span>
          </dd>
        </div>
        <div class="fact">
          <dt>Record</dt>
          <dd>
            <code class="hex">{d.record}</code>
            <span class="hint">The full record, kept on this computer.</span>
          </dd>
        </div>
        {(d.validFrom || d.validUntil) && (
          <div class="fact">
            <dt>In force</dt>
            <dd>
              {d.validFrom ? `from ${formatDateTime(d.validFrom)}` : ''} {d.validUntil ? `until ${formatDateTime(d.validUntil)}` : ''}
            </dd>
          </div>
        )}
        {list(d.recipients).length > 0 && (
          <div class="fact">
            <dt>Who may use it</dt>
            <dd>{list(d.recipients).join(', ')}</dd>
          </div>
        )}
        {d.withdraws && (
          <div class="fact">
            <dt>Withdraws</dt>
            <dd>
              <code class="hex">{d.withdraws}</code>
            </dd>
          </div>
        )}
        {d.withdrawnBy && (
          <div class="fact">
            <dt>Withdrawn by</dt>
            <dd>
              <code class="hex">{d.withdrawnBy}</code>
            </dd>
          </div>
        )}
      </dl>
      <div class="row spread">
        <strong id={`doc-label-${id}`}>ISO/IEC TS 27560 consent record</strong>
        <button
          type="button"
          class="small secondary"
          data-testid="copy-consent-document"
          onClick={() =>
            copyText(d.document).then(
              () => setCopied(true),
              (e) => setError(`Could not copy: ${errorText(e)}`),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre class="code-block" data-testid="consent-document" tabIndex={0} aria-labelledby={`doc-label-${id}`}>
        {d.document}
      </pre>
    </div>
  );
}

export function CoopView({ purposes, agreements }: { purposes: PurposeView[]; agreements: AgreementView[] }) {
  const [purpose, setPurpose] = useState('');
  const [recipient, setRecipient] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState<ConsentQueryView | null>(null);
  const recipients = [...new Set(agreements.flatMap((a) => list(a.versions).flatMap((v) => list(v.recipients))))];
  const versionName = (id: string) => {
    for (const a of agreements) {
      const v = list(a.versions).find((x) => x.id === id || x.id.startsWith(id));
      if (v) return `${a.title}, version ${v.number}`;
    }
    return id.slice(0, 12);
  };

  async function ask(e: Event) {
    e.preventDefault();
    const p = purpose || purposes[0]?.id || '';
    if (!p) return setError('Choose a purpose.');
    setBusy(true);
    setError('');
    try {
      setResult(await api.consentStatus(p, recipient.trim()));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="stack coop-view">
      <p class="muted">
        Which members’ items may be used now, for one purpose, by one kind of recipient: counted from the consent receipts
        every member shares with the co-op.
      </p>
      <form class="field-row" onSubmit={ask} noValidate>
        <div class="field">
          <label for="coop-purpose">Purpose</label>
          <select id="coop-purpose" data-testid="coop-purpose" value={purpose || purposes[0]?.id || ''} onChange={(e) => setPurpose((e.currentTarget as HTMLSelectElement).value)}>
            {purposes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label || p.id} ({p.id})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="coop-recipient">Recipient</label>
          <input
            id="coop-recipient"
            data-testid="coop-recipient"
            type="text"
            list="coop-recipients"
            value={recipient}
            aria-describedby="coop-recipient-hint"
            onInput={(e) => setRecipient((e.currentTarget as HTMLInputElement).value)}
          />
          <datalist id="coop-recipients">
            {recipients.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
          <p class="hint" id="coop-recipient-hint">
            As the agreements name them; empty for any.
          </p>
        </div>
        <div class="field coop-ask">
          <button type="submit" data-testid="coop-query" disabled={busy || purposes.length === 0}>
            {busy ? 'Counting…' : 'Count'}
          </button>
        </div>
      </form>
      {error && <InlineError text={error} />}
      {result && (
        <div class="success" role="status" data-testid="coop-result" data-members={result.members} data-items={result.items} data-receipts={result.receipts}>
          <p>
            For <strong>{purposeLabel(purposes, result.purpose)}</strong>
            {result.recipient && <> by {result.recipient}</>}, now: <strong>{plural(result.members, 'member')}</strong> consented, naming{' '}
            <strong>{plural(result.items, 'item')}</strong>, through {plural(result.receipts, 'grant')} in force
            {list(result.versions).length > 0 && (
              <> ({list(result.versions).map((h) => `${plural(h.receipts, 'grant')} under ${versionName(h.version)}`).join('; ')})</>
            )}
            . <span class="muted">Counted in {result.took}.</span>
          </p>
          {list(result.uses).some((u) => list(u.categories).includes('all')) && (
            <p class="hint">Members who opted in with all their items count their future items too; the item count names only those listed.</p>
          )}
        </div>
      )}
    </div>
  );
}
