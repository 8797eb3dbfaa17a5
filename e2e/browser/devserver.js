// Starts `gatehouse dev` for the demo browser test: on free loopback ports
// (port 0; dev prints the ports it got), with a temporary database, and
// waits until it prints its JSON summary, which it does once all three
// servers listen and the demo data is seeded.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stop, tempDir } from './harness.js';

const started = new Set();
process.on('exit', () => {
  for (const child of started) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// startDev resolves to { info, log(), stop() }: info is what
// `gatehouse dev --json` printed (app, issuer, api, client_id, users).
export async function startDev(bin, { readyTimeout = 30_000 } = {}) {
  const dir = await tempDir('gatehouse-dev-');
  const args = ['dev', '--json', '--db', `sqlite:${join(dir, 'dev.db')}`,
    '--addr', '127.0.0.1:0', '--api-addr', '127.0.0.1:0', '--spa-addr', 'localhost:0'];
  // setpriv --pdeathsig: the servers die with this process, even on SIGKILL.
  const [file, argv] = existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args]]
    : [bin, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.exitPromise = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const log = () => `${stdout}${stderr}`;
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gatehouse dev printed nothing usable within ${readyTimeout} ms:\n${log()}`)), readyTimeout);
    child.stdout.on('data', (d) => {
      stdout += d;
      try {
        const v = JSON.parse(stdout);
        clearTimeout(timer);
        resolve(v);
      } catch { /* not complete yet */ }
    });
    child.exitPromise.then((s) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse dev exited (${JSON.stringify(s)}) before it was ready:\n${log()}`));
    });
  });
  return {
    info,
    log,
    stop: async () => {
      started.delete(child);
      await stop(child);
      return child.exitPromise;
    },
  };
}

// stopAll stops every dev server still running (for the after hook).
export async function stopAll() {
  for (const child of started) {
    started.delete(child);
    await stop(child);
  }
}
