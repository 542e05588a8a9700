// Adding files to the vault. In the desktop window files are named by their
// paths (the native dialog, or a drop anywhere on the window) and Go reads
// them itself, reporting its progress through Transfers(); in a browser tab
// the file travels to `coopnode serve` as an upload, whose progress the
// browser reports. Files are added at most two at a time, in the order
// given, each with its own progress bar: the window's are found in
// Transfers() by their path (Source), an upload's by the id it was sent with.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText, onWindowFileDrop, uploadFile, type DataItemView, type TransferView } from './api';
import { InlineError } from './ErrorBox';
import { formatBytes, list } from './format';
import { splitCommas } from './consent';

// How often the window asks Go how far its files are while they are being added.
const transferPollMs = 250;
// How many files are added at once: enough to overlap one file's encryption
// with the next one's reading, few enough for a laptop's disk.
const maxParallel = 2;

// source names the transfer in Transfers(): the path (window) or an id sent
// with the upload (browser). Two jobs with one source never run at once.
type Job = { key: number; name: string; source: string; file?: File; path?: string; title: string; tags: string[] };

type Entry = {
  key: number;
  name: string;
  source: string;
  sent: number;
  total: number; // -1 when unknown
  state: 'queued' | 'sending' | 'done' | 'failed';
  error?: string;
  item?: DataItemView;
};

function baseName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || path;
}

