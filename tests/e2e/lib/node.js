// Starts a real gridchain-node process for a test and stops it again.
//
// A dev node runs `--dev --tmp` on free local ports; the nodes of a local test network
// (lib/network.js) run `--chain local` with their own base paths. The test talks to a node only
// through @polkadot/api over its RPC websocket, as a user would.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';

/** The shared target dir of the builds. */
const targetDir = () => process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'gridchain-target');

/** A binary of ours: $`envVar` if set, else the debug build `name` in the shared target dir. */
export function targetBinary(name, envVar) {
  if (process.env[envVar]) return process.env[envVar];
  return join(targetDir(), 'debug', name);
}

/**
 * Where the test nodes keep the runtime compiled to machine code (`--wasmtime-cache`): the
 * nodes that start side by side compile the same runtime, so all but the first on this host
 * skip that work.
 */
export const wasmtimeCache = () => join(targetDir(), 'e2e-wasmtime-cache');

/**
 * The raw chain spec of `chain` ('dev' or 'local') that tools/prepare-nodes.js wrote for the
 * node binary as it is now, or undefined if there is none (a node then builds its genesis from
 * the runtime's preset itself, slower but the same chain). With `{ existing: false }`, where it
 * belongs.
 */
export function preparedSpec(chain, { existing = true } = {}) {
  // No binary: startNode says so by name.
  if (existing && !existsSync(nodeBinary())) return undefined;
  const binaryMtime = Math.round(statSync(nodeBinary()).mtimeMs);
  const path = join(targetDir(), 'e2e-specs', String(binaryMtime), `${chain}.json`);
  return !existing || existsSync(path) ? path : undefined;
}

/** The node binary: $GRIDCHAIN_NODE, else the debug build in the shared target dir. */
export function nodeBinary() {
  return targetBinary('gridchain-node', 'GRIDCHAIN_NODE');
}

/** A TCP port nobody listens on right now, chosen by the kernel. */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves when `predicate()` is truthy, polling; rejects with `what` after `timeoutMs`. */
export async function waitFor(predicate, { timeoutMs, intervalMs = 250, what }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Starts `gridchain-node --dev --tmp` and connects an ApiPromise to it; with `prometheus`, the
 * node serves its metrics on a free port (`metricsUrl`). The node starts from the prepared
 * raw spec of the dev chain if there is one, unless `builtInSpec` (then, as `--dev` alone
 * does, from the runtime's preset).
 * Returns what `startNode` does.
 */
export function startDevNode({ extraArgs = [], builtInSpec = false, ...options } = {}) {
  const spec = builtInSpec ? undefined : preparedSpec('dev');
  return startNode({ chainArgs: ['--dev', ...(spec ? ['--chain', spec] : []), '--tmp'], extraArgs, ...options });
}

/**
 * Starts `gridchain-node` with `chainArgs` (which chain, which base path) and `extraArgs` on
 * free local ports and connects an ApiPromise to it.
 * Returns { api, provider, process, rpcUrl, metricsUrl, logs, stop, kill, exited, startedAt,
 * rpcReadyAt }
 * (times from `performance.now()`). `stop()` disconnects and ends the process, first with
 * SIGINT (a clean shutdown), then SIGKILL if it does not exit in time; `kill()` disconnects
 * and ends it with SIGKILL at once (a crash: nothing flushed).
 */
export async function startNode({ chainArgs, extraArgs = [], startTimeoutMs = 240_000, prometheus = false }) {
  const binary = nodeBinary();
  if (!existsSync(binary)) {
    throw new Error(`node binary not found at ${binary}: build it with scripts/build.sh or set GRIDCHAIN_NODE`);
  }
  // Port 0 everywhere: the node binds free ports itself and logs them (ports picked here could
  // be taken by another test's node starting at the same moment, and the test would then
  // talk to that one).
  const args = [
    ...chainArgs,
    '--rpc-port', '0',
    '--port', '0',
    ...(prometheus ? ['--prometheus-port', '0'] : ['--no-prometheus']),
    '--no-telemetry', '--no-mdns',
    '--wasmtime-cache', wasmtimeCache(),
    ...extraArgs,
  ];
  const startedAt = performance.now();
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  const keep = (chunk) => {
    logs.push(chunk.toString());
    if (logs.length > 2000) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');

  const logged = (pattern) => pattern.exec(logs.join(''))?.[1];
  let rpcUrl;
  let metricsPort;
  let api;
  let provider;
  let rpcReadyAt;
  try {
    const rpcPort = await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`node exited early with ${child.exitCode}:\n${logs.join('')}`);
      const port = logged(/Running JSON-RPC server: addr=127\.0\.0\.1:(\d+)/);
      return port && (await accepts(Number(port))) && Number(port);
    }, { timeoutMs: startTimeoutMs, intervalMs: 50, what: 'the node\'s RPC server' });
    rpcUrl = `ws://127.0.0.1:${rpcPort}`;
    if (prometheus) {
      metricsPort = Number(await waitFor(() => logged(/Prometheus exporter started at 127\.0\.0\.1:(\d+)/), { timeoutMs: 30_000, what: 'the node\'s metrics server' }));
    }
    rpcReadyAt = performance.now();
    // No automatic reconnects: a node that goes away fails the test instead of hanging it.
    provider = new WsProvider(rpcUrl, false);
    await provider.connect();
    api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    // What the node printed says where it stood (compiling the runtime, building genesis, ...);
    // a new error, as a WebSocket's error event has a read-only message.
    throw new Error(`${err?.message ?? err}\n--- last lines of the node's log ---\n${logs.join('').split('\n').slice(-40).join('\n')}`, { cause: err });
  }

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    await api.disconnect().catch(() => {});
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  }
  async function kill() {
    if (stopped) return;
    stopped = true;
    await api.disconnect().catch(() => {});
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
  const metricsUrl = prometheus ? `http://127.0.0.1:${metricsPort}/metrics` : undefined;
  return { api, provider, process: child, rpcUrl, metricsUrl, logs, stop, kill, exited, startedAt, rpcReadyAt };
}

/** True once something accepts TCP connections on the local port. */
export function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a process with this pid still exists. */
export function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
