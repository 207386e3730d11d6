// A local test network on this host: gridchain nodes of the `local_testnet` chain (validators
// Alice, Bob, Charlie and Dave at genesis; runtime/src/genesis_config_presets.rs), each with its
// own base path and p2p identity, so a node killed and started again continues its own
// database, and each told where the running nodes listen. Real libp2p, Aura and GRANDPA; the
// tests reach every node only through @polkadot/api, as users do.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { nodeBinary, preparedSpec, startNode, waitFor } from './node.js';

/** The well-known dev validators whose keys `--alice` and the like put in a node's keystore. */
export const GENESIS_VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];

/**
 * A network of nodes started and stopped by name. `start(name, { devKeys, validator })` starts
 * (or starts again) the node `name`: with `devKeys` (the default for the genesis validators)
 * it runs `--<name>` (the dev keys of that name in its keystore, a validator); otherwise
 * `--validator` if asked, with an empty keystore. Returns the running node (node.js's
 * `startNode`). `kill(name)` ends it with SIGKILL; `stopAll()` stops every node and removes the
 * base paths.
 */
export function localNetwork() {
  const dir = mkdtempSync(join(tmpdir(), 'gridchain-net-'));
  const running = new Map();

  /** The p2p addresses of the running nodes on loopback, as `--bootnodes` takes them. */
  async function bootnodes(except) {
    const addresses = await Promise.all([...running].filter(([name]) => name !== except).map(
      async ([, node]) => (await node.api.rpc.system.localListenAddresses()).map(String),
    ));
    return addresses.flat().filter((a) => a.startsWith('/ip4/127.0.0.1/tcp/') && !a.includes('/ws'));
  }

  async function start(name, { devKeys = GENESIS_VALIDATORS.includes(name), validator = devKeys } = {}) {
    if (running.has(name)) throw new Error(`${name}'s node is already running`);
    const basePath = join(dir, name);
    const nodeKey = join(basePath, 'node-key');
    if (!existsSync(nodeKey)) {
      mkdirSync(basePath, { recursive: true });
      // A validator of a live chain needs its p2p key before it starts.
      execFileSync(nodeBinary(), ['key', 'generate-node-key', '--file', nodeKey], { stdio: 'ignore' });
    }
    const peers = await bootnodes(name);
    const role = devKeys ? [`--${name}`] : [...(validator ? ['--validator'] : []), '--name', name];
    const node = await startNode({
      chainArgs: ['--chain', preparedSpec('local') ?? 'local', '--base-path', basePath, '--node-key-file', nodeKey],
      extraArgs: [...role, ...(peers.length ? ['--bootnodes', ...peers] : [])],
    });
    node.name = name;
    running.set(name, node);
    return node;
  }

  async function kill(name) {
    const node = running.get(name);
    running.delete(name);
    await node?.kill();
  }

  async function stopAll() {
    await Promise.all([...running.values()].map((node) => node.stop()));
    running.clear();
    rmSync(dir, { recursive: true, force: true });
  }

  return { dir, running, start, kill, stopAll, node: (name) => running.get(name) };
}

/** The best and finalized block numbers a node knows. */
export async function heads(api) {
  const [best, finalizedHash] = await Promise.all([api.rpc.chain.getHeader(), api.rpc.chain.getFinalizedHead()]);
  const finalized = await api.rpc.chain.getHeader(finalizedHash);
  return { best: best.number.toNumber(), finalized: finalized.number.toNumber(), finalizedHash: finalizedHash.toHex() };
}

/** Resolves with the node's heads once its finalized block is at least `number`. */
export function finalizedAtLeast(api, number, { timeoutMs = 120_000, what } = {}) {
  return waitFor(async () => {
    const h = await heads(api);
    return h.finalized >= number && h;
  }, { timeoutMs, intervalMs: 500, what: what ?? `finalized block #${number}` });
}

/** Resolves with the node's heads once its best block is at least `number`. */
export function bestAtLeast(api, number, { timeoutMs = 120_000, what } = {}) {
  return waitFor(async () => {
    const h = await heads(api);
    return h.best >= number && h;
  }, { timeoutMs, intervalMs: 500, what: what ?? `best block #${number}` });
}

/** The Aura slot a block was authored in (from its pre-runtime digest). */
export async function slotOf(api, blockHash) {
  const header = await api.rpc.chain.getHeader(blockHash);
  const preRuntime = header.digest.logs.find((log) => log.isPreRuntime && log.asPreRuntime[0].toString() === 'aura');
  if (!preRuntime) throw new Error(`block ${blockHash} has no Aura pre-runtime digest`);
  return api.createType('u64', preRuntime.asPreRuntime[1]).toNumber();
}
