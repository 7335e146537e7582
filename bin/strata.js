#!/usr/bin/env node
// Launcher for the `strata` CLI: runs the compiled TypeScript in dist/ (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/apps/cli/main.js', import.meta.url);

if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(`strata: the CLI is not built (${fileURLToPath(entry)} is missing).\nRun \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))} first.\n`);
  process.exit(1);
}

const { run } = await import(entry.href);
await run(process.argv.slice(2));
