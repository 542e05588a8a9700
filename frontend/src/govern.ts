// Words and small helpers for proposals and votes, shared by the governance screens.
import type { Fraction, ProposalView, ResultView, VoteInput } from './api';
import { formatDateTime, list } from './format';

// Tellers new bylaws get unless they say otherwise (coop.DefaultBylaws), and
// what the Bylaws tab's amendment for bylaws from before tellers proposes.
export const DEFAULT_TELLERS = 2;
// The most tellers bylaws may ask for (coop.MaxTellers: a record carries 16 signatures).
export const MAX_TELLERS = 15;

export type MethodInfo = { id: string; label: string; help: string; choice: boolean };

// In the order the node offers them (tally.Methods).
export const METHODS: MethodInfo[] = [
  {
    id: 'advice',
    label: 'Advice',
    help: 'Ask the members what they think: they agree or abstain. It informs the decision but never decides anything.',
    choice: false,
  },
  {
    id: 'consent',
    label: 'Consent',
    help: 'It passes unless someone objects. Members consent, abstain or object; an objection needs a reason.',
    choice: false,
  },
  {
    id: 'consensus',
    label: 'Consensus',
    help: 'Members agree, abstain, disagree or block (with a reason). Any block stops it; otherwise it passes if more agree than disagree.',
    choice: false,
  },
  {
    id: 'majority',
    label: 'Majority vote',
    help: 'Members vote yes, no or abstain. It passes when the share of yes among the yes and no votes is above the threshold.',
    choice: false,
  },
  {
    id: 'single-choice',
    label: 'Single choice',
    help: 'Each member picks one option; the option with the most votes wins.',
    choice: true,
  },
  {
    id: 'approval',
    label: 'Approval',
    help: 'Each member ticks every option they can accept; the option ticked most often wins.',
    choice: true,
  },
  {
    id: 'score',
    label: 'Score',
    help: 'Each member gives every option a score from 0 to the highest score; the option with the highest total wins.',
    choice: true,
  },
  {
    id: 'dot',
    label: 'Dot voting',
    help: 'Each member spreads a few dots over the options, several on one if they like; the option with the most dots wins.',
    choice: true,
  },
  {
    id: 'ranked',
    label: 'Ranked choice',
    help: 'Each member puts the options in order of preference. The least liked option drops out round by round until one has more than half (with several seats: single transferable vote).',
    choice: true,
  },
];

export function methodInfo(id: string): MethodInfo {
  return METHODS.find((m) => m.id === id) ?? { id, label: id, help: '', choice: false };
}

export function isChoiceMethod(id: string): boolean {
  return methodInfo(id).choice;
}

// Methods that pass or fail, the only ones a proposal that changes the co-op may use.
export const BINDING_METHODS = ['consent', 'consensus', 'majority'];

export type KindInfo = { id: string; label: string; short: string };

export const KINDS: KindInfo[] = [
  { id: 'general', label: 'A general decision', short: 'General' },
  { id: 'admission', label: 'Admit someone who asked to join', short: 'Admission' },
  { id: 'removal', label: 'Remove a member', short: 'Removal' },
  { id: 'member-change', label: 'Change a member’s class or roles', short: 'Member change' },
  { id: 'bylaws', label: 'Amend the bylaws', short: 'Bylaws' },
  { id: 'agreement', label: 'Adopt or change a data agreement', short: 'Data agreement' },
];

export function kindLabel(id: string): string {
  return KINDS.find((k) => k.id === id)?.short ?? id;
}

// The positions a member may take, per position method, in the node's order.
export const POSITIONS: Record<string, string[]> = {
  advice: ['agree', 'abstain'],
  consent: ['consent', 'abstain', 'object'],
  consensus: ['agree', 'abstain', 'disagree', 'block'],
  majority: ['yes', 'no', 'abstain'],
};

const positionWords: Record<string, string> = {
  agree: 'Agree',
  abstain: 'Abstain',
  consent: 'Consent',
  object: 'Object',
  disagree: 'Disagree',
  block: 'Block',
  yes: 'Yes',
  no: 'No',
};

export function positionLabel(p: string): string {
  return positionWords[p] ?? p;
}

