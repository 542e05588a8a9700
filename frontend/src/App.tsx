import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError, type Problem, type StatusView } from './api';
import { Header } from './Header';
import { StartScreen, UnlockForm, type JoinResult } from './Forms';
import { JoiningView } from './Joining';
import { ReadyView } from './Ready';
import { ErrorBox } from './ErrorBox';
import { usePoll } from './poll';

const knownStates = ['uninitialized', 'locked', 'joining', 'ready'];
// How often a joining node asks whether it was admitted.
const joiningPollMs = 3000;

export function App() {
  const [status, setStatus] = useState<StatusView | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  // Bumped on every refresh so the ready view reloads bylaws and members too.
  const [generation, setGeneration] = useState(0);
  // The last join attempt from this window (its request ID, or its error).
  const [joinAttempt, setJoinAttempt] = useState<JoinResult | null>(null);
  const seen = useRef({ state: '', digest: '' });

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const s = await api.status();
      seen.current = { state: s.state, digest: s.digest };
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

  // A background refresh (polling): no busy state, the screen stays as it is
  // while the call runs, and the views reload their data only when the state
  // or its digest changed. A failure is shown but keeps the last status.
  const refreshQuietly = useCallback(async () => {
    try {
      const s = await api.status();
      const changed = s.state !== seen.current.state || s.digest !== seen.current.digest;
      seen.current = { state: s.state, digest: s.digest };
      setStatus(s);
      setProblem(null);
      if (changed) setGeneration((g) => g + 1);
    } catch (e) {
      setProblem(describeError(e));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const state = status?.state;
  usePoll(refreshQuietly, joiningPollMs, state === 'joining', false);

  const onJoin = useCallback(
    (r: JoinResult) => {
      setJoinAttempt(r);
      // A failed attempt may still have created the identity and the request.
      void refreshQuietly();
    },
    [refreshQuietly],
  );

  const ready = state === 'ready';
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
        {state === 'uninitialized' && <StartScreen onFounded={reload} onJoin={onJoin} />}
        {state === 'locked' && <UnlockForm onDone={reload} />}
        {state === 'joining' && <JoiningView status={status!} attempt={joinAttempt} onResult={onJoin} />}
        {ready && <ReadyView status={status!} generation={generation} onChanged={reload} refreshStatus={refreshQuietly} />}
        {status && !knownStates.includes(status.state) && (
          <p class="notice">
            This node reports a state this version of the screen does not know: <code>{status.state}</code>.
          </p>
        )}
      </main>
    </div>
  );
}
