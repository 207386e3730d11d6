// The Stellar TFT bridge end to end: a payment from the vault that expires unsubmitted. A dev
// node, stellar-sim and the relays of three members of a 9-member bridge circle (threshold 3);
// the vault's payments are valid 60 s, the shortest the chain takes.
// - Horizon refuses every submission (503) until the chain's clock passes the payment's
//   `max_time`; a ledger closes after it; the relays report the payment expired, the chain
//   fixes it again at the same sequence (a new hash) and it is paid once.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import { eventData, sendOk } from './lib/chain.js';
import { TFT, hex, startBridgeSetting } from './lib/bridge-setting.js';
import { waitFor } from './lib/node.js';
import {
  Memo, Operation, STANDALONE, TransactionBuilder,
} from './lib/stellar.js';

describe('the Stellar TFT bridge: a payment that expires', { timeout: 900_000 }, () => {
  let fx;
  let keys;
  let stellar;
  let tft;
  const bridgeEvent = (...args) => fx.bridgeEvent(...args);
  const vaultMatchesSupply = (...args) => fx.vaultMatchesSupply(...args);

  before(async () => {
    fx = await startBridgeSetting({ relays: 3, paymentLifetime: 60 });
    ({ keys, stellar, tft } = fx);
  });

  after(() => fx?.stop());

  it('fixes a payment that expired unsubmitted again at the same sequence, and pays it once', async () => {
    const { api, keyring } = fx;
    const alice = keyring.addFromUri('//Alice');
    // Alice bridges 100 TFT in: the vault pays out only what was bridged.
    const bridged = await fx.deposit(100n * TFT, Memo.hash(hex(alice.publicKey)));
    await bridgeEvent('DepositMinted', (d) => hex(d.txHash) === bridged);
    const userBefore = await stellar.balance(keys.user.publicKey(), tft);
    // Horizon takes no submission for a while (503): the payment cannot apply.
    await stellar.faults({ fail_next_submissions: 1_000_000, status: 503 });
    const withdrawn = await sendOk(api, api.tx.tftBridge.withdraw(u8aToHex(keys.user.rawPublicKey()), 4n * TFT), alice);
    const queued = eventData(withdrawn.events, api.events.tftBridge.PaymentQueued);
    const id = queued.id.toNumber();
    const { maxTime } = (await api.query.tftBridge.outgoingPayments(id)).unwrap().transaction.asPayment;
    await bridgeEvent('PaymentReady', (d) => d.id.toNumber() === id);
    await waitFor(
      async () => (await api.query.timestamp.now()).toBigInt() / 1000n > maxTime.toBigInt(),
      { timeoutMs: 120_000, intervalMs: 1_000, what: 'the chain\'s clock past the payment\'s max_time' },
    );
    // Horizon takes submissions again; a ledger closes after max_time (any transaction): the
    // relays see the payment expired unapplied and report it.
    await stellar.faults({ clear: true });
    await stellar.submit(keys.other, [Operation.payment({ destination: keys.user.publicKey(), asset: tft, amount: '0.0000001' })]);
    const reissued = await bridgeEvent('PaymentReissued', (d) => d.id.toNumber() === id);
    // (`hash_`: polkadot.js names the field so, `hash` being every codec's own hash.)
    assert.notEqual(hex(reissued.data.hash_), hex(queued.hash_), 'a new hash: the old signatures sign nothing');
    await bridgeEvent('PaymentConfirmed', (d) => d.id.toNumber() === id);
    const page = await stellar.server.transactions().forAccount(keys.user.publicKey()).order('desc').limit(50).call();
    const paid = page.records.filter((r) => r.memo_type === 'text' && r.memo === `burn_${id}`);
    assert.equal(paid.length, 1, 'paid once');
    // The user got the payout once (4 TFT less the withdrawal fee) and the stroop sent above.
    assert.equal(await stellar.balance(keys.user.publicKey(), tft), userBefore + 3n * TFT + 1n);
    assert.equal(TransactionBuilder.fromXDR(paid[0].envelope_xdr, STANDALONE).sequence, queued.sequence.toString(), 'at the sequence it was first fixed with');
    // Paid as fixed again (the last time, if it expired more than once on a busy machine).
    const reissues = fx.bridgeEvents.filter((e) => e.method === 'PaymentReissued' && e.data.id.toNumber() === id);
    assert.equal(paid[0].hash, hex(reissues.at(-1).data.hash_));
    await vaultMatchesSupply();
  });
});
