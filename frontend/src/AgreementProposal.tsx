// A proposal of kind "agreement": the form for the terms of a data agreement
// version (a new agreement, or the next version of one in force), and the
// terms as a proposal's page shows them.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, type AgreementInput, type AgreementView, type PurposeView } from './api';
import { InlineError } from './ErrorBox';
import { list } from './format';
import { durationPattern, durationWords, purposeLabel, shareWords, splitCommas } from './consent';

// As AgreementInput, with the recipients as typed (separated by commas).
export type AgreementDraft = Omit<AgreementInput, 'recipients'> & { recipients: string };

export function emptyAgreementDraft(): AgreementDraft {
  return {
    replaces: '',
    title: '',
    text: '',
    purposes: [],
    recipients: '',
    standard: '',
    extended: '',
    retention: 'P3Y',
    jurisdiction: '',
    language: document.documentElement.lang || 'en',
  };
}

export function agreementInput(d: AgreementDraft): AgreementInput {
  return {
    ...d,
    title: d.title.trim(),
    recipients: splitCommas(d.recipients),
    standard: d.standard.replace(/\s+/g, ''),
    extended: d.extended.replace(/\s+/g, ''),
    retention: d.retention.trim().toUpperCase(),
    jurisdiction: d.jurisdiction.trim(),
    language: d.language.trim(),
  };
}

const sharePattern = /^\s*(\d+\s*\/\s*\d+|\d+\s*%)\s*$/;

// What is wrong with the draft, in a sentence; '' when nothing is.
export function checkAgreement(d: AgreementDraft): string {
  if (!d.title.trim()) return 'Please give the agreement a title.';
  if (!d.text.trim()) return 'Please write the text of the agreement.';
  if (d.purposes.length === 0) return 'Tick at least one purpose the data may be used for.';
  if (!durationPattern.test(d.retention.trim().toUpperCase())) return 'Write how long data is kept as an ISO 8601 duration, such as P3Y for 3 years or P18M for 18 months.';
  for (const [v, what] of [
    [d.standard, 'standard'],
    [d.extended, 'extended'],
  ]) {
    if (v.trim() && !sharePattern.test(v)) return `Write the share of a ${what} license as a fraction, such as 1/2, or a whole percentage, such as 50%.`;
  }
  return '';
}

