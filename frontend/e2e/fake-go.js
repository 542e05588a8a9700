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


  // ---- Governance: proposals, ballots, delegations (a plausible in-memory
  // stand-in for app/govern.go; its counting is simple, never the node's rules) ----
  const POSITIONS = { advice: ['agree', 'abstain'], consent: ['consent', 'abstain', 'object'], consensus: ['agree', 'abstain', 'disagree', 'block'], majority: ['yes', 'no', 'abstain'] };
  const METHODS = ['advice', 'consent', 'consensus', 'majority', 'single-choice', 'approval', 'score', 'dot', 'ranked'];
  const KINDS = ['general', 'admission', 'removal', 'member-change', 'bylaws'];
  const BINDING = ['majority', 'consent', 'consensus'];
  const BYLAWS_QUORUM = [1, 2], BYLAWS_THRESHOLD = [2, 3], GRACE_MS = 24 * 3600_000; // as Bylaws() says
  const HIDDEN_NOTICE = "Results are hidden until the proposal closes. This is a display rule, not secrecy: ballots are signed records that every member's node holds, so anyone who inspects the data can read them.";
  let proposals = [];
  let delegations = []; // { id, from, to, proposal, kind }
  const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
  const gcd = (a, b) => (b ? gcd(b, a % b) : a);
  const frac = (n, d) => { if (!d) return { num: 0, den: 1 }; const g = gcd(n, d) || 1; return { num: n / g, den: d / g }; };
  const ratioView = ([n, d]) => ({ num: n, den: d, text: `${n}/${d} (${Math.round((100 * n) / d)}%)` });
  const isoAt = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const invalid = (msg) => new Error('invalid input: ' + msg);
  const votes = (name) => (roster.find((m) => m.name === name)?.class ?? 'worker') !== 'supporter';

  function parseRatio(s, def, what) {
    s = String(s || '').replace(/\s+/g, '');
    if (!s) return def;
    const m = /^(\d+)\/(\d+)$/.exec(s);
    if (!m || +m[2] === 0 || +m[1] > +m[2]) throw invalid(`${what}: ${JSON.stringify(s)} is not a proportion such as 2/3`);
    const r = [+m[1], +m[2]];
    if (r[0] * def[1] < def[0] * r[1]) throw invalid(`a proposal may tighten the bylaws' ${what} (${def.join('/')}), not loosen it to ${s}`);
    return r;
  }
  function memberNamed(who) {
    who = String(who || '').trim();
    const ms = members().filter((m) => m.name === who || (who.length >= 8 && m.id.startsWith(who.toLowerCase())));
    if (ms.length !== 1) throw invalid(`no current member is called or has an ID starting with ${JSON.stringify(who)}: \`coopnode members\` lists them`);
    return ms[0];
  }
  function findProposal(id) {
    id = String(id || '').trim().toLowerCase();
    if (id.length < 8) throw invalid("give the proposal's ID (at least its first 8 characters); `coopnode proposals` lists them");
    const p = proposals.find((x) => x.id.startsWith(id));
    if (!p) throw invalid(`no proposal ${id} here: it may not have reached this node yet (\`coopnode proposals\` lists those that have)`);
    return p;
  }
  function statusOf(p) {
    return p.closed ? 'closed' : Date.now() < p.closes ? 'open' : 'ended';
  }

  function openProposal(input, author = me) {
    const p = {
      id: randomId(), title: String(input.title || '').trim(), body: input.body || '', kind: input.kind || 'general',
      method: input.method || '', options: (input.options || []).map((o) => String(o).trim()), seats: input.seats || 0,
      dots: input.dots || 0, maxScore: input.maxScore || 0, classes: input.classes || [], author, opened: Date.now(),
      hide: !!input.hideResults, subject: '', class: input.class || '', roles: input.roles || [], bylaws: input.bylaws || null,
      ballots: [], closed: null, effect: '',
    };
    if (!p.title) throw invalid('open a proposal: it needs a title');
    if (!KINDS.includes(p.kind)) throw invalid(`proposal kind ${JSON.stringify(p.kind)} is not one of ${KINDS.join(', ')}`);
    if (!p.method) {
      if (p.kind === 'general') throw invalid('choose a decision method: ' + METHODS.join(', '));
      p.method = 'majority';
    }
    if (!METHODS.includes(p.method)) throw invalid(`decision method ${JSON.stringify(p.method)} is unknown`);
    if (p.kind !== 'general' && !BINDING.includes(p.method)) {
      throw invalid(`a ${p.kind} proposal changes the co-op, so it needs a method that passes or fails (majority, consent or consensus), not ${p.method}`);
    }
    if (POSITIONS[p.method]) p.options = [];
    else {
      if (p.options.length < 2 || p.options.length > 64) throw invalid(`${p.method} needs 2 to 64 options`);
      if (p.options.some((o) => !o) || new Set(p.options).size !== p.options.length) throw invalid('options must be named and distinct');
    }
    if (p.method === 'ranked') { p.seats = p.seats || 1; if (p.seats >= p.options.length) throw invalid('ranked: the seats must be fewer than the options'); } else p.seats = 0;
    if (p.method === 'dot') { if (!(p.dots >= 1 && p.dots <= 1000)) throw invalid('dot voting needs 1 to 1000 dots per member'); } else p.dots = 0;
    if (p.method === 'score') { p.maxScore = p.maxScore || 5; if (p.maxScore > 100) throw invalid('the highest score is 1 to 100'); } else p.maxScore = 0;
    p.quorum = parseRatio(input.quorum, BYLAWS_QUORUM, 'quorum');
    p.threshold = parseRatio(input.threshold, BYLAWS_THRESHOLD, 'threshold');
    if (input.closes) {
      p.closes = Date.parse(input.closes);
      if (isNaN(p.closes)) throw invalid(`closing time ${JSON.stringify(input.closes)}: use RFC 3339, such as 2026-12-01T18:00:00Z`);
    } else {
      if (input.hours < 0) throw invalid('the voting period must be at least one hour');
      p.closes = Date.now() + (input.hours || 72) * 3600_000;
    }
    if (p.kind === 'removal' || p.kind === 'member-change') {
      const m = memberNamed(input.member);
      p.subject = m.name;
      if (p.kind === 'member-change' && !p.class) p.class = m.class;
    }
    if (p.kind === 'admission') {
      const id = String(input.request || '').trim().toLowerCase();
      const r = id.length >= 8 && requests.find((x) => x.id.startsWith(id));
      if (!r) throw invalid(`no single join request starts with ${id} (\`coopnode requests\` lists them)`);
      p.subject = r.name;
      p.request = r.id;
      p.class = p.class || 'worker';
    }
    if (p.kind === 'bylaws' && !p.bylaws) throw invalid('a bylaws amendment must carry the new bylaws, whole');
    p.eligible = roster.map((m) => m.name).filter((n) => votes(n) && (!p.classes.length || p.classes.includes(roster.find((m) => m.name === n).class)));
    proposals.unshift(p);
    records++;
    return p;
  }

  function checkBallot(p, v) {
    const choices = v.choices || [], points = v.points || [];
    const n = p.options.length;
    const inRange = (i) => Number.isInteger(i) && i >= 0 && i < n;
    if (POSITIONS[p.method]) {
      if (!POSITIONS[p.method].includes(v.position)) throw invalid(`${JSON.stringify(v.position || '')} is not a position of ${p.method} (${POSITIONS[p.method].join(', ')})`);
      if (v.position === 'object' && !String(v.reason || '').trim()) throw invalid('an objection needs a reason');
      if (v.position === 'block' && !String(v.reason || '').trim()) throw invalid('a block needs a reason');
      return;
    }
    if (v.position === 'abstain' && !choices.length && !points.length) return;
    switch (p.method) {
      case 'single-choice':
        if (choices.length !== 1 || !inRange(choices[0])) throw invalid('single-choice: choose exactly one option');
        return;
      case 'approval':
      case 'ranked':
        if (!choices.every(inRange) || new Set(choices).size !== choices.length) throw invalid(`${p.method}: each option at most once`);
        if (p.method === 'ranked' && !choices.length) throw invalid('ranked: rank at least one option');
        return;
      case 'score':
        if (points.length !== n || !points.every((x) => Number.isInteger(x) && x >= 0 && x <= p.maxScore)) throw invalid(`score: one score from 0 to ${p.maxScore} per option`);
        return;
      case 'dot': {
        const sum = points.reduce((a, b) => a + b, 0);
        if (points.length !== n || !points.every((x) => Number.isInteger(x) && x >= 0)) throw invalid('dot: one count per option');
        if (sum < 1 || sum > p.dots) throw invalid(`dot: place 1 to ${p.dots} dots (you placed ${sum})`);
        return;
      }
    }
  }

  function cast(p, voter, v) {
    if (statusOf(p) !== 'open') throw invalid('voting on this proposal has ended');
    if (!p.eligible.includes(voter)) throw invalid(`${voter} is not on this proposal's roll`);
    const vote = { position: v.position || '', reason: String(v.reason || ''), choices: v.choices || [], points: v.points || [] };
    checkBallot(p, vote);
    p.ballots = p.ballots.filter((b) => b.voter !== voter);
    p.ballots.push({ id: randomId(), voter, vote, cast: Date.now() });
    records++;
  }

  // Who counts, and for whom: own ballots, then delegates' ballots for the rest.
  function counting(p) {
    const own = new Map(p.ballots.map((b) => [b.voter, b]));
    const proxies = []; // { member, ballot }
    for (const name of p.eligible) {
      if (own.has(name)) continue;
      const mine = delegations.filter((d) => d.from === name);
      const d = mine.find((x) => x.proposal === p.id) || mine.find((x) => x.kind === p.kind) || mine.find((x) => !x.proposal && !x.kind);
      if (d && own.has(d.to)) proxies.push({ member: name, ballot: own.get(d.to) });
    }
    const counted = p.ballots.filter((b) => p.eligible.includes(b.voter));
    return { counted, proxies, all: [...counted.map((b) => b.vote), ...proxies.map((x) => x.ballot.vote)] };
  }

  function tally(p) {
    const { all } = counting(p);
    const eligible = p.eligible.length, castN = all.length;
    const [qn, qd] = p.quorum;
    const quorate = castN * qd >= qn * eligible && castN > 0;
    const r = { method: p.method, outcome: '', eligible, cast: castN, participation: frac(castN, eligible), why: '' };
    if (POSITIONS[p.method]) {
      const count = (pos) => all.filter((v) => v.position === pos).length;
      r.positions = POSITIONS[p.method].map((position) => ({ position, count: count(position) }));
      if (p.method === 'advice') {
        r.outcome = 'advisory';
        r.why = `Advice informs and never binds: ${count('agree')} agree, ${count('abstain')} abstain.`;
      } else if (!quorate) {
        r.outcome = 'no-quorum';
        r.why = `${castN} of ${eligible} took part, fewer than the quorum of ${qn}/${qd}.`;
      } else if (p.method === 'consent') {
        r.outcome = count('object') ? 'failed' : 'passed';
        r.why = count('object') ? `${count('object')} objection(s) stand.` : 'Quorum met and no objection stands.';
      } else if (p.method === 'consensus') {
        const a = count('agree'), d = count('disagree');
        r.outcome = count('block') ? 'failed' : a > d ? 'passed' : 'failed';
        r.why = count('block') ? 'A block stands.' : `${a} agree and ${d} disagree.`;
      } else {
        const y = count('yes'), n = count('no');
        const [tn, td] = p.threshold;
        if (y + n) r.support = frac(y, y + n);
        const pass = y + n > 0 && y * td > tn * (y + n);
        r.outcome = pass ? 'passed' : 'failed';
        r.why = y + n === 0 ? 'Nobody voted yes or no.' : `Support ${y}/${y + n} is ${pass ? 'more than' : 'not more than'} the threshold ${tn}/${td}.`;
      }
      return r;
    }
    const n = p.options.length;
    const totals = Array(n).fill(0);
    const real = all.filter((v) => !(v.position === 'abstain' && !(v.choices || []).length && !(v.points || []).length));
    for (const v of real) {
      if (p.method === 'score' || p.method === 'dot') v.points.forEach((x, i) => (totals[i] += x));
      else if (p.method === 'ranked') totals[v.choices[0]] += 1;
      else v.choices.forEach((i) => (totals[i] += 1));
    }
    r.totals = totals;
    if (!quorate) {
      r.outcome = 'no-quorum';
      r.why = `${castN} of ${eligible} took part, fewer than the quorum of ${qn}/${qd}.`;
      return r;
    }
    if (totals.every((x) => x === 0)) {
      r.outcome = 'no-votes';
      r.why = 'No option received anything.';
      return r;
    }
    if (p.method === 'ranked' && p.seats === 1) {
      const cont = new Set(totals.map((_, i) => i));
      const held = Array(n).fill(0);
      r.rounds = [];
      for (;;) {
        const now = Array(n).fill(0);
        let exhausted = 0;
        for (const v of real) {
          const c = v.choices.find((i) => cont.has(i));
          if (c === undefined) exhausted++;
          else now[c]++;
        }
        for (const i of cont) held[i] = now[i];
        const active = [...cont].reduce((a, i) => a + now[i], 0);
        const round = { votes: held.map(String), exhausted: String(exhausted) };
        r.rounds.push(round);
        const top = [...cont].find((i) => now[i] * 2 > active);
        if (top !== undefined || cont.size === 1) {
          const w = top ?? [...cont][0];
          round.elected = [w];
          r.winners = [w];
          r.outcome = 'elected';
          r.why = `${p.options[w]} has more than half of the continuing votes in round ${r.rounds.length}.`;
          return r;
        }
        const min = Math.min(...[...cont].map((i) => now[i]));
        const out = [...cont].filter((i) => now[i] === min).pop();
        round.eliminated = [out];
        cont.delete(out);
      }
    }
    const max = Math.max(...totals);
    const order = totals.map((_, i) => i).sort((a, b) => totals[b] - totals[a] || a - b);
    const k = p.method === 'ranked' ? p.seats : 1;
    const winners = totals.map((_, i) => i).filter((i) => (k === 1 ? totals[i] === max : order.slice(0, k).includes(i)));
    r.winners = winners;
    r.outcome = winners.length > k ? 'tie' : 'elected';
    r.why = winners.length > k ? `${winners.map((i) => p.options[i]).join(' and ')} are tied with ${max}.` : `${winners.map((i) => p.options[i]).join(', ')} received the most (${max}).`;
    return r;
  }

  function closeNote(p) {
    const st = statusOf(p);
    if (st === 'open') return `Voting ends ${isoAt(p.closes)}; then ${p.author} may close it, and any member from ${isoAt(p.closes + GRACE_MS)}.`;
    if (st === 'ended') return Date.now() >= p.closes + GRACE_MS ? 'Voting has ended: any member may close it now.' : `Voting has ended: ${p.author} may close it now, and any member from ${isoAt(p.closes + GRACE_MS)}.`;
    return `Closed by ${p.closed.by} with the count of ${p.closed.counted} ballots; ballots cast later do not change it.`;
  }

  function copyVote(v) {
    return JSON.parse(JSON.stringify(v));
  }

  function view(p, detail) {
    const st = statusOf(p);
    const c = counting(p);
    const hidden = p.hide && !p.closed;
    const mine = p.ballots.find((b) => b.voter === me);
    const proxy = c.proxies.find((x) => x.member === me);
    const v = {
      id: p.id, title: p.title, body: p.body, kind: p.kind, method: p.method, options: p.options, seats: p.seats, dots: p.dots, maxScore: p.maxScore,
      quorum: ratioView(p.quorum), threshold: ratioView(p.threshold), classes: p.classes, author: p.author, authorId: memberId(p.author),
      opened: isoAt(p.opened), closes: isoAt(p.closes), status: st, eligible: p.eligible.length, voted: c.counted.length + c.proxies.length,
      result: hidden ? null : p.closed ? p.closed.result : tally(p), hidden, hiddenNotice: hidden ? HIDDEN_NOTICE : '',
      myVote: mine ? copyVote(mine.vote) : null, myProxy: proxy ? proxy.ballot.voter : '',
      canVote: st === 'open' && p.eligible.includes(me),
      canClose: st === 'ended' && (p.author === me || Date.now() >= p.closes + GRACE_MS),
      closeNote: closeNote(p), closedBy: p.closed?.by ?? '', closedAt: p.closed ? isoAt(p.closed.at) : '', closeRecord: p.closed?.id ?? '',
      effect: p.effect, subject: p.subject, class: p.class, roles: p.roles, bylaws: p.bylaws, ballots: [],
    };
    if (detail && !hidden) {
      v.ballots = p.ballots.map((b) => {
        const onRoll = p.eligible.includes(b.voter);
        return {
          id: b.id, voter: b.voter, voterId: memberId(b.voter), cast: isoAt(b.cast), vote: copyVote(b.vote), counted: onRoll,
          why: onRoll ? '' : 'the voter is not on the roll of this proposal', proxies: c.proxies.filter((x) => x.ballot === b).map((x) => x.member),
        };
      });
    }
    return v;
  }

  function memberId(name) {
    const i = roster.findIndex((m) => m.name === name);
    return i < 0 ? '' : hex(i + 1);
  }

  function closeIt(p, by = me) {
    const st = statusOf(p);
    if (st === 'closed') throw invalid('the proposal is already closed');
    if (st === 'open') throw invalid(`voting is open until ${isoAt(p.closes)}: it can be closed after that`);
    if (p.author !== by && Date.now() < p.closes + GRACE_MS) throw invalid(`only ${p.author} may close it until ${isoAt(p.closes + GRACE_MS)}`);
    const result = tally({ ...p, hide: false });
    p.closed = { by, at: Date.now(), result, counted: counting(p).counted.length, id: randomId() };
    if (result.outcome === 'passed') {
      if (p.kind === 'removal') p.effect = `removed ${p.subject}`;
      if (p.kind === 'member-change') p.effect = `${p.subject} is now ${p.class}${p.roles.length ? ' with roles ' + p.roles.join(', ') : ' with no roles'}`;
      if (p.kind === 'admission') p.effect = `admitted ${p.subject} as ${p.class}`;
      if (p.kind === 'bylaws') p.effect = 'the bylaws were amended';
    }
    records++;
  }

  function delegationView(d) {
    const p = d.proposal && proposals.find((x) => x.id === d.proposal);
    return {
      id: d.id, delegate: d.to, delegateId: memberId(d.to), proposal: d.proposal, kind: d.kind,
      scope: d.proposal ? (p ? `the proposal ${JSON.stringify(p.title)}` : 'one proposal') : d.kind ? `${d.kind} proposals` : 'every proposal',
    };
  }

  if (q.get('proposals') === 'demo') {
    const others = roster.length > 1 ? roster.slice(1).map((m) => m.name) : [];
    const a = openProposal({ title: 'Buy a shared 3D printer', body: 'We would share it in the workshop. Budget: 1,200 €.', method: 'majority', hours: 48 });
    const b = openProposal({ title: 'Name of the newsletter', method: 'ranked', options: ['The Commons', 'Our Data', 'Riverside Notes', 'Co-op Weekly'], hours: 24 });
    const c = openProposal({ title: 'Where to meet in June', method: 'dot', dots: 5, options: ['Library', 'Café', 'Online'], hours: 12, hideResults: true });
    for (const [i, n] of others.entries()) {
      cast(a, n, { position: i % 2 ? 'no' : 'yes' });
      cast(b, n, { choices: i % 2 ? [1, 2, 0] : [2, 0] });
      cast(c, n, { points: [i % 3, 1, 2 - (i % 3)] });
    }
    const d = openProposal({ title: 'Adopt the privacy policy', method: 'consent', hours: 1 });
    if (others[0]) cast(d, others[0], { position: 'consent' });
    cast(d, me, { position: 'consent' });
    d.closes = Date.now() - 60_000;
    closeIt(d);
  }

  window.__fake = {
    calls, admitMe, get state() { return state; },
    // Governance: look at and steer proposals from a test.
    votes: [], // every Vote call from the page: { id, vote }
    get proposals() { return proposals; },
    propose: (input, author = me) => openProposal(input, author).id,
    castAs: (name, id, vote) => cast(findProposal(id), name, vote),
    endVoting: (id) => { findProposal(id).closes = Date.now() - 1000; },
    delegateAs: (from, to, proposal = '', kind = '') => delegations.push({ id: randomId(), from, to, proposal, kind }),
  };

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
    Proposals: guard('Proposals', () => { requireReady(); return proposals.map((p) => view(p, false)); }),
    Proposal: guard('Proposal', (id) => { requireReady(); return view(findProposal(id), true); }),
    Propose: guard('Propose', (input) => { requireReady(); return view(openProposal(input || {}), true); }),
    Vote: guard('Vote', (id, vote) => {
      requireReady();
      const p = findProposal(id);
      window.__fake.votes.push({ id: p.id, vote: JSON.parse(JSON.stringify(vote)) });
      cast(p, me, vote || {});
      return view(p, true);
    }),
    CloseProposal: guard('CloseProposal', (id) => { requireReady(); const p = findProposal(id); closeIt(p); return view(p, true); }),
    Delegate: guard('Delegate', (to, proposal, kind) => {
      requireReady();
      const m = memberNamed(to);
      if (m.me) throw invalid('you cannot delegate to yourself');
      if (kind && !KINDS.includes(kind)) throw invalid(`kind ${JSON.stringify(kind)} is not one of ${KINDS.join(', ')}`);
      const d = { id: randomId(), from: me, to: m.name, proposal: proposal ? findProposal(proposal).id : '', kind: kind || '' };
      delegations = delegations.filter((x) => !(x.from === me && x.proposal === d.proposal && x.kind === d.kind));
      delegations.push(d);
      records++;
      return delegationView(d);
    }),
    Delegations: guard('Delegations', () => { requireReady(); return delegations.filter((d) => d.from === me).map(delegationView); }),
    EndDelegation: guard('EndDelegation', (id) => {
      requireReady();
      id = String(id || '').trim().toLowerCase();
      const found = delegations.filter((d) => d.from === me && id && d.id.startsWith(id));
      if (found.length !== 1) throw invalid(`no single standing delegation of yours starts with ${JSON.stringify(id)}: \`coopnode delegate --list\` lists them`);
      delegations = delegations.filter((d) => d !== found[0]);
      records++;
    }),
  } } };
})();
