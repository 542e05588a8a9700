import { useRef, useState } from 'preact/hooks';
import { api, errorText, type BundleTransferView, type ExportView, type ImportView, type StatusView } from './api';
import { InlineError } from './ErrorBox';
import { Input } from './Forms';
import { formatBytes, list } from './format';
import { usePoll } from './poll';

// How often the progress of a running export or import is asked for.
const progressPollMs = 250;

// 406607 -> "406,607" (the UI's numbers are English, like its words).
function count(n: number): string {
  return n.toLocaleString('en-US');
}

function records(n: number): string {
  return `${count(n)} ${n === 1 ? 'record' : 'records'}`;
}

// A suggested file name next to the home directory, e.g. /home/ada/riverside-data-co-op.cnb.
function suggestPath(status: StatusView): string {
  const home = status.home || '';
  const sep = home.includes('\\') && !home.includes('/') ? '\\' : '/';
  const parent = home.replace(/[\\/]+$/, '').replace(/[\\/][^\\/]*$/, '') || (sep === '/' ? '' : 'C:');
  const slug =
    (status.coop?.name ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'coop';
  return `${parent}${sep}${slug}.cnb`;
}

type Busy = '' | 'export' | 'import';

// Export and import of bundle files: records carried on a USB stick or sent by
// mail where the network does not reach. The calls return when they are done,
// which takes minutes on a large co-op: meanwhile the section polls
// BundleTransfers for how far the call is, shows it, and takes no second call.
export function BundlesPanel({ status, onImported }: { status: StatusView; onImported: () => void }) {
  const [outPath, setOutPath] = useState('');
  const [since, setSince] = useState('');
  const [inPath, setInPath] = useState('');
  const [busy, setBusy] = useState<Busy>('');
  const [busyPath, setBusyPath] = useState('');
  const [progress, setProgress] = useState<BundleTransferView | null>(null);
  // Counts the calls, so that an answer to a poll of an earlier one is dropped.
  const run = useRef(0);
  const [exported, setExported] = useState<ExportView | null>(null);
  const [imported, setImported] = useState<ImportView | null>(null);
  const [exportError, setExportError] = useState('');
  const [importError, setImportError] = useState('');
  const example = suggestPath(status);

  // While a call runs: its transfer, found by kind and path (the newest one not finished).
  usePoll(
    async () => {
      const mine = run.current;
      const t = list(await api.bundleTransfers()).find((x) => x.kind === busy && x.path === busyPath && !x.finished);
      if (t && run.current === mine) setProgress(t);
    },
    progressPollMs,
    busy !== '',
  );

  function begin(kind: Busy, path: string) {
    run.current++;
    setBusy(kind);
    setBusyPath(path);
    setProgress(null);
  }

  function end() {
    run.current++;
    setBusy('');
    setProgress(null);
  }

  async function doExport(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!outPath.trim()) return setExportError('Please give the file to write, as a full path.');
    const path = outPath.trim();
    begin('export', path);
    setExportError('');
    setExported(null);
    try {
      setExported(await api.exportBundle(path, since.trim()));
    } catch (err) {
      setExportError(errorText(err));
    } finally {
      end();
    }
  }

  async function doImport(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!inPath.trim()) return setImportError('Please give the bundle file to read, as a full path.');
    const path = inPath.trim();
    begin('import', path);
    setImportError('');
    setImported(null);
    try {
      const v = await api.importBundle(path);
      setImported(v);
      if (v.added > 0) onImported();
    } catch (err) {
      setImportError(errorText(err));
    } finally {
      end();
    }
  }

  return (
    <div class="stack" aria-busy={busy !== ''}>
      <p>
        A bundle file carries the co-op’s records where the network does not reach: export one here, take it to another
        member’s computer (a USB stick, an e-mail), and import it there. Every record in it is verified before it is stored.
        Give full paths of files on this computer.
      </p>

      <section class="bundle card" aria-labelledby="export-title">
        <h3 id="export-title">Export</h3>
        <form onSubmit={doExport} noValidate>
          <Input
            f={{ id: 'export-path', label: 'File to write', value: outPath, set: setOutPath, placeholder: example, hint: 'A full path; the file appears once complete.' }}
          />
          <div class="field">
            <label for="export-since">Leave out what they have (optional)</label>
            <input
              type="text"
              id="export-since"
              data-testid="export-since"
              value={since}
              placeholder="a bundle they already imported"
              aria-describedby="export-since-hint"
              onInput={(e) => setSince((e.currentTarget as HTMLInputElement).value)}
            />
            <p class="hint" id="export-since-hint">
              The full path of a bundle the other computer already has: its records are left out, so the file is smaller.
            </p>
          </div>
          {exportError && <InlineError text={exportError} />}
          <button type="submit" data-testid="export-submit" disabled={busy !== ''}>
            {busy === 'export' ? 'Exporting…' : 'Export'}
          </button>
          {busy === 'export' && <BundleProgress kind="export" t={progress} />}
        </form>
        {exported && (
          <p class="success" role="status" data-testid="export-result">
            Wrote {records(exported.records)} ({formatBytes(exported.bytes)}) to <code class="path">{exported.path}</code>
            {exported.skipped > 0 && <>, leaving out {records(exported.skipped)} already in the other bundle</>}.
          </p>
        )}
      </section>

      <section class="bundle card" aria-labelledby="import-title">
        <h3 id="import-title">Import</h3>
        <form onSubmit={doImport} noValidate>
          <Input f={{ id: 'import-path', label: 'Bundle to read', value: inPath, set: setInPath, placeholder: example }} />
          {importError && <InlineError text={importError} />}
          <button type="submit" data-testid="import-submit" disabled={busy !== ''}>
            {busy === 'import' ? 'Importing…' : 'Import'}
          </button>
          {busy === 'import' && <BundleProgress kind="import" t={progress} />}
        </form>
        {imported && (
          <div class="success" role="status" data-testid="import-result">
            <p>
              Read {records(imported.read)} from <code class="path">{imported.path}</code>.
            </p>
            <ul class="counts">
              <li>
                <strong>{count(imported.added)}</strong> added
              </li>
              <li>
                <strong>{count(imported.had)}</strong> already here
              </li>
              <li>
                <strong>{count(imported.pending)}</strong> pending <span class="muted">(waiting for earlier records)</span>
              </li>
              <li class={imported.invalid > 0 ? 'bad' : undefined}>
                <strong>{count(imported.invalid)}</strong> invalid <span class="muted">(refused)</span>
              </li>
            </ul>
          </div>
        )}
      </section>
    </div>
  );
}