export function AddFiles({ active, windowMode, onAdded }: { active: boolean; windowMode: boolean; onAdded: (it: DataItemView) => void }) {
  const [title, setTitle] = useState('');
  const [tags, setTags] = useState('');
  const [entries, setEntries] = useState<Entry[]>([]);
  const [dragging, setDragging] = useState(false);
  const [pickError, setPickError] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const queue = useRef<Job[]>([]);
  const running = useRef(new Set<string>()); // the sources of the jobs running
  const watching = useRef(new Map<string, number>()); // window: source -> entry key, while Go adds it
  const polling = useRef(false);
  const nextKey = useRef(1);
  const form = useRef({ title, tags });
  form.current = { title, tags };
  const onAddedRef = useRef(onAdded);
  onAddedRef.current = onAdded;

  const update = (key: number, e: Partial<Entry>) => setEntries((xs) => xs.map((x) => (x.key === key ? { ...x, ...e } : x)));

  // Queues files (browser) or paths (window). The title is used only when
  // one file is added at a time; each file is otherwise titled by its name.
  function enqueue(files: File[], paths: string[]) {
    const names = files.length ? files.map((f) => f.name) : paths.map(baseName);
    if (names.length === 0) return;
    const t = names.length === 1 ? form.current.title.trim() : '';
    const tg = splitCommas(form.current.tags);
    const jobs: Job[] = names.map((name, i) => {
      const key = nextKey.current++;
      return {
        key,
        name,
        source: paths[i] ?? `upload-${Date.now().toString(36)}-${key}-${Math.random().toString(36).slice(2, 10)}`,
        file: files[i],
        path: paths[i],
        title: t || name,
        tags: tg,
      };
    });
    setEntries((xs) => [
      ...xs,
      ...jobs.map((j): Entry => ({ key: j.key, name: j.name, source: j.source, sent: 0, total: j.file ? j.file.size : -1, state: 'queued' })),
    ]);
    if (names.length === 1) setTitle('');
    queue.current.push(...jobs);
    pump();
  }

  // Starts queued jobs, oldest first, while fewer than maxParallel run.
  function pump() {
    while (running.current.size < maxParallel) {
      const i = queue.current.findIndex((j) => !running.current.has(j.source));
      if (i < 0) return;
      const [job] = queue.current.splice(i, 1);
      running.current.add(job.source);
      void run(job).finally(() => {
        running.current.delete(job.source);
        pump();
      });
    }
  }

  async function run(job: Job) {
    update(job.key, { state: 'sending' });
    try {
      const item = job.file ? await sendUpload(job) : await addPath(job);
      update(job.key, { state: 'done', item, sent: item.size, total: item.size });
      onAddedRef.current(item);
    } catch (e) {
      update(job.key, { state: 'failed', error: errorText(e) });
    }
  }

  function sendUpload(job: Job): Promise<DataItemView> {
    const file = job.file!;
    return uploadFile(file, job.title, job.tags, job.source, (sent, total) => update(job.key, { sent, total })).done;
  }

  // AddDataFile returns once the file is in the vault; meanwhile Transfers()
  // says how far it is: the transfer whose Source is the job's path.
  async function addPath(job: Job): Promise<DataItemView> {
    watching.current.set(job.source, job.key);
    void poll();
    try {
      return await api.addDataFile(job.path!, job.title, job.tags);
    } finally {
      watching.current.delete(job.source);
    }
  }

  // One poll of Transfers() for every file the window is adding.
  async function poll() {
    if (polling.current) return;
    polling.current = true;
    try {
      while (watching.current.size > 0) {
        await new Promise((r) => setTimeout(r, transferPollMs));
        let ts: TransferView[];
        try {
          ts = list(await api.transfers());
        } catch {
          continue; // progress is a nicety: the add itself says whether it worked
        }
        for (const [source, key] of watching.current) {
          const t = ts.find((x) => x.source === source && x.direction === 'in' && !x.finished);
          if (t) update(key, { sent: t.done, total: t.total });
        }
      }
    } finally {
      polling.current = false;
    }
  }

  // The window reports drops anywhere on it, with the files' paths.
  useEffect(() => {
    if (!windowMode || !active) return;
    return onWindowFileDrop((paths) => enqueue([], paths));
  }, [windowMode, active]);

  // In a browser, a file dropped outside the zone would replace the page.
  useEffect(() => {
    if (windowMode || !active) return;
    const stray = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    document.addEventListener('dragover', stray);
    document.addEventListener('drop', stray);
    return () => {
      document.removeEventListener('dragover', stray);
      document.removeEventListener('drop', stray);
    };
  }, [windowMode, active]);

  async function pick() {
    setPickError('');
    if (!windowMode) {
      input.current?.click();
      return;
    }
    try {
      enqueue([], list(await api.pickDataFiles()));
    } catch (e) {
      setPickError(errorText(e));
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    // In the window, Go reports the drop with the files' paths (onWindowFileDrop).
    if (windowMode) return;
    enqueue(Array.from(e.dataTransfer?.files ?? []), []);
  }

  const finished = entries.filter((x) => x.state === 'done' || x.state === 'failed');

  return (
    <div class="add-files stack">
      <div
        class={dragging ? 'drop-zone dragging' : 'drop-zone'}
        data-testid="data-drop"
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
      >
        <p class="drop-text">
          <strong>{windowMode ? 'Drop files anywhere on this window' : 'Drop files here'}</strong>, or
        </p>
        <button type="button" data-testid="data-pick" onClick={pick}>
          Choose files…
        </button>
        {!windowMode && (
          <input
            ref={input}
            type="file"
            multiple
            class="file-input"
            data-testid="data-file-input"
            aria-label="Files to add to your vault"
            tabIndex={-1}
            onChange={(e) => {
              const el = e.currentTarget as HTMLInputElement;
              enqueue(Array.from(el.files ?? []), []);
              el.value = '';
            }}
          />
        )}
        <p class="hint">Each file is encrypted and kept on this computer. Nobody else receives it unless you share it.</p>
      </div>
      <div class="field-row">
        <div class="field">
          <label for="data-title">Title (optional)</label>
          <input
            id="data-title"
            data-testid="data-title"
            type="text"
            value={title}
            aria-describedby="data-title-hint"
            onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)}
          />
          <p class="hint" id="data-title-hint">
            For the next file you add alone; otherwise each file is titled by its name.
          </p>
        </div>
        <div class="field">
          <label for="data-tags">Tags (optional)</label>
          <input
            id="data-tags"
            data-testid="data-tags"
            type="text"
            value={tags}
            aria-describedby="data-tags-hint"
            onInput={(e) => setTags((e.currentTarget as HTMLInputElement).value)}
          />
          <p class="hint" id="data-tags-hint">
            Separated by commas, for every file you add next.
          </p>
        </div>
      </div>
      {pickError && <InlineError text={pickError} />}
      {entries.length > 0 && (
        <div class="uploads">
          <ul class="plain-list" aria-label="Files being added">
            {entries.map((x) => (
              <UploadRow key={x.key} x={x} />
            ))}
          </ul>
          {finished.length > 0 && (
            <button
              type="button"
              class="small secondary"
              data-testid="uploads-clear"
              onClick={() => setEntries((xs) => xs.filter((x) => x.state === 'queued' || x.state === 'sending'))}
            >
              Clear finished
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function UploadRow({ x }: { x: Entry }) {
  const known = x.total >= 0;
  const pct = known ? (x.total === 0 ? (x.state === 'done' ? 100 : 0) : Math.min(100, Math.floor((100 * x.sent) / x.total))) : undefined;
  const amount = known ? `${formatBytes(x.sent)} of ${formatBytes(x.total)} (${pct}%)` : `${formatBytes(x.sent)} so far`;
  const words =
    x.state === 'queued' ? 'Waiting' : x.state === 'sending' ? (known && pct === 100 ? 'Encrypting and storing' : 'Adding') : x.state === 'done' ? 'Added' : 'Not added';
  return (
    <li class={`upload upload-${x.state}`} data-testid="upload-row" data-name={x.name} data-source={x.source} data-total={x.total} data-state={x.state}>
      <div class="row spread">
        <span class="upload-name">{x.name}</span>
        <span class="muted" data-testid="upload-amount">
          {words}
          {x.state !== 'failed' && <> · {amount}</>}
        </span>
      </div>
      <div
        class="bar"
        role="progressbar"
        data-testid="upload-progress"
        data-name={x.name}
        aria-label={`Adding ${x.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={x.state === 'failed' ? 'not added' : amount}
      >
        <div class="bar-fill" style={{ width: `${pct ?? 0}%` }} />
      </div>
      {x.state === 'failed' && <InlineError text={x.error || 'The file was not added.'} />}
    </li>
  );
}
