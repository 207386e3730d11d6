// The dev chain as a user meets it: blocks are produced and finalized, TFT moves between
// accounts with exact fees, and a failing transfer is reported by name and moves nothing. The
// tests run side by side on one node; each signs with accounts no other test signs with.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

import { decodeDispatchError, freeBalance, sendAndFinalize } from './lib/chain.js';
import { processAlive, startDevNode, waitFor } from './lib/node.js';

const TFT = 10_000_000n; // 7 decimals

describe('gridchain dev chain', { timeout: 300_000, concurrency: true }, () => {
  let node;
  let api;
  let alice;
  let bob;
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

  before(async () => {
    await cryptoWaitReady();
    // As a user starts it (`--dev` alone): the genesis built from the runtime's preset.
    node = await startDevNode({ builtInSpec: true });
    api = node.api;
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
  });

  after(async () => {
    if (!node) return;
    const pid = node.process.pid;
    await node.stop();
    assert.equal(processAlive(pid), false, `node process ${pid} is still running after stop`);
    assert.equal(node.process.signalCode === 'SIGKILL', false, 'node did not shut down on SIGINT');
  });

  it('starts with the dev farm operated by Alice and its node at the default zos-sim address, with zos-sim\'s default key', async () => {
    const twin = (await api.query.registry.twinIdByAccount(alice.address)).unwrap().toNumber();
    const farm = (await api.query.registry.farms(1)).unwrap();
    assert.equal(farm.owner.toNumber(), twin);
    assert.equal(farm.name.toUtf8(), 'dev-farm');
    assert.equal(farm.operator.unwrap().toString(), alice.address);
    assert.ok((await api.query.registry.farmsByOperator(alice.address, 1)).isSome);
    const devNode = (await api.query.registry.nodes(1)).unwrap();
    assert.equal(devNode.farmId.toNumber(), 1);
    assert.equal(devNode.endpoint.toUtf8(), 'http://127.0.0.1:8080/');
    // zos-sim signs with `--key-seed //Alice` (ed25519) unless told otherwise.
    const aliceEd = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
    assert.equal(devNode.publicKey.toHex(), u8aToHex(aliceEd.publicKey));
  });

  it('announces TFT with 7 decimals and SS58 format 42', async () => {
    const properties = await api.rpc.system.properties();
    assert.deepEqual(properties.tokenSymbol.unwrap().map((s) => s.toString()), ['TFT']);
    assert.deepEqual(properties.tokenDecimals.unwrap().map((d) => d.toNumber()), [7]);
    assert.equal(properties.ss58Format.unwrap().toNumber(), 42);
    assert.equal(api.consts.system.ss58Prefix.toNumber(), 42);
    assert.equal(api.runtimeVersion.specName.toString(), 'gridchain');
  });

  it('produces blocks and advances the finalized head', async () => {
    const firstFinalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    const finalized = await waitFor(async () => {
      const head = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
      return head.number.toNumber() >= firstFinalized + 2 ? head.number.toNumber() : 0;
    }, { timeoutMs: 60_000, what: 'two more finalized blocks' });
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    assert.ok(best >= finalized, `best block ${best} is behind finalized ${finalized}`);
  });

  it('transfers 12.5 TFT to a fresh account; balances change by exactly the amount and the fee', async () => {
    const fresh = keyring.addFromMnemonic(mnemonicGenerate());
    const amount = 125n * TFT / 10n; // 12.5 TFT

    const { blockHash, events, dispatchError } = await sendAndFinalize(
      api, api.tx.balances.transferKeepAlive(fresh.address, amount), alice);
    assert.equal(dispatchError, undefined, 'transfer failed');

    const feeEvent = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
    assert.ok(feeEvent, 'no TransactionFeePaid event');
    const [who, actualFee, tip] = feeEvent.event.data;
    assert.equal(who.toString(), alice.address);
    assert.equal(tip.toBigInt(), 0n);
    const fee = actualFee.toBigInt();
    assert.ok(fee > 0n, 'fee is zero');

    const transferEvent = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transferEvent, 'no Transfer event');
    assert.equal(transferEvent.event.data.amount.toBigInt(), amount);

    const parentHash = (await api.rpc.chain.getHeader(blockHash)).parentHash;
    const aliceBefore = await freeBalance(api, alice.address, parentHash);
    const aliceAfter = await freeBalance(api, alice.address, blockHash);
    const freshBefore = await freeBalance(api, fresh.address, parentHash);
    const freshAfter = await freeBalance(api, fresh.address, blockHash);

    assert.equal(freshBefore, 0n);
    assert.equal(freshAfter, amount);
    assert.equal(aliceBefore - aliceAfter, amount + fee);
  });

  it('refuses a transfer of more than the sender owns, names the error, and moves nothing but the fee', async () => {
    const bobFree = await freeBalance(api, bob.address);
    const tooMuch = bobFree + 1n * TFT;
    const receiver = keyring.addFromUri('//Ferdie');
    const { blockHash, events, dispatchError } = await sendAndFinalize(
      api, api.tx.balances.transferKeepAlive(receiver.address, tooMuch), bob);

    assert.ok(dispatchError, 'the transfer succeeded');
    assert.deepEqual(
      (({ kind, section, name }) => ({ kind, section, name }))(decodeDispatchError(api, dispatchError)),
      // pallet-balances reports an overdraft through the fungible traits as a token error.
      { kind: 'Token', section: 'Token', name: 'FundsUnavailable' },
    );
    assert.ok(events.some(({ event }) => api.events.system.ExtrinsicFailed.is(event)));
    assert.ok(!events.some(({ event }) => api.events.balances.Transfer.is(event)), 'a Transfer event was emitted');

    const [, actualFee] = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event)).event.data;
    const parentHash = (await api.rpc.chain.getHeader(blockHash)).parentHash;
    assert.equal(
      (await freeBalance(api, bob.address, parentHash)) - (await freeBalance(api, bob.address, blockHash)),
      actualFee.toBigInt(),
      'the sender lost more than the fee',
    );
    assert.equal(
      await freeBalance(api, receiver.address, blockHash),
      await freeBalance(api, receiver.address, parentHash),
      'the receiver balance changed',
    );
  });

  it('has no sudo, and decodes a module error by pallet and name through the metadata', async () => {
    // The council of guardians governs; there is no sudo key to hold.
    assert.equal(api.tx.sudo, undefined);
    // Charlie is not a guardian: he cannot propose to the council (circle 1).
    const charlie = keyring.addFromUri('//Charlie');
    const { dispatchError } = await sendAndFinalize(
      api, api.tx.guardian.propose(1, api.tx.system.remark('0x00'), 'Circle'), charlie, { inBlock: true });
    assert.ok(dispatchError?.isModule, 'expected a module error');
    const decoded = decodeDispatchError(api, dispatchError);
    assert.equal(decoded.section, 'guardian');
    assert.equal(decoded.name, 'NotMember');
  });

  it('gives a node started with a development key that key as its ZOS operator key', async () => {
    // Alice's dev node holds Alice's `zos!` key, not Bob's.
    const zos = async (rpcApi, pair) => (await rpcApi.rpc.author.hasKey(u8aToHex(pair.publicKey), 'zos!')).isTrue;
    assert.equal(await zos(api, alice), true);
    assert.equal(await zos(api, bob), false);
    // A node started with --bob operates with Bob's key.
    const bobsNode = await startDevNode({ extraArgs: ['--bob'] });
    try {
      assert.equal(await zos(bobsNode.api, bob), true);
      assert.equal(await zos(bobsNode.api, alice), false);
    } finally {
      await bobsNode.stop();
    }
  });
});
