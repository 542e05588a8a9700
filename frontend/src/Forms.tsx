import { useState } from 'preact/hooks';
import { api, errorText, type JoinView } from './api';
import { InlineError } from './ErrorBox';

export type Field = {
  id: string;
  label: string;
  value: string;
  set: (v: string) => void;
  type?: 'text' | 'password' | 'textarea';
  hint?: string;
  auto?: string;
  placeholder?: string;
};

// The two fields that choose a new passphrase (founding and joining alike).
function newPassphraseFields(prefix: string, pass: string, setPass: (v: string) => void, pass2: string, setPass2: (v: string) => void): Field[] {
  return [
    {
      id: `${prefix}-passphrase`,
      label: 'Passphrase',
      value: pass,
      set: setPass,
      type: 'password',
      auto: 'new-password',
      hint: 'It encrypts this computer’s keys. Nobody can recover it for you: write it down somewhere safe.',
    },
    { id: `${prefix}-passphrase2`, label: 'Passphrase again', value: pass2, set: setPass2, type: 'password', auto: 'new-password' },
  ];
}

export function Input({ f, autoFocus }: { f: Field; autoFocus?: boolean }) {
  const common = {
    id: f.id,
    'data-testid': f.id,
    value: f.value,
    autoComplete: f.auto,
    autoFocus,
    required: true,
    placeholder: f.placeholder,
    onInput: (e: Event) => f.set((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
    'aria-describedby': f.hint ? `${f.id}-hint` : undefined,
  };
  return (
    <div class="field">
      <label for={f.id}>{f.label}</label>
      {f.type === 'textarea' ? (
        <textarea rows={4} spellcheck={false} autoCapitalize="off" {...common} />
      ) : f.type === 'password' ? (
        <input type="password" {...common} />
      ) : (
        <input type="text" {...common} />
      )}
      {f.hint && (
        <p class="hint" id={`${f.id}-hint`}>
          {f.hint}
        </p>
      )}
    </div>
  );
}

// The start screen of an empty home: found a new co-op, or join one with an invite.
export function StartScreen({ onFounded, onJoin }: { onFounded: () => void; onJoin: (r: JoinResult) => void }) {
  return (
    <div class="start">
      <FoundForm onDone={onFounded} />
      <JoinForm onResult={onJoin} />
    </div>
  );
}

export function FoundForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [coop, setCoop] = useState('');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (!name.trim() || !coop.trim()) return setError('Please fill in your name and the co-op’s name.');
    if (!pass) return setError('Please choose a passphrase.');
    if (pass !== pass2) return setError('The two passphrases are not the same.');
    setError('');
    setBusy(true);
    try {
      await api.init(name.trim(), coop.trim(), pass);
      setPass('');
      setPass2('');
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const fields: Field[] = [
    { id: 'init-name', label: 'Your name', value: name, set: setName, auto: 'name', hint: 'How other members will see you.' },
    { id: 'init-coop', label: 'Co-op name', value: coop, set: setCoop, auto: 'organization', hint: 'For example “Riverside Data Co-op”.' },
    ...newPassphraseFields('init', pass, setPass, pass2, setPass2),
  ];

  return (
    <section class="card" aria-labelledby="found-title">
      <h2 id="found-title">Found a co-op</h2>
      <p>Start a new co-op on this computer, with you as its founding member.</p>
      <form onSubmit={submit} noValidate>
        {fields.map((f, i) => (
          <Input key={f.id} f={f} autoFocus={i === 0} />
        ))}
        {error && <InlineError text={error} />}
        <button type="submit" data-testid="init-submit" disabled={busy}>
          {busy ? 'Founding…' : 'Found the co-op'}
        </button>
      </form>
    </section>
  );
}

// What a join attempt gave: the API's answer, or its error (the request may
// still have been made: the node is then "joining" and can send it again).
export type JoinResult = { view?: JoinView; error?: string; invite: string };

const invitePrefix = 'COOPNODE1';

export function JoinForm({ onResult }: { onResult: (r: JoinResult) => void }) {
  const [invite, setInvite] = useState('');
  const [name, setName] = useState('');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const text = invite.trim();
    if (!text) return setError('Please paste the invite a member sent you.');
    if (!name.trim()) return setError('Please fill in your name.');
    if (!pass) return setError('Please choose a passphrase.');
    if (pass !== pass2) return setError('The two passphrases are not the same.');
    setError('');
    setBusy(true);
    try {
      const view = await api.join(text, name.trim(), pass);
      setPass('');
      setPass2('');
      onResult({ view, invite: text });
    } catch (err) {
      const msg = errorText(err);
      setError(msg);
      onResult({ error: msg, invite: text });
    } finally {
      setBusy(false);
    }
  }

  const fields: Field[] = [
    {
      id: 'join-invite',
      label: 'Invite',
      value: invite,
      set: setInvite,
      type: 'textarea',
      placeholder: `${invitePrefix}…`,
      hint: 'The text starting with COOPNODE1 that a member gave you. Line breaks and spaces do not matter.',
    },
    { id: 'join-name', label: 'Your name', value: name, set: setName, auto: 'name', hint: 'How the members will see you.' },
    ...newPassphraseFields('join', pass, setPass, pass2, setPass2),
  ];

  return (
    <section class="card" aria-labelledby="join-title">
      <h2 id="join-title">Join with an invite</h2>
      <p>A member of a co-op sent you an invite? Ask to join; a member then admits you.</p>
      <form onSubmit={submit} noValidate>
        {fields.map((f) => (
          <Input key={f.id} f={f} />
        ))}
        {error && <InlineError text={error} />}
        <button type="submit" data-testid="join-submit" disabled={busy}>
          {busy ? 'Asking to join…' : 'Ask to join'}
        </button>
      </form>
    </section>
  );
}

export function UnlockForm({ onDone }: { onDone: () => void }) {
  const [pass, setPass] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (!pass) return setError('Please enter your passphrase.');
    setError('');
    setBusy(true);
    try {
      await api.unlock(pass);
      setPass('');
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card narrow" aria-labelledby="unlock-title">
      <h2 id="unlock-title">Unlock this node</h2>
      <p>This computer holds a co-op whose keys are encrypted. Enter your passphrase to open it.</p>
      <form onSubmit={submit} noValidate>
        <Input
          f={{ id: 'unlock-passphrase', label: 'Passphrase', value: pass, set: setPass, type: 'password', auto: 'current-password' }}
          autoFocus
        />
        {error && <InlineError text={error} />}
        <button type="submit" data-testid="unlock-submit" disabled={busy}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </section>
  );
}
