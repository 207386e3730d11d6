// ZOS nodes that fail: unreachable, restarted mid-way, trickling or flooding their answers.
// The farm's off-chain worker keeps every agreement safe (nothing deployed twice, nothing
// failed that may run) and keeps serving the other nodes; its state is on the node's
// Prometheus endpoint. Runs beside zos.test.js, with its own node and simulator.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { eventData, sendOk } from './lib/chain.js';
import { waitFor } from './lib/node.js';
import { BLOCK_MS, GIB, startZosSetting } from './lib/zos-setting.js';

describe('ZOS nodes that fail', { timeout: 900_000 }, () => {
  let fx;

  before(async () => {
    fx = await startZosSetting({ prometheus: true });
  });

  after(async () => {
    await fx?.stop();
  });

  it('deploys exactly once an agreement made while the node was unreachable', async () => {
    await fx.sim.faults({ refuse_for_secs: 20 });
    const { contractId, block } = await fx.createVolume('vol_d', 1n);
    // While the node refuses connections the agreement waits, it does not fail.
    await new Promise((resolve) => setTimeout(resolve, 3 * BLOCK_MS));
    assert.equal((await fx.contract(contractId)).state.type, 'Created');
    const deployed = await fx.waitForEvent('ContractDeployed', contractId, 180_000);
    assert.ok(deployed.block > block);
    const history = await fx.rmb('zos.deployment.changes', { contract_id: contractId });
    assert.equal(history.filter((w) => w.result.state === 'ok').length, 1, 'deployed more than once');
  });

  it('loses and duplicates nothing when the node restarts mid-way', async () => {
    const { contractId: first } = await fx.createVolume('vol_e', 1n);
    await fx.waitForEvent('ContractDeployed', first);
    await fx.sim.stop();
    const { contractId: second } = await fx.createVolume('vol_f', 1n);
    await new Promise((resolve) => setTimeout(resolve, 2 * BLOCK_MS));
    await fx.startSim();
    await fx.waitForEvent('ContractDeployed', second, 180_000);
    for (const id of [first, second]) {
      const history = await fx.rmb('zos.deployment.changes', { contract_id: id });
      assert.equal(history.length, 1, `agreement ${id} has ${history.length} changes`);
      assert.equal(history[0].result.state, 'ok');
    }
    const live = await Promise.all(
      (await fx.api.query.smartContract.contracts.entries()).map(async ([, c]) => c.unwrap().state.type),
    );
    const stats = await fx.rmb('zos.statistics.get');
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
        const registered = await sendOk(fx.api, fx.api.tx.registry.registerNode(fx.farmId, capacity, `http://127.0.0.1:${port}/`, fx.nodeKey.publicKey), fx.farmer);
        hostileNodes.push(eventData(registered.events, fx.api.events.registry.NodeRegistered).nodeId.toNumber());
      }
      const stuck = [];
      for (const [i, onNode] of hostileNodes.entries()) {
        stuck.push((await fx.createVolume(`hostile_${i}`, 1n, { onNode })).contractId);
      }
      // The worker is busy with the hostile nodes, yet an agreement on the honest node is
      // deployed as fast as ever.
      const { contractId, block } = await fx.createVolume('vol_h', 1n);
      const deployed = await fx.waitForEvent('ContractDeployed', contractId);
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
        const stored = await fx.api.rpc.offchain.localStorageGet('PERSISTENT', `0x${key.toString('hex')}`);
        return stored.isSome ? Buffer.from(stored.unwrap().toU8a(true)).readUInt32LE(0) : 0;
      };
      for (const id of stuck) {
        await waitFor(async () => (await attempts(id)) >= 2, { timeoutMs: 60_000, what: `two finished attempts at ${id}` });
      }
      // The hostile ones are neither deployed nor failed: they wait (and expire after an hour).
      for (const id of stuck) {
        assert.equal((await fx.contract(id)).state.type, 'Created');
      }
      // The worker's state is on the node's Prometheus endpoint.
      const metrics = await (await fetch(fx.node.metricsUrl)).text();
      const value = (name) => Number(metrics.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm'))?.[1]);
      assert.ok(value('gridchain_zos_worker_runs_total') > 0, metrics);
      assert.ok(value('gridchain_zos_worker_failed_attempts_total') >= 4);
      assert.ok(value('gridchain_zos_worker_reports_sent_total') >= 1);
      const pending = Number(metrics.match(new RegExp(`^gridchain_zos_worker_pending_actions\\{[^}]*farm="${fx.farmId}"[^}]*\\} (\\d+)`, 'm'))?.[1]);
      assert.ok(pending >= 2, `pending actions of farm ${fx.farmId}: ${pending}`);
    } finally {
      for (const server of hostile) server.closeAllConnections?.();
      await Promise.all(hostile.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });
});
