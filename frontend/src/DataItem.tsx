// One item of the vault: what it is, whether it may be used for each purpose
// of the co-op's current agreements (changed in two clicks: the switch, then
// a confirmation that says exactly what is given or taken back), export or
// download, removal, and the same choices as machine-readable signals the
// member can publish on their own site.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  copyText,
  describeError,
  downloadURL,
  errorText,
  type DataExportView,
  type DataItemView,
  type Problem,
  type PurposeStatusView,
  type SignalsView,
  type StatusView,
} from './api';
import { ErrorBox, InlineError } from './ErrorBox';
import { formatBytes, formatDate, formatDateTime, list } from './format';
import { statusWords } from './consent';
import type { DataState } from './MyData';

export function ItemDetail({
  id,
  initial,
  state,
  status,
  windowMode,
  onFresh,
  onChanged,
  onBack,
  onRemoved,
}: {
  id: string;
  initial?: DataItemView;
  state: DataState;
  status: StatusView;
  windowMode: boolean;
  // The item as DataItem(id) gave it (the panel's list keeps it).
  onFresh: (it: DataItemView) => void;
  // Consent changed: everything that shows it reloads.
  onChanged: () => Promise<void>;
  onBack: () => void;
  onRemoved: (it: DataItemView) => void;
}) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const it = initial;

  const load = async () => {
    try {
      onFresh(await api.dataItem(id));
      setProblem(null);
    } catch (e) {
      setProblem(describeError(e));
    }
  };
  useEffect(() => {
    void load();
    heading.current?.focus();
  }, [id]);

  return (
    <article class="item-detail stack" data-testid="item-detail" data-item-id={id}>
      <div>
        <button type="button" class="link back" data-testid="item-back" onClick={onBack}>
          ← All your items
        </button>
      </div>
      {problem && <ErrorBox problem={problem} onRetry={load} />}
      {!it ? (
        <p class="muted">Loading the item…</p>
      ) : (
        <>
          <h3 ref={heading} tabIndex={-1} data-testid="item-title">
            {it.title || it.fileName}
          </h3>
          <dl class="facts">
            <div class="fact">
              <dt>File</dt>
              <dd>
                <code class="path">{it.fileName}</code>
              </dd>
            </div>
            <div class="fact">
              <dt>Type</dt>
              <dd>
                <code>{it.mediaType || '—'}</code>
              </dd>
            </div>
            <div class="fact">
              <dt>Size</dt>
              <dd>
                {formatBytes(it.size)} <span class="muted">({it.size} bytes)</span>
              </dd>
            </div>
            <div class="fact">
              <dt>Tags</dt>
              <dd>
                {list(it.tags).length
                  ? list(it.tags).map((t) => (
                      <span class="tag" key={t}>
                        {t}
                      </span>
                    ))
                  : '—'}
              </dd>
            </div>
            <div class="fact">
              <dt>Added</dt>
              <dd>
                <time dateTime={it.added}>{formatDateTime(it.added)}</time>
              </dd>
            </div>
            <div class="fact">
              <dt>ID</dt>
              <dd>
                <code class="hex" title="The SHA-256 of its content: the same file has the same ID everywhere.">
                  {it.id}
                </code>
              </dd>
            </div>
          </dl>
          <ConsentTable item={it} state={state} onChanged={onChanged} />
          <Signals item={it} />
          <ExportItem item={it} status={status} windowMode={windowMode} />
          <RemoveItem item={it} onRemoved={onRemoved} />
        </>
      )}
    </article>
  );
}

const rowKey = (p: PurposeStatusView) => `${p.version}|${p.purpose}`;

