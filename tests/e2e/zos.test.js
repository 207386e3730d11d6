// ZOS deployments driven by the chain: an agreement made through @polkadot/api becomes a
// deployment on a ZOS node (zos-sim, started here) through the farm's off-chain worker with no
// human in between, and a cancelled one is removed. The dev node holds Alice's operator key,
// so the farm made here has Alice as its operator. (The node's faults are in
// zos-faults.test.js, which runs beside this file.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import { decodeDispatchError, eventData, sendAndFinalize, sendOk } from './lib/chain.js';
import { DEPOSIT, GIB, TFT, median, startZosSetting } from './lib/zos-setting.js';

describe('ZOS deployments driven by the chain', { timeout: 900_000 }, () => {
  let fx;

  before(async () => {
    fx = await startZosSetting();
  });

  after(async () => {
    await fx?.stop();
  });

  it('deploys a volume agreement on the node within a few blocks, and bills from that block', async () => {
    const { contractId, block } = await fx.createVolume('vol_a', 2n);
    const deployed = await fx.waitForEvent('ContractDeployed', contractId);
    assert.ok(deployed.block - block <= 5, `deployed ${deployed.block - block} blocks after creation`);
    const stored = await fx.contract(contractId);
    assert.equal(stored.state.type, 'Deployed');
    assert.equal(stored.since.toNumber(), deployed.block);

    const onNode = await fx.rmb('zos.deployment.get', { contract_id: contractId });
    assert.equal(onNode.contract_id, contractId);
    assert.equal(onNode.twin_id, fx.userTwin);
    const [volume] = onNode.workloads;
    assert.equal(volume.type, 'volume');
    assert.equal(BigInt(volume.data.size), 2n * GIB);
    assert.equal(volume.result.state, 'ok');
    assert.deepEqual(volume.result.data, { id: `${fx.userTwin}-${contractId}-vol_a` });
  });

  it('removes a cancelled agreement from the node, then releases its capacity; the refund is exact', async () => {
    const { contractId } = await fx.createVolume('vol_b', 3n);
    const deployed = await fx.waitForEvent('ContractDeployed', contractId);
    const reservedBefore = await fx.reservedSru();
    const cancelled = await sendOk(fx.api, fx.api.tx.smartContract.cancelContract(contractId), fx.user);
    const cancelledAt = (await fx.api.rpc.chain.getHeader(cancelled.blockHash)).number.toNumber();
    const { refunded } = eventData(cancelled.events, fx.api.events.smartContract.ContractCancelled);
    // 3 GiB at 1 TFT per GiB-hour, per block, since deployment, rounded up to the unit: the
    // rest of the deposit comes back.
    const billedBlocks = BigInt(cancelledAt - deployed.block);
    const cost = (3n * TFT * billedBlocks + 599n) / 600n;
    assert.equal(refunded.toBigInt(), DEPOSIT - cost, 'the refund is the unspent escrow to the unit');

    await fx.waitForEvent('ContractDeleted', contractId);
    assert.equal(await fx.contract(contractId), null);
    assert.equal(await fx.reservedSru(), reservedBefore - 3n * GIB);
    const onNode = await fx.rmb('zos.deployment.get', { contract_id: contractId });
    assert.equal(onNode.workloads[0].result.state, 'deleted');
  });

  it('reports a deployment the node fails as Failed with its message, and refunds it in full', async () => {
    await fx.sim.faults({ fail_next: 1 });
    const { contractId } = await fx.createVolume('vol_c', 1n);
    const failed = await fx.waitForEvent('ContractFailed', contractId);
    assert.match(Buffer.from(failed.data.reason.toU8a(true)).toString('utf8'), /injected failure/);
    assert.equal(failed.data.refunded.toBigInt(), DEPOSIT);
    assert.equal(await fx.contract(contractId), null);
  });

  it('answers only the farm operator, and signs every reply with the node key registered on chain', async () => {
    // What the simulated node reads from the chain: its key and its farm's operator.
    const node = (await fx.api.query.registry.nodes(fx.nodeId)).unwrap();
    assert.equal(node.publicKey.toHex(), u8aToHex(fx.nodeKey.publicKey));
    const operator = await fx.api.call.zosApi.nodeOperator(fx.nodeId);
    assert.equal(operator.unwrap().toHex(), u8aToHex(fx.alice.publicKey));
    // Signed by the operator (here, by this file's own implementation of docs/zos.md), the
    // request is answered, and the reply's signature checks out against the node's key.
    const version = await fx.rmb('zos.system.version');
    assert.match(version.zos, /simulator/);
    // Signed by anyone else: refused.
    await assert.rejects(fx.rmb('zos.system.version', null, { signer: fx.eve }), (error) => error.code === 401);
    await assert.rejects(fx.rmb('zos.deployment.list', null, { signer: fx.farmer }), (error) => error.code === 401);
  });

  it('rejects a deployment report signed by anyone but the farm operator', async () => {
    const { contractId } = await fx.createVolume('vol_g', 1n);
    const { dispatchError } = await sendAndFinalize(fx.api, fx.api.tx.smartContract.reportDeployment(contractId, 'Deployed'), fx.eve, { inBlock: true });
    assert.ok(dispatchError);
    assert.equal(decodeDispatchError(fx.api, dispatchError).name, 'NotFarmOperator');
    await fx.waitForEvent('ContractDeployed', contractId);
  });

  it('measures blocks to Deployed and to Deleted over 20 agreements', async () => {
    const base = (await fx.api.rpc.system.accountNextIndex(fx.user.address)).toNumber();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fx.createVolume(`m${i}`, 1n, { nonce: base + i })),
    );
    const toDeployed = [];
    for (const { contractId, block } of created) {
      toDeployed.push((await fx.waitForEvent('ContractDeployed', contractId, 300_000)).block - block);
    }
    const reportsPerBlock = {};
    for (const { contractId } of created) {
      const { block } = fx.seen.find((e) => e.method === 'ContractDeployed' && e.data.contractId.toNumber() === contractId);
      reportsPerBlock[block] = (reportsPerBlock[block] ?? 0) + 1;
    }

    const cancelBase = (await fx.api.rpc.system.accountNextIndex(fx.user.address)).toNumber();
    const cancels = await Promise.all(created.map(({ contractId }, i) => new Promise((resolve, reject) => {
      let done;
      fx.api.tx.smartContract.cancelContract(contractId).signAndSend(fx.user, { nonce: cancelBase + i }, ({ status }) => {
        if (status.isInvalid || status.isDropped) reject(new Error(`cancel ${status.type}`));
        if (status.isInBlock) {
          done?.();
          fx.api.rpc.chain.getHeader(status.asInBlock).then((h) => resolve({ contractId, block: h.number.toNumber() }), reject);
        }
      }).then((unsub) => { done = unsub; }, reject);
    })));
    const toDeleted = [];
    for (const { contractId, block } of cancels) {
      toDeleted.push((await fx.waitForEvent('ContractDeleted', contractId, 300_000)).block - block);
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
