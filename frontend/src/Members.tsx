import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText, type InviteView, type JoinRequestView, type MemberView } from './api';
import type { app } from '../wailsjs/go/models';
import { InlineError } from './ErrorBox';
import { formatDate, formatDateTime, list, shortHex } from './format';

export function roleList(roles: string[] | null | undefined) {
  const r = list(roles);
  return r.length ? r.map((x) => <span class="tag" key={x}>{x}</span>) : <span class="muted">none</span>;
}

export function MembersTable({ members }: { members: MemberView[] }) {
  if (members.length === 0) return <p class="empty">No members yet.</p>;
  const onlyMe = members.length === 1 && members[0].me;
  return (
    <>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Class</th>
              <th scope="col">Roles</th>
              <th scope="col">Admitted</th>
              <th scope="col" class="num">
                Devices
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id} data-testid="member-row" class={m.me ? 'me' : undefined}>
                <th scope="row" title={m.id}>
                  <span class="member-name">{m.name}</span>
                  {m.me && <span class="badge you">you</span>}
                  {m.founder && <span class="badge founder">founder</span>}
                </th>
                <td>{m.class || <span class="muted">—</span>}</td>
                <td>{roleList(m.roles)}</td>
                <td>
                  <time dateTime={m.admitted}>{formatDate(m.admitted)}</time>
                </td>
                <td class="num">{m.devices}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {onlyMe && <p class="empty">Only you so far. Invite the first members with “Invite someone” below.</p>}
    </>
  );
}

