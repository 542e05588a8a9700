import { defineConfig } from 'vite';

// No framework plugin: Vite 8 transforms TSX with oxc, told here to emit
// Preact's automatic JSX runtime (matches "jsxImportSource": "preact" in tsconfig.json).
export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    // dist/.gitkeep must survive: Go embeds frontend/dist and fails on an empty folder.
    // scripts/clean-dist.mjs (npm prebuild) removes old assets instead.
    emptyOutDir: false,
    target: 'es2020',
  },
});
