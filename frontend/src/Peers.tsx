import { useState } from 'preact/hooks';
import { api, describeError, type NetworkView, type PeerView, type Problem, type StatusView } from './api';
import { ErrorBox } from './ErrorBox';
import { formatAgo, formatDateTime, list, plural, shortHex } from './format';
import { usePoll } from './poll';

// How often the peers view refreshes while it is on screen.
export const peersPollMs = 3000;

const transports: Record<string, string> = { tcp: 'TCP', quic: 'QUIC' };

// Peers this node knows and its own place on the network. Polls Peers and
// Status (for the network line and the header) only while active.
export function PeersPanel({ status, active, refreshStatus }: { status: StatusView; active: boolean; refreshStatus: () => Promise<void> }) {
  const [peers, setPeers] = useState<PeerView[] | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [checked, setChecked] = useState(0);

  usePoll(
    async () => {
      const [p] = await Promise.allSettled([api.peers(), refreshStatus()]);
      if (p.status === 'fulfilled') {
        setPeers(list(p.value));
        setProblem(null);
      } else {
        setProblem(describeError(p.reason));
      }
      setChecked(Date.now());
    },
    peersPollMs,
    active,
  );

  const nw = status.network;
  const all = peers ?? [];
  const connected = all.filter((p) => p.connected);
  return (
    <div class="stack" data-testid="peers-view">
      <NetworkLine network={nw} />
      {problem && !nw ? (
        <p class="notice" data-testid="no-network">
          This node is not on the network, so it cannot sync with other members’ computers. <span class="muted">{problem.text}</span>
        </p>
      ) : problem ? (
        <ErrorBox problem={problem} />
      ) : peers === undefined ? (
        <p class="muted">Loading peers…</p>
      ) : all.length === 0 ? (
        <p class="empty">
          No peers yet. Other members’ computers appear here once they connect; invite someone from the Members tab.
        </p>
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {plural(connected.length, 'peer')} connected of {all.length} known
            {checked > 0 && <> · checked {new Date(checked).toLocaleTimeString()}</>}
          </p>
          <div class="table-scroll">
            <table class="peers">
              <thead>
                <tr>
                  <th scope="col">Peer</th>
                  <th scope="col">Connection</th>
                  <th scope="col">Last sync</th>
                  <th scope="col" class="num">
                    Sent
                  </th>
                  <th scope="col" class="num">
                    Received
                  </th>
                  <th scope="col">Refused and errors</th>
                </tr>
              </thead>
              <tbody>
                {all.map((p) => (
                  <PeerRow key={p.peerId} p={p} />
                ))}
              </tbody>
            </table>
          </div>
          <p class="hint">
            Sent and received count records. Refused records failed verification and were not stored; a peer that sends too
            many is disconnected for a while.
          </p>
        </>
      )}
    </div>
  );
}

function NetworkLine({ network: nw }: { network: NetworkView | undefined }) {
  if (!nw) return null;
  const addrs = list(nw.addrs);
  return (
    <section class="network" aria-labelledby="network-title" data-testid="network-line">
      <h3 id="network-title">This node on the network</h3>
      <dl class="facts">
        <div class="fact">
          <dt>Peer ID</dt>
          <dd>
            <code class="hex" data-testid="network-peer-id">
              {nw.peerId}
            </code>
          </dd>
        </div>
        <div class="fact">
          <dt>Addresses</dt>
          <dd>
            {addrs.length ? (
              <ul class="addrs">
                {addrs.map((a) => (
                  <li key={a}>
                    <code class="path">{a}</code>
                  </li>
                ))}
              </ul>
            ) : (
              <span class="muted">none yet</span>
            )}
          </dd>
        </div>
        <div class="fact">
          <dt>Connected</dt>
          <dd>{plural(nw.connected ?? 0, 'peer')}</dd>
        </div>
        <div class="fact">
          <dt>Strangers refused</dt>
          <dd data-testid="network-refused">
            {nw.refusedHandshakes ?? 0}
            <span class="hint">Connections from computers that are not the co-op’s, refused before any record was exchanged.</span>
          </dd>
        </div>
      </dl>
    </section>
  );
}

function PeerRow({ p }: { p: PeerView }) {
  const via = list(p.via).map((v) => transports[v] ?? v);
  const refused = list(p.refused);
  const banned = p.bannedUntil && new Date(p.bannedUntil).getTime() > Date.now();
  return (
    <tr data-testid="peer-row" data-peer={p.peerId} data-connected={p.connected ? 'yes' : 'no'}>
      <th scope="row">
        {p.member ? <span class="member-name">{p.member}</span> : <span class="muted">Not a member (yet)</span>}
        <span class="hint" title={`Peer ID ${p.peerId}\nDevice key ${p.deviceKey}`}>
          device <code>{shortHex(p.deviceKey) || '—'}</code>
        </span>
      </th>
      <td>
        {p.connected ? (
          <span class="conn on">Connected{via.length > 0 && <> via {via.join(' and ')}</>}</span>
        ) : (
          <span class="conn off">Not connected</span>
        )}
        {list(p.addrs).length > 0 && (
          <details class="peer-addrs">
            <summary>{plural(list(p.addrs).length, 'address', 'addresses')}</summary>
            <ul class="addrs">
              {list(p.addrs).map((a) => (
                <li key={a}>
                  <code class="path">{a}</code>
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
      <td>
        {p.lastSync ? (
          <time dateTime={p.lastSync} title={formatDateTime(p.lastSync)}>
            {formatAgo(p.lastSync)}
          </time>
        ) : (
          <span class="muted">never</span>
        )}
      </td>
      <td class="num">{p.sent ?? 0}</td>
      <td class="num">{p.received ?? 0}</td>
      <td>
        {banned && (
          <p class="banned" data-testid="peer-banned">
            Disconnected until <time dateTime={p.bannedUntil}>{formatDateTime(p.bannedUntil)}</time>
          </p>
        )}
        {refused.length > 0 && (
          <ul class="refused" aria-label="Refused records">
            {refused.map((r) => (
              <li key={r.reason} data-testid="peer-refusal">
                {plural(r.count, 'record')} refused: {r.reason}
              </li>
            ))}
          </ul>
        )}
        {p.lastError && (
          <p class="peer-error" data-testid="peer-error">
            {p.lastError}
          </p>
        )}
        {!banned && refused.length === 0 && !p.lastError && <span class="muted">none</span>}
      </td>
    </tr>
  );
}