const validities = [
  { hours: 24, label: '24 hours' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
];

// Copies text: the browser's clipboard, else the Wails runtime's, else the
// selected text of el with the old copy command.
async function copyText(text: string, el: HTMLTextAreaElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // not allowed here: try the next way
  }
  const rt = (window as { runtime?: { ClipboardSetText?: (t: string) => Promise<boolean> } }).runtime;
  try {
    if (typeof rt?.ClipboardSetText === 'function' && (await rt.ClipboardSetText(text))) return true;
  } catch {
    // next way
  }
  if (el) {
    el.focus();
    el.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
  return false;
}

// What became of the invite on screen: open (to give out), used (a request
// to join came with it: requests name their invite) or expired.
type InviteState = { kind: 'open' } | { kind: 'used'; by: JoinRequestView } | { kind: 'expired' };

export function inviteState(invite: InviteView, requests: JoinRequestView[], now = Date.now()): InviteState {
  const by = requests.find((r) => r.invite && r.invite === invite.id);
  if (by) return { kind: 'used', by };
  const expires = Date.parse(invite.expires);
  if (!Number.isNaN(expires) && now >= expires) return { kind: 'expired' };
  return { kind: 'open' };
}

// requests are the join requests this node holds (the Members tab keeps them
// fresh): once one names the invite shown, the invite is shown as used.
export function InviteBox({ requests }: { requests?: JoinRequestView[] | null }) {
  const [hours, setHours] = useState(72);
  const [invite, setInvite] = useState<InviteView | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState('');
  const textRef = useRef<HTMLTextAreaElement>(null);

  async function make() {
    setBusy(true);
    setError('');
    setCopied('');
    try {
      setInvite(await api.invite(hours));
    } catch (e) {
      setInvite(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!invite) return;
    const ok = await copyText(invite.text, textRef.current);
    setCopied(ok ? 'Copied.' : 'Could not copy: select the text and copy it yourself.');
  }

  // Re-render when the invite on screen expires (the requests' polling
  // re-renders too, but only while the Members tab is shown).
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!invite) return;
    const left = Date.parse(invite.expires) - Date.now();
    if (Number.isNaN(left) || left > 2_000_000_000) return;
    const t = setTimeout(() => setNow(Date.now()), Math.max(0, left) + 50);
    return () => clearTimeout(t);
  }, [invite]);

  const state = invite ? inviteState(invite, list(requests), Math.max(now, Date.now())) : null;

  return (
    <section class="invite" aria-labelledby="invite-title">
      <h3 id="invite-title">Invite a new member</h3>
      <p class="muted">An invite is for one person, once. Each click makes a new one.</p>
      <div class="row">
        <label for="invite-hours">Valid for</label>
        <select
          id="invite-hours"
          data-testid="invite-hours"
          value={String(hours)}
          onChange={(e) => setHours(Number((e.currentTarget as HTMLSelectElement).value))}
        >
          {validities.map((v) => (
            <option key={v.hours} value={String(v.hours)}>
              {v.label}
            </option>
          ))}
        </select>
        <button type="button" data-testid="invite-button" onClick={make} disabled={busy}>
          {busy ? 'Making an invite…' : state && state.kind !== 'open' ? 'Make a new invite' : 'Invite someone'}
        </button>
        {invite && (
          <button type="button" class="secondary" onClick={() => setInvite(null)}>
            Hide the invite
          </button>
        )}
      </div>
      {error && <InlineError text={error} />}
      {invite && state?.kind === 'used' && (
        <div class="invite-result invite-spent" data-testid="invite-used" data-admitted={state.by.admitted ? 'yes' : 'no'} role="status">
          <p>
            <strong>This invite has been used.</strong> <span data-testid="invite-used-by">{state.by.name}</span> asked to join with it on{' '}
            <time dateTime={state.by.requested}>{formatDateTime(state.by.requested)}</time>
            {state.by.admitted ? ' and is now a member.' : '; their request waits under Requests to join.'}
          </p>
          <p class="muted">
            An invite admits one person only, so its text and code are no longer shown. To invite someone else, make a new invite.
          </p>
        </div>
      )}
      {invite && state?.kind === 'expired' && (
        <div class="invite-result invite-spent" data-testid="invite-expired" role="status">
          <p>
            <strong>This invite has expired</strong> (at <time dateTime={invite.expires}>{formatDateTime(invite.expires)}</time>)
            without being used. To invite someone, make a new invite.
          </p>
        </div>
      )}
      {invite && state?.kind === 'open' && (
        <div class="invite-result" data-testid="invite-result">
          <p>
            The person you invite opens coopnode, chooses “Join with an invite” and pastes this text (or scans the code), then
            waits until you or another member admits them under Requests to join.
          </p>
          <div class="invite-body">
            <img src={invite.qr} alt="QR code of the invite text" data-testid="invite-qr" class="qr" width={220} height={220} />
            <div class="invite-text">
              <label for="invite-text">Invite text</label>
              <textarea
                id="invite-text"
                ref={textRef}
                data-testid="invite-text"
                readOnly
                rows={5}
                spellcheck={false}
                value={invite.text}
                onFocus={(e) => (e.currentTarget as HTMLTextAreaElement).select()}
              />
              <div class="row">
                <button type="button" class="secondary small" data-testid="invite-copy" onClick={copy}>
                  Copy
                </button>
                <span role="status" class="muted">
                  {copied}
                </span>
              </div>
              <p data-testid="invite-expires">
                Valid until <time dateTime={invite.expires}>{formatDateTime(invite.expires)}</time>. Keep coopnode running
                here so their request can reach you.
              </p>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

export function JoinRequests({
  requests,
  classes,
  onAdmitted,
}: {
  requests: JoinRequestView[];
  classes: app.MemberClassView[];
  onAdmitted: () => void;
}) {
  const [busy, setBusy] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const [chosen, setChosen] = useState<Record<string, string>>({});

  async function admit(r: JoinRequestView) {
    setBusy(r.id);
    setDone('');
    setErrors((x) => ({ ...x, [r.id]: '' }));
    try {
      const m = await api.admit(r.id, chosen[r.id] ?? '');
      setDone(`${m.name} is now a member${m.class ? ` (${m.class})` : ''}.`);
      onAdmitted();
    } catch (e) {
      setErrors((x) => ({ ...x, [r.id]: errorText(e) }));
    } finally {
      setBusy('');
    }
  }

  return (
    <section class="stack" aria-labelledby="requests-title">
      <h3 id="requests-title">Requests to join</h3>
      {done && (
        <p class="success" role="status" data-testid="admit-result">
          {done}
        </p>
      )}
      {requests.length === 0 ? (
        <p class="empty">No requests to join. When someone uses an invite, their request appears here.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Asked</th>
                <th scope="col">Request ID</th>
                <th scope="col">Answer</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.id} data-testid="request-row" data-admitted={r.admitted ? 'yes' : 'no'}>
                  <th scope="row">
                    <span class="member-name">{r.name}</span>
                    {r.deviceLabel && <span class="hint">from “{r.deviceLabel}”</span>}
                  </th>
                  <td>
                    <time dateTime={r.requested}>{formatDateTime(r.requested)}</time>
                  </td>
                  <td>
                    <code title={r.id} data-testid="request-id">
                      {shortHex(r.id, 16)}
                    </code>
                  </td>
                  <td>
                    {r.admitted ? (
                      <span class="tag ok">Admitted</span>
                    ) : r.mayAdmit ? (
                      <div class="row">
                        {classes.length > 1 && (
                          <select
                            aria-label={`Class for ${r.name}`}
                            data-testid="admit-class"
                            value={chosen[r.id] ?? classes[0].name}
                            onChange={(e) => {
                              const v = (e.currentTarget as HTMLSelectElement).value;
                              setChosen((x) => ({ ...x, [r.id]: v }));
                            }}
                          >
                            {classes.map((c) => (
                              <option key={c.name} value={c.name}>
                                {c.name}
                              </option>
                            ))}
                          </select>
                        )}
                        <button
                          type="button"
                          class="small"
                          data-testid="admit-button"
                          aria-label={`Admit ${r.name}`}
                          disabled={busy !== ''}
                          onClick={() => admit(r)}
                        >
                          {busy === r.id ? 'Admitting…' : 'Admit'}
                        </button>
                      </div>
                    ) : (
                      <span class="muted" data-testid="request-why">
                        {r.why || 'Waiting for a member who may admit.'}
                      </span>
                    )}
                    {errors[r.id] && <InlineError text={errors[r.id]} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
