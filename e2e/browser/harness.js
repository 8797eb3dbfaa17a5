// Helpers for the browser walkthrough: build the gatehouse binary, run its
// CLI, start `gatehouse serve` on a free loopback port, launch Debian's
// Chromium through playwright-core, and clean all of it up again.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createServer as createHTTPServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = '/usr/bin/chromium';

// The flags machine.md requires: without them Chromium tries to reach the
// internet (component updates, sync, QUIC probes) and stalls.
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Everything that must go when the test ends. cleanup() runs
// from the after hook and, as a last resort, from exit and signal handlers.
const children = new Set();
const tempDirs = new Set();
const closers = new Set();

export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function cleanup() {
  for (const close of closers) {
    await close();
    closers.delete(close);
  }
  for (const child of children) await stop(child);
  for (const dir of tempDirs) {
    await rm(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

function killAllNow() {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { killAllNow(); process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)); });
}

function run(file, args, { input, cwd, timeout = 30_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(file, args, { cwd, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n$ ${file} ${args.join(' ')}\n${stderr}`;
        reject(err);
        return;
      }
      resolvePromise({ stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

// gatehouseBinary returns $GATEHOUSE_BIN, or builds ./cmd/gatehouse into a
// temporary directory.
export async function gatehouseBinary() {
  if (process.env.GATEHOUSE_BIN) {
    const bin = resolve(process.env.GATEHOUSE_BIN);
    if (!existsSync(bin)) throw new Error(`GATEHOUSE_BIN=${bin} does not exist`);
    return bin;
  }
  const out = join(await tempDir('gatehouse-bin-'), 'gatehouse');
  // A cold build (empty Go cache) takes a few minutes on 2 cores.
  await run('go', ['build', '-o', out, './cmd/gatehouse'], { cwd: REPO_ROOT, timeout: 300_000 });
  return out;
}

// cli runs one gatehouse command with --json and returns the parsed object.
export async function cli(bin, args, input) {
  const { stdout } = await run(bin, [...args, '--json'], { input });
  try {
    return JSON.parse(stdout);
  } catch (err) {
    throw new Error(`gatehouse ${args.join(' ')} --json printed no JSON: ${JSON.stringify(stdout)}`, { cause: err });
  }
}

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

// serve starts `gatehouse serve` on a free port and resolves once /readyz
// answers 200. The server's log is kept in server.log() for failure
// messages. Where util-linux's setpriv exists the server also gets
// PR_SET_PDEATHSIG, so it dies with this process even on SIGKILL.
export async function serve(bin, dbPath, { readyTimeout = 15_000 } = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(); // another process may take it: retry
    const args = ['serve', '--addr', `127.0.0.1:${port}`, '--db', `sqlite:${dbPath}`];
    const [file, argv] = existsSync('/usr/bin/setpriv')
      ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args]]
      : [bin, args];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let log = '';
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.exitPromise = exited;
    const url = `http://127.0.0.1:${port}`;
    const server = { url, child, log: () => log };
    const deadline = Date.now() + readyTimeout;
    let gone = null;
    exited.then((s) => { gone = s; });
    while (Date.now() < deadline && !gone) {
      try {
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.status === 200) return server;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    await stop(child);
    lastError = new Error(gone
      ? `gatehouse serve exited (${JSON.stringify(gone)}) before /readyz was 200:\n${log}`
      : `gatehouse serve: /readyz was not 200 within ${readyTimeout} ms:\n${log}`);
    if (!gone || !/address already in use/i.test(log)) break;
  }
  throw lastError;
}

// stop sends SIGTERM, waits up to 5 s for a graceful exit, then SIGKILL.
export async function stop(child) {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = child.exitPromise ?? new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = sleep(5_000, 'timeout', { ref: false });
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

// requireChromium fails early, with the fix, where Chromium is missing.
export function requireChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (CI does this in .ci/run)`);
  }
}

// launchChromium starts Debian's Chromium with a fresh profile.
export async function launchChromium({ viewport = { width: 1000, height: 760 } } = {}) {
  requireChromium();
  const profile = await tempDir('gatehouse-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timeout: 30_000,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}

// serveStub makes the page load every URL under origin (the SPA, or some
// other site) from a tiny HTML server on a free loopback port, and returns
// the list of URLs it was asked for. Two reasons for the detour:
// - Playwright's page.route does not see requests that follow a redirect,
//   and the authorization response is exactly that (a 303 from POST
//   /consent to the redirect URI); the DevTools Fetch domain does.
// - Chromium's Local Network Access rules treat a page whose response did
//   not come from a loopback address as public, and would refuse its
//   fetches to Gatehouse on 127.0.0.1 before CORS is even asked. An app
//   served from loopback (as a dev server would be) is what the README
//   describes. The page still sees the origin it asked for: Fetch's url
//   override is not observable by the page.
export async function serveStub(page, origin, title) {
  const base = await stubServer();
  const cdp = await page.context().newCDPSession(page);
  const seen = [];
  cdp.on('Fetch.requestPaused', (e) => {
    seen.push(e.request.url);
    const u = new URL(e.request.url);
    const target = `${base}${u.pathname}${u.search}${u.search ? '&' : '?'}title=${encodeURIComponent(title)}`;
    cdp.send('Fetch.continueRequest', { requestId: e.requestId, url: target })
      .catch(() => { /* the page closed meanwhile */ });
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: `${origin}/*`, requestStage: 'Request' }] });
  return seen;
}

let stubBase;
async function stubServer() {
  if (stubBase) return stubBase;
  const srv = createHTTPServer((req, res) => {
    const u = new URL(req.url, 'http://stub');
    if (u.pathname === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    const title = (u.searchParams.get('title') ?? 'Stub').replace(/[<>&"]/g, '');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
      `<body><h1>${title}</h1></body></html>`);
  });
  await new Promise((r, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', r); });
  srv.unref();
  closers.add(() => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }));
  stubBase = `http://127.0.0.1:${srv.address().port}`;
  return stubBase;
}
