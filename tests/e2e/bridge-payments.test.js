// The Stellar TFT bridge end to end, payments from the vault (bridge.test.js has the deposits
// and the relays killed; the two files run side by side): a dev node, stellar-sim (our
// Horizon-compatible simulator, driven through SDF's JavaScript SDK as a Stellar wallet
// would) and the relays of three members of a 9-member bridge circle whose threshold is 3.
// - bad deposits are paid back on Stellar with a return memo naming them;
// - a withdrawal made with the `gridchain` CLI is paid on Stellar with the threshold's
//   signatures (its status and the deposit's read back with the CLI); one to an account without
//   a TFT trustline comes back on chain;
// - the vault's TFT on Stellar always equals the chain's bridged supply.
// (bridge-vault.test.js: the vault's signers following the circle; bridge-expiry.test.js: a
// payment that expired unsubmitted.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import { eventData, feePaid, freeBalance, sendOk } from './lib/chain.js';
import { gridchainCli } from './lib/cli.js';
import {
  DEPOSIT_FEE, TFT, WITHDRAWAL_FEE, hex, startBridgeSetting,
} from './lib/bridge-setting.js';
import { Memo, Operation } from './lib/stellar.js';

describe('the Stellar TFT bridge: payments from the vault', { timeout: 900_000 }, () => {
  let fx;
  let keys;
  let stellar;
  let tft;
  const bridgeEvent = (...args) => fx.bridgeEvent(...args);
  const deposit = (...args) => fx.deposit(...args);
  const vaultMatchesSupply = (...args) => fx.vaultMatchesSupply(...args);

  before(async () => {
    fx = await startBridgeSetting({ relays: 3 });
    ({ keys, stellar, tft } = fx);
  });

  after(() => fx?.stop());

  it('pays bad deposits back on Stellar with a return memo naming them', async () => {
    const before = await stellar.balance(keys.user.publicKey(), tft);
    const cases = {
      noMemo: await deposit(5n * TFT, Memo.none()),
      badMemo: await deposit(5n * TFT, Memo.text('for my farm please')),
      unknownTwin: await deposit(5n * TFT, Memo.text('twin_999999')),
      notAboveFee: await deposit(DEPOSIT_FEE / 2n, Memo.text('twin_1')),
      // Two senders in one transaction: paid back to the transaction's source.
      twoSenders: await deposit(5n * TFT, Memo.text('twin_1'), {
        extra: [Operation.payment({ source: keys.other.publicKey(), destination: keys.vault.publicKey(), asset: tft, amount: '1' })],
        signers: [keys.user, keys.other],
      }),
    };
    for (const [name, hash] of Object.entries(cases)) {
      const queued = await bridgeEvent('DepositRefundQueued', (d) => hex(d.txHash) === hash);
      await bridgeEvent('PaymentConfirmed', (d) => d.id.toNumber() === queued.data.payment.toNumber());
      // On Stellar: a payment from the vault to the sender whose return memo is the deposit.
      const page = await stellar.server.transactions().forAccount(keys.user.publicKey()).order('desc').limit(50).call();
      const refund = page.records.find((r) => r.memo_type === 'return' && Buffer.from(r.memo, 'base64').toString('hex') === hash);
      assert.ok(refund, `no refund of ${name} on Stellar`);
      assert.equal(refund.source_account, keys.vault.publicKey());
    }
    assert.equal(await stellar.balance(keys.user.publicKey(), tft), before + 1n * TFT, 'every stroop came back (the other sender sent 1 TFT)');
    await vaultMatchesSupply();
  });

  it('pays a withdrawal on Stellar with the threshold\'s signatures, and returns one Stellar refuses', async () => {
    const { api, keyring } = fx;
    const alice = keyring.addFromUri('//Alice');
    // The vault holds what was bridged in: Alice bridges 100 TFT first.
    const bridged = await deposit(100n * TFT, Memo.hash(hex(alice.publicKey)));
    await bridgeEvent('DepositMinted', (d) => hex(d.txHash) === bridged);
    // The deposit and the withdrawal as a bridge user sees them with the `gridchain` CLI.
    const { ok, fails } = gridchainCli(fx.node.rpcUrl);
    const minted = await ok(['--wait', 'in-block', '--json', 'bridge', 'status', 'deposit', bridged]);
    assert.equal(minted.json.state, 'minted');
    assert.equal(BigInt(minted.json.minted.units), 100n * TFT - DEPOSIT_FEE);
    const stellarBefore = await stellar.balance(keys.user.publicKey(), tft);
    const withdrawn = await ok(['--wait', 'in-block', '--json', 'bridge', 'withdraw', keys.user.publicKey(), '50'], { suri: '//Alice' });
    const id = withdrawn.json.payment;
    assert.equal(BigInt(withdrawn.json.paid.units), 50n * TFT - WITHDRAWAL_FEE);
    assert.equal(withdrawn.json.memo, `burn_${id}`);
    assert.match(withdrawn.json.hash, /^[0-9a-f]{64}$/);
    await bridgeEvent('PaymentReady', (d) => d.id.toNumber() === id);
    await bridgeEvent('PaymentConfirmed', (d) => d.id.toNumber() === id);
    const settled = await ok(['--wait', 'in-block', '--json', 'bridge', 'status', 'withdrawal', String(id)]);
    assert.equal(settled.json.state, 'settled');
    const info = await ok(['--json', 'bridge', 'info'], { suri: '//Alice' });
    assert.equal(info.json.circle.id, fx.bridgeCircle);
    assert.equal(info.json.vault.account, keys.vault.publicKey());
    // A secret seed where a Stellar address belongs is refused without being shown back.
    const secret = keys.user.secret();
    const refusedSeed = await fails(['bridge', 'withdraw', secret, '5'], { suri: '//Alice', code: 2 });
    assert.ok(!refusedSeed.stderr.includes(secret));
    await fails(['--wait', 'in-block', 'bridge', 'withdraw', keys.user.publicKey(), '999999'], { suri: '//Alice', error: /TftBridge::InsufficientVault/ });
    assert.equal(await stellar.balance(keys.user.publicKey(), tft), stellarBefore + 50n * TFT - WITHDRAWAL_FEE);
    const page = await stellar.server.transactions().forAccount(keys.user.publicKey()).order('desc').limit(20).call();
    const paid = page.records.find((r) => r.memo_type === 'text' && r.memo === `burn_${id}`);
    assert.ok(paid && paid.signatures.length === 3, 'paid with exactly the threshold\'s signatures');
    await vaultMatchesSupply();

    // No TFT trustline: Stellar applies the transaction but not the payment; the TFT comes back.
    const before = await freeBalance(api, alice.address);
    const refused = await sendOk(api, api.tx.tftBridge.withdraw(u8aToHex(keys.untrusting.rawPublicKey()), 10n * TFT), alice);
    const refusedId = eventData(refused.events, api.events.tftBridge.Withdrawn).payment.toNumber();
    const returned = await bridgeEvent('WithdrawalReturned', (d) => d.id.toNumber() === refusedId);
    assert.equal(returned.data.amount.toBigInt(), 10n * TFT - WITHDRAWAL_FEE);
    assert.equal(
      await freeBalance(api, alice.address),
      before - WITHDRAWAL_FEE - feePaid(api, refused.events),
      'the payout came back; the fee stays with the treasury',
    );
    await vaultMatchesSupply();
  });
});