function ConsentTable({ item, state, onChanged }: { item: DataItemView; state: DataState; onChanged: () => Promise<void> }) {
  const [confirming, setConfirming] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const rows = [...list(item.purposes)].sort(
    (a, b) => a.agreementTitle.localeCompare(b.agreementTitle) || a.versionNumber - b.versionNumber || a.label.localeCompare(b.label),
  );
  const confirmButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  function toggle(p: PurposeStatusView) {
    setError('');
    setDone('');
    setConfirming((k) => (k === rowKey(p) ? '' : rowKey(p)));
  }

  function cancel(p: PurposeStatusView) {
    setConfirming('');
    document.querySelector<HTMLButtonElement>(`#toggle-${cssId(rowKey(p))}`)?.focus();
  }

  async function confirm(p: PurposeStatusView) {
    const allow = !p.allowed;
    setBusy(true);
    setError('');
    try {
      const events = list(await api.setItemConsent(item.id, p.version, p.purpose, allow));
      setConfirming('');
      setDone(
        allow
          ? `“${item.title}” may now be used for ${p.label}${events.length ? ` (receipt ${events[events.length - 1].id.slice(0, 12)})` : ''}.`
          : `“${item.title}” may no longer be used for ${p.label}.`,
      );
      await onChanged();
      document.querySelector<HTMLButtonElement>(`#toggle-${cssId(rowKey(p))}`)?.focus();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="stack" aria-labelledby="item-consent-title">
      <h4 id="item-consent-title">May it be used?</h4>
      {rows.length === 0 ? (
        <p class="empty" data-testid="no-purposes">
          {state.agreements.length === 0
            ? 'The co-op has no data agreement yet, so it may not be used for anything.'
            : 'The current agreements name no purpose.'}
        </p>
      ) : (
        <div class="table-scroll">
          <table class="consent-table">
            <thead>
              <tr>
                <th scope="col">Purpose</th>
                <th scope="col">Agreement</th>
                <th scope="col">May be used</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const k = rowKey(p);
                const open = confirming === k;
                const wording = p.allowed
                  ? `Withdraw consent for “${item.title}” to be used for ${p.label} (${p.purpose}) under ${p.agreementTitle}, version ${p.versionNumber}?`
                  : `Give consent for “${item.title}” to be used for ${p.label} (${p.purpose}) under ${p.agreementTitle}, version ${p.versionNumber}?`;
                return [
                  <tr
                    key={k}
                    data-testid="purpose-row"
                    data-purpose={p.purpose}
                    data-version={p.version}
                    data-allowed={String(p.allowed)}
                    data-status={p.status}
                    class={p.allowed ? 'allowed' : undefined}
                  >
                    <th scope="row">
                      {p.label}
                      <span class="hint">
                        <code>{p.purpose}</code>
                      </span>
                    </th>
                    <td>
                      {p.agreementTitle} <span class="muted">version {p.versionNumber}</span>
                    </td>
                    <td>
                      <button
                        type="button"
                        role="switch"
                        id={`toggle-${cssId(k)}`}
                        class={p.allowed ? 'switch on' : 'switch'}
                        data-testid="purpose-toggle"
                        aria-checked={p.allowed}
                        aria-label={`${p.label}, under ${p.agreementTitle} version ${p.versionNumber}`}
                        disabled={busy}
                        onClick={() => toggle(p)}
                      >
                        <span class="switch-track" aria-hidden="true">
                          <span class="switch-thumb" />
                        </span>
                        <span class="switch-text">{p.allowed ? 'Yes' : 'No'}</span>
                      </button>
                    </td>
                    <td data-testid="purpose-status">
                      {statusWords(p.status)}
                      {p.status && (
                        <span class="hint">
                          <code>dpv:{p.status}</code>
                          {p.allowed && p.until && <> · until {formatDate(p.until)}</>}
                        </span>
                      )}
                    </td>
                  </tr>,
                  open && (
                    <tr key={`${k}-confirm`} class="confirm-row">
                      <td colSpan={4}>
                        <div
                          class="confirm"
                          role="group"
                          aria-labelledby={`confirm-${cssId(k)}`}
                          data-testid="consent-confirm"
                          onKeyDown={(e) => {
                            if (e.key === 'Escape') cancel(p);
                          }}
                        >
                          <p id={`confirm-${cssId(k)}`} data-testid="confirm-wording">
                            {wording}
                          </p>
                          <p class="hint">
                            {p.allowed
                              ? 'Uses that already happened are not undone. The co-op receives a signed receipt of the withdrawal.'
                              : 'This consent covers this version of the agreement only; a new version asks again. The co-op receives a signed receipt.'}
                          </p>
                          <div class="row">
                            <button ref={confirmButton} type="button" data-testid="confirm-consent" disabled={busy} onClick={() => confirm(p)}>
                              {busy ? 'Saving…' : p.allowed ? 'Yes, withdraw consent' : 'Yes, give consent'}
                            </button>
                            <button type="button" class="secondary" data-testid="cancel-consent" disabled={busy} onClick={() => cancel(p)}>
                              Cancel
                            </button>
                          </div>
                        </div>
                      </td>
                    </tr>
                  ),
                ];
              })}
            </tbody>
          </table>
        </div>
      )}
      {error && <InlineError text={error} />}
      {done && (
        <p class="success" role="status" data-testid="consent-result">
          {done}
        </p>
      )}
    </section>
  );
}

