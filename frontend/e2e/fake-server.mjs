// TEST-ONLY stand-in for `coopnode serve`: serves frontend/dist and injects a fake
// window.go (fake-go.js) before the bundle, the way the Go server injects its
// fetch bridge. It lets the UI be exercised in Chromium without the Go side.
// Never shipped: the real bridge lives in the Go server.
//
//   node e2e/fake-server.mjs [port]      (prints http://127.0.0.1:PORT/?token=test)
//
// Page query parameters understood by fake-go.js:
//   token=...              required, else every call rejects with a 401 Error
//   state=ready|locked|uninitialized|joining   starting state (default ready)
//   members=Name,Name      member names (default: the founder only)
//   problems=1             add two example problems
//   reject=string          reject with plain strings, as Wails does
//   network=0              the node runs no network (Peers and Invite refuse)
//   requests=0             no join request waiting (default: Katherine Johnson's)
//   mayadmit=0             this member may not admit (requests say why)
//   admitafter=MS          after a Join, admit this home MS milliseconds later
//   slow=MS                how long an export or import takes (default 600), going
//                          through its steps with progress in BundleTransfers; an
//                          import path with "reference" reads 406,607 records, with
//                          "tampered" fails part way through verifying
//   proposals=demo         a few proposals (majority, ranked, hidden dots, one closed)
//   window=1               act as the desktop window: window.runtime.OnFileDrop,
//                          PickDataFiles, AddDataFile by path, ExportData to a path
//   pick=/a/x.csv,/b/y.jpg the paths PickDataFiles gives (window=1)
//   uploadms=MS            how long an upload (or an AddDataFile) takes (default 1200)
// My data: two items, one agreement ("Community data agreement") whose version 2
// (current, not answered) adds ai:ModelTraining to version 1 (opted in with all
// items), and three consent events. POST /vault/upload is answered in the page
// (XMLHttpRequest is wrapped, with upload progress); an empty file or a name with
// "toolarge" is refused. A path with "missing" fails AddDataFile.
// Join understands invites containing EXPIRED, USED, FORGED or OFFLINE (see
// fake-go.js); window.__fake has call counts and admitMe() for tests, and for
// governance: propose(input, author), castAs(name, id, vote), endVoting(id),
// delegateAs(from, to, proposal, kind), votes (each Vote call) and proposals;
// for data: items, consents, agreements, transfers, uploads (each upload sent),
// bundleTransfers (the bundle exports and imports, newest first)
// and dropFiles(paths) (window=1: as if dropped on the window).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

export function startFakeServer(port = 0) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (url.pathname === '/fake-go.js') {
        res.writeHead(200, { 'content-type': types['.js'] });
        return res.end(await readFile(join(here, 'fake-go.js')));
      }
      const rel = url.pathname === '/' ? 'index.html' : normalize(url.pathname).replace(/^([/\\])+/, '');
      if (rel.startsWith('..')) throw new Error('outside dist');
      let body = await readFile(join(dist, rel));
      if (rel === 'index.html') {
        body = Buffer.from(String(body).replace('<script type="module"', '<script src="/fake-go.js"></script>\n    <script type="module"'));
      }
      res.writeHead(200, { 'content-type': types[extname(rel)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({ server, base: `http://127.0.0.1:${p}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { base } = await startFakeServer(Number(process.argv[2] ?? 0));
  console.log(`${base}?token=test`);
}
