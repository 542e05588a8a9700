import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, describeError, type Problem, type StatusView } from './api';
import { Header } from './Header';
import { FoundForm, UnlockForm } from './Forms';
import { ReadyView } from './Ready';
import { ErrorBox } from './ErrorBox';

export function App() {
  const [status, setStatus] = useState<StatusView | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  // Bumped on every refresh so the ready view reloads bylaws and members too.
  const [generation, setGeneration] = useState(0);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const s = await api.status();
      setStatus(s);
      setProblem(null);
    } catch (e) {
      setStatus(null);
      setProblem(describeError(e));
    } finally {
      setLoading(false);
      setGeneration((g) => g + 1);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const ready = status?.state === 'ready';
  const coopName = ready ? status?.coop?.name : undefined;
  useEffect(() => {
    document.title = coopName ? `${coopName} — coopnode` : 'coopnode';
  }, [coopName]);

  return (
    <div class="shell">
      <Header status={status} loading={loading} problem={problem} onRefresh={reload} />
      <main class="content" aria-busy={loading}>
        {problem && <ErrorBox problem={problem} onRetry={reload} />}
        {!problem && !status && loading && <p class="muted">Loading…</p>}
        {status?.state === 'uninitialized' && <FoundForm onDone={reload} />}
        {status?.state === 'locked' && <UnlockForm onDone={reload} />}
        {ready && <ReadyView status={status!} generation={generation} />}
        {status && !['uninitialized', 'locked', 'ready'].includes(status.state) && (
          <p class="notice">
            This node reports a state this version of the screen does not know: <code>{status.state}</code>.
          </p>
        )}
      </main>
    </div>
  );
}