// A DPV term such as "ai:ModelTraining" in an element ID.
function cssId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

function Signals({ item }: { item: DataItemView }) {
  const [url, setUrl] = useState('');
  const [signals, setSignals] = useState<SignalsView | null>(null);
  const [error, setError] = useState('');
  const [copied, setCopied] = useState('');
  // The answers they are made of: they are asked for again when one changes.
  const answers = list(item.purposes)
    .map((p) => `${rowKey(p)}=${p.allowed}`)
    .join(',');

  const load = async (policy = url) => {
    setError('');
    try {
      setSignals(await api.dataSignals(item.id, policy.trim()));
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, [item.id, answers]);

  async function copy(what: string, text: string) {
    try {
      await copyText(text);
      setCopied(what);
    } catch (e) {
      setCopied('');
      setError(`Could not copy: ${errorText(e)}`);
    }
  }

  const blocks: { id: string; label: string; hint: string; text: string }[] = signals
    ? [
        { id: 'aipref', label: 'HTTP header (IETF AI preferences)', hint: 'Send it with the file from your own web server.', text: signals.contentUsage },
        { id: 'robots', label: 'robots.txt line', hint: 'Add it to the robots.txt of the site that serves the file.', text: signals.robotsTxt },
        { id: 'tdmrep', label: 'TDMRep (/.well-known/tdmrep.json)', hint: 'The W3C text and data mining reservation protocol.', text: signals.tdmRep },
        {
          id: 'cawg',
          label: 'C2PA / CAWG training and data mining assertion',
          hint: 'For a content credential embedded in the file.',
          text: signals.trainingMining,
        },
      ]
    : [];

  return (
    <section class="stack signals" aria-labelledby="signals-title">
      <h4 id="signals-title">Publish your choices</h4>
      <p class="muted">
        If you also publish this file yourself, these say the same as your answers above, in the forms crawlers and tools
        read.
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void load(url);
        }}
      >
        <label for="signals-policy">Your policy page (optional)</label>
        <input
          id="signals-policy"
          data-testid="signals-policy"
          type="url"
          placeholder="https://example.org/data-policy"
          value={url}
          onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="small secondary" data-testid="signals-update">
          Update
        </button>
      </form>
      {error && <InlineError text={error} />}
      {signals?.explanation && <p data-testid="signals-explanation">{signals.explanation}</p>}
      {blocks.map((b) => (
        <div class="signal" key={b.id}>
          <div class="row spread">
            <span>
              <strong id={`signal-${b.id}-label`}>{b.label}</strong>
              <span class="hint">{b.hint}</span>
            </span>
            <button type="button" class="small secondary" data-testid={`copy-${b.id}`} aria-describedby={`signal-${b.id}-label`} onClick={() => copy(b.id, b.text)}>
              {copied === b.id ? 'Copied' : 'Copy'}
            </button>
          </div>
          <pre class="code-block" data-testid={`signals-${b.id}`} aria-labelledby={`signal-${b.id}-label`} tabIndex={0}>
            {b.text || '—'}
          </pre>
        </div>
      ))}
      <p class="sr-only" role="status">
        {copied ? 'Copied to the clipboard.' : ''}
      </p>
    </section>
  );
}

