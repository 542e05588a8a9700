// Keeps frontend/dist/.gitkeep (Go's //go:embed all:frontend/dist needs a file there).
//   node scripts/clean-dist.mjs          remove everything in dist/ except .gitkeep
//   node scripts/clean-dist.mjs --check  after a build: recreate .gitkeep if missing, require index.html
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
mkdirSync(dist, { recursive: true });
const keep = join(dist, '.gitkeep');

if (process.argv.includes('--check')) {
  if (!existsSync(join(dist, 'index.html'))) {
    console.error('clean-dist: dist/index.html missing after build');
    process.exit(1);
  }
} else {
  for (const name of readdirSync(dist)) {
    if (name !== '.gitkeep') rmSync(join(dist, name), { recursive: true, force: true });
  }
}
if (!existsSync(keep)) writeFileSync(keep, '');