// Positions that only count with a reason.
export const NEEDS_REASON = ['object', 'block'];

// A percentage for display only (the node decides with exact fractions).
export function pct(num: number, den: number): string {
  if (!den) return '—';
  return `${Math.round((100 * num) / den)}%`;
}

export function fractionText(f: Fraction | null | undefined): string {
  if (!f) return '—';
  return `${f.num}/${f.den} (${pct(f.num, f.den)})`;
}

// "3" or "7/2" (a ranked count's exact ballot values) as a number, for drawing.
export function fractionValue(s: string): number {
  const [n, d] = String(s).split('/');
  const v = Number(n) / (d === undefined ? 1 : Number(d));
  return Number.isFinite(v) ? v : 0;
}

export function optionName(p: Pick<ProposalView, 'options'>, i: number): string {
  return list(p.options)[i] ?? `option ${i + 1}`;
}

function names(p: Pick<ProposalView, 'options'>, xs: number[]): string {
  return xs.map((i) => optionName(p, i)).join(', ');
}

// One line saying what a ballot says.
export function describeVote(p: Pick<ProposalView, 'method' | 'options'>, v: VoteInput | null | undefined): string {
  if (!v) return '—';
  const choices = list(v.choices);
  const points = list(v.points);
  let text: string;
  if (POSITIONS[p.method] || (v.position && choices.length === 0 && points.length === 0)) {
    text = positionLabel(v.position || 'abstain');
  } else {
    switch (p.method) {
      case 'single-choice':
        text = choices.length ? optionName(p, choices[0]) : 'Abstain';
        break;
      case 'approval':
        text = choices.length ? names(p, choices) : 'None of them (abstains)';
        break;
      case 'ranked':
        text = choices.map((c, i) => `${i + 1}. ${optionName(p, c)}`).join(', ');
        break;
      case 'score':
        text = points.map((n, i) => `${optionName(p, i)}: ${n}`).join(', ');
        break;
      case 'dot':
        text =
          points
            .map((n, i) => (n > 0 ? `${optionName(p, i)}: ${n} ${n === 1 ? 'dot' : 'dots'}` : ''))
            .filter(Boolean)
            .join(', ') || 'No dots';
        break;
      default:
        text = v.position || choices.join(', ') || points.join(', ');
    }
  }
  return v.reason ? `${text} — “${v.reason}”` : text;
}

// The outcome in a few words (headline), with the winners named.
export function outcomeWords(p: Pick<ProposalView, 'options'>, r: ResultView): string {
  const winners = list(r.winners);
  switch (r.outcome) {
    case 'passed':
      return 'Passed';
    case 'failed':
      return 'Did not pass';
    case 'advisory':
      return 'Advice only: it decides nothing by itself';
    case 'no-quorum':
      return 'Not enough members took part';
    case 'elected':
      return winners.length === 1 ? `Chosen: ${optionName(p, winners[0])}` : `Chosen: ${names(p, winners)}`;
    case 'tie':
      return `A tie between ${names(p, winners)}: nothing is decided`;
    case 'no-votes':
      return 'No option received any votes';
    default:
      return r.outcome;
  }
}

// A short badge for the list.
export function outcomeBadge(r: ResultView): string {
  switch (r.outcome) {
    case 'passed':
      return 'passed';
    case 'failed':
      return 'did not pass';
    case 'advisory':
      return 'advice';
    case 'no-quorum':
      return 'no quorum';
    case 'elected':
      return 'decided';
    case 'tie':
      return 'tie';
    case 'no-votes':
      return 'no votes';
    default:
      return r.outcome;
  }
}

export function outcomeTone(outcome: string): 'good' | 'bad' | 'neutral' {
  if (outcome === 'passed' || outcome === 'elected') return 'good';
  if (outcome === 'failed' || outcome === 'no-quorum') return 'bad';
  return 'neutral';
}

// "n/d" of a ratio-like value, for inputs that take one.
export function ratioInput(r: { num: number; den: number } | null | undefined): string {
  return r && r.den ? `${r.num}/${r.den}` : '';
}

// The node writes times in its messages as RFC 3339 (UTC): shown here in local time.
export function withLocalTimes(text: string): string {
  return text.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g, (t) => formatDateTime(t));
}