// What each step is called: the bar's text, and what a screen reader is told
// as each step begins.
const phases: Record<string, { doing: string; begins: string }> = {
  reading: { doing: 'Reading the other bundle:', begins: 'Reading the bundle the other computer has.' },
  writing: { doing: 'Writing', begins: 'Writing the records to the bundle.' },
  verifying: { doing: 'Verifying', begins: 'Verifying every record of the bundle; nothing is stored until all of them check out.' },
  storing: { doing: 'Storing', begins: 'Every record checked out: storing those this computer lacks.' },
};

// How far a running export or import is: a bar that fills as the records of
// each step are done, and the numbers in words. Until the node says (its
// first poll), the bar runs without a value.
function BundleProgress({ kind, t }: { kind: Exclude<Busy, ''>; t: BundleTransferView | null }) {
  const label = kind === 'export' ? 'Exporting the bundle' : 'Importing the bundle';
  const ph = (t && phases[t.phase]) || null;
  // A step of no records (an export that leaves out everything) is done at once.
  const pct = t && ph ? (t.total > 0 ? Math.min(100, Math.floor((100 * t.records) / t.total)) : 100) : undefined;
  const text = t && ph ? `${ph.doing} ${count(t.records)} of ${records(t.total)} — ${pct}%` : 'Starting…';
  const details: string[] = [];
  if (t && t.steps > 1) details.push(`Step ${t.step} of ${t.steps}`);
  if (t && t.size > 0) details.push(`${formatBytes(t.bytes)} of ${formatBytes(t.size)} read`);
  if (t?.phase === 'storing') {
    // Once all are stored, the node applies the co-op's rules to them before it answers.
    details.push(t.records < t.total ? 'every record was verified' : 'all stored; applying the co-op’s rules to them');
  }
  return (
    <div class="bundle-progress" data-testid="bundle-busy" data-phase={t?.phase ?? ''} style={{ marginTop: '0.75rem' }}>
      <div
        class="bar"
        role="progressbar"
        data-testid="bundle-progress"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={text}
      >
        <div class="bar-fill" style={{ width: `${pct ?? 0}%` }} />
      </div>
      <p style={{ margin: '0.35rem 0 0' }} data-testid="bundle-progress-text">
        {text}
      </p>
      {details.length > 0 && (
        <p class="muted" style={{ margin: '0.1rem 0 0' }} data-testid="bundle-progress-details">
          {details.join(' · ')}
        </p>
      )}
      <p class="sr-only" role="status">
        {ph ? ph.begins : `${label}…`}
      </p>
    </div>
  );
}
