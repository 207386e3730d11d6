// Farmers run the chain: a local network of four validators (Alice, Bob, Charlie, Dave; real
// libp2p, Aura and GRANDPA, each node its own process and base path) survives the faults
// GRANDPA allows, admits a fifth validator, a farmer, by the council's vote and removes it
// again, and serves a full node that syncs from genesis. The steps run in order on one network:
// each starts from what the previous left.
//
// Figures (printed at the end, written down in docs/validator.md): blocks produced and
// finalized per minute with four validators, slots missed while one is down, how long the
// killed validator takes to catch up, how long finality takes to resume after two were down
// and one came back, sessions from admission to the first block, and how long a full node takes
// to sync.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';

import { decodeDispatchError, eventData, sendOk } from './lib/chain.js';
import { circleVoting, devCouncil } from './lib/council.js';
import { bestAtLeast, finalizedAtLeast, GENESIS_VALIDATORS, heads, localNetwork, slotOf } from './lib/network.js';
import { waitFor } from './lib/node.js';
import { createNodeContractTx } from './lib/zos.js';

const TFT = 10_000_000n;
const GIB = 1024n ** 3n;
const SLOT_MS = 6_000;
const SESSION_LENGTH = 5; // blocks: the local_testnet preset's
const COUNCIL = 1; // the genesis council, which also admits validators

