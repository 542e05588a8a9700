import type { Problem } from './api';

// The headline tells the person what to do; the detail is what the API said.
export function headline(p: Problem): string {
  switch (p.kind) {
    case 'auth':
      return 'This page needs the link coopnode printed (with its token).';
    case 'nobackend':
      return 'Cannot reach coopnode. Open this page from the link `coopnode serve` printed, or use the desktop app.';
    default:
      return 'Something went wrong talking to coopnode.';
  }
}

export function ErrorBox({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  return (
    <div class="error-box" role="alert" data-testid="error">
      <p class="error-headline">{headline(problem)}</p>
      {problem.text && <p class="error-detail">{problem.text}</p>}
      {onRetry && problem.kind !== 'auth' && (
        <button type="button" class="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

// A short inline error for forms (wrong passphrase and the like).
export function InlineError({ text }: { text: string }) {
  return (
    <p class="form-error" role="alert" data-testid="error">
      {text}
    </p>
  );
}
