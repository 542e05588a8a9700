// The one place the UI talks to Go. The same calls work in the Wails window
// (window.go is Wails' IPC) and in a browser tab (window.go is a fetch proxy the
// Go server injects before this bundle).
import * as App from '../wailsjs/go/app/App';
import type { app } from '../wailsjs/go/models';

export type StatusView = app.StatusView;
export type BylawsView = app.BylawsView;
export type MemberView = app.MemberView;
export type NetworkView = app.NetworkView;
export type PeerView = app.PeerView;
export type InviteView = app.InviteView;
export type JoinView = app.JoinView;
export type JoinRequestView = app.JoinRequestView;
export type ExportView = app.ExportView;
export type ImportView = app.ImportView;

// Turns a synchronous throw (e.g. window.go missing) into a rejected promise.
function call<T>(fn: () => Promise<T>): Promise<T> {
  return Promise.resolve().then(fn);
}

// Calls an App method the way the generated wailsjs/go/app/App.js does
// (window.go.app.App.Method(...args)), for methods whose generated binding may
// not exist yet (wailsjs is regenerated from Go). Wails' IPC and the browser
// bridge both expose every bound method at run time.
type GoMethod = (...args: unknown[]) => Promise<unknown>;
function goCall<T>(method: string, ...args: unknown[]): Promise<T> {
  return call(() => {
    const app = (window as unknown as { go: { app: { App: Record<string, GoMethod | undefined> } } }).go.app.App;
    const fn = app[method];
    if (typeof fn !== 'function') {
      throw new Error(`this version of coopnode has no ${method}: update the app, then try again`);
    }
    return fn(...args) as Promise<T>;
  });
}

export const api = {
  status: () => call(() => App.Status()),
  bylaws: () => call(() => App.Bylaws()),
  members: () => call(() => App.Members()),
  init: (name: string, coop: string, passphrase: string) => call(() => App.Init(name, coop, passphrase)),
  unlock: (passphrase: string) => call(() => App.Unlock(passphrase)),
  peers: () => call(() => App.Peers()),
  invite: (hours: number) => call(() => App.Invite(hours)),
  join: (invite: string, name: string, passphrase: string) => call(() => App.Join(invite, name, passphrase)),
  joinRequests: () => call(() => App.JoinRequests()),
  admit: (requestId: string, className: string) => call(() => App.Admit(requestId, className)),
  exportBundle: (path: string, since: string) => call(() => App.ExportBundle(path, since)),
  importBundle: (path: string) => call(() => App.ImportBundle(path)),
  // Governance (app/govern.go).
  proposals: () => goCall<ProposalView[] | null>('Proposals'),
  proposal: (id: string) => goCall<ProposalView>('Proposal', id),
  propose: (input: ProposeInput) => goCall<ProposalView>('Propose', input),
  vote: (proposalId: string, vote: VoteInput) => goCall<ProposalView>('Vote', proposalId, vote),
  closeProposal: (proposalId: string) => goCall<ProposalView>('CloseProposal', proposalId),
  // to: member ID or exact name; proposal: '' or an ID; kind: '' or a kind.
  delegate: (to: string, proposal: string, kind: string) => goCall<DelegationView>('Delegate', to, proposal, kind),
  delegations: () => goCall<DelegationView[] | null>('Delegations'),
  endDelegation: (id: string) => goCall<void>('EndDelegation', id),
};

// Governance views, as app/govern.go marshals them (declared here rather than
// taken from the generated models, so the UI does not depend on their shape).
export type Ratio = { num: number; den: number; text: string };
export type Fraction = { num: number; den: number };

export type VoteInput = {
  position: string;
  reason: string;
  choices: number[] | null;
  points: number[] | null;
};

export type BylawsClassInput = { name: string; description: string; votes: boolean };

export type BylawsInput = {
  text: string;
  quorum: string; // "n/d"
  threshold: string; // "n/d"
  classes: BylawsClassInput[];
  admissionRule: string; // direct | by-decision
  admitRoles: string[];
  methods: string[];
  closeGraceHours: number;
};

export type ProposeInput = {
  title: string;
  body: string;
  kind: string;
  method: string;
  options: string[];
  seats: number;
  dots: number;
  maxScore: number;
  quorum: string; // "n/d", or "" for the bylaws'
  threshold: string;
  classes: string[];
  closes: string; // RFC 3339, or "" to use hours
  hours: number;
  hideResults: boolean;
  member: string;
  request: string;
  class: string;
  roles: string[];
  bylaws: BylawsInput | null;
};

export type RoundView = {
  votes: string[]; // exact fractions, "n" or "n/d", per option
  elected?: number[] | null;
  eliminated?: number[] | null;
  exhausted: string;
  note?: string;
};

export type ResultView = {
  method: string;
  outcome: string; // passed | failed | advisory | no-quorum | elected | tie | no-votes
  eligible: number;
  cast: number;
  positions?: { position: string; count: number }[] | null;
  totals?: number[] | null;
  winners?: number[] | null;
  participation: Fraction;
  support?: Fraction | null;
  rounds?: RoundView[] | null;
  quota?: number;
  why: string;
};

export type BallotView = {
  id: string;
  voter: string;
  voterId: string;
  cast: string;
  vote: VoteInput;
  counted: boolean;
  why: string;
  proxies: string[] | null;
};

export type ProposalView = {
  id: string;
  title: string;
  body: string;
  kind: string;
  method: string;
  options: string[] | null;
  seats: number;
  dots: number;
  maxScore: number;
  quorum: Ratio;
  threshold: Ratio;
  classes: string[] | null;
  author: string;
  authorId: string;
  opened: string;
  closes: string;
  status: 'open' | 'ended' | 'closed' | string;
  eligible: number;
  voted: number;
  result: ResultView | null;
  hidden: boolean;
  hiddenNotice: string;
  myVote: VoteInput | null;
  myProxy: string;
  canVote: boolean;
  canClose: boolean;
  closeNote: string;
  closedBy: string;
  closedAt: string;
  closeRecord: string;
  effect: string;
  subject: string;
  class: string;
  roles: string[] | null;
  bylaws: BylawsInput | null;
  ballots: BallotView[] | null;
};

export type DelegationView = {
  id: string;
  delegate: string;
  delegateId: string;
  proposal: string;
  kind: string;
  scope: string;
};

// Wails rejects with a string; the browser bridge rejects with an Error.
export function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

export type Problem = { kind: 'auth' | 'nobackend' | 'other'; text: string };

// Classifies an API failure into what the person should be told.
export function describeError(e: unknown): Problem {
  const text = errorText(e);
  if (/\b401\b|token|unauthori[sz]ed/i.test(text)) {
    return { kind: 'auth', text };
  }
  if (e instanceof TypeError && typeof window !== 'undefined' && !(window as { go?: unknown }).go) {
    return { kind: 'nobackend', text };
  }
  return { kind: 'other', text };
}
