import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const uiDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the tangram binary once for every e2e file (each starts its own
 * server on it), unless TANGRAM_BIN names one already. The binary embeds
 * the current dist/, so `npm run build` runs first.
 */
export default function setup(): () => void {
  if (process.env.TANGRAM_BIN) return () => undefined;
  if (!existsSync(join(uiDir, 'dist', 'index.html'))) {
    throw new Error('builder-ui/dist is missing: run `npm run build` first (npm run test:e2e does)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tangram-e2e-bin-'));
  const bin = join(dir, 'tangram');
  execFileSync('go', ['build', '-o', bin, './server/cmd/tangram'], { cwd: resolve(uiDir, '..'), stdio: 'inherit', timeout: 600_000 });
  process.env.TANGRAM_BIN = bin;
  return () => rmSync(dir, { recursive: true, force: true });
}
