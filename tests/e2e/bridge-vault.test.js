// The Stellar TFT bridge end to end: the vault's signers follow the bridge circle. A dev node,
// stellar-sim and the relays of three members of a 9-member bridge circle (threshold 3); the
// vault on Stellar has the nine members' keys as signers.
// - member 9 is replaced by member 10 (decided by the circle); `gridchain-bridge
//   update-vault-signers` has the chain fix the set-options transaction, the vault's current
//   signers sign it, and the vault's signers on Stellar become the circle's keys;
// - a withdrawal then needs member 10's signature (one old signer's relay is down), and its
//   key signs it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import { eventData, sendOk } from './lib/chain.js';
import { TFT, hex, startBridgeSetting } from './lib/bridge-setting.js';
import {
  Memo, STANDALONE, TransactionBuilder, namedKeypair, updateVaultSigners,
} from './lib/stellar.js';

describe('the Stellar TFT bridge: the vault follows the circle', { timeout: 900_000 }, () => {
  let fx;
  let keys;
  let stellar;
  const bridgeEvent = (...args) => fx.bridgeEvent(...args);

  before(async () => {
    fx = await startBridgeSetting({ relays: 3 });
    ({ keys, stellar } = fx);
  });

  after(() => fx?.stop());

  it('carries a member replaced in the circle to the vault\'s signers, and the new key signs', async () => {
    const { api, keyring, validators } = fx;
    const alice = keyring.addFromUri('//Alice');
    // Alice bridges 100 TFT in (the vault pays out only what was bridged), meanwhile member 9
    // (no relay) leaves and member 10 takes its seat, decided by the bridge circle itself (3 of
    // its members); member 10 registers its Stellar key.
    const bridged = fx.deposit(100n * TFT, Memo.hash(hex(alice.publicKey)));
    const uri = '//BridgeValidator10';
    const newcomer = { chain: Object.assign(keyring.addFromUri(uri), { uri }), stellarKey: namedKeypair('validator-10') };
    await fx.fund([newcomer.chain]);
    const members = validators.map((v) => v.chain);
    const swapped = await fx.agree(fx.bridgeCircle, members.slice(0, 3), api.tx.guardian.swapMember(members[8].address, newcomer.chain.address));
    assert.ok(swapped.isOk, `the circle could not swap its member: ${swapped}`);
    await sendOk(api, api.tx.guardian.setMemberKey(fx.bridgeCircle, 'StellarEd25519', u8aToHex(newcomer.stellarKey.rawPublicKey())), newcomer.chain);
    validators.push(newcomer);

    // Any member asks; the relays of members 1-3 (the vault's signers) sign it.
    const printed = await updateVaultSigners({ nodeUrl: fx.node.rpcUrl, chainUri: validators[0].chain.uri });
    const id = Number(/change (\d+) queued/.exec(printed)?.[1]);
    assert.ok(Number.isInteger(id), `not a queued change: ${printed}`);
    assert.match(printed, new RegExp(newcomer.stellarKey.publicKey()));
    // A second ask while it is pending is refused (or, on a busy machine where the change
    // already applied, there is nothing to change).
    await assert.rejects(
      updateVaultSigners({ nodeUrl: fx.node.rpcUrl, chainUri: validators[1].chain.uri }),
      /VaultSignersChangePending|VaultSignersUpToDate/,
    );
    await bridgeEvent('PaymentReady', (d) => d.id.toNumber() === id);
    // Member 3's relay goes down, member 10's comes up, and a withdrawal is queued after the
    // change: members 1 and 2 sign it at once; member 10 only once the vault has its key.
    await fx.relays[2].stop('SIGKILL');
    fx.relays[2] = undefined;
    fx.relays.push(fx.relay(9));
    const bridgedHash = await bridged;
    await bridgeEvent('DepositMinted', (d) => hex(d.txHash) === bridgedHash);
    const withdrawn = await sendOk(api, api.tx.tftBridge.withdraw(u8aToHex(keys.user.rawPublicKey()), 5n * TFT), alice);
    const paymentId = eventData(withdrawn.events, api.events.tftBridge.Withdrawn).payment.toNumber();

    const expected = fx.vaultSigners([...validators.slice(0, 8), newcomer]);
    const changed = await bridgeEvent('VaultSignersChanged');
    assert.deepEqual(changed.data.signers.map((key) => key.toHex()), expected);
    assert.equal(changed.data.threshold.toNumber(), 3);
    // On Stellar: the vault's signers are the circle's keys, each of weight 1, 3 needed.
    const vault = await stellar.server.loadAccount(keys.vault.publicKey());
    const weights = Object.fromEntries(vault.signers.map((signer) => [signer.key, signer.weight]));
    assert.equal(weights[newcomer.stellarKey.publicKey()], 1);
    assert.equal(weights[validators[8].stellarKey.publicKey()], undefined, 'the former member\'s key is gone');
    // Horizon lists the master key only while it has a weight (stellar/go's SignerSummary).
    assert.equal(weights[keys.vault.publicKey()], undefined, 'the master key signs nothing');
    assert.equal(vault.signers.filter((signer) => signer.weight === 1).length, 9);
    assert.deepEqual([vault.thresholds.low_threshold, vault.thresholds.med_threshold, vault.thresholds.high_threshold], [3, 3, 3]);
    await assert.rejects(
      updateVaultSigners({ nodeUrl: fx.node.rpcUrl, chainUri: validators[1].chain.uri }),
      /VaultSignersUpToDate/,
    );

    await bridgeEvent('PaymentSigned', (d) => d.id.toNumber() === paymentId && d.signer.toString() === newcomer.chain.address);
    await bridgeEvent('PaymentConfirmed', (d) => d.id.toNumber() === paymentId);
    const page = await stellar.server.transactions().forAccount(keys.user.publicKey()).order('desc').limit(20).call();
    const paid = page.records.find((r) => r.memo_type === 'text' && r.memo === `burn_${paymentId}`);
    assert.ok(paid, 'the withdrawal is paid on Stellar');
    const hints = TransactionBuilder.fromXDR(paid.envelope_xdr, STANDALONE).signatures.map((signature) => signature.hint().toString('hex'));
    assert.equal(hints.length, 3);
    assert.ok(hints.includes(newcomer.stellarKey.signatureHint().toString('hex')), 'the new member\'s key signed it');
    await fx.vaultMatchesSupply();
  });
});
