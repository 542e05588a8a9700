// The one place the UI talks to Go. The same calls work in the Wails window
// (window.go is Wails' IPC) and in a browser tab (window.go is a fetch proxy the
// Go server injects before this bundle).
import * as App from '../wailsjs/go/app/App';
import type { app } from '../wailsjs/go/models';
import { list } from './format';

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
export type BundleTransferView = app.BundleTransferView;

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
  // The bundle exports and imports running or just finished, newest first:
  // polled while exportBundle or importBundle runs, for their progress.
  bundleTransfers: () => call(() => App.BundleTransfers()),
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
  // The member's data vault, consent and data agreements (app/data.go).
  dataItems: () => goCall<DataItemView[] | null>('DataItems'),
  dataItem: (id: string) => goCall<DataItemView>('DataItem', id),
  // Window only: path is a file on this computer (from the file dialog or a drop).
  addDataFile: (path: string, title: string, tags: string[]) => goCall<DataItemView>('AddDataFile', path, title, tags),
  // Window only: the native file dialog; the paths chosen (none if cancelled).
  pickDataFiles: () => goCall<string[] | null>('PickDataFiles'),
  transfers: () => goCall<TransferView[] | null>('Transfers'),
  // Window only: path is where to write the item, absolute.
  exportData: (id: string, path: string) => goCall<DataExportView>('ExportData', id, path),
  removeData: (id: string, reason: string) => goCall<void>('RemoveData', id, reason),
  agreements: () => goCall<AgreementView[] | null>('Agreements'),
  purposes: () => goCall<PurposeView[] | null>('Purposes'),
  consents: () => goCall<ConsentView[] | null>('Consents'),
  consent: (id: string) => goCall<ConsentDetailView>('Consent', id),
  grantConsent: (input: ConsentInput) => goCall<ConsentView>('GrantConsent', input),
  withdrawConsent: (id: string, reason: string) => goCall<ConsentView>('WithdrawConsent', id, reason),
  // Every consent of yours in force under the version, in one step: the withdrawals made.
  withdrawVersion: (version: string, reason: string) => goCall<ConsentView[] | null>('WithdrawVersion', version, reason),
  refuseAgreement: (version: string, reason: string) => goCall<ConsentView>('RefuseAgreement', version, reason),
  setItemConsent: (item: string, version: string, purpose: string, allow: boolean) =>
    goCall<ConsentView[] | null>('SetItemConsent', item, version, purpose, allow),
  dataSignals: (item: string, policyURL: string) => goCall<SignalsView>('DataSignals', item, policyURL),
  consentStatus: (purpose: string, recipient: string) => goCall<ConsentQueryView>('ConsentStatus', purpose, recipient),
};

// Whether this page runs in the desktop window (Wails), where files are
// named by their paths on this computer, rather than in a browser tab served
// by `coopnode serve`, where they travel over HTTP. The browser bridge defines
// a stand-in window.runtime too, but without the window's file drop.
export function inWindow(): boolean {
  const rt = (window as unknown as { runtime?: { OnFileDrop?: unknown } }).runtime;
  return typeof rt?.OnFileDrop === 'function';
}

type WailsRuntime = {
  OnFileDrop: (cb: (x: number, y: number, paths: string[]) => void, useDropTarget: boolean) => void;
  OnFileDropOff: () => void;
  ClipboardSetText?: (text: string) => Promise<boolean>;
};

// The window's file drop: fn gets the absolute paths of the files dropped
// anywhere on the window. Returns the function that stops listening.
export function onWindowFileDrop(fn: (paths: string[]) => void): () => void {
  if (!inWindow()) return () => {};
  const rt = (window as unknown as { runtime: WailsRuntime }).runtime;
  rt.OnFileDrop((_x, _y, paths) => fn(list(paths)), false);
  return () => rt.OnFileDropOff();
}

// Copies text to the clipboard: the window's own clipboard there, else the browser's.
export async function copyText(text: string): Promise<void> {
  const rt = (window as unknown as { runtime?: Partial<WailsRuntime> }).runtime;
  if (inWindow() && typeof rt?.ClipboardSetText === 'function') {
    if (await rt.ClipboardSetText(text)) return;
  }
  if (!navigator.clipboard) throw new Error('this page may not use the clipboard: select the text and copy it');
  await navigator.clipboard.writeText(text);
}

