// TEST-ONLY fake of the Go bridge (see fake-server.mjs). Defines window.go.app.App
// with the same methods the Wails bindings call, backed by in-page state.
// window.__fake lets a test look at and steer that state (calls, admitMe).
(function () {
  const q = new URLSearchParams(location.search);
  const hasToken = !!q.get('token');
  const asString = q.get('reject') === 'string';
  const withNetwork = q.get('network') !== '0';
  const mayAdmit = q.get('mayadmit') !== '0';
  const slow = Number(q.get('slow') || 600); // ms an export or import takes
  let state = q.get('state') || 'ready';
  let founder = 'Ada Lovelace';
  let me = founder;
  let coop = 'Riverside Data Co-op';
  const PASS = 'correct horse battery staple';
  const hex = (seed) => Array.from({ length: 64 }, (_, i) => '0123456789abcdef'[(seed * 7 + i * 13) % 16]).join('');
  const b58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  const peerId = (seed) => '12D3KooW' + Array.from({ length: 44 }, (_, i) => b58[(seed * 11 + i * 17 + i * i) % b58.length]).join('');
  const iso = (msFromNow) => new Date(Date.now() + msFromNow).toISOString().replace(/\.\d+Z$/, 'Z');
  const calls = {};

  // Members as [name, class]; the first is the founder.
  const extra = (q.get('members') || '').split(',').map((s) => s.trim()).filter(Boolean);
  let roster = (extra.length ? extra : [me]).map((name) => ({ name, class: 'worker' }));
  if (!roster.some((m) => m.name === me)) roster.unshift({ name: me, class: 'worker' });

  // Join requests this node holds: those of the extra members (admitted), and one waiting.
  let requests = roster.slice(1).map((m, i) => ({
    id: hex(20 + i), name: m.name, deviceLabel: m.name.split(' ')[0].toLowerCase() + '-laptop', memberKey: hex(30 + i),
    requested: '2025-03-0' + (i + 2) + 'T09:00:00Z', admitted: true,
  }));
  if (q.get('requests') !== '0') {
    requests.push({ id: hex(40), name: 'Katherine Johnson', deviceLabel: 'kj-desktop', memberKey: hex(41), requested: iso(-3600_000), admitted: false });
  }
  let records = 2 + extra.length;
  let join = null; // the join this home asked for

  function fail(msg) {
    return Promise.reject(asString ? msg : new Error(msg));
  }
  function guard(name, fn, delay = 30) {
    return (...args) => {
      calls[name] = (calls[name] || 0) + 1;
      if (!hasToken) return fail('401 Unauthorized: missing or wrong token');
      return new Promise((resolve, reject) => setTimeout(() => {
        try { resolve(fn(...args)); } catch (e) { reject(asString ? e.message : e); }
      }, typeof delay === 'function' ? delay() : delay));
    };
  }
  function members() {
    return roster.map((m, i) => ({
      id: hex(i + 1), name: m.name, class: m.class, roles: i === 0 ? ['admin', 'secretary'] : [],
      admitted: i < 9 ? '2025-03-0' + (i + 1) + 'T10:00:00Z' : iso(0), admittedBy: i === 0 ? '' : hex(1),
      devices: 1, founder: i === 0, me: m.name === me,
    }));
  }
  function requireReady() {
    if (state === 'locked') throw new Error('the node is locked: unlock it with your passphrase first');
    if (state === 'uninitialized') throw new Error('this home has no co-op yet: found one first');
    if (state !== 'ready') throw new Error('node is ' + state);
  }
  function requireNetwork() {
    if (!withNetwork) throw new Error('this needs a running node: open the window or run `coopnode serve`, then try again');
  }
  function network() {
    if (!withNetwork || state === 'locked' || state === 'uninitialized') return undefined;
    return {
      peerId: peerId(1),
      addrs: ['/ip4/192.168.1.20/tcp/4001', '/ip4/192.168.1.20/udp/4001/quic-v1', '/ip6/::1/tcp/4001'],
      connected: state === 'ready' ? 1 : 0, refusedHandshakes: 4,
    };
  }
  function isAbs(p) {
    return p.startsWith('/') || /^[A-Za-z]:\\/.test(p);
  }
  // Draws a QR-like picture of text on a canvas: a real PNG data URL, as the API gives.
  function qr(text) {
    const n = 33, px = 8;
    const c = document.createElement('canvas');
    c.width = c.height = (n + 8) * px;
    const g = c.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height);
    g.fillStyle = '#000';
    let h = 2166136261;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      h = Math.imul(h ^ text.charCodeAt((x + y * n) % text.length), 16777619);
      const finder = (a, b) => x >= a && x < a + 7 && y >= b && y < b + 7;
      const inFinder = finder(0, 0) || finder(n - 7, 0) || finder(0, n - 7);
      const on = inFinder ? (() => { const fx = x < 7 ? x : x - (n - 7), fy = y < 7 ? y : y - (n - 7); return fx === 0 || fx === 6 || fy === 0 || fy === 6 || (fx > 1 && fx < 5 && fy > 1 && fy < 5); })() : (h >>> 7) & 1;
      if (on) g.fillRect((x + 4) * px, (y + 4) * px, px, px);
    }
    return c.toDataURL('image/png');
  }
  const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  function inviteText(seed) {
    let s = 'COOPNODE1';
    let h = (seed * 2654435761) >>> 0 || 1;
    for (let i = 0; i < 150; i++) { h ^= h << 13; h ^= h >>> 17; h ^= h << 5; h >>>= 0; s += B32[h % 32]; }
    return s;
  }

  // Invites the fake's Join understands (any other COOPNODE1… text joins):
  //   …EXPIRED…  the invite has expired (refused before anything is made)
  //   …USED…     already used;  …FORGED…  the inviter does not know it;
  //   …OFFLINE…  the inviter cannot be reached. For these three, as with the real
  //              node, the identity and the request are made first: the home is
  //              then joining, and the request can be sent again.
  function parseInvite(text) {
    const s = text.split(/\s+/).join('').toUpperCase();
    if (!s.startsWith('COOPNODE1')) throw new Error('invalid input: not a valid coopnode invite: it should start with COOPNODE1');
    if (!/^[A-Z2-7]+$/.test(s.slice(9)) || s.length < 40) throw new Error('invalid input: not a valid coopnode invite: it has characters that do not belong or is cut short; copy it again');
    if (s.includes('EXPIRED')) throw new Error('invalid input: the invite has expired (at 2025-05-01T10:00:00Z): ask a member for a new one');
    return s;
  }

  function admitMe() {
    if (state !== 'joining') throw new Error('not joining');
    founder = 'Ada Lovelace';
    coop = join.coop;
    roster = [{ name: founder, class: 'worker' }, { name: me, class: 'worker' }];
    requests = [];
    records = 4;
    state = 'ready';
  }

  window.__fake = { calls, admitMe, get state() { return state; } };

  window.go = { app: { App: {
    Status: guard('Status', () => ({
      state, home: '/home/ada/.coopnode', version: '0.1.0-fake',
      ...(state === 'ready' ? {
        coop: { id: hex(1), name: coop, founded: '2025-03-01T10:00:00Z', members: roster.length },
        me: { memberId: hex(roster.findIndex((m) => m.name === me) + 1), name: me, memberKey: hex(2), deviceKey: hex(3), class: 'worker', roles: me === founder ? ['admin'] : [] },
      } : {}),
      ...(state === 'joining' ? {
        coop: { id: hex(1), name: '', founded: '', members: 0 },
        me: { memberId: '', name: me, memberKey: hex(50), deviceKey: hex(51), class: '', roles: [] },
      } : {}),
      digest: state === 'ready' ? hex(9 + records) : '', records: state === 'ready' ? records : 0, pending: 0, needsNewer: 0,
      problems: q.get('problems') ? ['The clock on this computer is 3 hours ahead of the other members.', 'Disk space is low: 120 MB free in the home directory.'] : null,
      network: network(),
    })),
    Bylaws: guard('Bylaws', () => {
      requireReady();
      return {
        text: 'Article 1. Name\nThe co-operative is called ' + coop + '.\n\nArticle 2. Membership\nAny person who shares our purpose may apply.',
        votingRule: 'one-member-one-vote',
        quorum: { num: 1, den: 2, text: '1/2 (50%)' }, threshold: { num: 2, den: 3, text: '2/3 (67%)' },
        classes: [{ name: 'worker', description: 'Works in the co-op', votes: true }, { name: 'supporter', description: 'Supports the co-op', votes: false }],
        admissionRule: 'direct', admitRoles: ['admin'], adoptedBy: hex(1), adoptedAt: '2025-03-01T10:00:00Z',
      };
    }),
    Members: guard('Members', () => { requireReady(); return members(); }),
    Init: guard('Init', (name, coopName, pass) => {
      if (state !== 'uninitialized') throw new Error('already initialized');
      if (!pass) throw new Error('passphrase is empty');
      me = founder = name; coop = coopName; state = 'ready';
      roster = [{ name, class: 'worker' }]; requests = []; records = 2;
    }),
    Unlock: guard('Unlock', (pass) => {
      if (state !== 'locked') throw new Error('not locked');
      if (pass !== PASS) throw new Error('wrong passphrase');
      state = 'ready';
    }),
    Peers: guard('Peers', () => {
      requireReady();
      requireNetwork();
      const n = calls.Peers;
      return [
        {
          peerId: peerId(2), deviceKey: hex(31), member: 'Grace Hopper', connected: true, via: ['quic', 'tcp'],
          addrs: ['/ip4/192.168.1.23/udp/4001/quic-v1', '/ip4/192.168.1.23/tcp/4001'], lastSync: iso(-5000),
          sent: 14 + n, received: 9 + n, refused: [{ reason: 'not canonical', count: 1 }], bannedUntil: '', lastError: '',
        },
        {
          peerId: peerId(3), deviceKey: hex(60), member: '', connected: false, via: [],
          addrs: ['/ip4/10.0.0.7/tcp/4001'], lastSync: '', sent: 0, received: 3,
          refused: [{ reason: 'bad signature', count: 6 }, { reason: 'malformed', count: 2 }], bannedUntil: iso(3600_000),
          lastError: 'refused 8 records that failed verification: disconnected for an hour',
        },
      ];
    }),
    Invite: guard('Invite', (hours) => {
      requireReady();
      if (hours === 0) hours = 72;
      if (!(hours >= 1 && hours <= 720)) throw new Error(`an invite is valid for 1 to 720 hours (got ${hours})`);
      requireNetwork();
      const text = inviteText(calls.Invite * 7919 + hours);
      return { text, qr: qr(text), id: hex(70 + calls.Invite).slice(0, 16), expires: iso(hours * 3600_000), addrs: network().addrs };
    }),
    JoinRequests: guard('JoinRequests', () => {
      if (state === 'joining') return [];
      requireReady();
      const why = mayAdmit ? '' : `${me} holds none of the roles that may admit (admin): ask a member who holds one to admit, or amend the bylaws`;
      return requests.map((r) => ({ ...r, mayAdmit: mayAdmit && !r.admitted, why }));
    }),
    Admit: guard('Admit', (id, cls) => {
      requireReady();
      id = String(id).trim().toLowerCase();
      if (id.length < 8) throw new Error("give the join request's ID (at least its first 8 characters); `coopnode requests` lists them");
      const r = requests.find((x) => x.id.startsWith(id));
      if (!r) throw new Error(`no join request ${id} here: it may not have reached this node yet (\`coopnode requests\` lists those that have)`);
      if (r.admitted) throw new Error(`join request ${r.id.slice(0, 12)} was already answered`);
      if (!mayAdmit) throw new Error(`${me} holds none of the roles that may admit (admin): ask a member who holds one to admit, or amend the bylaws`);
      if (cls && cls !== 'worker' && cls !== 'supporter') throw new Error(`the bylaws have no member class ${JSON.stringify(cls)}`);
      r.admitted = true;
      roster.push({ name: r.name, class: cls || 'worker' });
      records++;
      return members().find((m) => m.name === r.name);
    }),
    Join: guard('Join', (text, name, pass) => {
      if (String(pass).length < 8) throw new Error('choose a passphrase of at least 8 characters: it protects your keys');
      const s = parseInvite(String(text));
      if (state === 'ready') throw new Error('already initialized: you are already a member of ' + coop);
      if (state !== 'uninitialized' && state !== 'joining') throw new Error('node is ' + state);
      if (state === 'uninitialized') {
        if (!String(name).trim()) throw new Error("give your name, as the co-op's members will see it");
        me = String(name).trim();
        state = 'joining';
        join = { request: hex(80), coop: 'Riverside Data Co-op' };
      }
      if (s.includes('USED')) throw new Error('the invite was already used: the invite was already used (at 2025-06-01T09:00:00Z): each invite admits one person; ask a member for a new one');
      if (s.includes('FORGED')) throw new Error('the inviter does not know this invite: the inviter refused the connection (a forged or withdrawn invite, or one that expired over a day ago): protocol not supported');
      if (s.includes('OFFLINE')) {
        throw new Error('could not reach the inviter at [/ip4/192.168.1.20/tcp/4001]: is their coopnode running and reachable from here? (failed to dial: context deadline exceeded)');
      }
      const after = Number(q.get('admitafter') || 0);
      if (after > 0) setTimeout(() => state === 'joining' && admitMe(), after);
      return {
        request: join.request, coop: join.coop, coopId: hex(1), inviter: peerId(1),
        message: `Your request to join ${join.coop} was received. A member who may admit will see it; once you are admitted, this node receives the co-op's records (keep it running, or run \`coopnode serve\`).`,
      };
    }, 300),
    ExportBundle: guard('ExportBundle', (path, since) => {
      requireReady();
      if (!isAbs(path) || (since && !isAbs(since))) throw new Error(`give absolute paths (got ${JSON.stringify(path)}, ${JSON.stringify(since)})`);
      if (path.includes('/readonly/')) throw new Error(`export to ${path}: open ${path}: permission denied`);
      const skipped = since ? 2 : 0;
      return { path, records: records - skipped, skipped, bytes: 812 * (records - skipped) + 64 };
    }, () => slow),
    ImportBundle: guard('ImportBundle', (path) => {
      requireReady();
      if (!isAbs(path)) throw new Error(`give an absolute path (got ${JSON.stringify(path)})`);
      if (path.includes('missing')) throw new Error(`import: open ${path}: no such file or directory`);
      records += 3;
      return { path, read: 9, added: 3, had: 4, pending: 1, invalid: 1 };
    }, () => slow),
  } } };
})();
