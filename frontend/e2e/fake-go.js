// TEST-ONLY fake of the Go bridge (see fake-server.mjs). Defines window.go.app.App
// with the same methods the Wails bindings call, backed by in-page state.
(function () {
  const q = new URLSearchParams(location.search);
  const hasToken = !!q.get('token');
  const asString = q.get('reject') === 'string';
  let state = q.get('state') || 'ready';
  let me = 'Ada Lovelace';
  let coop = 'Riverside Data Co-op';
  const extra = (q.get('members') || '').split(',').map((s) => s.trim()).filter(Boolean);
  const PASS = 'correct horse battery staple';
  const hex = (seed) => Array.from({ length: 64 }, (_, i) => '0123456789abcdef'[(seed * 7 + i * 13) % 16]).join('');

  function fail(msg) {
    return Promise.reject(asString ? msg : new Error(msg));
  }
  function guard(fn) {
    return (...args) => {
      if (!hasToken) return fail('401 Unauthorized: missing or wrong token');
      return new Promise((resolve, reject) => setTimeout(() => {
        try { resolve(fn(...args)); } catch (e) { reject(asString ? e.message : e); }
      }, 30));
    };
  }
  function members() {
    const names = extra.length ? extra : [me];
    if (!names.includes(me)) names.unshift(me);
    return names.map((name, i) => ({
      id: hex(i + 1), name, class: 'worker', roles: i === 0 ? ['admin', 'secretary'] : [],
      admitted: '2025-03-0' + (i + 1) + 'T10:00:00Z', admittedBy: i === 0 ? '' : hex(1),
      devices: 1, founder: i === 0, me: name === me,
    }));
  }
  function requireReady() {
    if (state !== 'ready') throw new Error('node is ' + state);
  }
  window.go = { app: { App: {
    Status: guard(() => ({
      state, home: '/home/ada/.coopnode', version: '0.1.0-fake',
      ...(state === 'ready' ? {
        coop: { id: hex(1), name: coop, founded: '2025-03-01T10:00:00Z', members: members().length },
        me: { memberId: hex(1), name: me, memberKey: hex(2), deviceKey: hex(3), class: 'worker', roles: ['admin'] },
      } : {}),
      digest: state === 'ready' ? hex(9) : '', records: state === 'ready' ? 2 + extra.length : 0, pending: 0, needsNewer: 0,
      problems: q.get('problems') ? ['The clock on this computer is 3 hours ahead of the other members.', 'Disk space is low: 120 MB free in the home directory.'] : null,
    })),
    Bylaws: guard(() => {
      requireReady();
      return {
        text: 'Article 1. Name\nThe co-operative is called ' + coop + '.\n\nArticle 2. Membership\nAny person who shares our purpose may apply.',
        votingRule: 'one-member-one-vote',
        quorum: { num: 1, den: 2, text: '1/2 (50%)' }, threshold: { num: 2, den: 3, text: '2/3 (67%)' },
        classes: [{ name: 'worker', description: 'Works in the co-op', votes: true }, { name: 'supporter', description: 'Supports the co-op', votes: false }],
        admissionRule: 'direct', admitRoles: ['admin'], adoptedBy: hex(1), adoptedAt: '2025-03-01T10:00:00Z',
      };
    }),
    Members: guard(() => { requireReady(); return members(); }),
    Init: guard((name, coopName, pass) => {
      if (state !== 'uninitialized') throw new Error('already initialized');
      if (!pass) throw new Error('passphrase is empty');
      me = name; coop = coopName; state = 'ready';
    }),
    Unlock: guard((pass) => {
      if (state !== 'locked') throw new Error('not locked');
      if (pass !== PASS) throw new Error('wrong passphrase');
      state = 'ready';
    }),
  } } };
})();
