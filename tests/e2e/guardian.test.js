// Guardian circles through @polkadot/api on the dev chain. The genesis council of nine
// (`//Guardian1`..`//Guardian9`, 5 of 9) decides by proposal (5 ayes execute, 4 do not, 5 nays
// reject), holds the power to upgrade the runtime (sudo is gone), and chooses the auditor circle,
// which suspends a node, after which a new agreement on it is refused. Circles of their own pay
// from their treasury by vote, keep their treasury when a member is swapped, and vote in one
// another through their treasuries. The tests share one node and run side by side: each uses
// its own accounts and circles, or proposals of its own in the council.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { blake2AsHex } from '@polkadot/util-crypto';

import { decodeDispatchError, eventData, freeBalance, sendAndFinalize, sendOk } from './lib/chain.js';
import { GIB, TFT, startGuardianSetting } from './lib/guardian-setting.js';
import { waitFor } from './lib/node.js';
import { createNodeContractTx } from './lib/zos.js';

describe('guardian circles', { timeout: 600_000, concurrency: true }, () => {
  let fx;

  before(async () => {
    fx = await startGuardianSetting();
  });

  after(async () => {
    await fx?.stop();
  });

  it('governs by the council: 5 of 9 ayes execute, 4 do not, 5 nays reject', async () => {
    const bounds = {
      min: { cruPerCoreHour: 1, mruPerGibHour: 1, sruPerGibHour: 1, hruPerGibHour: 1 },
      max: { cruPerCoreHour: 100n * TFT, mruPerGibHour: 100n * TFT, sruPerGibHour: 100n * TFT, hruPerGibHour: 100n * TFT },
    };
    const call = fx.api.tx.registry.setPriceBounds(bounds);
    const index = await fx.propose(1, fx.council[0], call);
    await fx.vote(1, index, fx.council.slice(1, 4));
    // Four ayes: nothing happens, over two more blocks.
    const header = await fx.api.rpc.chain.getHeader();
    await waitFor(async () => (await fx.api.rpc.chain.getHeader()).number.toNumber() >= header.number.toNumber() + 2, { timeoutMs: 30_000, what: 'two blocks' });
    assert.equal(fx.seen.find((e) => e.method === 'Executed' && e.circleId === 1 && e.index === index), undefined);
    assert.ok((await fx.api.query.registry.priceBoundsInForce()).isNone);
    // The fifth aye: executed in the next block.
    await fx.vote(1, index, [fx.council[4]]);
    const executed = await fx.event('Executed', 1, index);
    assert.ok(executed.result.isOk, `the call failed: ${executed.result}`);
    assert.equal((await fx.api.query.registry.priceBoundsInForce()).unwrap().max.sruPerGibHour.toBigInt(), 100n * TFT);

    // Five nays of nine: the ayes can no longer reach five; rejected at once.
    const refused = await fx.propose(1, fx.council[0], fx.api.tx.registry.setPriceBounds(null));
    await fx.vote(1, refused, fx.council.slice(1, 6), false);
    const rejected = await fx.event('Rejected', 1, refused);
    assert.equal(rejected.reason, 'Unreachable');
    assert.ok((await fx.api.query.registry.priceBoundsInForce()).isSome);
  });

  it('upgrades the runtime only by the council: authorized by proposal as root, then applied by anyone', async () => {
    // The runtime as the chain stores it; its hash is what the council authorizes.
    const code = (await fx.api.rpc.state.getStorage(':code')).toHex();
    const codeHash = blake2AsHex(code, 256);
    const [guardian, anyone] = [fx.council[0], fx.keyring.addFromUri('//UpgradeApplier')];
    await fx.fund([anyone]);

    // Nobody holds root alone: a guardian calling it directly, or the council as its own
    // circle origin, is refused.
    const direct = await sendAndFinalize(fx.api, fx.api.tx.system.authorizeUpgrade(codeHash), guardian, { inBlock: true });
    assert.equal(direct.dispatchError?.isBadOrigin, true, `a guardian authorized alone: ${direct.dispatchError}`);
    const asCircle = await fx.agree(1, fx.council, fx.api.tx.system.authorizeUpgrade(codeHash), 'Circle');
    assert.ok(asCircle.isErr && asCircle.asErr.isBadOrigin, `the circle origin authorized: ${asCircle}`);
    assert.ok((await fx.api.query.system.authorizedUpgrade()).isNone);

    // As root, by proposal: authorized, with the version check.
    const checked = await fx.agree(1, fx.council, fx.api.tx.system.authorizeUpgrade(codeHash), 'Root');
    assert.ok(checked.isOk, `the council could not authorize: ${checked}`);
    const authorized = (await fx.api.query.system.authorizedUpgrade()).unwrap();
    assert.equal(authorized.codeHash.toHex(), codeHash);
    assert.equal(authorized.checkVersion.isTrue, true);
    // Other code than the authorized one is refused by name.
    const other = await sendAndFinalize(fx.api, fx.api.tx.system.applyAuthorizedUpgrade('0x00'), anyone, { inBlock: true });
    assert.equal(decodeDispatchError(fx.api, other.dispatchError).name, 'Unauthorized');
    // The authorized code, applied by anyone: the version check refuses the same spec version.
    const same = await sendOk(fx.api, fx.api.tx.system.applyAuthorizedUpgrade(code), anyone);
    const refused = eventData(same.events, fx.api.events.system.RejectedInvalidAuthorizedUpgrade);
    assert.equal(refused.codeHash.toHex(), codeHash);
    assert.equal(decodeDispatchError(fx.api, refused.error).name, 'SpecVersionNeedsToIncrease');

    // Authorized without the check, the code is set: the upgrade path works end to end.
    const unchecked = await fx.agree(1, fx.council, fx.api.tx.system.authorizeUpgradeWithoutChecks(codeHash), 'Root');
    assert.ok(unchecked.isOk, `the council could not authorize: ${unchecked}`);
    const applied = await sendOk(fx.api, fx.api.tx.system.applyAuthorizedUpgrade(code), anyone);
    eventData(applied.events, fx.api.events.system.CodeUpdated);
    assert.ok((await fx.api.query.system.authorizedUpgrade()).isNone);
    // The chain goes on after the upgrade.
    const header = await fx.api.rpc.chain.getHeader();
    await waitFor(async () => (await fx.api.rpc.chain.getHeader()).number.toNumber() > header.number.toNumber(), { timeoutMs: 30_000, what: 'a block after the upgrade' });
  });

  it('lets the auditor circle the council chose suspend a node, and refuses a new agreement on it', async () => {
    const auditors = Array.from({ length: 9 }, (_, i) => fx.keyring.addFromUri(`//Auditor${i}`));
    await fx.fund(auditors);
    const auditorCircle = await fx.newCircle('auditors', auditors);
    const chosen = await fx.agree(1, fx.council, fx.api.tx.guardian.setRole('Auditor', auditorCircle));
    assert.ok(chosen.isOk, `the fx.council could not choose: ${chosen}`);
    const nodeId = 1; // the dev farm's node
    // Not the council's to do: the registry refuses any origin but the auditors'.
    const byCouncil = await fx.agree(1, fx.council, fx.api.tx.registry.setNodeSuspended(nodeId, true));
    assert.ok(byCouncil.isErr && byCouncil.asErr.isBadOrigin, `the fx.council suspended: ${byCouncil}`);
    const suspended = await fx.agree(auditorCircle, auditors, fx.api.tx.registry.setNodeSuspended(nodeId, true));
    assert.ok(suspended.isOk, `the suspension failed: ${suspended}`);
    assert.equal((await fx.api.query.registry.nodes(nodeId)).unwrap().suspended.isTrue, true);
    const quote = await fx.api.call.smartContractApi.quoteCostPerHour(nodeId, [{ Volume: { size: GIB } }]);
    assert.ok(quote.isErr);
    assert.equal(decodeDispatchError(fx.api, quote.asErr).name, 'NodeSuspended');
    // A user's agreement on it, signed as any other, is refused by name.
    const user = fx.keyring.addFromUri('//SuspendedNodeUser');
    await fx.fund([user]);
    const registered = await sendOk(fx.api, fx.api.tx.registry.registerTwin(), user);
    const twinId = eventData(registered.events, fx.api.events.registry.TwinRegistered).twinId.toNumber();
    const { tx } = createNodeContractTx(fx.api, {
      nodeId, signer: user, twinId, workloads: [{ name: 'vol', size: GIB, metadata: '', description: '' }],
      metadata: '', description: '', deposit: 10n * TFT,
    });
    const { dispatchError } = await sendAndFinalize(fx.api, tx, user, { inBlock: true });
    assert.equal(decodeDispatchError(fx.api, dispatchError).name, 'NodeSuspended');
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
