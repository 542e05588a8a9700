import type { Problem, StatusView } from './api';
import { plural, shortHex } from './format';

const stateLabel: Record<string, string> = {
  uninitialized: 'not set up',
  locked: 'locked',
  joining: 'waiting to be admitted',
  ready: 'ready',
  'no-access': 'no access',
};

export function Header(props: {
  status: StatusView | null;
  loading: boolean;
  problem: Problem | null;
  onRefresh: () => void;
}) {
  const { status, loading, problem } = props;
  const ready = status?.state === 'ready';
  const state = status?.state ?? (problem ? (problem.kind === 'auth' ? 'no-access' : 'unreachable') : 'loading');
  return (
    <header class="top">
      <div class="top-row">
        <div class="titles">
          <p class="brand">coopnode</p>
          {ready && status?.coop ? (
            <h1 data-testid="coop-name">{status.coop.name}</h1>
          ) : (
            <h1 class="placeholder-title">
              {status?.state === 'uninitialized' ? 'Welcome' : status?.state === 'joining' ? 'Joining a co-op' : 'Your co-op'}
            </h1>
          )}
          {ready && status?.me && (
            <p class="who">
              You are <strong>{status.me.name}</strong>
            </p>
          )}
        </div>
        <div class="top-side">
          <span class={`state-pill state-${state}`} data-testid="state" data-state={state} title={`Node state: ${state}`}>
            {stateLabel[state] ?? state}
          </span>
          <button type="button" class="secondary small" onClick={props.onRefresh} disabled={loading}>
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      {status && (status.digest || ready) && (
        <p class="digest-line">
          State digest{' '}
          <code data-testid="digest" title={status.digest}>
            {shortHex(status.digest) || '—'}
          </code>
          <span aria-hidden="true"> · </span>
          <span data-testid="records">{plural(status.records ?? 0, 'record')}</span>
        </p>
      )}
    </header>
  );
}
