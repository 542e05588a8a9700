// The My data tab: the items in this member's vault (added by a drop, the
// file picker or, in a browser tab, an upload), one item's consent per
// purpose with what it publishes, the co-op's data agreements with this
// member's answer to each version, every consent event, and a small
// co-op-wide view of who consented to what.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  describeError,
  inWindow,
  type AgreementView,
  type ConsentView,
  type DataItemView,
  type Problem,
  type PurposeView,
  type StatusView,
} from './api';
import { ErrorBox } from './ErrorBox';
import { formatBytes, formatDate, list, plural } from './format';
import { usePoll } from './poll';
import { unanswered } from './consent';
import { AddFiles } from './DataUpload';
import { ItemDetail } from './DataItem';
import { ActivityLog, AgreementCard, CoopView } from './Agreements';

// How often the node is asked whether anything changed while the tab is shown.
const dataPollMs = 5000;

type Loaded<T> = { value?: T; problem?: Problem };

export type DataState = {
  items: DataItemView[];
  agreements: AgreementView[];
  purposes: PurposeView[];
  consents: ConsentView[];
};

export function awaitingAnswer(agreements: AgreementView[]): number {
  return agreements.reduce((n, a) => n + list(a.versions).filter((v) => unanswered(v)).length, 0);
}

export function DataPanel({
  status,
  active,
  generation,
  refreshStatus,
  onPending,
}: {
  status: StatusView;
  active: boolean;
  generation: number;
  refreshStatus: () => Promise<void>;
  // Told how many agreement versions wait for this member's answer.
  onPending?: (n: number) => void;
}) {
  const [items, setItems] = useState<Loaded<DataItemView[]>>({});
  const [agreements, setAgreements] = useState<Loaded<AgreementView[]>>({});
  const [purposes, setPurposes] = useState<Loaded<PurposeView[]>>({});
  const [consents, setConsents] = useState<Loaded<ConsentView[]>>({});
  const [selected, setSelected] = useState('');
  const [returnTo, setReturnTo] = useState('');
  const [notice, setNotice] = useState('');
  const shown = useRef(false);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const windowMode = inWindow();

  const loadAgreements = () =>
    api.agreements().then(
      (v) => setAgreements({ value: list(v) }),
      (e) => setAgreements({ problem: describeError(e) }),
    );
  const loadItems = () =>
    api.dataItems().then(
      (v) => setItems({ value: list(v) }),
      (e) => setItems({ problem: describeError(e) }),
    );
  const loadConsents = () =>
    api.consents().then(
      (v) => setConsents({ value: list(v) }),
      (e) => setConsents({ problem: describeError(e) }),
    );
  const loadPurposes = () =>
    api.purposes().then(
      (v) => setPurposes({ value: list(v) }),
      (e) => setPurposes({ problem: describeError(e) }),
    );
  const reload = async () => {
    await Promise.all([loadItems(), loadAgreements(), loadConsents(), purposes.value ? Promise.resolve() : loadPurposes()]);
  };

  // The agreements at once (the tab shows what waits for an answer); the rest
  // once the tab is first shown; everything again when the co-op's state changes.
  useEffect(() => {
    if (shown.current) void reload();
    else void loadAgreements();
  }, [generation]);
  useEffect(() => {
    if (active && !shown.current) {
      shown.current = true;
      void Promise.all([loadItems(), loadConsents(), loadPurposes()]);
    }
  }, [active]);
  usePoll(refreshStatus, dataPollMs, active, false);

  // After a removal the item's page is gone: the focus goes to what happened.
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  useEffect(() => {
    if (agreements.value) onPending?.(awaitingAnswer(agreements.value));
  }, [agreements.value]);

  useEffect(() => {
    if (selected || !returnTo) return;
    document.querySelector<HTMLButtonElement>(`[data-testid=data-item-row][data-item-id="${returnTo}"] [data-testid=item-open]`)?.focus();
    setReturnTo('');
  }, [selected, returnTo]);

  const all: DataState = {
    items: list(items.value),
    agreements: list(agreements.value),
    purposes: list(purposes.value),
    consents: list(consents.value),
  };
  const item = all.items.find((i) => i.id === selected);

  function added(it: DataItemView) {
    setItems((l) => ({ value: [it, ...list(l.value).filter((x) => x.id !== it.id)] }));
    void loadItems();
  }

  return (
    <div class="stack data-panel" data-testid="data-view">
      <p class="muted lead">
        Your data stays on this computer, encrypted. The co-op’s data agreements say what it may be used for; nothing is used
        unless you say yes, item by item or all at once, and you can take it back at any time.
      </p>
      {notice && (
        <p class="success" role="status" data-testid="data-notice" tabIndex={-1} ref={noticeRef}>
          {notice}
        </p>
      )}

      <section class="stack" aria-labelledby="data-items-title">
        <h3 id="data-items-title">Your items</h3>
        <div hidden={!!selected}>
          <AddFiles active={active && !selected} windowMode={windowMode} onAdded={added} />
        </div>
        {items.problem && <ErrorBox problem={items.problem} onRetry={loadItems} />}
        {selected ? (
          <ItemDetail
            key={selected}
            id={selected}
            initial={item}
            state={all}
            status={status}
            windowMode={windowMode}
            onFresh={(it) => setItems((l) => ({ value: list(l.value).map((x) => (x.id === it.id ? it : x)) }))}
            onChanged={reload}
            onBack={() => {
              setReturnTo(selected);
              setSelected('');
            }}
            onRemoved={(it) => {
              setNotice(`Removed “${it.title}” from your vault.`);
              setItems((l) => ({ value: list(l.value).filter((x) => x.id !== it.id) }));
              setSelected('');
              void reload();
            }}
          />
        ) : items.value === undefined && !items.problem ? (
          <p class="muted">Loading your items…</p>
        ) : (
          items.value !== undefined && (
            <ItemsTable
              items={all.items}
              onOpen={(id) => {
                setNotice('');
                setSelected(id);
              }}
            />
          )
        )}
      </section>

      <section class="stack" aria-labelledby="data-agreements-title">
        <h3 id="data-agreements-title">Data agreements</h3>
        {agreements.problem && <ErrorBox problem={agreements.problem} onRetry={loadAgreements} />}
        {agreements.value === undefined && !agreements.problem && <p class="muted">Loading the agreements…</p>}
        {agreements.value?.length === 0 && (
          <p class="empty" data-testid="no-agreements">
            The co-op has adopted no data agreement yet. Any member may propose one on the Proposals tab.
          </p>
        )}
        {all.agreements.map((a) => (
          <AgreementCard key={a.id} agreement={a} state={all} onChanged={reload} />
        ))}
      </section>

      <section class="stack" aria-labelledby="data-log-title">
        <h3 id="data-log-title">Your consent, event by event</h3>
        {consents.problem && <ErrorBox problem={consents.problem} onRetry={loadConsents} />}
        {consents.value === undefined && !consents.problem ? (
          <p class="muted">Loading your consent events…</p>
        ) : (
          consents.value !== undefined && <ActivityLog consents={all.consents} purposes={all.purposes} />
        )}
      </section>

      <section class="stack" aria-labelledby="data-coop-title">
        <h3 id="data-coop-title">The co-op’s view</h3>
        <CoopView purposes={all.purposes} agreements={all.agreements} />
      </section>
    </div>
  );
}

