// The `gridchain` command line against a dev node: each flow as a user runs it, its output for
// people and with --json, the chain's state read back through @polkadot/api, and a bad input
// per group that exits non-zero with the error's name. The groups run side by side, each with
// its own accounts (one account's transactions go through one process at a time).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { sendOk } from './lib/chain.js';
import { gridchainCli } from './lib/cli.js';
import { iouMessage } from './lib/iou.js';
import { freePort, startDevNode, waitFor } from './lib/node.js';
import { startSim } from './lib/sim.js';
import { challengeHash } from './lib/zos.js';

const TFT = 10_000_000n;
const GIB = 1024n ** 3n;
const NODE_KEY_SEED = '//CliE2eNode';

let node;
let api;
let keyring;
let workDir;
let sim;
let ok;
let fails;

const address = (uri) => keyring.addFromUri(uri).address;
const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  node = await startDevNode();
  api = node.api;
  ({ ok, fails } = gridchainCli(node.rpcUrl));
  workDir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
});

after(async () => {
  await sim?.stop();
  await node?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('gridchain', { concurrency: true }, () => {
  test('account: balance with holds, transfer, a key file, and bad input', async () => {
    const bob = address('//Bob');
    const receiver = address('//CliReceiver');
    const shown = await ok(['account', 'balance', bob]);
    assert.match(shown.stdout, new RegExp(`^${bob}\\n  free +[0-9]+\\.[0-9]{7} TFT`));

    // The secret from a file, not the command line.
    const keyFile = join(workDir, 'bob.key');
    writeFileSync(keyFile, '//Bob\n', { mode: 0o600 });
    const before = await free(receiver);
    const sent = await ok(['--key-file', keyFile, '--json', 'account', 'transfer', receiver, '12.5']);
    assert.equal(sent.json.amount.units, String(125n * TFT / 10n));
    assert.equal(sent.json.in.finalized, true, 'waits for finality by default');
    const finalizedHash = await api.rpc.chain.getBlockHash(sent.json.in.block);
    assert.equal(finalizedHash.toHex(), sent.json.in.blockHash);
    assert.equal(await free(receiver) - before, 125n * TFT / 10n);

    const balance = await ok(['--json', 'account', 'balance', receiver]);
    assert.equal(BigInt(balance.json.free.units), await free(receiver));
    // The dev farmer Alice holds deposits: each listed by reason.
    const alice = await ok(['--json', 'account', 'balance', address('//Alice')]);
    const heldTotal = alice.json.holds.reduce((sum, hold) => sum + BigInt(hold.amount.units), 0n);
    assert.equal(BigInt(alice.json.held.units), heldTotal);

    await fails(['account', 'transfer', receiver, '1.00000001'], { suri: '//Bob', code: 2, error: /at most 7 decimals/ });
    await fails(['account', 'transfer', 'not-an-address', '1'], { suri: '//Bob', code: 2, error: /not an account/ });
    await fails(['account', 'transfer', receiver, '1'], { code: 2, error: /give --key-file PATH or set GRIDCHAIN_SURI/ });
    // More than Bob has: the pool refuses it before a block (nothing changes).
    const bobBefore = await free(bob);
    await fails(['--wait', 'in-block', 'account', 'transfer', receiver, '999999999'], { suri: '//Bob', error: /the chain refused it: Arithmetic error: Underflow/ });
    assert.ok(bobBefore - await free(bob) < TFT, 'only the fee was paid');
    const json = await fails(['--json', 'account', 'transfer', receiver, 'lots'], { suri: '//Bob', code: 2 });
    assert.equal(JSON.parse(json.stdout).error.kind, 'input');
    // No node: a clear error; a key's address needs none.
    const down = { env: { GRIDCHAIN_URL: 'ws://127.0.0.1:1' } };
    await fails(['account', 'balance', bob], { ...down, error: /cannot connect to ws:\/\/127\.0\.0\.1:1/ });
    const offline = await ok(['account', 'address'], { ...down, suri: '//Bob' });
    assert.equal(offline.stdout.trim(), bob);
    // A script that asked for JSON gets a usage error as JSON too.
    const usage = await fails(['--json', 'account', 'transfer', receiver], { suri: '//Bob', code: 2 });
    assert.match(JSON.parse(usage.stdout).error.message, /required/);
  });

  test('farmer and user: twin, farm, node, agreement from quote to deployed to cancelled', async () => {
    const dave = { suri: '//Dave' };
    const ferdie = { suri: '//Ferdie' };
    const inBlock = ['--wait', 'in-block'];
    const [daveTwin, ferdieTwin] = await Promise.all([
      ok([...inBlock, '--json', 'twin', 'register'], dave),
      ok([...inBlock, '--json', 'twin', 'register'], ferdie),
    ]);
    assert.equal(daveTwin.json.account, address('//Dave'));
    const twin = (await api.query.registry.twinIdByAccount(address('//Ferdie'))).unwrap().toNumber();
    assert.equal(ferdieTwin.json.twin, twin);
    await fails([...inBlock, 'twin', 'register'], { ...ferdie, error: /Registry::TwinAlreadyRegistered/ });

    // Dave's farm, operated by Alice (the dev node holds her `zos!` key): she must accept.
    const farm = await ok([...inBlock, '--json', 'farm', 'create', 'cli-farm', '--cru', '0.5', '--mru', '0.25', '--sru', '0.01', '--hru', '0.001', '--operator', address('//Alice')], dave);
    const farmId = farm.json.farm;
    assert.equal(farm.json.operatorOffered, address('//Alice'));
    await ok([...inBlock, 'farm', 'accept-operator', String(farmId)], { suri: '//Alice' });
    const onChain = (await api.query.registry.farms(farmId)).unwrap();
    assert.equal(onChain.operator.unwrap().toString(), address('//Alice'));
    assert.equal(onChain.pricing.sruPerGibHour.toBigInt(), TFT / 100n);
    await fails([...inBlock, 'farm', 'create', 'cli-farm', '--cru', '1', '--mru', '1', '--sru', '1', '--hru', '1'], { ...dave, error: /Registry::FarmNameTaken/ });
    await fails(['farm', 'create', 'other', '--cru', '1'], { ...dave, code: 2, error: /--mru is required/ });

    // New prices: only those given change.
    const priced = await ok([...inBlock, '--json', 'farm', 'set-prices', String(farmId), '--sru', '0.02'], dave);
    assert.equal(priced.json.pricing.sruPerGibHour.tft, '0.0200000');
    assert.equal(priced.json.pricing.cruPerCoreHour.tft, '0.5000000');

    // Its node, served by zos-sim.
    const simPort = await freePort();
    const nodeKey = new Keyring({ type: 'ed25519' }).addFromUri(NODE_KEY_SEED);
    const registered = await ok([...inBlock, '--json', 'node', 'register', String(farmId), '--cru', '4', '--mru', '16GiB', '--sru', '100GiB', '--endpoint', `http://127.0.0.1:${simPort}/`, '--node-key', `0x${Buffer.from(nodeKey.publicKey).toString('hex')}`], dave);
    const nodeId = registered.json.node;
    assert.equal(BigInt(registered.json.capacity.sru), 100n * GIB);
    sim = await startSim({
      port: simPort,
      nodeId,
      chainRpc: node.rpcUrl.replace('ws://', 'http://'),
      stateFile: join(workDir, 'sim-state.json'),
      keySeed: NODE_KEY_SEED,
      sru: 100n * GIB,
    });
    await fails(['node', 'register', String(farmId), '--cru', '4', '--mru', '16GB', '--sru', '1GiB', '--endpoint', 'http://x/', '--node-key', '0x00'], { ...dave, code: 2, error: /not a size/ });

    const farmShown = await ok([...inBlock, 'farm', 'show', String(farmId)]);
    assert.match(farmShown.stdout, new RegExp(`farm ${farmId} \\(cli-farm\\)`));
    assert.match(farmShown.stdout, new RegExp(`nodes +${nodeId}`));
    const farms = await ok([...inBlock, '--json', 'farm', 'list', '--owner', String(daveTwin.json.twin)]);
    assert.deepEqual(farms.json.farms.map((f) => f.farm), [farmId]);

    // The user: a quote, then an agreement with the challenge computed and signed by the CLI.
    const quote = await ok([...inBlock, '--json', 'agreement', 'quote', String(nodeId), '--volume', 'data:20GiB', '--hours', '10']);
    assert.equal(quote.json.costPerHour.tft, '0.4000000', '20 GiB at 0.02 TFT per GiB-hour');
    assert.equal(quote.json.total.tft, '4.0000000');
    // Every read says the block it read at.
    for (const args of [['node', 'show', String(nodeId)], ['farm', 'show', String(farmId)], ['twin', 'show']]) {
      const read = await ok([...inBlock, '--json', ...args], ferdie);
      assert.ok(Number.isInteger(read.json.block) && read.json.block > 0, `${args.join(' ')}: block ${read.json.block}`);
    }
    assert.ok(Number.isInteger(quote.json.block));
    const created = await ok([...inBlock, '--json', 'agreement', 'create', String(nodeId), '--volume', 'data:20GiB', '--deposit', '50', '--metadata', 'cli', '--description', 'a volume'], ferdie);
    const id = created.json.agreement;
    const expected = challengeHash({ twinId: twin, metadata: 'cli', description: 'a volume', workloads: [{ name: 'data', metadata: '', description: '', size: 20n * GIB }] });
    assert.equal(created.json.deploymentHash, expected.toString('hex'), 'the same challenge as an independent implementation');
    const terms = (await api.query.smartContract.contractTerms(id)).unwrap();
    assert.equal(Buffer.from(terms.deploymentHash).toString(), expected.toString('hex'));
    assert.equal(created.json.deposit.tft, '50.0000000');

    // Followed until zos-sim deployed it (the farm's worker drives the deployment).
    const followed = await ok([...inBlock, '--json', 'agreement', 'follow', String(id), '--timeout', '120'], ferdie);
    assert.equal(followed.json.outcome, 'deployed');
    assert.ok((await api.query.smartContract.contracts(id)).unwrap().state.isDeployed);

    const shown = await ok([...inBlock, '--json', 'agreement', 'show', String(id)]);
    assert.equal(shown.json.state, 'deployed');
    assert.equal(shown.json.costPerHour.tft, '0.4000000');
    assert.deepEqual(shown.json.workloads, [{ name: 'data', type: 'volume', size: Number(20n * GIB) }]);
    assert.ok(shown.json.runsOutAt.block > shown.json.block, 'the escrow runs out in the future');
    const escrow = (await api.call.smartContractApi.escrow(id)).unwrap();
    assert.ok(BigInt(shown.json.escrow.units) >= escrow.escrow.toBigInt(), 'read at the same or an earlier block');
    const text = await ok([...inBlock, 'agreement', 'show', String(id)]);
    assert.match(text.stdout, /state +deployed: running and billed/);
    assert.match(text.stdout, /runs out at +#\d+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/);

    const listed = await ok([...inBlock, '--json', 'agreement', 'list'], ferdie);
    assert.deepEqual(listed.json.agreements.map((a) => a.agreement), [id]);

    const topped = await ok([...inBlock, '--json', 'agreement', 'top-up', String(id), '10'], ferdie);
    assert.ok(BigInt(topped.json.escrow.units) > 50n * TFT, 'the escrow grew by the top-up');
    await fails([...inBlock, 'agreement', 'top-up', String(id), '1'], { ...dave, error: /SmartContract::NotContractOwner/ });
    await fails([...inBlock, 'agreement', 'create', '999', '--volume', 'data:1GiB', '--deposit', '5'], { ...ferdie, error: /SmartContract::NodeNotFound/ });
    await fails(['agreement', 'create', String(nodeId), '--volume', 'data', '--deposit', '5'], { ...ferdie, code: 2, error: /NAME:SIZE/ });
    const quoteErr = await fails([...inBlock, '--json', 'agreement', 'quote', '999', '--volume', 'data:1GiB']);
    assert.equal(JSON.parse(quoteErr.stdout).error.message, 'SmartContract::NodeNotFound');
    assert.match(JSON.parse(quoteErr.stdout).error.docs, /\S/, 'with its documentation');

    const ferdieBefore = await free(address('//Ferdie'));
    const cancelled = await ok([...inBlock, '--json', 'agreement', 'cancel', String(id)], ferdie);
    assert.ok(BigInt(cancelled.json.refunded.units) > 0n);
    assert.ok(await free(address('//Ferdie')) > ferdieBefore, 'the rest of the escrow came back');
    const gone = await ok([...inBlock, '--json', 'agreement', 'follow', String(id), '--timeout', '120'], ferdie);
    assert.equal(gone.json.outcome, 'deleted');
    await fails([...inBlock, 'agreement', 'show', String(id)], { error: /no agreement/ });
  });

  test('cooperative: create, show, set members, claimable, nothing to claim, and shares that do not add up', async () => {
    const charlie = { suri: '//Charlie' };
    const inBlock = ['--wait', 'in-block'];
    const members = ['--member', `${address('//Charlie')}:60%`, '--member', `${address('//CliMember')}:40%`];
    const created = await ok([...inBlock, '--json', 'cooperative', 'create', 'cli-coop', ...members], charlie);
    const id = created.json.cooperative;
    const shown = await ok([...inBlock, '--json', 'cooperative', 'show', String(id)]);
    assert.deepEqual(shown.json.members.map((m) => m.share), ['60%', '40%']);
    assert.equal(shown.json.admin, address('//Charlie'));
    const onChain = (await api.query.registry.cooperatives(id)).unwrap();
    assert.equal(onChain.members[0].share.toNumber(), 600_000_000);
    const claimable = await ok([...inBlock, '--json', 'cooperative', 'claimable', String(id)], charlie);
    assert.equal(claimable.json.claimable.units, '0');
    await ok([...inBlock, 'cooperative', 'set-members', String(id), '--member', `${address('//Charlie')}:50%`, '--member', `${address('//CliMember')}:50%`], charlie);
    assert.deepEqual((await api.query.registry.cooperatives(id)).unwrap().members.map((m) => m.share.toNumber()), [500_000_000, 500_000_000]);
    await fails([...inBlock, 'cooperative', 'claim', String(id)], { ...charlie, error: /Registry::NothingToClaim/ });
    await fails([...inBlock, 'cooperative', 'create', 'bad-coop', '--member', `${address('//Charlie')}:60%`], { ...charlie, error: /Registry::SharesDoNotSumToWhole/ });
    await fails(['cooperative', 'create', 'bad', '--member', `${address('//Charlie')}:60`], { ...charlie, code: 2, error: /percentage/ });
  });

  test('guardians and IOUs: a circle becomes a bridge by its own vote; an IOU built, signed by both, verified, submitted', async () => {
    const inBlock = ['--wait', 'in-block'];
    const members = Array.from({ length: 9 }, (_, i) => `//CliGuardian${i + 1}`);
    const funder = keyring.addFromUri('//Alice//stash');
    await Promise.all([...members, '//Bob//stash', '//Charlie//stash'].map((uri) => sendOk(api, api.tx.balances.transferKeepAlive(address(uri), 200n * TFT), funder)));

    // A circle of nine, two of them approve.
    const memberArgs = members.flatMap((uri) => ['--member', address(uri)]);
    const created = await ok([...inBlock, '--json', 'circle', 'create', 'cli-bridge', ...memberArgs, '--threshold', '2', '--voting-period', '20'], { suri: members[0] });
    const circle = created.json.circle;
    const record = (await api.query.guardian.circles(circle)).unwrap();
    assert.equal(record.threshold.toNumber(), 2);
    await ok([...inBlock, 'account', 'transfer', created.json.treasury, '1'], { suri: members[0] });

    // It registers itself as an IOU bridge: a proposal named as pallet.call with arguments.
    const policy = '{ fee: 20000, settlement_interval: 10, withdrawal_delay: 10, payment_period: 10, min_escrow: 5TFT, min_score: 40, low_score_escrow: 1000TFT }';
    const proposed = await ok([...inBlock, '--json', 'circle', 'propose', String(circle), 'iou.setBridgePolicy', policy], { suri: members[0] });
    const proposal = proposed.json.proposal;
    assert.equal(proposed.json.call, 'Iou.set_bridge_policy');
    assert.equal(proposed.json.approved, false);
    const waiting = await ok([...inBlock, '--json', 'circle', 'pending'], { suri: members[1] });
    assert.deepEqual(waiting.json.proposals.map((p) => [p.circle, p.proposal, p.ayes]), [[circle, proposal, 1]]);
    const mine = await ok([...inBlock, '--json', 'circle', 'pending'], { suri: members[0] });
    assert.deepEqual(mine.json.proposals, [], 'the proposer has voted');
    const voted = await ok([...inBlock, '--json', 'circle', 'vote', String(circle), String(proposal), 'aye'], { suri: members[1] });
    assert.equal(voted.json.outcome, 'approved');
    await waitFor(async () => (await api.query.iou.bridges(circle)).isSome, { timeoutMs: 60_000, what: 'the bridge policy' });
    const bridge = (await api.query.iou.bridges(circle)).unwrap();
    assert.equal(bridge.policy.minEscrow.toBigInt(), 5n * TFT);
    const shown = await ok([...inBlock, '--json', 'circle', 'show', String(circle)]);
    assert.equal(shown.json.members.length, 9);
    assert.equal(shown.json.threshold, 2);
    assert.equal(shown.json.treasuryFree.tft, '1.0000000');
    await fails([...inBlock, 'circle', 'vote', String(circle), String(proposal), 'aye'], { suri: '//Bob', error: /Guardian::NotMember/ });
    await fails(['circle', 'propose', String(circle), 'nosuch.call'], { suri: members[0], code: 2, error: /no pallet/i });

    // A farm offers bandwidth; a consumer parks escrow and opens a channel.
    const provider = { suri: '//Bob//stash' };
    const consumer = { suri: '//Charlie//stash' };
    await Promise.all([ok([...inBlock, 'twin', 'register'], provider), ok([...inBlock, 'twin', 'register'], consumer)]);
    const farm = await ok([...inBlock, '--json', 'farm', 'create', 'cli-iou-farm', '--cru', '1', '--mru', '1', '--sru', '1', '--hru', '1'], provider);
    await sendOk(api, api.tx.iou.setService(farm.json.farm, 'Bandwidth', [{ price: TFT, per: GIB }, { price: TFT / 100n, per: 1000n }]), keyring.addFromUri('//Bob//stash'));
    await fails([...inBlock, 'iou', 'deposit', String(circle), '0.001'], { ...consumer, error: /Iou::DepositTooSmall/ });
    const deposited = await ok([...inBlock, '--json', 'iou', 'deposit', String(circle), '50'], consumer);
    assert.equal(deposited.json.escrow.tft, '50.0000000');
    const opened = await ok([...inBlock, '--json', 'iou', 'open-channel', String(circle), String(farm.json.farm), 'bandwidth'], consumer);
    const channel = opened.json.channel;

    // The IOU: 2 GiB and 5,000 requests, 2.05 TFT; signed by both, checked, handed in.
    const file = join(workDir, 'iou.json');
    const built = await ok([...inBlock, 'iou', 'build', '--channel', String(channel), '--usage', `${2n * GIB},5000`, '--out', file], provider);
    const document = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(document.amount, String(2n * TFT + 5n * TFT / 100n));
    assert.equal(document.sequence, '1');
    const genesis = api.genesisHash.toU8a();
    assert.equal(document.message, u8aToHex(iouMessage(genesis, { channel: BigInt(channel), usage: [2n * GIB, 5000n], amount: 2n * TFT + 5n * TFT / 100n, sequence: 1n })), 'the bytes an independent implementation signs');
    assert.ok(built.stdout.length > 0 || built.stderr.length > 0);
    await fails([...inBlock, 'iou', 'verify', file, '--complete'], { code: 2, error: /missing/i });
    await ok([...inBlock, 'iou', 'sign', file, '--as', 'consumer'], consumer);
    await fails([...inBlock, 'iou', 'sign', file, '--as', 'consumer'], { suri: '//Eve', code: 2 });
    await ok([...inBlock, 'iou', 'sign', file, '--as', 'provider'], provider);
    const verified = await ok([...inBlock, '--json', 'iou', 'verify', file, '--complete']);
    assert.equal(verified.json.holds, true);
    const tampered = join(workDir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), amount: '1' }));
    await fails([...inBlock, 'iou', 'verify', tampered], { code: 2 });
    const submitted = await ok([...inBlock, '--json', 'iou', 'submit', file], provider);
    assert.equal(submitted.json.accepted.length, 1);
    const onChain = (await api.query.iou.channels(channel)).unwrap();
    assert.equal(onChain.newest.unwrap().amount.toBigInt(), 2n * TFT + 5n * TFT / 100n);
    await fails([...inBlock, 'iou', 'submit', file], { ...provider, code: 2 });

    const reputation = await ok([...inBlock, '--json', 'iou', 'reputation', address('//Charlie//stash'), '--bridge', String(circle)]);
    const [withBridge] = reputation.json.bridges;
    assert.equal(withBridge.bridge, circle);
    assert.equal(withBridge.escrow.units, String(50n * TFT));
    const view = (await api.call.iouApi.consumer(circle, address('//Charlie//stash'))).unwrap();
    assert.equal(withBridge.score, view.score.toNumber());
  });

  test('validator: status of the dev validator, and a non-farmer cannot apply', async () => {
    const status = await ok(['--json', 'validator', 'status', address('//Alice')]);
    assert.equal(status.json.validator, true);
    assert.equal(status.json.authority, true);
    assert.equal(status.json.sessionKeys, true);
    const text = await ok(['validator', 'status'], { suri: '//Eve' });
    assert.match(text.stdout, /standing +not a validator/);
    const refused = await fails(['--wait', 'in-block', 'validator', 'apply'], { suri: '//Eve', error: /Validators::NotAFarmer/ });
    // The error's documentation follows its name.
    assert.match(refused.stderr, /Validators::NotAFarmer\n {2}\S/);
  });
});
