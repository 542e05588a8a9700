import { useState } from 'preact/hooks';
import { api, errorText, type ExportView, type ImportView, type StatusView } from './api';
import { InlineError } from './ErrorBox';
import { Input } from './Forms';
import { formatBytes, plural } from './format';

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
// mail where the network does not reach. The calls are synchronous and may take
// a while on a large co-op, so the section shows that it works and takes no
// second call meanwhile.
export function BundlesPanel({ status, onImported }: { status: StatusView; onImported: () => void }) {
  const [outPath, setOutPath] = useState('');
  const [since, setSince] = useState('');
  const [inPath, setInPath] = useState('');
  const [busy, setBusy] = useState<Busy>('');
  const [exported, setExported] = useState<ExportView | null>(null);
  const [imported, setImported] = useState<ImportView | null>(null);
  const [exportError, setExportError] = useState('');
  const [importError, setImportError] = useState('');
  const example = suggestPath(status);

  async function doExport(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!outPath.trim()) return setExportError('Please give the file to write, as a full path.');
    setBusy('export');
    setExportError('');
    setExported(null);
    try {
      setExported(await api.exportBundle(outPath.trim(), since.trim()));
    } catch (err) {
      setExportError(errorText(err));
    } finally {
      setBusy('');
    }
  }

  async function doImport(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!inPath.trim()) return setImportError('Please give the bundle file to read, as a full path.');
    setBusy('import');
    setImportError('');
    setImported(null);
    try {
      const v = await api.importBundle(inPath.trim());
      setImported(v);
      if (v.added > 0) onImported();
    } catch (err) {
      setImportError(errorText(err));
    } finally {
      setBusy('');
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
          {busy === 'export' && <Working what="Writing the bundle" />}
        </form>
        {exported && (
          <p class="success" role="status" data-testid="export-result">
            Wrote {plural(exported.records, 'record')} ({formatBytes(exported.bytes)}) to <code class="path">{exported.path}</code>
            {exported.skipped > 0 && <>, leaving out {plural(exported.skipped, 'record')} already in the other bundle</>}.
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
          {busy === 'import' && <Working what="Verifying and storing the records" />}
        </form>
        {imported && (
          <div class="success" role="status" data-testid="import-result">
            <p>
              Read {plural(imported.read, 'record')} from <code class="path">{imported.path}</code>.
            </p>
            <ul class="counts">
              <li>
                <strong>{imported.added}</strong> added
              </li>
              <li>
                <strong>{imported.had}</strong> already here
              </li>
              <li>
                <strong>{imported.pending}</strong> pending <span class="muted">(waiting for earlier records)</span>
              </li>
              <li class={imported.invalid > 0 ? 'bad' : undefined}>
                <strong>{imported.invalid}</strong> invalid <span class="muted">(refused)</span>
              </li>
            </ul>
          </div>
        )}
      </section>
    </div>
  );
}

function Working({ what }: { what: string }) {
  return (
    <div class="working" role="status" data-testid="bundle-busy">
      <progress aria-label={what} />
      <span>{what}… this can take a while for a large co-op.</span>
    </div>
  );
}