function ItemsTable({ items, onOpen }: { items: DataItemView[]; onOpen: (id: string) => void }) {
  if (items.length === 0) {
    return (
      <p class="empty" data-testid="no-data-items">
        Your vault is empty. Add files above.
      </p>
    );
  }
  return (
    <div class="table-scroll">
      <table class="data-items">
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col" class="num">
              Size
            </th>
            <th scope="col">Type</th>
            <th scope="col">Tags</th>
            <th scope="col">Added</th>
          </tr>
        </thead>
        <tbody>
          {items.map((it) => {
            const allowed = list(it.purposes).filter((p) => p.allowed).length;
            return (
              <tr key={it.id} data-testid="data-item-row" data-item-id={it.id} data-title={it.title}>
                <th scope="row">
                  <button type="button" class="link" data-testid="item-open" onClick={() => onOpen(it.id)}>
                    {it.title || it.fileName}
                  </button>
                  <span class="hint">
                    {it.fileName}
                    {list(it.purposes).length > 0 && <> · {allowed === 0 ? 'used for nothing' : `may be used for ${plural(allowed, 'purpose')}`}</>}
                  </span>
                </th>
                <td class="num" title={`${it.size} bytes`}>
                  {formatBytes(it.size)}
                </td>
                <td>
                  <code>{it.mediaType || '—'}</code>
                </td>
                <td>
                  {list(it.tags).length === 0 ? (
                    <span class="muted">—</span>
                  ) : (
                    list(it.tags).map((t) => (
                      <span class="tag" key={t}>
                        {t}
                      </span>
                    ))
                  )}
                </td>
                <td>
                  <time dateTime={it.added}>{formatDate(it.added)}</time>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
