// The setting of the agreement end-to-end tests: a dev node, a user and a farmer with twins, a
// farm whose operator (Eve) consented, and one node; with helpers that make agreements signed
// over the ZOS challenge hash computed here, and that check a refused request changed nothing
// but the fee. Each test file starts its own, so the files run side by side.

import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { decodeDispatchError, eventData, feePaid, freeBalance, sendAndFinalize, sendOk } from './chain.js';
import { startDevNode } from './node.js';
import { createNodeContractTx } from './zos.js';

export const TFT = 10_000_000n;
export const GIB = 1024n ** 3n;
export const BLOCKS_PER_HOUR = 600n;
export const SRU_PRICE = 2n * TFT; // per GiB per hour

/**
 * Starts the setting. Returns an object with `node`, `api`, `keyring`, the keys `user`,
 * `farmer`, `operator`, the ids `userTwin`, `farmId`, `nodeId`, and `heldDeposit(address, at)`,
 * `escrowOf(contractId)`, `volume(name, gib)`, `agreement(signer, twinId, workloads, options)`,
 * `expectFailure(tx, signer)`, `stop()`.
 */
export async function startAgreementSetting() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const node = await startDevNode();
  const { api } = node;
  const fx = {
    node,
    api,
    keyring,
    user: keyring.addFromUri('//Charlie'),
    farmer: keyring.addFromUri('//Dave'),
    operator: keyring.addFromUri('//Eve'),
  };

  /** The storage deposits held for the account's agreements. */
  fx.heldDeposit = async (address, at) => {
    const api2 = at ? await api.at(at) : api;
    const holds = await api2.query.balances.holds(address);
    return holds
      .filter((h) => h.id.isSmartContract && h.id.asSmartContract.isAgreementDeposit)
      .reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
  };

  /** What the chain says an agreement's escrow is now. */
  fx.escrowOf = async (contractId) => (await api.call.smartContractApi.escrow(contractId)).unwrap();

  fx.volume = (name, gib) => ({ name, size: gib * GIB, metadata: '{"v":1}', description: 'e2e volume' });

  /** The agreement's arguments with the user's signature over our own challenge hash. */
  fx.agreement = (signer, twinId, workloads, { deposit, style = '' } = {}) => createNodeContractTx(api, {
    nodeId: fx.nodeId, signer, twinId, workloads, metadata: 'e2e-meta', description: 'e2e-desc', deposit, style,
  });

  /** Submits a request that must fail; returns the decoded error after checking nothing moved
   * but the fee. */
  fx.expectFailure = async (tx, signer) => {
    const nextId = (await api.query.smartContract.nextContractId()).toBigInt();
    const reservedSru = async () => (await api.query.registry.nodes(fx.nodeId)).unwrap().reserved.sru.toBigInt();
    const reserved = await reservedSru();
    const { blockHash, events, dispatchError } = await sendAndFinalize(api, tx, signer, { inBlock: true });
    assert.ok(dispatchError, 'the request succeeded');
    const parent = (await api.rpc.chain.getHeader(blockHash)).parentHash;
    assert.equal(
      (await freeBalance(api, signer.address, parent)) - (await freeBalance(api, signer.address, blockHash)),
      feePaid(api, events),
      'the signer lost more than the fee',
    );
    assert.equal(await fx.heldDeposit(signer.address, blockHash), await fx.heldDeposit(signer.address, parent));
    assert.equal((await api.query.smartContract.nextContractId()).toBigInt(), nextId, 'an agreement was made');
    assert.equal(await reservedSru(), reserved);
    return decodeDispatchError(api, dispatchError);
  };

  fx.stop = () => node.stop();

  const [userReg, farmerReg] = await Promise.all([
    sendOk(api, api.tx.registry.registerTwin(), fx.user),
    sendOk(api, api.tx.registry.registerTwin(), fx.farmer),
  ]);
  fx.userTwin = eventData(userReg.events, api.events.registry.TwinRegistered).twinId.toNumber();
  assert.ok(eventData(farmerReg.events, api.events.registry.TwinRegistered).twinId.toNumber() > 0);

  const pricing = { cruPerCoreHour: 3n * TFT, mruPerGibHour: TFT, sruPerGibHour: SRU_PRICE, hruPerGibHour: TFT / 10n };
  const farm = await sendOk(api, api.tx.registry.createFarm('e2e-farm', pricing, fx.operator.address), fx.farmer);
  fx.farmId = eventData(farm.events, api.events.registry.FarmCreated).farmId.toNumber();
  // Eve was only offered the role: she serves the farm once she accepts.
  assert.equal((await api.query.registry.farms(fx.farmId)).unwrap().operator.isNone, true);
  await sendOk(api, api.tx.registry.acceptFarmOperator(fx.farmId), fx.operator);
  assert.equal((await api.query.registry.farms(fx.farmId)).unwrap().operator.unwrap().toString(), fx.operator.address);
  const capacity = { cru: 8, mru: 32n * GIB, sru: 100n * GIB, hru: 0 };
  // No ZOS node answers here (the operator reports by hand): any key will do.
  const registered = await sendOk(api, api.tx.registry.registerNode(fx.farmId, capacity, 'http://127.0.0.1:1', new Uint8Array(32).fill(7)), fx.farmer);
  fx.nodeId = eventData(registered.events, api.events.registry.NodeRegistered).nodeId.toNumber();
  return fx;
}