// The browser's way in: POST /vault/upload with the raw file as the body.
// source is the sender's id for the upload (Transfers() shows it as the
// transfer's source; at most 200 bytes). onProgress is told the bytes sent
// so far (and the total); the promise gives the new item, or rejects with
// what the node said.
export type Upload = { done: Promise<DataItemView>; abort: () => void };

export function uploadFile(
  file: File,
  title: string,
  tags: string[],
  source: string,
  onProgress: (sent: number, total: number) => void,
): Upload {
  const xhr = new XMLHttpRequest();
  const q = new URLSearchParams({ name: file.name, title, tags: tags.join(','), source });
  const done = new Promise<DataItemView>((resolve, reject) => {
    xhr.open('POST', `/vault/upload?${q}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: { result?: DataItemView; error?: string } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: said below
      }
      if (xhr.status === 200 && body?.result) {
        onProgress(file.size, file.size);
        resolve(body.result);
      } else {
        reject(new Error(body?.error || `the upload failed: HTTP ${xhr.status}${xhr.statusText ? ' ' + xhr.statusText : ''}`));
      }
    };
    xhr.onerror = () => reject(new Error('the upload did not reach coopnode: is `coopnode serve` still running?'));
    xhr.onabort = () => reject(new Error('the upload was cancelled'));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

// Where the browser downloads an item from (the page's cookie authenticates it).
export function downloadURL(id: string): string {
  return `/vault/items/${encodeURIComponent(id)}`;
}

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

// A special rule ("special resolution") for one kind of proposal: at least
// this quorum and threshold, and only these methods (empty: any binding one).
export type DecisionRuleInput = {
  quorum: string; // "n/d"
  threshold: string; // "n/d"
  methods: string[];
};

export type BylawsInput = {
  text: string;
  quorum: string; // "n/d"
  threshold: string; // "n/d"
  classes: BylawsClassInput[];
  admissionRule: string; // direct | by-decision
  admitRoles: string[];
  methods: string[];
  closeGraceHours: number;
  // How many members besides a close's author co-sign it before it decides
  // (0: the closer alone, as bylaws from before tellers had it).
  tellers: number;
  // Minutes a record may be dated ahead of a node's clock (0: the default, 5); carried over, not edited.
  maxSkewMinutes?: number;
  // By kind of proposal (admission, removal, member-change, bylaws, agreement).
  special?: Record<string, DecisionRuleInput> | null;
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
  agreement: AgreementInput | null;
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

// One difference between the bylaws a bylaws proposal would adopt and those
// in force when it opened (app.BylawsChangeView).
export type BylawsChangeView = {
  // voting-rule, quorum, threshold, methods, class, class-order, default-class,
  // admission, admit-roles, grace, tellers, special or text.
  what: string;
  name: string; // the class (class) or the kind of proposal (special)
  label: string;
  change: 'added' | 'changed' | 'removed' | string;
  before: string;
  after: string;
  note: string;
  text: string; // the whole change in one line, as `coopnode show` prints it
};

// A close signed and awaiting its tellers' co-signatures (app.AwaitingCloseView).
export type AwaitingCloseView = {
  record: string;
  by: string; // the closer's name
  tellers: string[] | null; // names of those who co-signed so far
  need: number; // how many co-signatures it needs
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
  // How many members besides its author co-sign a close before it decides,
  // and the closes signed and still awaiting them.
  tellers: number;
  awaiting: AwaitingCloseView[] | null;
  effect: string;
  subject: string;
  class: string;
  roles: string[] | null;
  bylaws: BylawsInput | null;
  // Bylaws proposals, in the full view only: the record that adopted the
  // bylaws in force when it opened (empty: not compared), and what changes.
  bylawsBase?: string;
  bylawsChanges?: BylawsChangeView[] | null;
  bylawsTextDiff?: DiffLineView[] | null;
  // What members should know about what is proposed (never a reason it was refused).
  warnings?: string[] | null;
  agreement?: AgreementInput | null;
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

// The data vault, consent and data agreements, as app/views_data.go marshals them.
export type PurposeStatusView = {
  purpose: string; // DPV term, e.g. "ai:ModelTraining"
  label: string;
  agreement: string;
  agreementTitle: string;
  version: string;
  versionNumber: number;
  allowed: boolean;
  // ConsentGiven, RenewedConsentGiven, ConsentWithdrawn, ConsentExpired, ConsentRefused, or "" (never asked)
  status: string;
  receipt: string;
  until: string;
};

export type DataItemView = {
  id: string; // the content's SHA-256, hex
  title: string;
  fileName: string;
  mediaType: string;
  size: number;
  tags: string[] | null;
  added: string;
  purposes: PurposeStatusView[] | null;
};

export type TransferView = {
  id: string;
  name: string; // the file's base name: not unique
  // The caller's name for it: the path (AddDataFile, ExportData) or the id an upload was sent with.
  source: string;
  direction: 'in' | 'out' | string;
  done: number;
  total: number; // -1 when unknown
  finished: boolean;
  error: string;
  item: string;
};

export type DataExportView = { item: string; path: string; bytes: number };

export type PurposeView = { id: string; label: string; description: string };

export type RoyaltyView = { standard: string; extended: string; text: string };

export type DiffLineView = { op: 'same' | 'add' | 'del' | string; text: string };

export type AgreementVersionView = {
  id: string;
  agreement: string;
  number: number;
  title: string;
  text: string;
  textDigest: string;
  purposes: PurposeView[] | null;
  recipients: string[] | null;
  royalty: RoyaltyView;
  retention: string; // ISO 8601 duration
  jurisdiction: string;
  language: string;
  adoptedBy: string;
  adoptedAt: string;
  current: boolean;
  changes: DiffLineView[] | null;
  terms: string[] | null;
  mine: 'opted-in' | 'opted-out' | 'withdrawn' | 'expired' | 'invalidated' | '' | string; // '' only if never answered
  mineReceipt: string;
};

export type AgreementView = {
  id: string;
  title: string;
  current: string;
  versions: AgreementVersionView[] | null; // newest first
};

export type ConsentView = {
  id: string;
  record: string;
  event: 'grant' | 'withdraw' | 'refuse' | string;
  status: string;
  current: string;
  active: boolean;
  agreement: string;
  agreementTitle: string;
  version: string;
  versionNumber: number;
  purposes: string[] | null;
  items: string[] | null;
  itemTitles: string[] | null;
  categories: string[] | null;
  recipients: string[] | null;
  validFrom: string;
  validUntil: string;
  time: string;
  withdraws: string;
  withdrawnBy: string;
  reason: string;
  // A withdrawal: what the grant it ends covered (what stopped); null otherwise.
  ends?: ScopeView | null;
};

// What a grant covers.
export type ScopeView = {
  grant: string;
  purposes: string[] | null;
  items: string[] | null;
  itemTitles: string[] | null;
  categories: string[] | null; // "all", or tags
  recipients: string[] | null;
  validUntil: string;
};

export type ConsentDetailView = ConsentView & { document: string };

export type ConsentInput = {
  version: string;
  items: string[];
  categories: string[]; // "all" = every item of this member, now and later
  purposes: string[]; // empty = every purpose of the version
  recipients: string[];
  validUntil: string;
  reason: string;
};

export type SignalsView = {
  item: string;
  contentUsage: string;
  robotsTxt: string;
  tdmRep: string;
  trainingMining: string;
  explanation: string;
};

export type ConsentUse = {
  principal: string;
  receipt: string;
  version: string;
  items: string[] | null;
  categories: string[] | null;
  until: string;
};

export type VersionHits = { version: string; receipts: number };

export type ConsentQueryView = {
  purpose: string;
  recipient: string;
  at: string;
  members: number;
  items: number;
  receipts: number;
  uses: ConsentUse[] | null;
  took: string;
  versions: VersionHits[] | null;
};

export type AgreementInput = {
  replaces: string;
  title: string;
  text: string;
  purposes: string[];
  recipients: string[];
  standard: string;
  extended: string;
  retention: string;
  jurisdiction: string;
  language: string;
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
