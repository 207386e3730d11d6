// ZOS deployments driven by the chain: an agreement made through @polkadot/api becomes a
// deployment on a ZOS node (zos-sim, started here) through the farm's off-chain worker with no
// human in between, and a cancelled one is removed. The dev node holds Alice's operator key,
// so the farm made here has Alice as its operator.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { decodeDispatchError, eventData, sendAndFinalize, sendOk } from './lib/chain.js';
import { freePort, startDevNode, waitFor } from './lib/node.js';
import { rmb, startSim } from './lib/sim.js';
import { createNodeContractTx } from './lib/zos.js';

const TFT = 10_000_000n;
const DEPOSIT = 100n * TFT;
const GIB = 1024n ** 3n;
const BLOCK_MS = 6_000;

/** Median of numbers. */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

describe('ZOS deployments driven by the chain', { timeout: 900_000 }, () => {
  let node;
  let api;
  let sim;
  let simPort;
  let stateDir;
  let nodeId;
  let userTwin;
  let farmer;
  let user;
  let alice;
  let eve;
  let farmId;
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  // smartContract events by block number, from every new best block.
  const seen = [];
  let unsubscribe;

  const startTheSim = (extraArgs = []) => startSim({
    port: simPort,
    nodeId,
    chainRpc: node.rpcUrl.replace('ws://', 'http://'),
    stateFile: join(stateDir, 'state.json'),
    sru: 200n * GIB,
    extraArgs,
  });

  /** The first smartContract event `method` about `contractId`, once it happened. */
  const waitForEvent = (method, contractId, timeoutMs = 120_000) => waitFor(
    () => seen.find((e) => e.method === method && e.data.contractId?.toString() === String(contractId)),
    { timeoutMs, what: `${method} for agreement ${contractId}` },
  );

  /** Creates a volume agreement signed by the user; resolves with { contractId, block }. */
  const createVolume = async (name, gib, { nonce, onNode = nodeId } = {}) => {
    const { tx } = createNodeContractTx(api, {
      nodeId: onNode,
      signer: user,
      twinId: userTwin,
      workloads: [{ name, size: gib * GIB, metadata: '', description: 'e2e volume' }],
      metadata: 'zos-e2e',
      description: 'volume',
      deposit: DEPOSIT,
    });
    const result = await new Promise((resolve, reject) => {
      let done;
      tx.signAndSend(user, { nonce: nonce ?? -1 }, ({ status, events, dispatchError }) => {
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

  const contract = async (id) => (await api.query.smartContract.contracts(id)).unwrapOr(null);
  const reservedSru = async () => (await api.query.registry.nodes(nodeId)).unwrap().reserved.sru.toBigInt();

  before(async () => {
    await cryptoWaitReady();
    node = await startDevNode({ prometheus: true });
    api = node.api;
    alice = keyring.addFromUri('//Alice');
    farmer = keyring.addFromUri('//Dave');
    user = keyring.addFromUri('//Ferdie');
    eve = keyring.addFromUri('//Eve');
    unsubscribe = await api.rpc.chain.subscribeNewHeads(async (header) => {
      const events = await (await api.at(header.hash)).query.system.events();
      for (const { event } of events) {
        if (event.section === 'smartContract') {
          const data = {};
          event.meta.fields.forEach((field, i) => { data[field.name.unwrap().toString().replace(/_(\w)/g, (_, c) => c.toUpperCase())] = event.data[i]; });
          seen.push({ block: header.number.toNumber(), method: event.method, data });
        }
      }
    });

    const [userReg] = await Promise.all([
      sendOk(api, api.tx.registry.registerTwin(), user),
      sendOk(api, api.tx.registry.registerTwin(), farmer),
    ]);
    userTwin = eventData(userReg.events, api.events.registry.TwinRegistered).twinId.toNumber();
    const pricing = { cruPerCoreHour: TFT, mruPerGibHour: TFT, sruPerGibHour: TFT, hruPerGibHour: TFT };
    // The dev farm's operator is Alice: the dev node holds her `zos!` key.
    const farm = await sendOk(api, api.tx.registry.createFarm('zos-e2e-farm', pricing, alice.address), farmer);
    farmId = eventData(farm.events, api.events.registry.FarmCreated).farmId;
    // An operator serves a farm only once it accepts.
    await sendOk(api, api.tx.registry.acceptFarmOperator(farmId), alice);
    simPort = await freePort();
    const capacity = { cru: 8, mru: 32n * GIB, sru: 200n * GIB, hru: 0 };
    const registered = await sendOk(api, api.tx.registry.registerNode(farmId, capacity, `http://127.0.0.1:${simPort}/`), farmer);
    nodeId = eventData(registered.events, api.events.registry.NodeRegistered).nodeId.toNumber();
    stateDir = mkdtempSync(join(tmpdir(), 'zos-sim-'));
    sim = await startTheSim();
  });

  after(async () => {
    unsubscribe?.();
    await sim?.stop();
    await node?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('deploys a volume agreement on the node within a few blocks, and bills from that block', async () => {
    const { contractId, block } = await createVolume('vol_a', 2n);
    const deployed = await waitForEvent('ContractDeployed', contractId);
    assert.ok(deployed.block - block <= 5, `deployed ${deployed.block - block} blocks after creation`);
    const stored = await contract(contractId);
    assert.equal(stored.state.type, 'Deployed');
    assert.equal(stored.since.toNumber(), deployed.block);

    const onNode = await rmb(sim.url, 'zos.deployment.get', { contract_id: contractId });
    assert.equal(onNode.contract_id, contractId);
    assert.equal(onNode.twin_id, userTwin);
    const [volume] = onNode.workloads;
    assert.equal(volume.type, 'volume');
    assert.equal(BigInt(volume.data.size), 2n * GIB);
    assert.equal(volume.result.state, 'ok');
    assert.deepEqual(volume.result.data, { id: `${userTwin}-${contractId}-vol_a` });
  });

  it('removes a cancelled agreement from the node, then releases its capacity; the refund is exact', async () => {
    const { contractId } = await createVolume('vol_b', 3n);
    const deployed = await waitForEvent('ContractDeployed', contractId);
    const reservedBefore = await reservedSru();
    const cancelled = await sendOk(api, api.tx.smartContract.cancelContract(contractId), user);
    const cancelledAt = (await api.rpc.chain.getHeader(cancelled.blockHash)).number.toNumber();
    const { refunded } = eventData(cancelled.events, api.events.smartContract.ContractCancelled);
    // 3 GiB at 1 TFT per GiB-hour, per block, since deployment, rounded up to the unit: the
    // rest of the deposit comes back.
    const billedBlocks = BigInt(cancelledAt - deployed.block);
    const cost = (3n * TFT * billedBlocks + 599n) / 600n;
    assert.equal(refunded.toBigInt(), DEPOSIT - cost, 'the refund is the unspent escrow to the unit');

    await waitForEvent('ContractDeleted', contractId);
    assert.equal(await contract(contractId), null);
    assert.equal(await reservedSru(), reservedBefore - 3n * GIB);
    const onNode = await rmb(sim.url, 'zos.deployment.get', { contract_id: contractId });
    assert.equal(onNode.workloads[0].result.state, 'deleted');
  });

  it('reports a deployment the node fails as Failed with its message, and refunds it in full', async () => {
    await sim.faults({ fail_next: 1 });
    const { contractId } = await createVolume('vol_c', 1n);
    const failed = await waitForEvent('ContractFailed', contractId);
    assert.match(Buffer.from(failed.data.reason.toU8a(true)).toString('utf8'), /injected failure/);
    assert.equal(failed.data.refunded.toBigInt(), DEPOSIT);
    assert.equal(await contract(contractId), null);
  });

  it('deploys exactly once an agreement made while the node was unreachable', async () => {
    await sim.faults({ refuse_for_secs: 20 });
    const { contractId, block } = await createVolume('vol_d', 1n);
    // While the node refuses connections the agreement waits, it does not fail.
    await new Promise((resolve) => setTimeout(resolve, 3 * BLOCK_MS));
    assert.equal((await contract(contractId)).state.type, 'Created');
    const deployed = await waitForEvent('ContractDeployed', contractId, 180_000);
    assert.ok(deployed.block > block);
    const history = await rmb(sim.url, 'zos.deployment.changes', { contract_id: contractId });
    assert.equal(history.filter((w) => w.result.state === 'ok').length, 1, 'deployed more than once');
  });

  it('loses and duplicates nothing when the node restarts mid-way', async () => {
    const { contractId: first } = await createVolume('vol_e', 1n);
    await waitForEvent('ContractDeployed', first);
    await sim.stop();
    const { contractId: second } = await createVolume('vol_f', 1n);
    await new Promise((resolve) => setTimeout(resolve, 2 * BLOCK_MS));
    sim = await startTheSim();
    await waitForEvent('ContractDeployed', second, 180_000);
    for (const id of [first, second]) {
      const history = await rmb(sim.url, 'zos.deployment.changes', { contract_id: id });
      assert.equal(history.length, 1, `agreement ${id} has ${history.length} changes`);
      assert.equal(history[0].result.state, 'ok');
    }
    const live = await Promise.all(
      (await api.query.smartContract.contracts.entries()).map(async ([, c]) => c.unwrap().state.type),
    );
    const stats = await rmb(sim.url, 'zos.statistics.get');
    assert.equal(stats.users.deployments, live.filter((s) => s === 'Deployed').length);
  });

  it('keeps serving other nodes while one trickles its answer and another streams forever', async () => {
    // Hostile ZOS endpoints: one answers 200 and then a byte every 2 seconds, one answers 200
    // and streams forever.
    const hostile = [];
    const serve = (handler) => new Promise((resolve) => {
      const server = createServer(handler);
      hostile.push(server);
      server.listen(0, '127.0.0.1', () => resolve(server.address().port));
    });
    const trickle = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 2_000);
      res.on('close', () => clearInterval(timer));
    });
    const flood = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => { while (res.write(chunk)); };
      res.on('drain', pump);
      pump();
    });
    try {
      const capacity = { cru: 8, mru: 32n * GIB, sru: 200n * GIB, hru: 0 };
      const hostileNodes = [];
      for (const port of [trickle, flood]) {
        const registered = await sendOk(api, api.tx.registry.registerNode(farmId, capacity, `http://127.0.0.1:${port}/`), farmer);
        hostileNodes.push(eventData(registered.events, api.events.registry.NodeRegistered).nodeId.toNumber());
      }
      const stuck = [];
      for (const [i, onNode] of hostileNodes.entries()) {
        stuck.push((await createVolume(`hostile_${i}`, 1n, { onNode })).contractId);
      }
      // The worker is busy with the hostile nodes, yet an agreement on the honest node is
      // deployed as fast as ever.
      const { contractId, block } = await createVolume('vol_h', 1n);
      const deployed = await waitForEvent('ContractDeployed', contractId);
      assert.ok(deployed.block - block <= 5, `deployed ${deployed.block - block} blocks after creation`);
      // Each attempt at a hostile node ends (the whole answer has a deadline and a size cap)
      // and is counted in the worker's progress, which the node keeps in its off-chain
      // storage: `gridchain/zos/progress/` + contract id (u64 LE) + action (Deploy = 0).
      const attempts = async (id) => {
        const key = Buffer.concat([
          Buffer.from('gridchain/zos/progress/'),
          Buffer.from(new BigUint64Array([BigInt(id)]).buffer),
          Buffer.from([0]),
        ]);
        const stored = await api.rpc.offchain.localStorageGet('PERSISTENT', `0x${key.toString('hex')}`);
        return stored.isSome ? Buffer.from(stored.unwrap().toU8a(true)).readUInt32LE(0) : 0;
      };
      for (const id of stuck) {
        await waitFor(async () => (await attempts(id)) >= 2, { timeoutMs: 60_000, what: `two finished attempts at ${id}` });
      }
      // The hostile ones are neither deployed nor failed: they wait (and expire after an hour).
      for (const id of stuck) {
        assert.equal((await contract(id)).state.type, 'Created');
      }
      // The worker's state is on the node's Prometheus endpoint.
      const metrics = await (await fetch(node.metricsUrl)).text();
      const value = (name) => Number(metrics.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm'))?.[1]);
      assert.ok(value('gridchain_zos_worker_runs_total') > 0, metrics);
      assert.ok(value('gridchain_zos_worker_failed_attempts_total') >= 4);
      assert.ok(value('gridchain_zos_worker_reports_sent_total') >= 1);
      const pending = Number(metrics.match(new RegExp(`^gridchain_zos_worker_pending_actions\\{[^}]*farm="${farmId}"[^}]*\\} (\\d+)`, 'm'))?.[1]);
      assert.ok(pending >= 2, `pending actions of farm ${farmId}: ${pending}`);
    } finally {
      for (const server of hostile) server.closeAllConnections?.();
      await Promise.all(hostile.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it('rejects a deployment report signed by anyone but the farm operator', async () => {
    const { contractId } = await createVolume('vol_g', 1n);
    const { dispatchError } = await sendAndFinalize(api, api.tx.smartContract.reportDeployment(contractId, 'Deployed'), eve, { inBlock: true });
    assert.ok(dispatchError);
    assert.equal(decodeDispatchError(api, dispatchError).name, 'NotFarmOperator');
    await waitForEvent('ContractDeployed', contractId);
  });

  it('measures blocks to Deployed and to Deleted over 20 agreements', async () => {
    const base = (await api.rpc.system.accountNextIndex(user.address)).toNumber();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createVolume(`m${i}`, 1n, { nonce: base + i })),
    );
    const toDeployed = [];
    for (const { contractId, block } of created) {
      toDeployed.push((await waitForEvent('ContractDeployed', contractId, 300_000)).block - block);
    }
    const reportsPerBlock = {};
    for (const { contractId } of created) {
      const { block } = seen.find((e) => e.method === 'ContractDeployed' && e.data.contractId.toNumber() === contractId);
      reportsPerBlock[block] = (reportsPerBlock[block] ?? 0) + 1;
    }

    const cancelBase = (await api.rpc.system.accountNextIndex(user.address)).toNumber();
    const cancels = await Promise.all(created.map(({ contractId }, i) => new Promise((resolve, reject) => {
      let done;
      api.tx.smartContract.cancelContract(contractId).signAndSend(user, { nonce: cancelBase + i }, ({ status }) => {
        if (status.isInvalid || status.isDropped) reject(new Error(`cancel ${status.type}`));
        if (status.isInBlock) {
          done?.();
          api.rpc.chain.getHeader(status.asInBlock).then((h) => resolve({ contractId, block: h.number.toNumber() }), reject);
        }
      }).then((unsub) => { done = unsub; }, reject);
    })));
    const toDeleted = [];
    for (const { contractId, block } of cancels) {
      toDeleted.push((await waitForEvent('ContractDeleted', contractId, 300_000)).block - block);
    }
    const figures = {
      medianBlocksToDeployed: median(toDeployed),
      medianBlocksToDeleted: median(toDeleted),
      mostDeploymentsReportedInOneBlock: Math.max(...Object.values(reportsPerBlock)),
      toDeployed,
      toDeleted,
    };
    console.log(`ZOS figures: ${JSON.stringify(figures)}`);
    assert.ok(figures.medianBlocksToDeployed <= 5, JSON.stringify(figures));
    assert.ok(figures.medianBlocksToDeleted <= 5, JSON.stringify(figures));
  });
});