describe('a network of farmer validators', { timeout: 900_000 }, () => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const figures = {};
  let net;
  let voting;
  let eve; // the fifth farmer
  let eveKeys; // her session keys, as her node generated them
  let agreementId;
  let fullNodeSynced; // the full node's sync, started while Eve is admitted

  const api = (name) => net.node(name).api;

  /** The canonical hashes of blocks `from..=to` as `name`'s node has them. */
  const hashes = (name, from, to) => Promise.all(
    Array.from({ length: to - from + 1 }, (_, i) => api(name).rpc.chain.getBlockHash(from + i).then(String)),
  );

  /**
   * Eve, a farmer, starts her validator node, has it generate her session keys (the proof says
   * her account holds them), registers them and applies.
   */
  async function eveApplies() {
    const alice = api('alice');
    const eveNode = await net.start('eve', { devKeys: false, validator: true });
    const owner = u8aToHex(decodeAddress(eve.address));
    const generated = await eveNode.provider.send('author_rotateKeysWithOwner', [owner]);
    eveKeys = generated.keys;
    await sendOk(alice, alice.tx.session.setKeys(generated.keys, generated.proof), eve);
    await sendOk(alice, alice.tx.validators.apply(), eve);
    assert.ok((await alice.query.validators.applications(eve.address)).isSome);
  }

  before(async () => {
    await cryptoWaitReady();
    net = localNetwork();
    // Alice first: the others find each other through her.
    await net.start('alice');
    await Promise.all(GENESIS_VALIDATORS.slice(1).map((name) => net.start(name)));
    voting = await circleVoting(api('alice'));
    eve = keyring.addFromUri('//Eve');
  });

  after(async () => {
    voting?.unsubscribe();
    await net?.stopAll();
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

    // Eve, a farmer: her twin, a farm, a node; and Ferdie, a user, with a twin. Through Bob.
    const ferdie = keyring.addFromUri('//Ferdie');
    const bob = api('bob');
    const [eveTwin, ferdieTwin] = await Promise.all([eve, ferdie].map(async (who) => {
      const made = await sendOk(bob, bob.tx.registry.registerTwin(), who);
      return eventData(made.events, bob.events.registry.TwinRegistered).twinId.toNumber();
    }));
    assert.ok(eveTwin > 0);
    const pricing = { cruPerCoreHour: TFT, mruPerGibHour: TFT, sruPerGibHour: TFT, hruPerGibHour: TFT };
    const farm = await sendOk(bob, bob.tx.registry.createFarm('eve-farm', pricing, eve.address), eve);
    const farmId = eventData(farm.events, bob.events.registry.FarmCreated).farmId.toNumber();
    const capacity = { cru: 4, mru: 8n * GIB, sru: 100n * GIB, hru: 0 };
    const node = await sendOk(bob, bob.tx.registry.registerNode(farmId, capacity, 'http://127.0.0.1:1', new Uint8Array(32).fill(5)), eve);
    const nodeId = eventData(node.events, bob.events.registry.NodeRegistered).nodeId.toNumber();
    // Eve, now a farmer, gets ready to validate meanwhile (the council admits her later).
    const eveReady = eveApplies();

    // Ferdie makes an agreement on Eve's node through Charlie's node.
    const charlie = api('charlie');
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

    await eveReady;

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
    await net.kill('dave');

    // The other three finalize three more blocks.
    const down = await finalizedAtLeast(api('alice'), killedAt.finalized + 3, { what: 'finality without Dave' });
    const restartSlot = await slotOf(api('alice'), await api('alice').rpc.chain.getBlockHash(down.best));
    figures.slotsWhileOneDown = restartSlot - killedSlot;
    figures.missedSlotsWhileOneDown = figures.slotsWhileOneDown - (down.best - killedAt.best);
    // Dave's slots (a quarter) go empty; the others' are filled.
    assert.ok(figures.missedSlotsWhileOneDown <= Math.ceil(figures.slotsWhileOneDown / 4) + 2,
      `${figures.missedSlotsWhileOneDown} of ${figures.slotsWhileOneDown} slots missed`);

    const restartedAt = Date.now();
    await net.start('dave');
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
    await Promise.all([net.kill('charlie'), net.kill('dave')]);
    const killed = await heads(api('alice'));
    // Votes already cast may finalize a block or two more; then nothing, while blocks go on.
    await bestAtLeast(api('alice'), killed.best + 1, { what: 'a block more from Alice or Bob' });
    const stalled = await heads(api('alice'));
    await bestAtLeast(api('alice'), stalled.best + 2, { what: 'two more blocks from Alice and Bob' });
    const later = await heads(api('alice'));
    assert.equal(later.finalized, stalled.finalized, 'two of four validators finalized a block');
    assert.ok(later.best >= stalled.best + 2, 'block production stopped');
    const finalized = await hashes('alice', 1, stalled.finalized);
    figures.blocksAheadOfFinality = later.best - later.finalized;

    const restartedAt = Date.now();
    await net.start('charlie');
    await finalizedAtLeast(api('alice'), stalled.finalized + 1, { timeoutMs: 180_000, what: 'finality resuming' });
    figures.finalityResumeSeconds = +((Date.now() - restartedAt) / 1000).toFixed(1);
    // Everything finalized before the stall is still there, on every running node.
    for (const name of ['alice', 'bob', 'charlie']) {
      assert.deepEqual(await hashes(name, 1, stalled.finalized), finalized, `${name}'s finalized chain`);
    }
    await net.start('dave');
    await finalizedAtLeast(api('dave'), (await heads(api('alice'))).finalized, { what: 'Dave catching up' });
  });

  it('a fifth farmer applies with keys from its node, is admitted by the council, authors within two sessions, and stops once removed', async () => {
    const alice = api('alice');
    // Meanwhile a full node syncs from genesis (the last step checks it).
    fullNodeSynced = fullNodeSyncs();
    // Nobody but the admission circle admits.
    const refused = await sendOk(alice, alice.tx.validators.approve(eve.address), eve).catch((err) => err);
    assert.match(String(refused), /BadOrigin/);

    const council = devCouncil(keyring);
    const approved = await voting.agree(COUNCIL, council, alice.tx.validators.approve(eve.address));
    assert.ok(approved.isOk, `approve failed: ${JSON.stringify(approved.toHuman())}`);
    const approvedSession = (await alice.query.session.currentIndex()).toNumber();
    assert.ok((await alice.query.validators.approved()).map(String).includes(eve.address));

    // Eve's Aura key (the first 32 bytes of her session keys) authors a block.
    const eveAura = eveKeys.slice(0, 66);
    const authorOf = async (hash) => {
      const header = await alice.rpc.chain.getHeader(hash);
      const authorities = await (await alice.at(header.parentHash)).query.aura.authorities();
      const slot = await slotOf(alice, hash);
      return authorities[slot % authorities.length].toHex();
    };
    let firstByEve;
    const checked = new Set();
    await waitFor(async () => {
      const { best } = await heads(alice);
      for (let n = best; n > Math.max(0, best - 6); n -= 1) {
        if (checked.has(n)) continue;
        checked.add(n);
        const hash = await alice.rpc.chain.getBlockHash(n);
        if ((await authorOf(hash)) === eveAura) firstByEve = { n, hash };
      }
      return firstByEve;
    }, { timeoutMs: 4 * SESSION_LENGTH * SLOT_MS + 60_000, intervalMs: 1_000, what: 'a block authored by Eve' });
    const authoredSession = (await (await alice.at(firstByEve.hash)).query.session.currentIndex()).toNumber();
    figures.sessionsToFirstBlock = authoredSession - approvedSession;
    assert.ok(figures.sessionsToFirstBlock <= 2, `first block ${figures.sessionsToFirstBlock} sessions after approval`);
    assert.equal((await alice.query.aura.authorities()).length, 5);

    // With five, the council removes Eve; the set then refuses to go below four.
    const removed = await voting.agree(COUNCIL, council, alice.tx.validators.remove(eve.address));
    assert.ok(removed.isOk, `remove failed: ${JSON.stringify(removed.toHuman())}`);
    const removedSession = (await alice.query.session.currentIndex()).toNumber();
    const tooFew = await voting.agree(COUNCIL, council, alice.tx.validators.remove(keyring.addFromUri('//Dave').address));
    assert.ok(tooFew.isErr);
    assert.equal(decodeDispatchError(alice, tooFew.asErr).name, 'TooFewValidators');

    // Two sessions later the authorities are the four again, and Eve authors nothing more.
    const out = await waitFor(async () => {
      const authorities = await alice.query.aura.authorities();
      return authorities.length === 4 && !authorities.map((a) => a.toHex()).includes(eveAura) && heads(alice);
    }, { timeoutMs: 3 * SESSION_LENGTH * SLOT_MS + 60_000, intervalMs: 1_000, what: 'Eve out of the authorities' });
    const outSession = (await alice.query.session.currentIndex()).toNumber();
    assert.ok(outSession - removedSession <= 2, `out ${outSession - removedSession} sessions after removal`);
    const after = await finalizedAtLeast(alice, out.best + 2, { what: 'finality going on without Eve' });
    for (let n = out.best + 1; n <= after.best; n += 1) {
      assert.notEqual(await authorOf(await alice.rpc.chain.getBlockHash(n)), eveAura, `Eve authored #${n} after removal`);
    }
    await net.kill('eve');
  });

  /** A full node (no keys, not a validator) starts and syncs the finalized chain. */
  async function fullNodeSyncs() {
    const target = await heads(api('alice'));
    const startedAt = Date.now();
    const full = await net.start('ferdie', { devKeys: false, validator: false });
    const rpcAt = Date.now();
    await finalizedAtLeast(full.api, target.finalized, { what: 'the full node syncing' });
    figures.fullNodeSync = {
      blocks: target.finalized,
      seconds: +((Date.now() - startedAt) / 1000).toFixed(1),
      secondsAfterRpc: +((Date.now() - rpcAt) / 1000).toFixed(1),
    };
    return target;
  }

  it('a full node syncs from genesis and serves RPC', async () => {
    const target = await fullNodeSynced;
    const full = net.node('ferdie');
    assert.equal((await full.api.rpc.system.nodeRoles()).map(String).join(), 'Full');
    assert.deepEqual(await hashes('ferdie', 1, target.finalized), await hashes('alice', 1, target.finalized));
    const agreement = await full.api.query.smartContract.contracts(agreementId);
    assert.ok(agreement.isSome, 'the full node serves the agreement');
  });
});
