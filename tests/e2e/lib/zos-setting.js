// The setting of the ZOS end-to-end tests: a dev node (which holds Alice's `zos!` key), a
// farm operated by Alice with one node served by zos-sim, a user with a twin, and helpers that
// make agreements and wait for the chain's smartContract events. Each test file starts its
// own, so the files run side by side.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { decodeDispatchError, eventData, followEvents, sendOk } from './chain.js';
import { freePort, startDevNode, waitFor } from './node.js';
import { rmb, startSim } from './sim.js';
import { createNodeContractTx } from './zos.js';

export const TFT = 10_000_000n;
export const DEPOSIT = 100n * TFT;
export const GIB = 1024n ** 3n;
export const BLOCK_MS = 6_000;

/** Median of numbers. */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The secret URI of the simulated node's own ed25519 key (its ZOS identity). */
export const NODE_KEY_SEED = '//ZosE2eNode';

/**
 * Starts the setting. Returns an object with `node`, `api`, `sim` (the running simulator),
 * `nodeId`, `farmId`, `userTwin`, the keys `alice` (the farm's operator), `farmer`, `user`,
 * `eve`, `nodeKey` (the simulated node's ed25519 pair), the events `seen`, and
 * `startSim(extraArgs)`, `rmb(cmd, body, { signer })` (a command to the simulated node, signed
 * by the operator unless told otherwise), `waitForEvent(method, contractId)`,
 * `createVolume(name, gib)`, `contract(id)`, `reservedSru()`, `stop()`.
 */
export async function startZosSetting({ prometheus = false } = {}) {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const node = await startDevNode({ prometheus });
  const { api } = node;
  const fx = {
    node,
    api,
    alice: keyring.addFromUri('//Alice'),
    farmer: keyring.addFromUri('//Dave'),
    user: keyring.addFromUri('//Ferdie'),
    eve: keyring.addFromUri('//Eve'),
    nodeKey: new Keyring({ type: 'ed25519' }).addFromUri(NODE_KEY_SEED),
    // smartContract events by block number, from every new best block.
    seen: [],
  };
  const unsubscribe = await followEvents(api, 'smartContract', (event, header) => {
    const data = {};
    event.meta.fields.forEach((field, i) => { data[field.name.unwrap().toString().replace(/_(\w)/g, (_, c) => c.toUpperCase())] = event.data[i]; });
    fx.seen.push({ block: header.number.toNumber(), method: event.method, data });
  });

  const [userReg] = await Promise.all([
    sendOk(api, api.tx.registry.registerTwin(), fx.user),
    sendOk(api, api.tx.registry.registerTwin(), fx.farmer),
  ]);
  fx.userTwin = eventData(userReg.events, api.events.registry.TwinRegistered).twinId.toNumber();
  const pricing = { cruPerCoreHour: TFT, mruPerGibHour: TFT, sruPerGibHour: TFT, hruPerGibHour: TFT };
  // The dev farm's operator is Alice: the dev node holds her `zos!` key.
  const farm = await sendOk(api, api.tx.registry.createFarm('zos-e2e-farm', pricing, fx.alice.address), fx.farmer);
  fx.farmId = eventData(farm.events, api.events.registry.FarmCreated).farmId;
  // An operator serves a farm only once it accepts.
  await sendOk(api, api.tx.registry.acceptFarmOperator(fx.farmId), fx.alice);
  const simPort = await freePort();
  const capacity = { cru: 8, mru: 32n * GIB, sru: 200n * GIB, hru: 0 };
  // The node is registered with its own key: the worker believes only replies signed with it.
  const registered = await sendOk(api, api.tx.registry.registerNode(fx.farmId, capacity, `http://127.0.0.1:${simPort}/`, fx.nodeKey.publicKey), fx.farmer);
  fx.nodeId = eventData(registered.events, api.events.registry.NodeRegistered).nodeId.toNumber();
  const stateDir = mkdtempSync(join(tmpdir(), 'zos-sim-'));

  fx.startSim = async (extraArgs = []) => {
    fx.sim = await startSim({
      port: simPort,
      nodeId: fx.nodeId,
      chainRpc: node.rpcUrl.replace('ws://', 'http://'),
      stateFile: join(stateDir, 'state.json'),
      keySeed: NODE_KEY_SEED,
      sru: 200n * GIB,
      extraArgs,
    });
    return fx.sim;
  };

  fx.rmb = (cmd, body, { signer = fx.alice } = {}) => rmb(fx.sim.url, cmd, body, { signer, nodeKey: fx.nodeKey.publicKey });

  /** The first smartContract event `method` about `contractId`, once it happened. */
  fx.waitForEvent = (method, contractId, timeoutMs = 120_000) => waitFor(
    () => fx.seen.find((e) => e.method === method && e.data.contractId?.toString() === String(contractId)),
    { timeoutMs, what: `${method} for agreement ${contractId}` },
  );

  /** Creates a volume agreement signed by the user; resolves with { contractId, block }. */
  fx.createVolume = async (name, gib, { nonce, onNode = fx.nodeId } = {}) => {
    const { tx } = createNodeContractTx(api, {
      nodeId: onNode,
      signer: fx.user,
      twinId: fx.userTwin,
      workloads: [{ name, size: gib * GIB, metadata: '', description: 'e2e volume' }],
      metadata: 'zos-e2e',
      description: 'volume',
      deposit: DEPOSIT,
    });
    const result = await new Promise((resolve, reject) => {
      let done;
      tx.signAndSend(fx.user, { nonce: nonce ?? -1 }, ({ status, events, dispatchError }) => {
        if (status.isInvalid || status.isDropped) reject(new Error(`create ${status.type}`));
        if (status.isInBlock) {
          done?.();
          resolve({ blockHash: status.asInBlock, events, dispatchError });
        }
      }).then((unsub) => { done = unsub; }, reject);
    });
    if (result.dispatchError) throw new Error(`create failed: ${decodeDispatchError(api, result.dispatchError).name}`);
    const { contractId } = eventData(result.events, api.events.smartContract.ContractCreated);
    const block = (await api.rpc.chain.getHeader(result.blockHash)).number.toNumber();
    return { contractId: contractId.toNumber(), block };
  };

  fx.contract = async (id) => (await api.query.smartContract.contracts(id)).unwrapOr(null);
  fx.reservedSru = async () => (await api.query.registry.nodes(fx.nodeId)).unwrap().reserved.sru.toBigInt();

  fx.stop = async () => {
    unsubscribe?.();
    await fx.sim?.stop();
    await node.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };

  await fx.startSim();
  return fx;
}
