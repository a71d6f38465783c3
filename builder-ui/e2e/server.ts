import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const uiDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(uiDir, '..');

/** The admin password the server under test creates its admin with. */
export const ADMIN_PASSWORD = 'E2e-Admin-Passw0rd!';

/** A running tangram binary on its own port and data directory. */
export interface TestServer {
  url: string;
  /** What the server printed, for failure messages. */
  log: () => string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * Builds the binary (so it embeds the current builder-ui/dist) unless
 * TANGRAM_BIN names one, and returns its path.
 */
function binary(workDir: string): string {
  if (process.env.TANGRAM_BIN) return process.env.TANGRAM_BIN;
  if (!existsSync(join(uiDir, 'dist', 'index.html'))) {
    throw new Error('builder-ui/dist is missing: run `npm run build` first (npm run test:e2e does)');
  }
  const bin = join(workDir, 'tangram');
  execFileSync('go', ['build', '-o', bin, './server/cmd/tangram'], { cwd: repoRoot, stdio: 'inherit', timeout: 600_000 });
  return bin;
}

async function waitHealthy(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`tangram exited with ${proc.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tangram did not become healthy in 30 s:\n${log()}`);
}

/** Builds and starts tangram on a free port with a fresh data directory. */
export async function startServer(): Promise<TestServer> {
  const work = mkdtempSync(join(tmpdir(), 'tangram-e2e-'));
  const bin = binary(work);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['serve', '-addr', `127.0.0.1:${port}`, '-data', join(work, 'data'), '-log-level', 'warn'], {
    env: { ...process.env, TANGRAM_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const log = () => output;
  try {
    await waitHealthy(url, proc, log);
  } catch (e) {
    proc.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    log,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Signs in through the API and returns the bearer token. */
export async function adminToken(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`admin sign-in: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Creates a definition through the meta API with a bearer token. */
export async function createDefinition(url: string, token: string, app: string, kind: string, key: string, spec: object): Promise<void> {
  const res = await fetch(`${url}/api/apps/${app}/meta/${kind}/${key}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ spec }),
  });
  if (res.status !== 201) throw new Error(`create ${app}/${kind}/${key}: ${res.status} ${await res.text()}`);
}
