// A farmer joins the validators: on a local network of the four genesis validators (Alice,
// Bob, Charlie, Dave), Eve registers a farm and a node, runs a fifth validator node, gets
// session keys from it, sets them and applies; the council (the genesis admission circle)
// approves her, her node authors blocks within two sessions; the council removes her, she
// stops authoring within two sessions and finality goes on; the set refuses to go below its
// minimum of four. Real processes, libp2p, Aura and GRANDPA, through @polkadot/api.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';

import { decodeDispatchError, sendOk } from './lib/chain.js';
import { circleVoting, devCouncil } from './lib/council.js';
import { finalizedAtLeast, heads, slotOf } from './lib/network.js';
import { waitFor } from './lib/node.js';
import { SESSION_LENGTH, SLOT_MS, startValidatorsSetting } from './lib/validators-setting.js';

const COUNCIL = 1; // the genesis council, which also admits validators

describe('a farmer admitted as a validator and removed again', { timeout: 600_000 }, () => {
  const figures = {};
  let fx;
  let voting;
  let alice; // Alice's node's api: where the test submits and reads
  let eve; // the farmer
  let eveAura; // her Aura key (hex), as her node generated it

  before(async () => {
    fx = await startValidatorsSetting();
    alice = fx.api('alice');
    voting = await circleVoting(alice);
    eve = fx.keyring.addFromUri('//Eve');
  });

  after(async () => {
    voting?.unsubscribe();
    await fx?.stop();
    console.log(`validator admission figures: ${JSON.stringify(figures)}`);
  });

  /** What Eve has on hold for the reason `pallet`.`reason` (e.g. 'isSession', 'isKeys'). */
  async function held(pallet, reason) {
    const holds = await alice.query.balances.holds(eve.address);
    const asPallet = `as${pallet.slice(2)}`;
    return holds.filter((h) => h.id[pallet] && h.id[asPallet][reason])
      .reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
  }

  /** What Eve has on hold for an application. */
  const applicationHold = () => held('isValidators', 'isApplication');

  /** The validator whose Aura key authored block `hash`: its slot's authority then. */
  async function authorOf(hash) {
    const header = await alice.rpc.chain.getHeader(hash);
    const authorities = await (await alice.at(header.parentHash)).query.aura.authorities();
    const slot = await slotOf(alice, hash);
    return authorities[slot % authorities.length].toHex();
  }

  it('a farmer applies with session keys from its own node; only the admission circle approves', async () => {
    // Only a farmer applies: Eve's first try, before her farm has a node, fails. Meanwhile she
    // registers her twin, farm and node, and her validator node makes her session keys,
    // proving her account holds them, which she registers.
    // (Eve's transactions all go through Bob's node, as makeFarmer's do: one nonce count.)
    const bob = fx.api('bob');
    const early = sendOk(bob, bob.tx.validators.apply(), eve).catch((err) => err);
    const farmer = fx.makeFarmer(eve, 'eve-farm');
    const keys = fx.net.start('eve', { devKeys: false, validator: true }).then(async (eveNode) => {
      const owner = u8aToHex(decodeAddress(eve.address));
      const generated = await eveNode.provider.send('author_rotateKeysWithOwner', [owner]);
      eveAura = generated.keys.slice(0, 2 + 64); // the first 32 bytes of the session keys
      await sendOk(bob, bob.tx.session.setKeys(generated.keys, generated.proof), eve);
      // Registering keys holds the session pallet's deposit (storage costs its owner).
      assert.equal(await held('isSession', 'isKeys'), alice.consts.session.keyDeposit.toBigInt());
    });
    assert.match(String(await early), /NotAFarmer/);
    await Promise.all([farmer, keys]);
    await sendOk(bob, bob.tx.validators.apply(), eve);
    assert.ok((await alice.query.validators.applications(eve.address)).isSome);
    // The application holds its deposit until decided.
    const deposit = alice.consts.validators.applicationDeposit.toBigInt();
    assert.equal(await applicationHold(), deposit);

    // Nobody but the admission circle admits: Eve's own try fails, the council's succeeds.
    const [selfApproval, approved] = await Promise.all([
      sendOk(bob, bob.tx.validators.approve(eve.address), eve).catch((err) => err),
      voting.agree(COUNCIL, devCouncil(fx.keyring), alice.tx.validators.approve(eve.address)),
    ]);
    assert.match(String(selfApproval), /BadOrigin/);
    assert.ok(approved.isOk, `approve failed: ${JSON.stringify(approved.toHuman())}`);
    figures.approvedInSession = (await alice.query.session.currentIndex()).toNumber();
    assert.ok((await alice.query.validators.approved()).map(String).includes(eve.address));
    assert.ok((await alice.query.validators.applications(eve.address)).isNone);
    assert.equal(await applicationHold(), 0n, 'the deposit is released on approval');
  });

  it('the new validator is an authority within two sessions and authors in its first round of slots', async () => {
    // pallet-session plans a set a session ahead: approved in session s, an authority from s + 2.
    const joined = await waitFor(async () => {
      const authorities = (await alice.query.aura.authorities()).map((a) => a.toHex());
      if (!authorities.includes(eveAura)) return false;
      const best = await alice.rpc.chain.getHeader();
      return { session: (await alice.query.session.currentIndex()).toNumber(), best: best.number.toNumber(), slot: await slotOf(alice, best.hash) };
    }, { timeoutMs: 3 * SESSION_LENGTH * SLOT_MS + 30_000, intervalMs: 1_000, what: 'Eve among the authorities' });
    figures.sessionsToAuthority = joined.session - figures.approvedInSession;
    assert.ok(figures.sessionsToAuthority <= 2, `an authority ${figures.sessionsToAuthority} sessions after approval`);
    assert.equal((await alice.query.aura.authorities()).length, 5);

    // Her turn comes once in five slots: her first block follows within a round.
    let firstByEve;
    for (let n = joined.best - 1; !firstByEve; n += 1) {
      const hash = await waitFor(async () => (await heads(alice)).best >= n && alice.rpc.chain.getBlockHash(n), {
        timeoutMs: 3 * SLOT_MS * 5, what: `block #${n}`,
      });
      if ((await authorOf(hash)) === eveAura) firstByEve = { n, slot: await slotOf(alice, hash) };
      assert.ok(n <= joined.best + 10, 'Eve authored nothing in two rounds of slots');
    }
    figures.slotsToFirstBlock = firstByEve.slot - joined.slot;
    assert.ok(figures.slotsToFirstBlock <= 5 + 1, `first block ${figures.slotsToFirstBlock} slots after joining`);
    assert.equal((await alice.call.grandpaApi.grandpaAuthorities()).length, 5);
  });

  it('removed by the council, it stops authoring within two sessions and finality goes on; the set keeps its minimum', async () => {
    const council = devCouncil(fx.keyring);
    const removed = await voting.agree(COUNCIL, council, alice.tx.validators.remove(eve.address));
    assert.ok(removed.isOk, `remove failed: ${JSON.stringify(removed.toHuman())}`);
    const removedSession = (await alice.query.session.currentIndex()).toNumber();
    // Four left, the minimum: removing one more is refused by name (while Eve leaves).
    const tooFew = voting.agree(COUNCIL, council, alice.tx.validators.remove(fx.keyring.addFromUri('//Dave').address));

    const out = await waitFor(async () => {
      const authorities = (await alice.query.aura.authorities()).map((a) => a.toHex());
      return authorities.length === 4 && !authorities.includes(eveAura) && heads(alice);
    }, { timeoutMs: 3 * SESSION_LENGTH * SLOT_MS + 60_000, intervalMs: 1_000, what: 'Eve out of the authorities' });
    figures.sessionsToLeave = (await alice.query.session.currentIndex()).toNumber() - removedSession;
    assert.ok(figures.sessionsToLeave <= 2, `out ${figures.sessionsToLeave} sessions after removal`);

    const refused = await tooFew;
    assert.ok(refused.isErr, 'the council took the set below its minimum');
    assert.equal(decodeDispatchError(alice, refused.asErr).name, 'TooFewValidators');
    assert.equal((await alice.query.validators.approved()).length, 4);

    const later = await finalizedAtLeast(alice, out.best + 2, { what: 'finality going on without Eve' });
    for (let n = out.best + 1; n <= later.best; n += 1) {
      assert.notEqual(await authorOf(await alice.rpc.chain.getBlockHash(n)), eveAura, `Eve authored #${n} after removal`);
    }
  });
});
