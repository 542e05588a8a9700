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
