// The setting of the validator end-to-end tests: a local network (lib/network.js) of the four
// genesis validators, Alice, Bob, Charlie and Dave, running and connected, and helpers to make a
// farmer and compare what nodes finalized. Each test file starts its own network, so the files
// run side by side.

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { eventData, sendOk } from './chain.js';
import { GENESIS_VALIDATORS, localNetwork } from './network.js';

export const TFT = 10_000_000n;
export const GIB = 1024n ** 3n;
export const SLOT_MS = 6_000;
/** Blocks per session: the local_testnet preset's. */
export const SESSION_LENGTH = 5;

/**
 * Starts the four validators. Returns { net, keyring, api(name), hashes(name, from, to),
 * makeFarmer(pair, farmName), stop() }.
 */
export async function startValidatorsSetting() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const net = localNetwork();
  const fx = { net, keyring };
  fx.api = (name) => net.node(name).api;

  /** The canonical hashes of blocks `from..=to` as `name`'s node has them. */
  fx.hashes = (name, from, to) => Promise.all(
    Array.from({ length: to - from + 1 }, (_, i) => fx.api(name).rpc.chain.getBlockHash(from + i).then(String)),
  );

  /**
   * `pair` becomes a farmer through Bob's node: a twin, a farm `farmName` it operates, and a
   * node (4 cores, 8 GiB, 100 GiB SSD; no ZOS answers it). Resolves with { twinId, farmId,
   * nodeId }.
   */
  fx.makeFarmer = async (pair, farmName) => {
    const bob = fx.api('bob');
    const twin = await sendOk(bob, bob.tx.registry.registerTwin(), pair);
    const twinId = eventData(twin.events, bob.events.registry.TwinRegistered).twinId.toNumber();
    const pricing = { cruPerCoreHour: TFT, mruPerGibHour: TFT, sruPerGibHour: TFT, hruPerGibHour: TFT };
    const farm = await sendOk(bob, bob.tx.registry.createFarm(farmName, pricing, pair.address), pair);
    const farmId = eventData(farm.events, bob.events.registry.FarmCreated).farmId.toNumber();
    const capacity = { cru: 4, mru: 8n * GIB, sru: 100n * GIB, hru: 0 };
    const node = await sendOk(bob, bob.tx.registry.registerNode(farmId, capacity, 'http://127.0.0.1:1', new Uint8Array(32).fill(5)), pair);
    const nodeId = eventData(node.events, bob.events.registry.NodeRegistered).nodeId.toNumber();
    return { twinId, farmId, nodeId };
  };

  fx.stop = () => net.stopAll();

  try {
    // Alice first: the others find each other through her.
    await net.start('alice');
    await Promise.all(GENESIS_VALIDATORS.slice(1).map((name) => net.start(name)));
  } catch (err) {
    await net.stopAll();
    throw err;
  }
  return fx;
}
