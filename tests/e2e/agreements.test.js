// Agreements for IT through @polkadot/api, as a user and a farmer would make them: registry
// entries, an operator that consents, an agreement signed over the ZOS challenge hash computed
// here independently (and one signed the way polkadot.js Apps does from the chain's own
// challenge API), a top-up, a deployment report, a cancellation refunded to the unit, and the
// farm paid in one call; bad requests fail by name and change nothing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToString, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

import { decodeDispatchError, eventData, feePaid, freeBalance, sendAndFinalize, sendOk } from './lib/chain.js';
import { startDevNode } from './lib/node.js';
import { challengeHash, createNodeContractTx } from './lib/zos.js';

const TFT = 10_000_000n;
const GIB = 1024n ** 3n;
const BLOCKS_PER_HOUR = 600n;
const SRU_PRICE = 2n * TFT; // per GiB per hour

describe('agreements for IT', { timeout: 600_000 }, () => {
  let node;
  let api;
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  let user;
  let farmer;
  let operator;
  let userTwin;
  let nodeId;
  let farmId;

  /** The storage deposits held for the account's agreements. */
  const heldDeposit = async (address, at) => {
    const api2 = at ? await api.at(at) : api;
    const holds = await api2.query.balances.holds(address);
    return holds
      .filter((h) => h.id.isSmartContract && h.id.asSmartContract.isAgreementDeposit)
      .reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
  };

  /** What the chain says an agreement's escrow is now. */
  const escrowOf = async (contractId) => (await api.call.smartContractApi.escrow(contractId)).unwrap();

  const volume = (name, gib) => ({ name, size: gib * GIB, metadata: '{"v":1}', description: 'e2e volume' });

  /** The agreement's arguments with the user's signature over our own challenge hash. */
  const agreement = (signer, twinId, workloads, { deposit, style = '' } = {}) => createNodeContractTx(api, {
    nodeId, signer, twinId, workloads, metadata: 'e2e-meta', description: 'e2e-desc', deposit, style,
  });

  /** Submits a request that must fail; returns the decoded error after checking nothing moved
   * but the fee. */
  const expectFailure = async (tx, signer) => {
    const nextId = (await api.query.smartContract.nextContractId()).toBigInt();
    const reserved = (await api.query.registry.nodes(nodeId)).unwrap().reserved.sru.toBigInt();
    const { blockHash, events, dispatchError } = await sendAndFinalize(api, tx, signer, { inBlock: true });
    assert.ok(dispatchError, 'the request succeeded');
    const parent = (await api.rpc.chain.getHeader(blockHash)).parentHash;
    assert.equal(
      (await freeBalance(api, signer.address, parent)) - (await freeBalance(api, signer.address, blockHash)),
      feePaid(api, events),
      'the signer lost more than the fee',
    );
    assert.equal(await heldDeposit(signer.address, blockHash), await heldDeposit(signer.address, parent));
    assert.equal((await api.query.smartContract.nextContractId()).toBigInt(), nextId, 'an agreement was made');
    assert.equal((await api.query.registry.nodes(nodeId)).unwrap().reserved.sru.toBigInt(), reserved);
    return decodeDispatchError(api, dispatchError);
  };

  before(async () => {
    await cryptoWaitReady();
    node = await startDevNode();
    api = node.api;
    user = keyring.addFromUri('//Charlie');
    farmer = keyring.addFromUri('//Dave');
    operator = keyring.addFromUri('//Eve');

    const [userReg, farmerReg] = await Promise.all([
      sendOk(api, api.tx.registry.registerTwin(), user),
      sendOk(api, api.tx.registry.registerTwin(), farmer),
    ]);
    userTwin = eventData(userReg.events, api.events.registry.TwinRegistered).twinId.toNumber();
    assert.ok(eventData(farmerReg.events, api.events.registry.TwinRegistered).twinId.toNumber() > 0);

    const pricing = { cruPerCoreHour: 3n * TFT, mruPerGibHour: TFT, sruPerGibHour: SRU_PRICE, hruPerGibHour: TFT / 10n };
    const farm = await sendOk(api, api.tx.registry.createFarm('e2e-farm', pricing, operator.address), farmer);
    farmId = eventData(farm.events, api.events.registry.FarmCreated).farmId.toNumber();
    // Eve was only offered the role: she serves the farm once she accepts.
    assert.equal((await api.query.registry.farms(farmId)).unwrap().operator.isNone, true);
    await sendOk(api, api.tx.registry.acceptFarmOperator(farmId), operator);
    assert.equal((await api.query.registry.farms(farmId)).unwrap().operator.unwrap().toString(), operator.address);
    const capacity = { cru: 8, mru: 32n * GIB, sru: 100n * GIB, hru: 0 };
    const registered = await sendOk(api, api.tx.registry.registerNode(farmId, capacity, 'http://127.0.0.1:1'), farmer);
    nodeId = eventData(registered.events, api.events.registry.NodeRegistered).nodeId.toNumber();
  });

  after(async () => {
    await node?.stop();
  });

  it('quotes the hourly cost of a volume through the runtime API', async () => {
    const quote = await api.call.smartContractApi.quoteCostPerHour(nodeId, [{ Volume: { size: 5n * GIB } }]);
    assert.ok(quote.isOk, `quote failed: ${quote}`);
    assert.equal(quote.asOk.toBigInt(), 5n * SRU_PRICE);
  });

  it('makes an agreement that carries the challenge hash computed here, tops it up, refunds the unit on cancel, and pays the farm in one call', async () => {
    const deposit = 30n * TFT;
    const { tx, hashHex } = agreement(user, userTwin, [volume('e2e_vol', 5n)], { deposit });
    const created = await sendOk(api, tx, user);
    const { contractId, storageDeposit } = eventData(created.events, api.events.smartContract.ContractCreated);
    const terms = (await api.query.smartContract.contractTerms(contractId)).unwrap();
    assert.equal(u8aToString(terms.deploymentHash), hashHex);
    assert.equal((await api.query.smartContract.contracts(contractId)).unwrap().state.type, 'Created');
    assert.equal((await escrowOf(contractId)).escrow.toBigInt(), deposit);
    // The records cost a storage deposit, held; the escrow itself is in the pallet's account.
    assert.ok(storageDeposit.toBigInt() > 0n);
    assert.equal(await heldDeposit(user.address), storageDeposit.toBigInt());

    const topUp = 7n * TFT;
    const topped = await sendOk(api, api.tx.smartContract.topUp(contractId, topUp), user);
    assert.equal(eventData(topped.events, api.events.smartContract.ContractToppedUp).escrow.toBigInt(), deposit + topUp);

    // The farm's operator reports the deployment: billing starts in that block.
    const deployed = await sendOk(api, api.tx.smartContract.reportDeployment(contractId, 'Deployed'), operator);
    const deployedAt = (await api.rpc.chain.getHeader(deployed.blockHash)).number.toBigInt();

    const cancelled = await sendOk(api, api.tx.smartContract.cancelContract(contractId), user);
    const cancelledAt = (await api.rpc.chain.getHeader(cancelled.blockHash)).number.toBigInt();
    const parent = (await api.rpc.chain.getHeader(cancelled.blockHash)).parentHash;
    const { refunded, cause } = eventData(cancelled.events, api.events.smartContract.ContractCancelled);
    assert.equal(cause.type, 'ByUser');
    // Exactly the blocks deployed at the price made at creation (5 GiB x 2 TFT per hour),
    // rounded up to the unit: the rest comes back.
    const billed = cancelledAt - deployedAt;
    const cost = (5n * SRU_PRICE * billed + BLOCKS_PER_HOUR - 1n) / BLOCKS_PER_HOUR;
    assert.equal(refunded.toBigInt(), deposit + topUp - cost);
    assert.equal(
      (await freeBalance(api, user.address, cancelled.blockHash)) - (await freeBalance(api, user.address, parent)),
      refunded.toBigInt() - feePaid(api, cancelled.events),
    );
    assert.equal((await api.query.smartContract.contracts(contractId)).unwrap().state.type, 'Cancelled');

    // Anyone pays the farm everything it earned, in one call: exactly the cost.
    assert.equal((await api.call.smartContractApi.farmEarnings(farmId)).toBigInt(), cost);
    const farmerBefore = await freeBalance(api, farmer.address);
    const paid = await sendOk(api, api.tx.smartContract.payFarm(farmId), user);
    const farmPaid = eventData(paid.events, api.events.smartContract.FarmPaid);
    assert.equal(farmPaid.amount.toBigInt(), cost);
    assert.equal(farmPaid.payee.toString(), farmer.address);
    assert.equal((await freeBalance(api, farmer.address, paid.blockHash)) - farmerBefore, cost);

    // The farm deletes it: the storage deposit comes back.
    await sendOk(api, api.tx.smartContract.reportDeployment(contractId, 'Deleted'), operator);
    assert.equal(await heldDeposit(user.address), 0n);
  });

  it('makes an agreement the way polkadot.js Apps does: runtime call, Sign and verify, extrinsic', async () => {
    const workloads = [{ name: 'apps_vol', kind: { Volume: { size: GIB } }, metadata: '', description: '' }];
    // Developer -> Runtime calls: zosApi.deploymentChallenge.
    const challenge = await api.call.zosApi.deploymentChallenge(userTwin, workloads, 'apps-meta', '', 'PolkaWallet');
    assert.ok(challenge.isOk, `challenge failed: ${challenge}`);
    const hashText = u8aToString(challenge.asOk.challengeHash);
    assert.match(hashText, /^[0-9a-f]{32}$/);
    // It is the hash computed here independently.
    const independent = challengeHash({
      twinId: userTwin,
      metadata: 'apps-meta',
      description: '',
      workloads: [{ name: 'apps_vol', size: GIB, metadata: '', description: '' }],
      style: 'polka-wallet',
    });
    assert.equal(hashText, independent.toString('hex'));
    // Developer -> Sign and verify: the wallet signs the text wrapped in <Bytes>...</Bytes>.
    const signature = user.sign(u8aWrapBytes(hashText));
    assert.deepEqual(u8aWrapBytes(hashText), challenge.asOk.rawMessage.toU8a(true));
    // Developer -> Extrinsics.
    const tx = api.tx.smartContract.createNodeContract(
      nodeId, workloads, 'apps-meta', '', { signature, style: 'PolkaWallet' }, 2n * TFT,
    );
    const created = await sendOk(api, tx, user);
    const { contractId, deploymentHash } = eventData(created.events, api.events.smartContract.ContractCreated);
    assert.equal(u8aToString(deploymentHash), hashText);
    await sendOk(api, api.tx.smartContract.cancelContract(contractId), user);
  });

  it('refuses a bad signature by name and changes nothing', async () => {
    const { tx } = agreement(farmer /* not the twin's key */, userTwin, [volume('forged', 1n)], { deposit: 10n * TFT });
    const { section, name } = await expectFailure(tx, user);
    assert.deepEqual({ section, name }, { section: 'smartContract', name: 'InvalidSignature' });
  });

  it('refuses a request beyond the node\'s free capacity by name and changes nothing', async () => {
    const { tx } = agreement(user, userTwin, [volume('too_big', 101n)], { deposit: 1_000n * TFT });
    const { section, name } = await expectFailure(tx, user);
    assert.deepEqual({ section, name }, { section: 'smartContract', name: 'InsufficientCapacity' });
  });

  it('refuses an unfunded request by name and changes nothing', async () => {
    const poor = keyring.addFromMnemonic(mnemonicGenerate());
    await sendOk(api, api.tx.balances.transferKeepAlive(poor.address, 2n * TFT), user);
    const reg = await sendOk(api, api.tx.registry.registerTwin(), poor);
    const poorTwin = eventData(reg.events, api.events.registry.TwinRegistered).twinId.toNumber();
    const { tx } = agreement(poor, poorTwin, [volume('unfunded', 1n)], { deposit: 50n * TFT });
    const { section, name } = await expectFailure(tx, poor);
    assert.deepEqual({ section, name }, { section: 'smartContract', name: 'InsufficientFunds' });
  });

  it('pays a cooperative farm into the cooperative\'s account, from which members draw their shares', async () => {
    const admin = keyring.addFromUri('//Bob');
    const member = keyring.addFromUri('//Ferdie');
    const members = [
      { account: admin.address, share: 600_000_000 }, // 60% (Perbill parts)
      { account: member.address, share: 400_000_000 },
    ];
    const coop = await sendOk(api, api.tx.registry.createCooperative('e2e-coop', members), admin);
    const { cooperativeId } = eventData(coop.events, api.events.registry.CooperativeCreated);
    await sendOk(api, api.tx.registry.requestCooperativeMembership(farmId, cooperativeId), farmer);
    await sendOk(api, api.tx.registry.approveCooperativeMembership(cooperativeId, farmId), admin);

    const { tx } = agreement(user, userTwin, [volume('coop_vol', 4n)], { deposit: 20n * TFT });
    const created = await sendOk(api, tx, user);
    const { contractId } = eventData(created.events, api.events.smartContract.ContractCreated);
    await sendOk(api, api.tx.smartContract.reportDeployment(contractId, 'Deployed'), operator);
    await sendOk(api, api.tx.smartContract.cancelContract(contractId), user);
    const paid = await sendOk(api, api.tx.smartContract.payFarm(farmId), farmer);
    // One payment, to the cooperative's own account.
    const payments = paid.events.filter(({ event }) => api.events.smartContract.FarmPaid.is(event));
    assert.equal(payments.length, 1);
    const earned = payments[0].event.data.amount.toBigInt();
    assert.ok(earned > 0n, 'the farm earned nothing');
    const pot = payments[0].event.data.payee.toString();
    assert.ok(![admin.address, member.address, farmer.address].includes(pot));
    assert.equal((await api.query.registry.cooperativeEarnings(cooperativeId)).earned.toBigInt(), earned);

    const claimed = {};
    for (const [who, share] of [[admin, 600_000_000n], [member, 400_000_000n]]) {
      // What a wallet shows before the claim is what the claim pays.
      const owed = (await api.call.registryApi.cooperativeEarnings(cooperativeId, who.address)).toBigInt();
      assert.equal(owed, (earned * share) / 1_000_000_000n);
      const result = await sendOk(api, api.tx.registry.claimCooperativeEarnings(cooperativeId), who);
      claimed[who.address] = eventData(result.events, api.events.registry.CooperativeEarningsClaimed).amount.toBigInt();
      assert.equal(claimed[who.address], (earned * share) / 1_000_000_000n, 'not the member\'s share');
    }
    // The rounding remainder (under a unit per member) stays with the cooperative.
    const left = earned - claimed[admin.address] - claimed[member.address];
    assert.ok(left >= 0n && left < 2n, `left ${left}`);
    const { dispatchError } = await sendAndFinalize(api, api.tx.registry.claimCooperativeEarnings(cooperativeId), member, { inBlock: true });
    assert.equal(decodeDispatchError(api, dispatchError).name, 'NothingToClaim');
  });

  it('accepts the polka-wallet signature style', async () => {
    const { tx, hashHex } = agreement(user, userTwin, [volume('wallet_vol', 1n)], { deposit: 2n * TFT, style: 'polka-wallet' });
    const created = await sendOk(api, tx, user);
    const { contractId } = eventData(created.events, api.events.smartContract.ContractCreated);
    assert.equal(u8aToString((await api.query.smartContract.contractTerms(contractId)).unwrap().deploymentHash), hashHex);
  });
});
