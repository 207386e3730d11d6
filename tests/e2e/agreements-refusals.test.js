// Agreements for IT that must not happen, and farms in cooperatives: a forged signature, a
// request beyond the node's capacity and an unfunded one each fail by name and change nothing
// but the fee; a cooperative farm is paid into the cooperative's account, from which members
// draw their shares. Runs beside agreements.test.js, with its own node.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { mnemonicGenerate } from '@polkadot/util-crypto';

import { decodeDispatchError, eventData, sendAndFinalize, sendOk } from './lib/chain.js';
import { TFT, startAgreementSetting } from './lib/agreements-setting.js';

describe('agreements refused, and cooperatives paid', { timeout: 600_000 }, () => {
  let fx;

  before(async () => {
    fx = await startAgreementSetting();
  });

  after(async () => {
    await fx?.stop();
  });

  it('refuses a bad signature by name and changes nothing', async () => {
    const { tx } = fx.agreement(fx.farmer /* not the twin's key */, fx.userTwin, [fx.volume('forged', 1n)], { deposit: 10n * TFT });
    const { section, name } = await fx.expectFailure(tx, fx.user);
    assert.deepEqual({ section, name }, { section: 'smartContract', name: 'InvalidSignature' });
  });

  it('refuses a request beyond the node\'s free capacity by name and changes nothing', async () => {
    const { tx } = fx.agreement(fx.user, fx.userTwin, [fx.volume('too_big', 101n)], { deposit: 1_000n * TFT });
    const { section, name } = await fx.expectFailure(tx, fx.user);
    assert.deepEqual({ section, name }, { section: 'smartContract', name: 'InsufficientCapacity' });
  });

  it('refuses an unfunded request by name and changes nothing', async () => {
    const poor = fx.keyring.addFromMnemonic(mnemonicGenerate());
    await sendOk(fx.api, fx.api.tx.balances.transferKeepAlive(poor.address, 2n * TFT), fx.user);
    const reg = await sendOk(fx.api, fx.api.tx.registry.registerTwin(), poor);
    const poorTwin = eventData(reg.events, fx.api.events.registry.TwinRegistered).twinId.toNumber();
    const { tx } = fx.agreement(poor, poorTwin, [fx.volume('unfunded', 1n)], { deposit: 50n * TFT });
    const { section, name } = await fx.expectFailure(tx, poor);
    assert.deepEqual({ section, name }, { section: 'smartContract', name: 'InsufficientFunds' });
  });

  it('pays a cooperative farm into the cooperative\'s account, from which members draw their shares', async () => {
    const admin = fx.keyring.addFromUri('//Bob');
    const member = fx.keyring.addFromUri('//Ferdie');
    const members = [
      { account: admin.address, share: 600_000_000 }, // 60% (Perbill parts)
      { account: member.address, share: 400_000_000 },
    ];
    const coop = await sendOk(fx.api, fx.api.tx.registry.createCooperative('e2e-coop', members), admin);
    const { cooperativeId } = eventData(coop.events, fx.api.events.registry.CooperativeCreated);
    await sendOk(fx.api, fx.api.tx.registry.requestCooperativeMembership(fx.farmId, cooperativeId), fx.farmer);
    await sendOk(fx.api, fx.api.tx.registry.approveCooperativeMembership(cooperativeId, fx.farmId), admin);

    const { tx } = fx.agreement(fx.user, fx.userTwin, [fx.volume('coop_vol', 4n)], { deposit: 20n * TFT });
    const created = await sendOk(fx.api, tx, fx.user);
    const { contractId } = eventData(created.events, fx.api.events.smartContract.ContractCreated);
    await sendOk(fx.api, fx.api.tx.smartContract.reportDeployment(contractId, 'Deployed'), fx.operator);
    await sendOk(fx.api, fx.api.tx.smartContract.cancelContract(contractId), fx.user);
    const paid = await sendOk(fx.api, fx.api.tx.smartContract.payFarm(fx.farmId), fx.farmer);
    // One payment, to the cooperative's own account.
    const payments = paid.events.filter(({ event }) => fx.api.events.smartContract.FarmPaid.is(event));
    assert.equal(payments.length, 1);
    const earned = payments[0].event.data.amount.toBigInt();
    assert.ok(earned > 0n, 'the farm earned nothing');
    const pot = payments[0].event.data.payee.toString();
    assert.ok(![admin.address, member.address, fx.farmer.address].includes(pot));
    assert.equal((await fx.api.query.registry.cooperativeEarnings(cooperativeId)).earned.toBigInt(), earned);

    const claimed = {};
    for (const [who, share] of [[admin, 600_000_000n], [member, 400_000_000n]]) {
      // What a wallet shows before the claim is what the claim pays.
      const owed = (await fx.api.call.registryApi.cooperativeEarnings(cooperativeId, who.address)).toBigInt();
      assert.equal(owed, (earned * share) / 1_000_000_000n);
      const result = await sendOk(fx.api, fx.api.tx.registry.claimCooperativeEarnings(cooperativeId), who);
      claimed[who.address] = eventData(result.events, fx.api.events.registry.CooperativeEarningsClaimed).amount.toBigInt();
      assert.equal(claimed[who.address], (earned * share) / 1_000_000_000n, 'not the member\'s share');
    }
    // The rounding remainder (under a unit per member) stays with the cooperative.
    const left = earned - claimed[admin.address] - claimed[member.address];
    assert.ok(left >= 0n && left < 2n, `left ${left}`);
    const { dispatchError } = await sendAndFinalize(fx.api, fx.api.tx.registry.claimCooperativeEarnings(cooperativeId), member, { inBlock: true });
    assert.equal(decodeDispatchError(fx.api, dispatchError).name, 'NothingToClaim');
  });
});
