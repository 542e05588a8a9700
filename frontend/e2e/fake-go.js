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
    requested: '2025-03-0' + (i + 2) + 'T09:00:00Z', admitted: true, invite: String(100 + i).padStart(16, '0'), // invites given out before this page
  }));
  if (q.get('requests') !== '0') {
    requests.push({ id: hex(40), name: 'Katherine Johnson', deviceLabel: 'kj-desktop', memberKey: hex(41), requested: iso(-3600_000), admitted: false, invite: '0000000000000099' });
  }
  let invites = []; // the invites made here: { id, expires }
  let inviteTTLms = 0; // when set (a test's __fake.inviteTTLms), invites expire this soon
  // Someone asks to join with the newest invite made here (as the node's invite keeper stores the request).
  function useInvite(name) {
    const inv = invites[invites.length - 1];
    if (!inv) throw new Error('no invite made yet');
    const r = { id: randomId(), name, deviceLabel: name.split(' ')[0].toLowerCase() + '-laptop', memberKey: randomId(), requested: iso(0), admitted: false, invite: inv.id };
    requests.push(r);
    return r.id;
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
    if (!s.startsWith('COOPNODE1')) throw new Error('not a valid coopnode invite: it should start with COOPNODE1');
    if (!/^[A-Z2-7]+$/.test(s.slice(9)) || s.length < 40) throw new Error('not a valid coopnode invite: it has characters that do not belong or is cut short; copy it again');
    if (s.includes('EXPIRED')) throw new Error('the invite has expired (at 2025-05-01T10:00:00Z): ask a member for a new one');
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
  const KINDS = ['general', 'admission', 'removal', 'member-change', 'bylaws', 'agreement'];
  const BINDING = ['majority', 'consent', 'consensus'];
  const BYLAWS_QUORUM = [1, 2], BYLAWS_THRESHOLD = [2, 3], GRACE_MS = 24 * 3600_000; // as Bylaws() says
  // Members besides its author who co-sign a close before it decides; tellers=0: bylaws from before tellers.
  const TELLERS = Number(q.get('tellers') ?? 2);
  const HIDDEN_NOTICE = "Results are hidden until the proposal closes. This is a display rule, not secrecy: ballots are signed records that every member's node holds, so anyone who inspects the data can read them.";
  let proposals = [];
  let delegations = []; // { id, from, to, proposal, kind }
  const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
  const gcd = (a, b) => (b ? gcd(b, a % b) : a);
  const frac = (n, d) => { if (!d) return { num: 0, den: 1 }; const g = gcd(n, d) || 1; return { num: n / g, den: d / g }; };
  const ratioView = ([n, d]) => ({ num: n, den: d, text: `${n}/${d} (${Math.round((100 * n) / d)}%)` });
  const isoAt = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const invalid = (msg) => new Error(msg); // the node's 400s say only what is wrong
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
      agreement: input.agreement || null,
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
    if (p.kind === 'agreement') checkAgreementInput(p.agreement);
    else p.agreement = null;
    p.eligible = roster.map((m) => m.name).filter((n) => votes(n) && (!p.classes.length || p.classes.includes(roster.find((m) => m.name === n).class)));
    // As coop.tellersNeeded: at most the others on the roll.
    p.tellers = Math.min(TELLERS, p.eligible.filter((n) => n !== author).length);
    p.awaiting = null; // a close signed and awaiting its tellers: { id, by, at, tellers: names }
    proposals.unshift(p);
    records++;
    return p;
  }

  // The bylaws in force (never amended here: a passed bylaws proposal only says so).
  function bylawsView() {
    return {
      text: 'Article 1. Name\nThe co-operative is called ' + coop + '.\n\nArticle 2. Membership\nAny person who shares our purpose may apply.',
      votingRule: 'one-member-one-vote',
      quorum: { num: 1, den: 2, text: '1/2 (50%)' }, threshold: { num: 2, den: 3, text: '2/3 (67%)' },
      classes: [{ name: 'worker', description: 'Works in the co-op', votes: true }, { name: 'supporter', description: 'Supports the co-op', votes: false }],
      admissionRule: 'direct', admitRoles: ['admin'], adoptedBy: hex(1), adoptedAt: '2025-03-01T10:00:00Z',
      tellers: TELLERS,
      tellersAdvice: TELLERS === 0 && roster.length > 1
        ? "These bylaws predate tellers: a close decides on its closer's word alone. Propose an amendment with tellers set to 2, so that other members' nodes check each close against the ballots they hold before it decides."
        : '',
    };
  }

  // What a bylaws proposal changes against the bylaws above, shaped as
  // app.BylawsChangeView (the node's wording is its own; these are close).
  function bylawsChanges(b) {
    const old = bylawsView();
    const out = [];
    const text = (c) => c.change === 'added' ? `${c.label} added: ${c.after}` : c.change === 'removed' ? `${c.label} removed (was: ${c.before})` : `${c.label}: ${c.before} → ${c.after}`;
    const add = (c) => out.push({ what: '', name: '', label: '', change: 'changed', before: '', after: '', note: '', ...c, text: text(c) });
    const ratio = (r) => { const [n, d] = String(r).split('/').map(Number); return ratioView([n, d]).text; };
    const changed = (what, label, before, after) => { if (before !== after) add({ what, label, before, after }); };
    changed('quorum', 'Quorum', old.quorum.text, ratio(b.quorum));
    changed('threshold', 'Threshold', old.threshold.text, ratio(b.threshold));
    changed('methods', 'Decision methods allowed', 'every method', (b.methods || []).join(', ') || 'every method');
    for (const c of b.classes || []) {
      const o = old.classes.find((x) => x.name === c.name);
      const words = (x) => `${x.description} (${x.votes ? 'votes' : 'does not vote'})`;
      if (!o) add({ what: 'class', name: c.name, label: `Class "${c.name}"`, change: 'added', after: words(c) });
      else if (words(o) !== words(c)) add({ what: 'class', name: c.name, label: `Class "${c.name}"`, before: words(o), after: words(c) });
    }
    for (const o of old.classes) {
      if (!(b.classes || []).some((c) => c.name === o.name)) add({ what: 'class', name: o.name, label: `Class "${o.name}"`, change: 'removed', before: o.description });
    }
    changed('admission', 'Admission', old.admissionRule, b.admissionRule);
    changed('admit-roles', 'Roles that may admit directly', old.admitRoles.join(', '), (b.admitRoles || []).join(', ') || 'none');
    changed('grace', "Hours only a proposal's author may close it", '24', String(b.closeGraceHours ?? 24));
    // As the node reads the input: tellers left out is 0.
    changed('tellers', 'Members who co-sign a close before it decides', String(old.tellers), String(b.tellers ?? 0));
    const rule = (r) => `quorum ${ratio(r.quorum)}, threshold ${ratio(r.threshold)}, ${r.methods?.length ? `by ${r.methods.join(' or ')} only` : 'any method that passes or fails'}`;
    for (const [kind, r] of Object.entries(b.special || {})) {
      add({ what: 'special', name: kind, label: `Special rule for ${kind} proposals`, change: 'added', after: rule(r) });
    }
    if (b.text !== old.text) add({ what: 'text', label: 'Text', note: 'the text changed' });
    return out;
  }

  function bylawsWarnings(b) {
    return b.admissionRule === 'direct' && b.special?.admission
      ? [`these bylaws admit members directly (a member with the role ${(b.admitRoles || []).join(' or ')} admits without a vote), so the special rule for admission proposals binds only an admission someone chooses to put to a vote; for every admission to need it, set the admission rule to "by-decision"`]
      : [];
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
    if (st === 'ended' && p.awaiting) {
      return `Closed by ${p.awaiting.by}; the result decides once ${p.tellers} of the other members have checked the count and co-signed it (${p.awaiting.tellers.length} so far). Their nodes do it by themselves when they sync.`;
    }
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
      tellers: p.tellers, awaiting: p.awaiting ? [{ record: p.awaiting.id, by: p.awaiting.by, tellers: [...p.awaiting.tellers], need: p.tellers }] : [],
      effect: p.effect, subject: p.subject, class: p.class, roles: p.roles, bylaws: p.bylaws, agreement: p.agreement, ballots: [],
      bylawsBase: '', bylawsChanges: [], bylawsTextDiff: [], warnings: p.bylaws ? bylawsWarnings(p.bylaws) : [],
    };
    if (detail && p.kind === 'bylaws' && p.bylaws) {
      v.bylawsBase = hex(1);
      v.bylawsChanges = bylawsChanges(p.bylaws);
    }
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
    decide(p, { by, at: Date.now(), id: randomId() });
  }

  // A close decides: its result and effect (the fake's own closes decide at
  // once, as if the tellers had co-signed; awaitClose and cosign steer that).
  function decide(p, c) {
    const result = tally({ ...p, hide: false });
    p.awaiting = null;
    p.closed = { ...c, result, counted: counting(p).counted.length };
    if (result.outcome === 'passed') {
      if (p.kind === 'removal') p.effect = `removed ${p.subject}`;
      if (p.kind === 'member-change') p.effect = `${p.subject} is now ${p.class}${p.roles.length ? ' with roles ' + p.roles.join(', ') : ' with no roles'}`;
      if (p.kind === 'admission') p.effect = `admitted ${p.subject} as ${p.class}`;
      if (p.kind === 'bylaws') p.effect = 'the bylaws were amended';
      if (p.kind === 'agreement') p.effect = adoptAgreement(p.agreement, p.id);
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

  // ---- Data vault, consent and data agreements (a plausible in-memory
  // stand-in for app/data.go: one member's items and consent events, and one
  // agreement whose version 2 adds a purpose) ----
  const windowMode = q.get('window') === '1'; // act as the desktop window (paths, file drop)
  const uploadMs = Number(q.get('uploadms') || 1200); // how long an upload or an add takes
  const DAY = 86400_000;
  const PURPOSES = [
    { id: 'ResearchAndDevelopment', label: 'Research and development', description: 'Developing new knowledge, products and services.' },
    { id: 'AcademicResearch', label: 'Academic research', description: 'Research at universities and similar institutions.' },
    { id: 'ai:ModelTraining', label: 'AI model training', description: 'Training machine-learning models, generative ones included.' },
    { id: 'CommercialResearch', label: 'Commercial research', description: 'Research by companies, for their products.' },
    { id: 'PublicBenefit', label: 'Public benefit', description: 'Uses that benefit the public, such as official statistics.' },
  ];
  const purposeOf = (id) => PURPOSES.find((p) => p.id === id) || { id, label: id, description: '' };
  const MEDIA = { csv: 'text/csv', txt: 'text/plain', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', zip: 'application/zip', pdf: 'application/pdf', json: 'application/json' };
  const mediaOf = (name) => MEDIA[(name.split('.').pop() || '').toLowerCase()] || 'application/octet-stream';
  const baseName = (path) => path.split(/[\\/]/).pop();

  let items = [
    { id: randomId(), title: 'Harvest notes 2024', fileName: 'harvest-2024.csv', mediaType: 'text/csv', size: 18_432, tags: ['field-notes', '2024'], added: Date.now() - 50 * DAY },
    { id: randomId(), title: 'Soil photos', fileName: 'soil-photos.zip', mediaType: 'application/zip', size: 4_200_000, tags: ['photos'], added: Date.now() - 45 * DAY },
  ];
  const V1_TEXT = [
    'Community data agreement',
    '',
    '1. Members keep their data on their own computers, encrypted.',
    "2. With a member's consent, the co-op may license their data for the purposes below.",
    '3. Each member receives a share of the license revenue for their data.',
    '4. A member may withdraw consent at any time; licenses end at their next renewal.',
  ].join('\n');
  const V2_TEXT = [
    'Community data agreement',
    '',
    '1. Members keep their data on their own computers, encrypted.',
    "2. With a member's consent, the co-op may license their data for the purposes below.",
    '3. Licensees may also train AI models on it, and must say which models they trained.',
    '4. Each member receives a share of the license revenue for their data.',
    '5. A member may withdraw consent at any time; licenses end at their next renewal.',
  ].join('\n');
  const agreements = []; // { id, title, versions: oldest first }
  function addVersion(a, input, adoptedBy, adoptedAt) {
    const v = {
      id: adoptedBy, agreement: a.id, number: a.versions.length + 1, title: input.title, text: input.text,
      purposes: [...input.purposes], recipients: [...(input.recipients || [])], standard: input.standard || '', extended: input.extended || '',
      retention: input.retention || 'P3Y', jurisdiction: input.jurisdiction || '', language: input.language || 'en',
      adoptedBy: randomId(), adoptedAt, digest: randomId(),
    };
    a.versions.push(v);
    return v;
  }
  {
    const a = { id: randomId(), title: 'Community data agreement', versions: [] };
    const base = { title: a.title, recipients: ['members', 'research partners'], standard: '1/2', extended: '3/4', retention: 'P3Y', jurisdiction: 'EU', language: 'en' };
    addVersion(a, { ...base, text: V1_TEXT, purposes: ['ResearchAndDevelopment', 'AcademicResearch'] }, randomId(), Date.now() - 90 * DAY);
    addVersion(a, { ...base, text: V2_TEXT, purposes: ['ResearchAndDevelopment', 'AcademicResearch', 'ai:ModelTraining'] }, randomId(), Date.now() - 2 * DAY);
    agreements.push(a);
  }
  const allVersions = () => agreements.flatMap((a) => a.versions);
  const currentOf = (a) => a.versions[a.versions.length - 1];
  const agreementOf = (v) => agreements.find((a) => a.id === v.agreement);

  // Consent events, oldest first: { id, record, event, status, version, purposes, items, itemTitles, categories, recipients, from, until, time, withdraws, withdrawnBy, reason }
  let consents = [];
  function addEvent(e) {
    const v = allVersions().find((x) => x.id === e.version);
    const ev = {
      id: randomId(), record: randomId(), purposes: [], items: [], categories: [], recipients: [], from: e.time ?? Date.now(), until: 0,
      time: Date.now(), withdraws: '', withdrawnBy: '', reason: '', ...e,
    };
    ev.itemTitles = ev.items.map((id) => items.find((x) => x.id === id)?.title ?? id.slice(0, 12));
    if (!ev.recipients.length && v && ev.event === 'grant') ev.recipients = [...v.recipients]; // withdrawals and refusals name none
    consents.push(ev);
    records++;
    return ev;
  }
  const activeGrant = (c) => c.event === 'grant' && !c.withdrawnBy && (!c.until || c.until > Date.now());
  const covers = (g, item, purpose) => (g.categories.includes('all') || g.items.includes(item)) && (!g.purposes.length || g.purposes.includes(purpose));
  {
    // The history the fake starts with adds nothing to the node's record count.
    const before = records;
    const [v1] = agreements[0].versions;
    const soil = items[1];
    // consent=expired: the opt-in to version 1 alone, which ran out five days ago.
    const expired = q.get('consent') === 'expired';
    addEvent({ event: 'grant', status: 'ConsentGiven', version: v1.id, categories: ['all'], time: Date.now() - 40 * DAY, until: Date.now() + (expired ? -5 : 1000) * DAY });
    if (!expired) {
      const g = addEvent({ event: 'grant', status: 'ConsentGiven', version: v1.id, items: [soil.id], purposes: ['CommercialResearch'], time: Date.now() - 30 * DAY, until: Date.now() + 1000 * DAY });
      const w = addEvent({ event: 'withdraw', status: 'ConsentWithdrawn', version: v1.id, withdraws: g.id, reason: 'The photos show the neighbours’ field', time: Date.now() - 20 * DAY });
      g.withdrawnBy = w.id;
    }
    records = before;
  }

  function retentionMs(d) {
    const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(d || '');
    if (!m) return 3 * 365 * DAY;
    return ((+m[1] || 0) * 365 + (+m[2] || 0) * 30 + (+m[3] || 0) * 7 + (+m[4] || 0)) * DAY;
  }
  function findItem(id) {
    id = String(id || '').trim().toLowerCase();
    const found = id.length >= 8 ? items.filter((x) => x.id.startsWith(id)) : [];
    if (found.length !== 1) throw invalid(`no single item of yours starts with ${JSON.stringify(id)}: \`coopnode data list\` lists them`);
    return found[0];
  }
  function findVersion(id, mustBeCurrent = true) {
    id = String(id || '').trim().toLowerCase();
    let v;
    if (!id) {
      if (agreements.length !== 1) throw invalid('name the agreement version: the co-op has several agreements');
      v = currentOf(agreements[0]);
    } else {
      const found = id.length >= 8 ? allVersions().filter((x) => x.id.startsWith(id)) : [];
      if (found.length !== 1) throw invalid(`no single agreement version starts with ${JSON.stringify(id)}: \`coopnode agreements\` lists them`);
      v = found[0];
    }
    const cur = currentOf(agreementOf(v));
    if (mustBeCurrent && cur !== v) throw invalid(`version ${v.number} of ${agreementOf(v).title} is no longer in force: answer version ${cur.number}`);
    return v;
  }
  function findConsent(id) {
    id = String(id || '').trim().toLowerCase();
    const found = id.length >= 8 ? consents.filter((x) => x.id.startsWith(id)) : [];
    if (found.length !== 1) throw invalid(`no single consent receipt of yours starts with ${JSON.stringify(id)}: \`coopnode consent list\` lists them`);
    return found[0];
  }

  // A line diff (longest common subsequence), as DiffLineView.
  function diffLines(a, b) {
    const x = a.split('\n'), y = b.split('\n');
    const n = x.length, m = y.length;
    const L = Array.from({ length: n + 1 }, () => Array(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    const out = [];
    let i = 0, j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) { out.push({ op: 'same', text: x[i] }); i++; j++; }
      else if (L[i + 1][j] >= L[i][j + 1]) out.push({ op: 'del', text: x[i++] });
      else out.push({ op: 'add', text: y[j++] });
    }
    while (i < n) out.push({ op: 'del', text: x[i++] });
    while (j < m) out.push({ op: 'add', text: y[j++] });
    return out;
  }
  function termChanges(prev, v) {
    const t = [];
    for (const id of v.purposes.filter((p) => !prev.purposes.includes(p))) t.push(`Adds the purpose ${purposeOf(id).label} (${id})`);
    for (const id of prev.purposes.filter((p) => !v.purposes.includes(p))) t.push(`Drops the purpose ${purposeOf(id).label} (${id})`);
    for (const r of v.recipients.filter((x) => !prev.recipients.includes(x))) t.push(`Adds the recipient ${r}`);
    for (const r of prev.recipients.filter((x) => !v.recipients.includes(x))) t.push(`Drops the recipient ${r}`);
    if (prev.standard !== v.standard || prev.extended !== v.extended) t.push(`Royalty: ${royaltyText(prev)} → ${royaltyText(v)}`);
    if (prev.retention !== v.retention) t.push(`Kept for ${prev.retention} → ${v.retention}`);
    if (prev.jurisdiction !== v.jurisdiction) t.push(`Jurisdiction ${prev.jurisdiction || '—'} → ${v.jurisdiction || '—'}`);
    return t;
  }
  function pctOf(s) {
    const m = /^(\d+)\/(\d+)$/.exec(s || '');
    if (m) return `${Math.round((100 * m[1]) / m[2])}%`;
    return s || '';
  }
  function royaltyText(v) {
    if (!v.standard && !v.extended) return 'no share of license revenue';
    return `${pctOf(v.standard) || '—'} of a standard license, ${pctOf(v.extended) || '—'} of an extended one`;
  }
  // As app/data.go: "opted-in" while a grant is in force; else what became
  // of the last answer: "opted-out", "withdrawn" or "expired"; "" only if
  // never answered. The receipt is the one behind it.
  function mineOf(v) {
    let answer = '', receipt = '', inForce = '';
    for (const c of consents.filter((x) => x.version === v.id)) {
      if (c.event === 'refuse') [answer, receipt] = ['opted-out', c.id];
      if (c.event !== 'grant') continue;
      if (activeGrant(c)) [answer, receipt, inForce] = ['opted-in', c.id, c.id];
      else if (c.withdrawnBy) [answer, receipt] = ['withdrawn', c.withdrawnBy];
      else [answer, receipt] = ['expired', c.id];
    }
    return inForce ? ['opted-in', inForce] : [answer, receipt];
  }
  function versionView(v) {
    const a = agreementOf(v);
    const i = a.versions.indexOf(v);
    const prev = a.versions[i - 1];
    const [mine, mineReceipt] = mineOf(v);
    return {
      id: v.id, agreement: a.id, number: v.number, title: v.title, text: v.text, textDigest: v.digest,
      purposes: v.purposes.map(purposeOf), recipients: [...v.recipients],
      royalty: { standard: v.standard, extended: v.extended, text: royaltyText(v) },
      retention: v.retention, jurisdiction: v.jurisdiction, language: v.language, adoptedBy: v.adoptedBy, adoptedAt: isoAt(v.adoptedAt),
      current: v === currentOf(a), changes: prev ? diffLines(prev.text, v.text) : [], terms: prev ? termChanges(prev, v) : [], mine, mineReceipt,
    };
  }
  function agreementView(a) {
    return { id: a.id, title: a.title, current: currentOf(a).id, versions: [...a.versions].reverse().map(versionView) };
  }
  // What a grant covers, as ScopeView (the node fills a grant's purposes in).
  function scopeOf(g) {
    if (!g) return null;
    const v = allVersions().find((x) => x.id === g.version);
    return {
      grant: g.id, purposes: g.purposes.length ? [...g.purposes] : [...(v?.purposes ?? [])], items: [...g.items], itemTitles: [...g.itemTitles],
      categories: [...g.categories], recipients: [...g.recipients], validUntil: g.until ? isoAt(g.until) : '',
    };
  }
  function consentView(c) {
    const v = allVersions().find((x) => x.id === c.version);
    const a = v && agreementOf(v);
    const cur = c.event === 'grant' ? (activeGrant(c) ? c.status : c.withdrawnBy ? 'ConsentWithdrawn' : 'ConsentExpired') : c.status;
    return {
      id: c.id, record: c.record, event: c.event, status: c.status, current: cur, active: activeGrant(c), agreement: a?.id ?? '', agreementTitle: a?.title ?? '',
      version: c.version, versionNumber: v?.number ?? 0, purposes: [...c.purposes], items: [...c.items], itemTitles: [...c.itemTitles], categories: [...c.categories],
      recipients: [...c.recipients], validFrom: isoAt(c.from), validUntil: c.until ? isoAt(c.until) : '', time: isoAt(c.time), withdraws: c.withdraws,
      withdrawnBy: c.withdrawnBy, reason: c.reason, ends: c.event === 'withdraw' ? scopeOf(consents.find((g) => g.id === c.withdraws)) : null,
    };
  }
  // Whether an item may be used for a purpose under a version, and why.
  function purposeStatus(item, v, purpose) {
    const evs = consents.filter((c) => c.version === v.id);
    const grant = [...evs].reverse().find((g) => activeGrant(g) && covers(g, item.id, purpose));
    let status = '', receipt = '';
    if (grant) [status, receipt] = [grant.status, grant.id];
    else {
      for (const c of [...evs].reverse()) {
        if (c.event === 'refuse') { [status, receipt] = ['ConsentRefused', c.id]; break; }
        const ended = c.event === 'withdraw' && consents.find((g) => g.id === c.withdraws);
        if (ended && covers(ended, item.id, purpose)) { [status, receipt] = ['ConsentWithdrawn', c.id]; break; }
        if (c.event === 'grant' && !c.withdrawnBy && covers(c, item.id, purpose)) { [status, receipt] = ['ConsentExpired', c.id]; break; }
      }
    }
    const a = agreementOf(v);
    return {
      purpose, label: purposeOf(purpose).label, agreement: a.id, agreementTitle: a.title, version: v.id, versionNumber: v.number,
      allowed: !!grant, status, receipt, until: grant?.until ? isoAt(grant.until) : '',
    };
  }
  function itemView(it) {
    return {
      id: it.id, title: it.title, fileName: it.fileName, mediaType: it.mediaType, size: it.size, tags: [...it.tags], added: isoAt(it.added),
      purposes: agreements.flatMap((a) => { const v = currentOf(a); return v.purposes.map((p) => purposeStatus(it, v, p)); }),
    };
  }
  function addItem(name, title, tags, size, id, mediaType) {
    const had = items.find((x) => x.id === id);
    if (had) return had;
    const it = { id, title: String(title || '').trim() || name, fileName: name, mediaType: mediaType || mediaOf(name), size, tags: (tags || []).map((t) => String(t).trim()).filter(Boolean), added: Date.now() };
    items.unshift(it);
    return it;
  }
  function grant(input) {
    const v = findVersion(input.version);
    const its = (input.items || []).map((i) => findItem(i).id);
    const cats = input.categories || [];
    if (!its.length && !cats.length) throw invalid('name the items, or "all" for every item of yours');
    for (const p of input.purposes || []) if (!v.purposes.includes(p)) throw invalid(`version ${v.number} names no purpose ${p}`);
    const until = input.validUntil ? Date.parse(input.validUntil) : Date.now() + retentionMs(v.retention);
    if (isNaN(until)) throw invalid(`valid until ${JSON.stringify(input.validUntil)}: use RFC 3339 or YYYY-MM-DD`);
    const renewed = consents.some((c) => c.version === v.id && c.event === 'grant');
    return addEvent({
      event: 'grant', status: renewed ? 'RenewedConsentGiven' : 'ConsentGiven', version: v.id, items: its, categories: [...cats],
      purposes: [...(input.purposes || [])], recipients: [...(input.recipients || [])], until, reason: input.reason || '',
    });
  }
  function withdraw(g, reason) {
    if (g.event !== 'grant') throw invalid('only a grant can be withdrawn');
    if (g.withdrawnBy) throw invalid(`this consent was already withdrawn (${g.withdrawnBy.slice(0, 12)})`);
    // As the node's receipts: a withdrawal names the grant it ends, not its scope.
    const w = addEvent({ event: 'withdraw', status: 'ConsentWithdrawn', version: g.version, withdraws: g.id, reason: reason || '' });
    g.withdrawnBy = w.id;
    return w;
  }
  // The per-item switch: grants what is missing, or withdraws each grant that
  // covers the item and purpose and grants again what else it covered.
  function setItemConsent(itemId, version, purpose, allow) {
    const it = findItem(itemId);
    const v = findVersion(version);
    if (!v.purposes.includes(purpose)) throw invalid(`version ${v.number} names no purpose ${purpose}`);
    const grants = consents.filter((c) => c.version === v.id && activeGrant(c) && covers(c, it.id, purpose));
    if (allow) return grants.length ? [] : [grant({ version: v.id, items: [it.id], purposes: [purpose] })];
    const out = [];
    for (const g of grants) {
      out.push(withdraw(g, `not ${purposeOf(purpose).label} for ${it.title}`));
      const ps = g.purposes.length ? g.purposes : v.purposes;
      const rest = ps.filter((p) => p !== purpose);
      const keep = { until: g.until, recipients: g.recipients };
      if (rest.length) out.push(addEvent({ event: 'grant', status: 'ConsentGiven', version: v.id, items: [...g.items], categories: [...g.categories], purposes: rest, ...keep }));
      const others = g.categories.includes('all') ? items.filter((x) => x.id !== it.id).map((x) => x.id) : g.items.filter((x) => x !== it.id);
      if (others.length) out.push(addEvent({ event: 'grant', status: 'ConsentGiven', version: v.id, items: others, purposes: [purpose], ...keep }));
    }
    return out;
  }
  function document27560(c) {
    const v = allVersions().find((x) => x.id === c.version);
    const a = agreementOf(v);
    return JSON.stringify({
      '@context': ['https://w3id.org/dpv', { ai: 'https://w3id.org/dpv/ai#' }],
      schema_version: 'ISO/IEC TS 27560:2023',
      record_id: c.record,
      receipt_id: c.id,
      pii_principal_id: hex(2),
      pii_controller: { name: coop, id: hex(1) },
      notice: { agreement: a.id, title: a.title, version: v.number, version_id: v.id, text_sha256: v.digest, language: v.language, jurisdiction: v.jurisdiction },
      event: { type: c.event, time: isoAt(c.time), withdraws: c.withdraws || undefined, reason: c.reason || undefined },
      status: `dpv:${c.status}`,
      purposes: (c.purposes.length ? c.purposes : v.purposes).map((p) => (p.includes(':') ? p : `dpv:${p}`)),
      personal_data: c.categories.includes('all') ? { categories: ['all'] } : { items: c.items },
      recipients: c.recipients,
      validity: { from: isoAt(c.from), until: c.until ? isoAt(c.until) : undefined },
      retention: v.retention,
    }, null, 2);
  }
  function checkAgreementInput(a) {
    if (!a) throw invalid('a data agreement proposal must carry the terms of the agreement');
    if (!String(a.title || '').trim()) throw invalid('the agreement needs a title');
    if (!String(a.text || '').trim()) throw invalid('the agreement needs a text');
    if (!(a.purposes || []).length) throw invalid('the agreement must name at least one purpose');
    for (const p of a.purposes) if (!PURPOSES.some((x) => x.id === p)) throw invalid(`${p} is not a purpose the co-op knows`);
    if (!/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/.test(a.retention || '')) throw invalid(`retention ${JSON.stringify(a.retention)} is not an ISO 8601 duration such as P3Y`);
    if (a.replaces) findVersion(a.replaces);
  }
  function adoptAgreement(input, proposalId) {
    let a;
    if (input.replaces) a = agreementOf(findVersion(input.replaces));
    else agreements.push((a = { id: proposalId, title: input.title, versions: [] }));
    const v = addVersion(a, input, proposalId, Date.now());
    return `adopted version ${v.number} of ${a.title}`;
  }

  // Bundle exports and imports: each call takes `slow` ms, going through its
  // steps (phases) with progress in BundleTransfers, newest first, as the node's do.
  let bundleTransfers = [];
  function bundleCall(name, plan) {
    calls[name] = (calls[name] || 0) + 1;
    if (!hasToken) return fail('401 Unauthorized: missing or wrong token');
    return new Promise((resolve, reject) => {
      const refuse = (msg) => setTimeout(() => reject(asString ? msg : new Error(msg)), 30);
      let p;
      try {
        p = plan();
      } catch (e) {
        return refuse(e.message);
      }
      const ticks = 12; // progress reports per step
      const t = { id: randomId(), kind: p.kind, path: p.path, phase: '', step: 0, steps: p.phases.length, records: 0, total: 0, bytes: 0, size: 0, finished: false, error: '' };
      bundleTransfers.unshift(t);
      let k = 0;
      const timer = setInterval(() => {
        const step = Math.min(Math.floor(k / (ticks + 1)), p.phases.length - 1);
        const ph = p.phases[step];
        const frac = Math.min(1, (k % (ticks + 1)) / ticks);
        Object.assign(t, {
          phase: ph.phase, step: step + 1, total: ph.total, records: Math.round(ph.total * frac),
          size: ph.size || 0, bytes: Math.round((ph.size || 0) * frac),
        });
        k++;
        if (p.failAt && step === 0 && frac >= p.failAt) {
          clearInterval(timer);
          Object.assign(t, { finished: true, error: p.fails });
          return refuse(p.fails);
        }
        if (k < p.phases.length * (ticks + 1)) return;
        clearInterval(timer);
        t.finished = true;
        resolve(p.result());
      }, slow / (p.phases.length * (ticks + 1)));
    });
  }

  // Transfers and the window's file drop.
  let transfers = [];
  let dropHandler = null;
  if (windowMode) {
    window.runtime = {
      OnFileDrop: (cb) => { dropHandler = cb; },
      OnFileDropOff: () => { dropHandler = null; },
      ClipboardSetText: async () => true,
    };
  }
  // A file's size, from its whole path: two files of one name differ.
  const fakeSize = (path) => 1_000_000 + [...path].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 2_000_000, 7);
  // How many adds (window) and uploads (browser) run at once, and the most that did.
  const atOnce = { adds: 0, maxAdds: 0, uploads: 0, maxUploads: 0 };
  function addDataFile(path, title, tags) {
    calls.AddDataFile = (calls.AddDataFile || 0) + 1;
    if (!hasToken) return fail('401 Unauthorized: missing or wrong token');
    return new Promise((resolve, reject) => {
      const bad = (msg) => setTimeout(() => reject(asString ? msg : new Error(msg)), 30);
      if (!windowMode) return bad('adding a file by its path needs the desktop window: upload it instead');
      if (!isAbs(path)) return bad(`give an absolute path (got ${JSON.stringify(path)})`);
      if (path.includes('missing')) return bad(`add ${path}: open ${path}: no such file or directory`);
      const name = baseName(path);
      // As the node: the transfer's source is the path it reads.
      const t = { id: randomId(), name, source: path, direction: 'in', done: 0, total: fakeSize(path), finished: false, error: '', item: '' };
      transfers.push(t);
      atOnce.maxAdds = Math.max(atOnce.maxAdds, ++atOnce.adds);
      const steps = 8;
      let k = 0;
      const timer = setInterval(() => {
        k++;
        t.done = Math.min(t.total, Math.round((t.total * k) / steps));
        if (k < steps) return;
        clearInterval(timer);
        const it = addItem(name, title, tags, t.total, randomId());
        Object.assign(t, { finished: true, item: it.id });
        records++;
        atOnce.adds--;
        resolve(itemView(it));
      }, uploadMs / steps);
    });
  }

  // The browser's upload: POST /vault/upload is answered here, in the page,
  // with upload progress events as a real one sends.
  const RealXHR = window.XMLHttpRequest;
  class VaultXHR extends RealXHR {
    open(method, url, ...rest) {
      const u = new URL(url, location.href);
      if (u.origin !== location.origin || !u.pathname.startsWith('/vault/')) return super.open(method, url, ...rest);
      this._v = { method, url: u, status: 0, text: '', state: 1, aborted: false };
    }
    setRequestHeader(k, v) { if (!this._v) return super.setRequestHeader(k, v); }
    get status() { return this._v ? this._v.status : super.status; }
    get statusText() { return this._v ? '' : super.statusText; }
    get responseText() { return this._v ? this._v.text : super.responseText; }
    get response() { return this._v ? this._v.text : super.response; }
    get readyState() { return this._v ? this._v.state : super.readyState; }
    abort() {
      if (!this._v) return super.abort();
      this._v.aborted = true;
      this._v.state = 4;
      this.dispatchEvent(new ProgressEvent('abort'));
      this.dispatchEvent(new ProgressEvent('loadend'));
    }
    send(body) {
      if (!this._v) return super.send(body);
      const v = this._v;
      calls.upload = (calls.upload || 0) + 1;
      let finish = (status, obj) => {
        if (v.aborted) return;
        Object.assign(v, { status, text: JSON.stringify(obj), state: 4 });
        this.dispatchEvent(new ProgressEvent('load'));
        this.dispatchEvent(new ProgressEvent('loadend'));
      };
      if (v.method !== 'POST' || v.url.pathname !== '/vault/upload') return setTimeout(() => finish(404, { error: 'not found' }), 20);
      if (!hasToken) return setTimeout(() => finish(401, { error: '401: missing or wrong API token: open the link coopnode printed' }), 20);
      if (state !== 'ready') return setTimeout(() => finish(409, { error: 'node is ' + state }), 20);
      const name = v.url.searchParams.get('name') || '';
      const title = v.url.searchParams.get('title') || '';
      const tags = (v.url.searchParams.get('tags') || '').split(',').map((s) => s.trim()).filter(Boolean);
      const size = body?.size ?? 0;
      const source = v.url.searchParams.get('source') || '';
      window.__fake.uploads.push({ name, title, tags, size, type: body?.type ?? '', source });
      atOnce.maxUploads = Math.max(atOnce.maxUploads, ++atOnce.uploads);
      const settle = finish;
      finish = (status, obj) => { atOnce.uploads--; settle(status, obj); };
      if (!name) return setTimeout(() => finish(400, { error: 'the upload needs ?name= (the file name)' }), 20);
      if (size === 0) return setTimeout(() => finish(400, { error: `${name} is empty` }), 20);
      if (name.includes('toolarge')) return setTimeout(() => finish(413, { error: `${name} is larger than the vault accepts (1 GB)` }), 20);
      const steps = 6;
      let k = 0;
      const up = this.upload;
      up.dispatchEvent(new ProgressEvent('loadstart', { lengthComputable: true, loaded: 0, total: size }));
      const timer = setInterval(() => {
        if (v.aborted) return clearInterval(timer);
        k++;
        up.dispatchEvent(new ProgressEvent('progress', { lengthComputable: true, loaded: Math.round((size * k) / steps), total: size }));
        if (k < steps) return;
        clearInterval(timer);
        up.dispatchEvent(new ProgressEvent('load', { lengthComputable: true, loaded: size, total: size }));
        body.arrayBuffer()
          .then((buf) => crypto.subtle.digest('SHA-256', buf))
          .then((d) => {
            const id = Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
            const it = addItem(name, title, tags, size, id, body.type || mediaOf(name));
            records++;
            finish(200, { result: itemView(it) });
          }, (e) => finish(500, { error: String(e) }));
      }, uploadMs / steps);
    }
  }
  window.XMLHttpRequest = VaultXHR;

  // Others' grants for the co-op view: [principal, version index, categories or items].
  const othersGrants = [
    { principal: hex(31), v: 0, categories: ['all'], items: [] },
    { principal: hex(32), v: 1, categories: [], items: [randomId(), randomId()] },
  ];
  function consentStatus(purpose, recipient) {
    if (!PURPOSES.some((p) => p.id === purpose)) throw invalid(`${JSON.stringify(purpose)} is not a purpose the co-op knows`);
    const uses = [];
    for (const c of consents.filter(activeGrant)) {
      const v = allVersions().find((x) => x.id === c.version);
      if (!(c.purposes.length ? c.purposes : v.purposes).includes(purpose)) continue;
      if (recipient && !c.recipients.includes(recipient)) continue;
      uses.push({ principal: hex(2), receipt: c.id, version: v.id, items: [...c.items], categories: [...c.categories], until: isoAt(c.until) });
    }
    for (const o of othersGrants) {
      const v = agreements[0].versions[o.v];
      if (!v || !v.purposes.includes(purpose) || (recipient && !v.recipients.includes(recipient))) continue;
      uses.push({ principal: o.principal, receipt: hex(40 + o.v), version: v.id, items: o.items, categories: o.categories, until: isoAt(Date.now() + 300 * DAY) });
    }
    const byVersion = {};
    for (const u of uses) byVersion[u.version] = (byVersion[u.version] || 0) + 1;
    return {
      purpose, recipient, at: isoAt(Date.now()), members: new Set(uses.map((u) => u.principal)).size, items: new Set(uses.flatMap((u) => u.items)).size,
      receipts: uses.length, uses, took: '0.42ms', versions: Object.entries(byVersion).map(([version, receipts]) => ({ version, receipts })),
    };
  }
  function signals(it, policy) {
    const allowed = (p) => itemView(it).purposes.some((x) => x.purpose === p && x.allowed);
    const train = allowed('ai:ModelTraining');
    const tdm = allowed('ResearchAndDevelopment') || allowed('AcademicResearch') || allowed('CommercialResearch');
    return {
      item: it.id,
      contentUsage: `Content-Usage: train-ai=${train ? 'y' : 'n'}`,
      robotsTxt: `Content-Usage: /${it.fileName} train-ai=${train ? 'y' : 'n'}`,
      tdmRep: JSON.stringify([{ location: `/${it.fileName}`, 'tdm-reservation': tdm ? 0 : 1, ...(policy ? { 'tdm-policy': policy } : {}) }], null, 2),
      trainingMining: JSON.stringify({ label: 'cawg.training-mining', data: { entries: {
        'cawg.ai_training': { use: train ? 'allowed' : 'notAllowed' },
        'cawg.ai_generative_training': { use: train ? 'allowed' : 'notAllowed' },
        'cawg.data_mining': { use: tdm ? 'allowed' : 'notAllowed' },
      } } }, null, 2),
      explanation: train
        ? `You allow AI model training on “${it.title}” under the co-op's agreement; text and data mining ${tdm ? 'is allowed' : 'is reserved'}.`
        : `You have not allowed AI model training on “${it.title}”, so these reserve it; text and data mining ${tdm ? 'is allowed' : 'is reserved'}.`,
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
    // Invites: someone joins with the newest one; make the next ones expire soon.
    useInvite, get invites() { return invites; },
    set inviteTTLms(ms) { inviteTTLms = ms; },
    // Governance: look at and steer proposals from a test.
    votes: [], // every Vote call from the page: { id, vote }
    get proposals() { return proposals; },
    propose: (input, author = me) => openProposal(input, author).id,
    castAs: (name, id, vote) => cast(findProposal(id), name, vote),
    endVoting: (id) => { findProposal(id).closes = Date.now() - 1000; },
    // A close by `by` (voting must have ended) that awaits its tellers, co-signed so far by `tellers`;
    // cosign adds one, and the close decides once it has the proposal's number.
    awaitClose: (id, by = me, tellers = []) => {
      const p = findProposal(id);
      if (statusOf(p) !== 'ended') throw invalid('only a proposal whose voting ended awaits a close');
      if (!p.tellers) throw invalid('a close of this proposal needs no tellers: it decides at once (use CloseProposal)');
      p.awaiting = { id: randomId(), by, at: Date.now(), tellers: [...tellers] };
      records++;
    },
    cosign: (id, name) => {
      const p = findProposal(id);
      if (!p.awaiting) throw invalid('no close of this proposal awaits its tellers');
      if (name === p.awaiting.by || p.awaiting.tellers.includes(name)) throw invalid(`${name} may not co-sign this close again`);
      p.awaiting.tellers.push(name);
      if (p.awaiting.tellers.length >= p.tellers) decide(p, p.awaiting);
      else records++;
    },
    delegateAs: (from, to, proposal = '', kind = '') => delegations.push({ id: randomId(), from, to, proposal, kind }),
    // Data: look at the vault and consent events; drop files on the "window" (window=1).
    uploads: [], // every upload the page sent: { name, title, tags, size, type, source }
    get items() { return items; },
    get consents() { return consents; },
    get agreements() { return agreements; },
    get transfers() { return transfers; },
    get atOnce() { return { ...atOnce }; },
    get bundleTransfers() { return bundleTransfers; },
    dropFiles: (paths) => { if (!dropHandler) return false; dropHandler(10, 10, paths); return true; },
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
      return bylawsView();
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
      const inv = { text, qr: qr(text), id: hex(70 + calls.Invite).slice(0, 16), expires: iso(inviteTTLms || hours * 3600_000), addrs: network().addrs };
      invites.push(inv);
      return inv;
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
    ExportBundle: (path, since) => bundleCall('ExportBundle', () => {
      requireReady();
      if (!isAbs(path) || (since && !isAbs(since))) throw new Error(`give absolute paths (got ${JSON.stringify(path)}, ${JSON.stringify(since)})`);
      if (path.includes('/readonly/')) throw new Error(`export to ${path}: open ${path}: permission denied`);
      const skipped = since ? 2 : 0;
      const phases = [{ phase: 'writing', total: records - skipped }];
      if (since) phases.unshift({ phase: 'reading', total: skipped, size: 1_700 });
      return { kind: 'export', path, phases, result: () => ({ path, records: records - skipped, skipped, bytes: 812 * (records - skipped) + 64 }) };
    }),
    ImportBundle: (path) => bundleCall('ImportBundle', () => {
      requireReady();
      if (!isAbs(path)) throw new Error(`give an absolute path (got ${JSON.stringify(path)})`);
      if (path.includes('missing')) throw new Error(`import: open ${path}: no such file or directory`);
      // A name with "reference" is the reference co-op's bundle; with "tampered", one altered on the way.
      const big = path.includes('reference');
      const read = big ? 406_607 : 9;
      const size = big ? 67_390_144 : 7_300;
      const fails = path.includes('tampered')
        ? `import ${path}: bundle was altered after it was written: record ${Math.ceil(read * 0.6)} of ${read}: bad signature; nothing was imported`
        : '';
      const result = big ? { path, read, added: 406_598, had: 9, pending: 0, invalid: 0 } : { path, read, added: 3, had: 4, pending: 1, invalid: 1 };
      return {
        kind: 'import', path, failAt: fails ? 0.6 : 0, fails,
        phases: [{ phase: 'verifying', total: read, size }, { phase: 'storing', total: read }],
        result: () => { records += result.added; return result; },
      };
    }),
    BundleTransfers: guard('BundleTransfers', () => bundleTransfers.map((t) => ({ ...t })), 5),
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
    DataItems: guard('DataItems', () => { requireReady(); return items.map(itemView); }),
    DataItem: guard('DataItem', (id) => { requireReady(); return itemView(findItem(id)); }),
    AddDataFile: (path, title, tags) => addDataFile(String(path || ''), title, tags || []),
    PickDataFiles: guard('PickDataFiles', () => {
      if (!windowMode) throw new Error('the file dialog needs the desktop window');
      return (q.get('pick') ?? '/home/ada/Documents/orchard-survey.csv,/home/ada/Pictures/orchard.jpg').split(',').filter(Boolean);
    }),
    Transfers: guard('Transfers', () => transfers.map((t) => ({ ...t })), 5),
    ExportData: guard('ExportData', (id, path) => {
      requireReady();
      if (!windowMode) throw new Error('writing a file by its path needs the desktop window: download it instead');
      const it = findItem(id);
      if (!isAbs(path)) throw new Error(`give an absolute path (got ${JSON.stringify(path)})`);
      if (path.includes('/readonly/')) throw new Error(`export to ${path}: open ${path}: permission denied`);
      return { item: it.id, path, bytes: it.size };
    }, () => slow),
    RemoveData: guard('RemoveData', (id) => {
      requireReady();
      const it = findItem(id);
      items = items.filter((x) => x !== it);
      records++;
    }),
    Agreements: guard('Agreements', () => { requireReady(); return agreements.map(agreementView); }),
    Purposes: guard('Purposes', () => PURPOSES.map((p) => ({ ...p }))),
    Consents: guard('Consents', () => { requireReady(); return [...consents].reverse().map(consentView); }),
    Consent: guard('Consent', (id) => { requireReady(); const c = findConsent(id); return { ...consentView(c), document: document27560(c) }; }),
    GrantConsent: guard('GrantConsent', (input) => { requireReady(); return consentView(grant(input || {})); }),
    WithdrawConsent: guard('WithdrawConsent', (id, reason) => { requireReady(); return consentView(withdraw(findConsent(id), reason)); }),
    WithdrawVersion: guard('WithdrawVersion', (version, reason) => {
      requireReady();
      const v = findVersion(version, false);
      const gs = consents.filter((c) => c.version === v.id && activeGrant(c));
      if (!gs.length) throw invalid(`no consent of yours is in force under version ${v.number} of "${agreementOf(v).title}": there is nothing to withdraw`);
      return gs.map((g) => consentView(withdraw(g, reason)));
    }),
    RefuseAgreement: guard('RefuseAgreement', (version, reason) => {
      requireReady();
      const v = findVersion(version);
      // Opting out withdraws the consent in force under that version first.
      for (const g of consents.filter((c) => c.version === v.id && activeGrant(c))) withdraw(g, reason || 'opted out');
      return consentView(addEvent({ event: 'refuse', status: 'ConsentRefused', version: v.id, categories: ['all'], reason: reason || '' }));
    }),
    SetItemConsent: guard('SetItemConsent', (item, version, purpose, allow) => { requireReady(); return setItemConsent(item, version, purpose, !!allow).map(consentView); }),
    DataSignals: guard('DataSignals', (item, policy) => {
      requireReady();
      if (policy && !/^https?:\/\//.test(policy)) throw invalid(`the policy URL ${JSON.stringify(policy)} must start with https:// or http://`);
      return signals(findItem(item), policy);
    }),
    ConsentStatus: guard('ConsentStatus', (purpose, recipient) => { requireReady(); return consentStatus(purpose, recipient); }),
  } } };
})();
