// Guardian circles of their own, through @polkadot/api: a new circle pays from its treasury by
// vote; a member is swapped by proposal and the treasury stays the same account; one circle
// votes in another through its treasury. Runs beside guardian-council.test.js.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { eventData, freeBalance, sendOk } from './lib/chain.js';
import { TFT, startGuardianSetting } from './lib/guardian-setting.js';

describe('guardian circles of their own', { timeout: 600_000 }, () => {
  let fx;

  before(async () => {
    fx = await startGuardianSetting();
  });

  after(async () => {
    await fx?.stop();
  });

  it('pays from a new circle\'s treasury by vote, and keeps the treasury when a member is swapped', async () => {
    const members = Array.from({ length: 9 }, (_, i) => fx.keyring.addFromUri(`//TreasuryMember${i}`));
    await fx.fund(members);
    const circleId = await fx.newCircle('payers', members);
    const view = (await fx.api.call.guardianApi.circle(circleId)).unwrap();
    const treasury = view.treasury.toString();
    await sendOk(fx.api, fx.api.tx.balances.transferKeepAlive(treasury, 50n * TFT), fx.council[0]);
    const payee = fx.keyring.addFromUri('//TreasuryPayee');
    const result = await fx.agree(circleId, members, fx.api.tx.balances.transferKeepAlive(payee.address, 20n * TFT), 'Treasury');
    assert.ok(result.isOk, `the payment failed: ${result}`);
    assert.equal(await freeBalance(fx.api, payee.address), 20n * TFT);
    assert.equal(await freeBalance(fx.api, treasury), 30n * TFT);

    // A member swapped by the circle's own proposal; the treasury is the same account.
    const newcomer = fx.keyring.addFromUri('//TreasuryNewcomer');
    const swapped = await fx.agree(circleId, members, fx.api.tx.guardian.swapMember(members[8].address, newcomer.address));
    assert.ok(swapped.isOk, `the swap failed: ${swapped}`);
    const after = (await fx.api.call.guardianApi.circle(circleId)).unwrap();
    assert.equal(after.treasury.toString(), treasury);
    const accounts = after.members.map(([account]) => account.toString());
    assert.ok(accounts.includes(newcomer.address));
    assert.ok(!accounts.includes(members[8].address));
    assert.equal(await freeBalance(fx.api, treasury), 30n * TFT);
  });

  it('lets circle A cast its vote in circle B through its treasury', async () => {
    const aMembers = Array.from({ length: 9 }, (_, i) => fx.keyring.addFromUri(`//CircleA${i}`));
    const bMembers = Array.from({ length: 8 }, (_, i) => fx.keyring.addFromUri(`//CircleB${i}`));
    await fx.fund([...aMembers, ...bMembers]);
    const a = await fx.newCircle('a', aMembers);
    const aTreasury = (await fx.api.call.guardianApi.circle(a)).unwrap().treasury.toString();
    // A's treasury holds funds of its own; its vote in B, a call of A's proposal, pays no fee.
    await sendOk(fx.api, fx.api.tx.balances.transferKeepAlive(aTreasury, 10n * TFT), fx.council[0]);
    const made = await sendOk(fx.api, fx.api.tx.guardian.createCircle('b', [...bMembers.map((m) => m.address), aTreasury], 5, 10, 0), fx.council[0]);
    const b = eventData(made.events, fx.api.events.guardian.CircleCreated).circleId.toNumber();
    const inB = await fx.propose(b, bMembers[0], fx.api.tx.system.remark('0x0b'));
    await fx.vote(b, inB, bMembers.slice(1, 4));
    // Circle A agrees to vote aye in B: the fifth aye, cast by A's treasury.
    const cast = await fx.agree(a, aMembers, fx.api.tx.guardian.vote(b, inB, true), 'Treasury');
    assert.ok(cast.isOk, `A's fx.vote failed: ${cast}`);
    const executed = await fx.event('Executed', b, inB);
    assert.ok(executed.result.isOk);
  });
});
