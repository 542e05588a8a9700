import { useState } from 'preact/hooks';
import { api, errorText, type StatusView } from './api';
import { InlineError } from './ErrorBox';
import { Input, type JoinResult } from './Forms';
import { list, shortHex } from './format';

// A home that asked to join with an invite and waits for a member to admit it.
// The app polls Status meanwhile; once admitted the state becomes "ready".
export function JoiningView({
  status,
  attempt,
  onResult,
}: {
  status: StatusView;
  attempt: JoinResult | null;
  onResult: (r: JoinResult) => void;
}) {
  const view = attempt?.view;
  const coopName = view?.coop || status.coop?.name || '';
  const coopId = view?.coopId || status.coop?.id || '';
  const requestId = view?.request || status.joinRequest || '';
  const problems = list(status.problems);
  return (
    <section class="card joining" data-testid="joining-state" aria-labelledby="joining-title">
      <h2 id="joining-title">
        Asked to join {coopName ? <span data-testid="joining-coop">{coopName}</span> : 'a co-op'}
      </h2>
      <p class="waiting" role="status">
        <span class="pulse" aria-hidden="true" />
        Waiting for a member to admit you. This page checks every few seconds and opens the co-op as soon as you are admitted.
      </p>
      {attempt?.error && (
        <div class="problems" role="alert" data-testid="joining-error">
          <h3>Sending your request failed</h3>
          <p data-testid="error">{attempt.error}</p>
          <p>If the member who invited you could not be reached, check that their coopnode is running, then send the request again below.</p>
        </div>
      )}
      {view?.message && <p data-testid="joining-message">{view.message}</p>}
      <dl class="facts">
        <div class="fact">
          <dt>Your name</dt>
          <dd>{status.me?.name || '—'}</dd>
        </div>
        {requestId && (
          <div class="fact">
            <dt>Request ID</dt>
            <dd>
              <code class="hex" data-testid="join-request-id">
                {requestId}
              </code>
              <span class="hint">The member who admits you sees the same ID under Requests to join.</span>
            </dd>
          </div>
        )}
        <div class="fact">
          <dt>Co-op ID</dt>
          <dd>{coopId ? <code class="hex" title={coopId}>{shortHex(coopId, 16)}</code> : <span class="muted">—</span>}</dd>
        </div>
        <div class="fact">
          <dt>This computer</dt>
          <dd>
            <code class="hex" title={status.me?.deviceKey}>
              {shortHex(status.me?.deviceKey ?? '', 16) || '—'}
            </code>
            <span class="hint">Keep coopnode running here: once you are admitted it receives the co-op’s records.</span>
          </dd>
        </div>
      </dl>
      {problems.length > 0 && (
        <div class="problems" role="alert" data-testid="problems">
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <ResendForm name={status.me?.name ?? ''} invite={attempt?.invite ?? ''} open={Boolean(attempt?.error)} onResult={onResult} />
    </section>
  );
}

// Sends the join request again (same invite: the same request; a new invite: a new one).
function ResendForm({ name, invite: initial, open, onResult }: { name: string; invite: string; open: boolean; onResult: (r: JoinResult) => void }) {
  const [invite, setInvite] = useState(initial);
  const [pass, setPass] = useState('');
  // Only for what is missing here: the API's errors show above, as the last attempt's.
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const text = invite.trim();
    if (!text) return setError('Please paste the invite.');
    if (!pass) return setError('Please enter your passphrase.');
    setError('');
    setBusy(true);
    try {
      const view = await api.join(text, name, pass);
      setPass('');
      onResult({ view, invite: text });
    } catch (err) {
      onResult({ error: errorText(err), invite: text });
    } finally {
      setBusy(false);
    }
  }

  return (
    <details class="resend" open={open}>
      <summary>Not admitted after a while? Send your request again</summary>
      <p class="muted">
        Ask the member who invited you to look under Requests to join. If your request never reached them, send it again with
        the same invite, or with a new one.
      </p>
      <form onSubmit={submit} noValidate>
        <Input
          f={{ id: 'joining-invite', label: 'Invite', value: invite, set: setInvite, type: 'textarea', placeholder: 'COOPNODE1…' }}
        />
        <Input f={{ id: 'joining-passphrase', label: 'Your passphrase', value: pass, set: setPass, type: 'password', auto: 'current-password' }} />
        {error && <InlineError text={error} />}
        <button type="submit" class="secondary" data-testid="joining-resend" disabled={busy}>
          {busy ? 'Sending…' : 'Send the request again'}
        </button>
      </form>
    </details>
  );
}
