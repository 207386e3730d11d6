// Farmers run the chain: a local network of four validators (Alice, Bob, Charlie, Dave; real
// libp2p, Aura and GRANDPA, each node its own process and base path) survives the faults
// GRANDPA allows and serves a full node that syncs from genesis. The steps run in order on one
// network: each starts from what the previous left. (validators-admission.test.js admits and
// removes a fifth validator on a network of its own, side by side with this file.)
//
// Figures (printed at the end, written down in docs/validator.md): blocks produced and
// finalized per minute with four validators, slots missed while one is down, how long the
// killed validator takes to catch up, how long finality takes to resume after two were down
// and one came back, and how long a full node takes to sync.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { eventData, sendOk } from './lib/chain.js';
import { bestAtLeast, finalizedAtLeast, GENESIS_VALIDATORS, heads, slotOf } from './lib/network.js';
import { GIB, startValidatorsSetting, TFT } from './lib/validators-setting.js';
import { createNodeContractTx } from './lib/zos.js';

describe('a network of four validators', { timeout: 600_000 }, () => {
  const figures = {};
  let fx;
  let agreementId;

  const api = (name) => fx.api(name);
  const hashes = (...args) => fx.hashes(...args);

  before(async () => {
    fx = await startValidatorsSetting();
  });

  after(async () => {
    await fx?.stop();
    console.log(`validator figures: ${JSON.stringify(figures)}`);
  });

  it('four validators produce and finalize blocks, and an agreement made through one node is seen on all', async () => {
    const first = await finalizedAtLeast(api('alice'), 1, { what: 'the first finalized block' });
    const startedAt = Date.now();
    const firstSlot = await slotOf(api('alice'), await api('alice').rpc.chain.getBlockHash(first.best));
    for (const name of GENESIS_VALIDATORS) {
      const health = await api(name).rpc.system.health();
      assert.equal(health.peers.toNumber(), 3, `${name} is connected to the three others`);
    }

    // Eve, a farmer, registers a farm and a node through Bob's node; Ferdie, a user, makes an
    // agreement on it through Charlie's.
    const eve = fx.keyring.addFromUri('//Eve');
    const ferdie = fx.keyring.addFromUri('//Ferdie');
    const charlie = api('charlie');
    const [{ nodeId }, ferdieTwin] = await Promise.all([
      fx.makeFarmer(eve, 'eve-farm'),
      sendOk(charlie, charlie.tx.registry.registerTwin(), ferdie)
        .then((made) => eventData(made.events, charlie.events.registry.TwinRegistered).twinId.toNumber()),
    ]);
    const volume = { name: 'net_vol', size: GIB, metadata: '{"v":1}', description: 'on four validators' };
    const { tx } = createNodeContractTx(charlie, {
      nodeId, signer: ferdie, twinId: ferdieTwin, workloads: [volume], metadata: 'm', description: 'd', deposit: 10n * TFT,
    });
    const made = await sendOk(charlie, tx, ferdie);
    agreementId = eventData(made.events, charlie.events.smartContract.ContractCreated).contractId.toNumber();
    const madeIn = (await charlie.rpc.chain.getHeader(made.blockHash)).number.toNumber();
    for (const name of GENESIS_VALIDATORS) {
      await finalizedAtLeast(api(name), madeIn, { what: `${name} finalizing the agreement's block` });
      const seen = await api(name).query.smartContract.contracts(agreementId);
      assert.ok(seen.isSome, `${name} has agreement ${agreementId}`);
      assert.equal(seen.unwrap().nodeId.toNumber(), nodeId);
    }

    // The pace of four validators over this step: blocks per slot (a slot is 6 s, ten a
    // minute), and blocks finalized per minute of wall time.
    const last = await heads(api('alice'));
    const lastSlot = await slotOf(api('alice'), await api('alice').rpc.chain.getBlockHash(last.best));
    const minutes = (Date.now() - startedAt) / 60_000;
    figures.fourValidators = {
      slots: lastSlot - firstSlot,
      blocksPerMinute: +((10 * (last.best - first.best)) / (lastSlot - firstSlot)).toFixed(1),
      finalizedPerMinute: +((last.finalized - first.finalized) / minutes).toFixed(1),
    };
    // Allow for a slot missed on a busy machine.
    assert.ok(figures.fourValidators.blocksPerMinute >= 7, JSON.stringify(figures.fourValidators));
    assert.ok(figures.fourValidators.finalizedPerMinute >= 6, JSON.stringify(figures.fourValidators));
  });

  it('one validator killed: the other three go on producing and finalizing; restarted, it catches up and keeps what it had finalized', async () => {
    const before = await heads(api('dave'));
    const daveFinalized = await hashes('dave', 1, before.finalized);
    const killedAt = await heads(api('alice'));
    const killedSlot = await slotOf(api('alice'), await api('alice').rpc.chain.getBlockHash(killedAt.best));
    await fx.net.kill('dave');

    // The other three finalize three more blocks.
    const down = await finalizedAtLeast(api('alice'), killedAt.finalized + 3, { what: 'finality without Dave' });
    const restartSlot = await slotOf(api('alice'), await api('alice').rpc.chain.getBlockHash(down.best));
    figures.slotsWhileOneDown = restartSlot - killedSlot;
    figures.missedSlotsWhileOneDown = figures.slotsWhileOneDown - (down.best - killedAt.best);
    // Dave's slots (a quarter) go empty; the others' are filled.
    assert.ok(figures.missedSlotsWhileOneDown <= Math.ceil(figures.slotsWhileOneDown / 4) + 2,
      `${figures.missedSlotsWhileOneDown} of ${figures.slotsWhileOneDown} slots missed`);

    const restartedAt = Date.now();
    await fx.net.start('dave');
    const target = (await heads(api('alice'))).finalized;
    const caughtUp = await finalizedAtLeast(api('dave'), target, { what: 'Dave catching up' });
    figures.catchUpSeconds = +((Date.now() - restartedAt) / 1000).toFixed(1);
    figures.catchUpBlocks = caughtUp.best - before.best;
    // Nothing Dave had finalized is lost or replaced.
    assert.deepEqual(await hashes('dave', 1, before.finalized), daveFinalized);
    // And it takes part again: the four finalize with it.
    await finalizedAtLeast(api('dave'), caughtUp.finalized + 2, { what: 'Dave finalizing again' });
  });

  it('two of four killed: finality stops, nothing finalized is lost, and it resumes when one comes back', async () => {
    await Promise.all([fx.net.kill('charlie'), fx.net.kill('dave')]);
    const killed = await heads(api('alice'));
    // Votes already cast may finalize a block more; then nothing, while blocks go on.
    await bestAtLeast(api('alice'), killed.best + 1, { what: 'a block more from Alice or Bob' });
    const stalled = await heads(api('alice'));
    await bestAtLeast(api('alice'), stalled.best + 2, { what: 'two more blocks from Alice and Bob' });
    const later = await heads(api('alice'));
    assert.equal(later.finalized, stalled.finalized, 'two of four validators finalized a block');
    assert.ok(later.best >= stalled.best + 2, 'block production stopped');
    const finalized = await hashes('alice', 1, stalled.finalized);
    figures.blocksAheadOfFinality = later.best - later.finalized;

    const restartedAt = Date.now();
    await fx.net.start('charlie');
    await finalizedAtLeast(api('alice'), stalled.finalized + 1, { timeoutMs: 180_000, what: 'finality resuming' });
    figures.finalityResumeSeconds = +((Date.now() - restartedAt) / 1000).toFixed(1);
    // Everything finalized before the stall is still there, on every running node.
    for (const name of ['alice', 'bob', 'charlie']) {
      assert.deepEqual(await hashes(name, 1, stalled.finalized), finalized, `${name}'s finalized chain`);
    }
  });

  it('a full node syncs from genesis and serves RPC', async () => {
    const target = await heads(api('alice'));
    const startedAt = Date.now();
    const full = await fx.net.start('ferdie', { devKeys: false, validator: false });
    const rpcAt = Date.now();
    await finalizedAtLeast(full.api, target.finalized, { what: 'the full node syncing' });
    figures.fullNodeSync = {
      blocks: target.finalized,
      seconds: +((Date.now() - startedAt) / 1000).toFixed(1),
      secondsAfterRpc: +((Date.now() - rpcAt) / 1000).toFixed(1),
    };
    assert.equal((await full.api.rpc.system.nodeRoles()).map(String).join(), 'Full');
    assert.deepEqual(await hashes('ferdie', 1, target.finalized), await hashes('alice', 1, target.finalized));
    const agreement = await full.api.query.smartContract.contracts(agreementId);
    assert.ok(agreement.isSome, 'the full node serves the agreement');
  });
});