export function AgreementEditor({ draft, setDraft }: { draft: AgreementDraft; setDraft: (f: (d: AgreementDraft) => AgreementDraft) => void }) {
  const [purposes, setPurposes] = useState<PurposeView[] | null>(null);
  const [agreements, setAgreements] = useState<AgreementView[]>([]);
  const [error, setError] = useState('');
  const set = <K extends keyof AgreementDraft>(k: K, v: AgreementDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  useEffect(() => {
    let live = true;
    api.purposes().then(
      (ps) => live && setPurposes(list(ps)),
      (e) => {
        if (!live) return;
        setPurposes([]);
        setError(errorText(e));
      },
    );
    api.agreements().then(
      (as) => live && setAgreements(list(as)),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  const currents = agreements.flatMap((a) => list(a.versions).filter((v) => v.current || v.id === a.current).map((v) => ({ a, v })));

  // Follows a version in force: starts from its terms.
  function chooseReplaces(id: string) {
    const found = currents.find((x) => x.v.id === id);
    if (!found) return set('replaces', '');
    const { a, v } = found;
    setDraft(() => ({
      replaces: v.id,
      title: v.title || a.title,
      text: v.text,
      purposes: list(v.purposes).map((p) => p.id),
      recipients: list(v.recipients).join(', '),
      standard: v.royalty?.standard ?? '',
      extended: v.royalty?.extended ?? '',
      retention: v.retention || 'P3Y',
      jurisdiction: v.jurisdiction,
      language: v.language,
    }));
  }

  // Purposes the co-op's list lacks but the followed version names stay offered.
  const offered = [...list(purposes), ...draft.purposes.filter((id) => !list(purposes).some((p) => p.id === id)).map((id) => ({ id, label: id, description: '' }))];

  return (
    <fieldset class="agreement-editor" data-testid="np-agreement">
      <legend>The data agreement</legend>
      <p class="hint">If it passes, this becomes a version of a data agreement. Members are asked again for every new version: consent never carries over.</p>
      {error && <InlineError text={error} />}
      <div class="field">
        <label for="np-agreement-replaces">New agreement or new version?</label>
        <select id="np-agreement-replaces" data-testid="np-agreement-replaces" value={draft.replaces} onChange={(e) => chooseReplaces((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">A new agreement</option>
          {currents.map(({ a, v }) => (
            <option key={v.id} value={v.id}>
              The next version of {a.title} (replaces version {v.number})
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="np-agreement-title">Title of the agreement</label>
        <input id="np-agreement-title" data-testid="np-agreement-title" type="text" value={draft.title} onInput={(e) => set('title', (e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="np-agreement-text">Text</label>
        <textarea id="np-agreement-text" data-testid="np-agreement-text" class="prose" rows={10} value={draft.text} onInput={(e) => set('text', (e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <fieldset class="field">
        <legend>What members’ data may be used for</legend>
        {purposes === null ? (
          <p class="muted">Loading the purposes…</p>
        ) : (
          offered.map((p) => (
            <label class="choice" key={p.id}>
              <input
                type="checkbox"
                data-testid="np-agreement-purpose"
                data-purpose={p.id}
                checked={draft.purposes.includes(p.id)}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  setDraft((d) => ({ ...d, purposes: on ? [...d.purposes.filter((x) => x !== p.id), p.id] : d.purposes.filter((x) => x !== p.id) }));
                }}
              />
              <span>
                {p.label || p.id} <code class="muted">{p.id}</code>
                {p.description && <span class="hint">{p.description}</span>}
              </span>
            </label>
          ))
        )}
      </fieldset>
      <div class="field">
        <label for="np-agreement-recipients">Who may use it</label>
        <input
          id="np-agreement-recipients"
          data-testid="np-agreement-recipients"
          type="text"
          value={draft.recipients}
          aria-describedby="np-agreement-recipients-hint"
          onInput={(e) => set('recipients', (e.currentTarget as HTMLInputElement).value)}
        />
        <p class="hint" id="np-agreement-recipients-hint">
          Kinds of recipient, separated by commas, such as: members, research partners, licensees.
        </p>
      </div>
      <p class="hint" id="np-agreement-shares-hint">
        The member’s share of the revenue from each license of their data: a fraction such as 1/2, or a whole percentage such as
        50%. Left empty: 1/2 of a standard license, 3/4 of an extended one.
      </p>
      <div class="field-row">
        <div class="field">
          <label for="np-agreement-standard">Member’s share, standard license</label>
          <input id="np-agreement-standard" data-testid="np-agreement-standard" type="text" class="short" aria-describedby="np-agreement-shares-hint" placeholder="1/2" value={draft.standard} onInput={(e) => set('standard', (e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="np-agreement-extended">Member’s share, extended license</label>
          <input id="np-agreement-extended" data-testid="np-agreement-extended" type="text" class="short" aria-describedby="np-agreement-shares-hint" placeholder="3/4" value={draft.extended} onInput={(e) => set('extended', (e.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>
      <div class="field-row">
        <div class="field">
          <label for="np-agreement-retention">Kept for</label>
          <input
            id="np-agreement-retention"
            data-testid="np-agreement-retention"
            type="text"
            class="short"
            value={draft.retention}
            aria-describedby="np-agreement-retention-hint"
            onInput={(e) => set('retention', (e.currentTarget as HTMLInputElement).value)}
          />
          <p class="hint" id="np-agreement-retention-hint">
            An ISO 8601 duration{durationPattern.test(draft.retention.trim().toUpperCase()) ? `: ${durationWords(draft.retention.trim().toUpperCase())}` : ', such as P3Y'}.
          </p>
        </div>
        <div class="field">
          <label for="np-agreement-jurisdiction">Law that applies</label>
          <input id="np-agreement-jurisdiction" data-testid="np-agreement-jurisdiction" type="text" class="short" placeholder="EU" value={draft.jurisdiction} onInput={(e) => set('jurisdiction', (e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="np-agreement-language">Language of the text</label>
          <input id="np-agreement-language" data-testid="np-agreement-language" type="text" class="short" placeholder="en" value={draft.language} onInput={(e) => set('language', (e.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>
    </fieldset>
  );
}

// The terms an agreement proposal adopts if it passes, on its page.
export function AgreementTerms({ a }: { a: AgreementInput }) {
  const [purposes, setPurposes] = useState<PurposeView[]>([]);
  const [replaced, setReplaced] = useState('');
  useEffect(() => {
    let live = true;
    api.purposes().then(
      (ps) => live && setPurposes(list(ps)),
      () => {},
    );
    if (a.replaces) {
      api.agreements().then(
        (as) => {
          for (const ag of list(as)) {
            const v = list(ag.versions).find((x) => x.id.startsWith(a.replaces));
            if (v && live) setReplaced(`version ${v.number} of ${ag.title}`);
          }
        },
        () => {},
      );
    }
    return () => {
      live = false;
    };
  }, [a.replaces]);
  return (
    <details class="subject" data-testid="proposal-subject" open>
      <summary>
        {a.replaces ? (
          <>If it passes, this becomes the next version of the data agreement, replacing {replaced || <code>{a.replaces.slice(0, 12)}</code>}</>
        ) : (
          <>If it passes, the co-op adopts this new data agreement</>
        )}
      </summary>
      <ul data-testid="proposal-agreement">
        <li>Title: {a.title}</li>
        <li data-testid="proposal-agreement-purposes">
          Purposes: {list(a.purposes).map((p) => `${purposeLabel(purposes, p)} (${p})`).join(', ') || '—'}
        </li>
        <li>Who may use it: {list(a.recipients).join(', ') || '—'}</li>
        <li>
          Member’s share: {shareWords(a.standard)} of a standard license, {shareWords(a.extended)} of an extended one
        </li>
        <li>
          Kept for: {durationWords(a.retention)} {a.retention && <code class="muted">{a.retention}</code>}
        </li>
        <li>Law: {a.jurisdiction || '—'}</li>
        <li>Language: {a.language || '—'}</li>
      </ul>
      <div class="bylaws-text" lang={a.language || undefined}>
        {a.text}
      </div>
      <p class="hint">Members are asked again for a new version: nobody’s consent to an earlier version carries over.</p>
    </details>
  );
}
