// The Stellar TFT bridge end to end, deposits (bridge-payments.test.js has the payments from
// the vault; the two files run side by side): a dev node, stellar-sim (our Horizon-compatible
// simulator, driven through SDF's JavaScript SDK as a Stellar wallet would) and the relays
// (`gridchain-bridge`) of a 9-member bridge circle whose threshold is 3; four of the nine run
// a relay, so one may be down. The council chooses the circle and sets the vault by proposal;
// the vault on Stellar has the nine members' keys as signers, medium threshold 3.
// - deposits with each memo kind reach their target (account, twin, agreement), less the fee;
// - relays aborted right after each step (votes sent, cursor not saved; signatures sent;
//   a payment included on Stellar, not reported; reports sent) and restarted mint nothing
//   twice, pay nothing twice and lose nothing;
// - the vault's TFT on Stellar always equals the chain's bridged supply.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import { eventData, freeBalance, sendOk } from './lib/chain.js';
import {
  DEPOSIT_FEE, TFT, hex, startBridgeSetting,
} from './lib/bridge-setting.js';
import { waitFor } from './lib/node.js';
import { Memo } from './lib/stellar.js';
import { createNodeContractTx } from './lib/zos.js';

describe('the Stellar TFT bridge: deposits, relays killed', { timeout: 900_000 }, () => {
  let fx;
  let keys;
  let stellar;
  let tft;
  const figures = {};
  const bridgeEvent = (...args) => fx.bridgeEvent(...args);
  const deposit = (...args) => fx.deposit(...args);
  const vaultMatchesSupply = (...args) => fx.vaultMatchesSupply(...args);

  before(async () => {
    fx = await startBridgeSetting({ relays: 4 });
    ({ keys, stellar, tft } = fx);
  });

  after(() => fx?.stop({ figures }));

  it('mints a deposit to the account its hash memo names, less the fee, and counts the blocks', async () => {
    const { api } = fx;
    const alice = fx.keyring.addFromUri('//Alice');
    const before = await freeBalance(api, alice.address);
    const seenAt = (await api.rpc.chain.getHeader()).number.toNumber();
    const hash = await deposit(100n * TFT, Memo.hash(hex(alice.publicKey)));
    const minted = await bridgeEvent('DepositMinted', (d) => hex(d.txHash) === hash);
    assert.equal(minted.data.amount.toBigInt(), 100n * TFT - DEPOSIT_FEE);
    assert.equal(minted.data.fee.toBigInt(), DEPOSIT_FEE);
    assert.equal(await freeBalance(api, alice.address), before + 100n * TFT - DEPOSIT_FEE);
    figures.blocksToMint = minted.block - seenAt;
    assert.ok(figures.blocksToMint <= 3, `minted ${figures.blocksToMint} blocks after the deposit`);
    await vaultMatchesSupply();
  });

  it('credits a twin and tops up an agreement named by text memos', async () => {
    const { api, keyring } = fx;
    const alice = keyring.addFromUri('//Alice');
    const twin = (await api.query.registry.twinIdByAccount(alice.address)).unwrap().toNumber();
    const before = await freeBalance(api, alice.address);
    // The relays are running now: this deposit measures the blocks from deposit to mint.
    const seenAt = (await api.rpc.chain.getHeader()).number.toNumber();
    const toTwin = await deposit(20n * TFT, Memo.text(`twin_${twin}`));
    const minted = await bridgeEvent('DepositMinted', (d) => hex(d.txHash) === toTwin);
    figures.blocksToMintWarm = minted.block - seenAt;
    assert.ok(figures.blocksToMintWarm <= 2, `minted ${figures.blocksToMintWarm} blocks after the deposit`);
    assert.equal(await freeBalance(api, alice.address), before + 20n * TFT - DEPOSIT_FEE);

    const workloads = [{ name: 'bridgee2e', size: 1024n ** 3n, metadata: '{}', description: 'bridged' }];
    const { tx } = createNodeContractTx(api, {
      nodeId: 1, signer: alice, twinId: twin, workloads, metadata: 'm', description: 'd', deposit: 10n * TFT,
    });
    const created = await sendOk(api, tx, alice);
    const contractId = eventData(created.events, api.events.smartContract.ContractCreated).contractId.toNumber();
    const escrow = async () => (await api.call.smartContractApi.escrow(contractId)).unwrap().escrow.toBigInt();
    const escrowBefore = await escrow();
    const toAgreement = await deposit(30n * TFT, Memo.text(`contract_${contractId}`));
    await bridgeEvent('DepositMinted', (d) => hex(d.txHash) === toAgreement);
    assert.ok((await escrow()) >= escrowBefore + 30n * TFT - DEPOSIT_FEE - TFT, 'the agreement was topped up');
    await vaultMatchesSupply();
  });

  it('loses nothing and pays nothing twice when relays crash after each step and restart', async () => {
    const { api } = fx;
    const alice = fx.keyring.addFromUri('//Alice');
    // Relays armed to abort right after a step (as if killed with SIGKILL there); each one that
    // aborts is restarted from its state directory, unarmed. `crashes` records who aborted where.
    // Each arming is a generation: a relay of an earlier one that aborts while it is being
    // replaced is not restarted (it would outlive the test and keep its runner alive).
    const crashes = [];
    let generation = 0;
    const arm = async (steps) => {
      generation += 1;
      const armed = generation;
      await Promise.all(fx.relays.map((relay) => relay?.stop('SIGKILL')));
      fx.relays = steps.map((crashAt, n) => {
        const relay = fx.relay(n, { crashAt });
        relay.exited.then(() => {
          if (relay.child.signalCode !== 'SIGABRT' || armed !== generation || fx.relays[n] !== relay) return;
          crashes.push({ n, step: crashAt });
          fx.relays[n] = fx.relay(n);
        });
        return relay;
      });
    };
    const crashedAt = (step) => waitFor(() => crashes.some((c) => c.step === step), { timeoutMs: 120_000, what: `a relay crashing ${step}` });
    const withdraw = async () => {
      const withdrawn = await sendOk(api, api.tx.tftBridge.withdraw(u8aToHex(keys.user.rawPublicKey()), 3n * TFT), alice);
      const id = eventData(withdrawn.events, api.events.tftBridge.Withdrawn).payment.toNumber();
      await bridgeEvent('PaymentConfirmed', (d) => d.id.toNumber() === id);
      return id;
    };

    // After voting, before saving the cursor: every relay votes, then reads and votes again.
    await arm(['after-votes', 'after-votes', 'after-votes', 'after-votes']);
    const hashes = [];
    for (let i = 0; i < 3; i += 1) hashes.push(await deposit(2n * TFT + BigInt(i), Memo.hash(hex(alice.publicKey))));
    for (const hash of hashes) await bridgeEvent('DepositMinted', (d) => hex(d.txHash) === hash);
    await crashedAt('after-votes');
    const userBefore = await stellar.balance(keys.user.publicKey(), tft);
    // After signing (at least one of relays 0 and 1 signs: three signatures are needed), and
    // after reporting (likewise one of relays 2 and 3 reports).
    await arm(['after-signatures', 'after-signatures', 'after-reports', 'after-reports']);
    await withdraw();
    await crashedAt('after-signatures');
    await crashedAt('after-reports');
    // After a submission was included, before its report: the submitter crashes.
    await arm(['after-submission', 'after-submission', 'after-submission', 'after-submission']);
    const id = await withdraw();
    await crashedAt('after-submission');
    await arm([undefined, undefined, undefined, undefined]);

    const minted = fx.bridgeEvents.filter((e) => e.method === 'DepositMinted').map((e) => hex(e.data.txHash));
    assert.equal(new Set(minted).size, minted.length, 'a deposit minted twice');
    // The user got each of the two payouts once (3 TFT less the withdrawal fee each).
    assert.equal(await stellar.balance(keys.user.publicKey(), tft), userBefore + 2n * 2n * TFT);
    // Paid once on Stellar: one transaction with the withdrawal's memo.
    const page = await stellar.server.transactions().forAccount(keys.user.publicKey()).order('desc').limit(50).call();
    assert.equal(page.records.filter((r) => r.memo_type === 'text' && r.memo === `burn_${id}`).length, 1);
    figures.crashes = crashes.map((c) => `${c.n}:${c.step}`);
    await vaultMatchesSupply();
  });
});
