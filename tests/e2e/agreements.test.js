// Agreements for IT through @polkadot/api, as a user and a farmer would make them: registry
// entries, an operator that consents, an agreement signed over the ZOS challenge hash computed
// here independently (and one signed the way polkadot.js Apps does from the chain's own
// challenge API), a top-up, a deployment report, a cancellation refunded to the unit, and the
// farm paid in one call. (Refused requests and cooperatives are in agreements-refusals.test.js,
// which runs beside this file.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToString, u8aWrapBytes } from '@polkadot/util';

import { eventData, feePaid, freeBalance, sendOk } from './lib/chain.js';
import { BLOCKS_PER_HOUR, GIB, SRU_PRICE, TFT, startAgreementSetting } from './lib/agreements-setting.js';
import { challengeHash } from './lib/zos.js';

describe('agreements for IT', { timeout: 600_000 }, () => {
  let fx;

  before(async () => {
    fx = await startAgreementSetting();
  });

  after(async () => {
    await fx?.stop();
  });

  it('quotes the hourly cost of a volume through the runtime API', async () => {
    const quote = await fx.api.call.smartContractApi.quoteCostPerHour(fx.nodeId, [{ Volume: { size: 5n * GIB } }]);
    assert.ok(quote.isOk, `quote failed: ${quote}`);
    assert.equal(quote.asOk.toBigInt(), 5n * SRU_PRICE);
  });

  it('makes an agreement that carries the challenge hash computed here, tops it up, refunds the unit on cancel, and pays the farm in one call', async () => {
    const deposit = 30n * TFT;
    const { tx, hashHex } = fx.agreement(fx.user, fx.userTwin, [fx.volume('e2e_vol', 5n)], { deposit });
    const created = await sendOk(fx.api, tx, fx.user);
    const { contractId, storageDeposit } = eventData(created.events, fx.api.events.smartContract.ContractCreated);
    const terms = (await fx.api.query.smartContract.contractTerms(contractId)).unwrap();
    assert.equal(u8aToString(terms.deploymentHash), hashHex);
    assert.equal((await fx.api.query.smartContract.contracts(contractId)).unwrap().state.type, 'Created');
    assert.equal((await fx.escrowOf(contractId)).escrow.toBigInt(), deposit);
    // The records cost a storage deposit, held; the escrow itself is in the pallet's account.
    assert.ok(storageDeposit.toBigInt() > 0n);
    assert.equal(await fx.heldDeposit(fx.user.address), storageDeposit.toBigInt());

    const topUp = 7n * TFT;
    const topped = await sendOk(fx.api, fx.api.tx.smartContract.topUp(contractId, topUp), fx.user);
    assert.equal(eventData(topped.events, fx.api.events.smartContract.ContractToppedUp).escrow.toBigInt(), deposit + topUp);

    // The farm's operator reports the deployment: billing starts in that block.
    const deployed = await sendOk(fx.api, fx.api.tx.smartContract.reportDeployment(contractId, 'Deployed'), fx.operator);
    const deployedAt = (await fx.api.rpc.chain.getHeader(deployed.blockHash)).number.toBigInt();

    const cancelled = await sendOk(fx.api, fx.api.tx.smartContract.cancelContract(contractId), fx.user);
    const cancelledAt = (await fx.api.rpc.chain.getHeader(cancelled.blockHash)).number.toBigInt();
    const parent = (await fx.api.rpc.chain.getHeader(cancelled.blockHash)).parentHash;
    const { refunded, cause } = eventData(cancelled.events, fx.api.events.smartContract.ContractCancelled);
    assert.equal(cause.type, 'ByUser');
    // Exactly the blocks deployed at the price made at creation (5 GiB x 2 TFT per hour),
    // rounded up to the unit: the rest comes back.
    const billed = cancelledAt - deployedAt;
    const cost = (5n * SRU_PRICE * billed + BLOCKS_PER_HOUR - 1n) / BLOCKS_PER_HOUR;
    assert.equal(refunded.toBigInt(), deposit + topUp - cost);
    assert.equal(
      (await freeBalance(fx.api, fx.user.address, cancelled.blockHash)) - (await freeBalance(fx.api, fx.user.address, parent)),
      refunded.toBigInt() - feePaid(fx.api, cancelled.events),
    );
    assert.equal((await fx.api.query.smartContract.contracts(contractId)).unwrap().state.type, 'Cancelled');

    // Anyone pays the farm everything it earned, in one call: exactly the cost.
    assert.equal((await fx.api.call.smartContractApi.farmEarnings(fx.farmId)).toBigInt(), cost);
    const farmerBefore = await freeBalance(fx.api, fx.farmer.address);
    const paid = await sendOk(fx.api, fx.api.tx.smartContract.payFarm(fx.farmId), fx.user);
    const farmPaid = eventData(paid.events, fx.api.events.smartContract.FarmPaid);
    assert.equal(farmPaid.amount.toBigInt(), cost);
    assert.equal(farmPaid.payee.toString(), fx.farmer.address);
    assert.equal((await freeBalance(fx.api, fx.farmer.address, paid.blockHash)) - farmerBefore, cost);

    // The farm deletes it: the storage deposit comes back.
    await sendOk(fx.api, fx.api.tx.smartContract.reportDeployment(contractId, 'Deleted'), fx.operator);
    assert.equal(await fx.heldDeposit(fx.user.address), 0n);
  });

  it('makes an agreement the way polkadot.js Apps does: runtime call, Sign and verify, extrinsic', async () => {
    const workloads = [{ name: 'apps_vol', kind: { Volume: { size: GIB } }, metadata: '', description: '' }];
    // Developer -> Runtime calls: zosApi.deploymentChallenge.
    const challenge = await fx.api.call.zosApi.deploymentChallenge(fx.userTwin, workloads, 'apps-meta', '', 'PolkaWallet');
    assert.ok(challenge.isOk, `challenge failed: ${challenge}`);
    const hashText = u8aToString(challenge.asOk.challengeHash);
    assert.match(hashText, /^[0-9a-f]{32}$/);
    // It is the hash computed here independently.
    const independent = challengeHash({
      twinId: fx.userTwin,
      metadata: 'apps-meta',
      description: '',
      workloads: [{ name: 'apps_vol', size: GIB, metadata: '', description: '' }],
      style: 'polka-wallet',
    });
    assert.equal(hashText, independent.toString('hex'));
    // Developer -> Sign and verify: the wallet signs the text wrapped in <Bytes>...</Bytes>.
    const signature = fx.user.sign(u8aWrapBytes(hashText));
    assert.deepEqual(u8aWrapBytes(hashText), challenge.asOk.rawMessage.toU8a(true));
    // Developer -> Extrinsics.
    const tx = fx.api.tx.smartContract.createNodeContract(
      fx.nodeId, workloads, 'apps-meta', '', { signature, style: 'PolkaWallet' }, 2n * TFT,
    );
    const created = await sendOk(fx.api, tx, fx.user);
    const { contractId, deploymentHash } = eventData(created.events, fx.api.events.smartContract.ContractCreated);
    assert.equal(u8aToString(deploymentHash), hashText);
    await sendOk(fx.api, fx.api.tx.smartContract.cancelContract(contractId), fx.user);
  });

  it('accepts the polka-wallet signature style', async () => {
    const { tx, hashHex } = fx.agreement(fx.user, fx.userTwin, [fx.volume('wallet_vol', 1n)], { deposit: 2n * TFT, style: 'polka-wallet' });
    const created = await sendOk(fx.api, tx, fx.user);
    const { contractId } = eventData(created.events, fx.api.events.smartContract.ContractCreated);
    assert.equal(u8aToString((await fx.api.query.smartContract.contractTerms(contractId)).unwrap().deploymentHash), hashHex);
  });
});