// A suggested place for an exported item: next to the home directory.
function suggestPath(status: StatusView, fileName: string): string {
  const home = status.home || '';
  const sep = home.includes('\\') && !home.includes('/') ? '\\' : '/';
  const parent = home.replace(/[\\/]+$/, '').replace(/[\\/][^\\/]*$/, '') || (sep === '/' ? '' : 'C:');
  return `${parent}${sep}${fileName || 'item'}`;
}

function ExportItem({ item, status, windowMode }: { item: DataItemView; status: StatusView; windowMode: boolean }) {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState<DataExportView | null>(null);

  if (!windowMode) {
    return (
      <section class="stack" aria-labelledby="item-export-title">
        <h4 id="item-export-title">A copy for you</h4>
        <p>
          <a class="button secondary" href={downloadURL(item.id)} download={item.fileName || true} data-testid="item-download">
            Download {item.fileName || 'the file'}
          </a>
        </p>
      </section>
    );
  }

  async function run(e: Event) {
    e.preventDefault();
    if (!path.trim()) return setError('Please give the file to write, as a full path.');
    setBusy(true);
    setError('');
    setResult(null);
    try {
      setResult(await api.exportData(item.id, path.trim()));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="stack" aria-labelledby="item-export-title">
      <h4 id="item-export-title">A copy for you</h4>
      <form onSubmit={run} noValidate>
        <div class="field">
          <label for="item-export-path">File to write</label>
          <input
            id="item-export-path"
            data-testid="item-export-path"
            type="text"
            value={path}
            placeholder={suggestPath(status, item.fileName)}
            aria-describedby="item-export-hint"
            onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)}
          />
          <p class="hint" id="item-export-hint">
            A full path on this computer. The copy is decrypted: keep it somewhere safe.
          </p>
        </div>
        {error && <InlineError text={error} />}
        <button type="submit" data-testid="item-export" disabled={busy}>
          {busy ? 'Writing…' : 'Export'}
        </button>
      </form>
      {result && (
        <p class="success" role="status" data-testid="item-export-result">
          Wrote {formatBytes(result.bytes)} to <code class="path">{result.path}</code>.
        </p>
      )}
    </section>
  );
}

function RemoveItem({ item, onRemoved }: { item: DataItemView; onRemoved: (it: DataItemView) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const field = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (open) field.current?.focus();
  }, [open]);

  async function remove() {
    setBusy(true);
    setError('');
    try {
      await api.removeData(item.id, reason.trim());
      onRemoved(item);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  return (
    <section class="stack remove-item" aria-labelledby="item-remove-title">
      <h4 id="item-remove-title">Remove it</h4>
      {!open ? (
        <div>
          <button type="button" class="secondary danger" data-testid="item-remove" aria-expanded={false} onClick={() => setOpen(true)}>
            Remove from my vault…
          </button>
        </div>
      ) : (
        <div class="confirm" role="group" aria-labelledby="item-remove-wording">
          <p id="item-remove-wording">
            Remove “{item.title}” from your vault? It is deleted from this computer. A copy someone already received under your
            consent is not recalled.
          </p>
          <div class="field">
            <label for="item-remove-reason">Reason (optional)</label>
            <input
              ref={field}
              id="item-remove-reason"
              data-testid="item-remove-reason"
              type="text"
              value={reason}
              onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
          {error && <InlineError text={error} />}
          <div class="row">
            <button type="button" class="danger" data-testid="item-remove-confirm" disabled={busy} onClick={remove}>
              {busy ? 'Removing…' : 'Yes, remove it'}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
