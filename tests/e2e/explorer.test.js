// The explorer (explorer/) in headless Chromium against a dev node: a farm whose node is served
// by zos-sim, an agreement the off-chain worker deployed there, and the council with an open
// proposal. Each page's values are checked against @polkadot/api at the very block the page
// says it shows; the pages follow new blocks; an unknown id and an unreachable node get a clear
// message. With EXPLORER_SCREENSHOTS=docs/explorer the tests refresh the docs' screenshots.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';

import { circleVoting, devCouncil } from './lib/council.js';
import { explorerPage, launchBrowser, serveExplorer } from './lib/explorer.js';
import { eventData, sendOk } from './lib/chain.js';
import { freePort, waitFor } from './lib/node.js';
import { startZosSetting } from './lib/zos-setting.js';

const TFT = 10_000_000n;

/** An amount as the explorer shows it: `1,234.5000000 TFT`. */
/** `text` as a regular expression that matches it exactly. */
const escaped = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const tftText = (units) => `${(units / TFT).toLocaleString('en-US')}.${(units % TFT).toString().padStart(7, '0')} TFT`;

/**
 * A circle of nine (threshold 1) that is an IOU bridge by its own proposal, with `consumer`'s
 * escrow, and the Stellar bridge by the council's (no relays run: a withdrawal stays pending);
 * resolves with { circle, withdrawal }.
 */
async function makeBridges(api, voting, council, consumer) {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const stash = keyring.addFromUri('//Alice//stash');
  const members = [stash.address, keyring.addFromUri('//Bob//stash').address, ...Array.from({ length: 7 }, (_, i) => keyring.addFromUri(`//ExplorerMember${i}`).address)];
  const made = await sendOk(api, api.tx.guardian.createCircle('explorer-bridge', members, 1, 10, 0), stash);
  const circle = eventData(made.events, api.events.guardian.CircleCreated).circleId.toNumber();
  const treasury = (await api.call.guardianApi.circle(circle)).unwrap().treasury.toString();
  await sendOk(api, api.tx.balances.transferKeepAlive(treasury, TFT), stash);
  const policy = { fee: 20_000, settlementInterval: 10, withdrawalDelay: 10, paymentPeriod: 10, minEscrow: 5n * TFT, minScore: 40, lowScoreEscrow: 1_000n * TFT };
  const key = (byte) => `0x${byte.repeat(32)}`;
  const [, chooseCircle, setVault] = await Promise.all([
    voting.propose(circle, stash, api.tx.iou.setBridgePolicy(policy)),
    voting.propose(1, council[1], api.tx.tftBridge.setBridgeCircle(circle)),
    voting.propose(1, council[5], api.tx.tftBridge.setVault({
      account: key('0a'), networkPassphrase: 'Standalone Network ; February 2017', assetCode: 'TFT', assetIssuer: key('0b'),
      fee: 100, paymentLifetime: 3_600, sequence: 1n << 32n, signers: [key('0c')], threshold: 1,
    })),
  ]);
  await Promise.all([
    voting.vote(1, chooseCircle, [council[2], council[3], council[4], council[0]]),
    voting.vote(1, setVault, [council[6], council[7], council[8], council[0]]),
  ]);
  await Promise.all([voting.event('Executed', 1, chooseCircle), voting.event('Executed', 1, setVault)]);
  await waitFor(async () => (await api.query.iou.bridges(circle)).isSome, { timeoutMs: 60_000, what: 'the IOU bridge' });
  // A consumer's escrow; a deposit minted by the one vote the threshold asks, then withdrawn.
  const [, voted] = await Promise.all([
    sendOk(api, api.tx.iou.depositEscrow(circle, 10n * TFT), consumer),
    sendOk(api, api.tx.tftBridge.voteDeposits([{ txHash: key('ab'), claim: { sender: key('0d'), target: { Account: stash.address }, amount: 50n * TFT } }]), stash),
  ]);
  assert.ok(voted.events.some(({ event }) => api.events.tftBridge.DepositMinted.is(event)));
  const withdrawn = await sendOk(api, api.tx.tftBridge.withdraw(key('0e'), 20n * TFT), stash);
  const withdrawal = eventData(withdrawn.events, api.events.tftBridge.Withdrawn).payment.toNumber();
  return { circle, withdrawal };
}

describe('the grid explorer in a browser', { timeout: 600_000 }, () => {
  let fx;
  let site;
  let browser;
  let explorer;
  let contractId;
  let proposal;
  let bridge;

  /** The API at block `number`: what the page that says it shows `number` must show. */
  const atBlock = async (number) => fx.api.at(await fx.api.rpc.chain.getBlockHash(number));
  const text = (selector) => explorer.page.locator(selector).first().innerText();

  before(async () => {
    [fx, site, browser] = await Promise.all([startZosSetting(), serveExplorer(), launchBrowser()]);
    const { api } = fx;
    const voting = await circleVoting(api);
    const council = devCouncil(new Keyring({ type: 'sr25519', ss58Format: 42 }));
    // An agreement deployed through zos-sim, and an open proposal of the council (1 aye of 5).
    const [created, index] = await Promise.all([
      fx.createVolume('data', 10n),
      voting.propose(1, council[0], api.tx.system.remarkWithEvent('explorer e2e')),
    ]);
    contractId = created.contractId;
    proposal = index;
    bridge = await makeBridges(api, voting, council, fx.user);
    voting.unsubscribe?.();
    await fx.waitForEvent('ContractDeployed', contractId);
    explorer = await explorerPage(browser, site.url, fx.node.rpcUrl);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await fx?.stop();
  });

  it('shows the grid, at the block it says, and follows new blocks', async () => {
    await explorer.open('/', 'grid-page');
    const { block, texts } = await explorer.snapshot({ farms: '#total-farms', nodes: '#total-nodes', agreements: '#total-agreements', circles: '#total-circles', escrow: '#total-escrow', finalized: '#grid-finalized' });
    const at = await atBlock(block);
    const [farms, nodes, contracts, circles] = await Promise.all([
      at.query.registry.farms.keys(), at.query.registry.nodes.keys(), at.query.smartContract.contracts.keys(), at.query.guardian.circles.keys(),
    ]);
    assert.equal(texts.farms, String(farms.length));
    assert.equal(texts.nodes, String(nodes.length));
    assert.equal(texts.agreements, String(contracts.length));
    assert.equal(texts.circles, String(circles.length));
    assert.ok(contracts.length >= 1);
    // What the agreements' account holds: escrows and earnings not paid out yet.
    const palletId = fx.api.consts.smartContract.palletId.toU8a();
    const raw = new Uint8Array(32);
    raw.set([...Buffer.from('modl'), ...palletId].slice(0, 32));
    const held = await at.query.system.account(raw);
    assert.equal(texts.escrow, tftText(held.data.free.toBigInt()));
    assert.match(texts.finalized, /^#\d+$/);
    assert.ok(Number(texts.finalized.slice(1)) <= block);
    const validators = await at.query.session.validators();
    assert.equal(await explorer.page.locator('#validators tbody tr').count(), validators.length);
    // The SSD bar: what the agreements reserve of what the nodes offer.
    let offered = 0n;
    let reserved = 0n;
    for (const [, node] of await at.query.registry.nodes.entries()) {
      offered += node.unwrap().capacity.sru.toBigInt();
      reserved += node.unwrap().reserved.sru.toBigInt();
    }
    const ssd = explorer.page.locator('.bar-row[data-resource="SSD"] .bar');
    assert.equal(Number(await ssd.getAttribute('aria-valuenow')), Number((reserved * 10000n) / offered) / 100);
    await explorer.shot('grid');
    // A new block: the page renders again at it, and the header says so.
    await explorer.page.waitForFunction((before) => Number(document.querySelector('main#page > section')?.dataset.block) > before, block, { timeout: 30_000 });
    assert.match(await text('#best-block'), /^best #\d+$/);
    assert.ok(Number((await text('#best-block')).slice(6)) > block);
  });

  it('shows a farm with its prices, earnings and nodes', async () => {
    await explorer.open(`/farm/${fx.farmId}`, 'farm-page');
    const { block, texts } = await explorer.snapshot({ name: '#farm-name', prices: '#farm-prices', earnings: '#farm-earnings' });
    const at = await atBlock(block);
    const farm = (await at.query.registry.farms(fx.farmId)).unwrap();
    assert.equal(texts.name, farm.name.toUtf8());
    assert.match(texts.prices, new RegExp(`SSD\\s+${escaped(tftText(farm.pricing.sruPerGibHour.toBigInt()))} per GiB-hour`));
    const earnings = await at.call.smartContractApi.farmEarnings(fx.farmId);
    assert.equal(texts.earnings, tftText(earnings.toBigInt()));
    assert.deepEqual(await explorer.page.locator('#nodes tbody tr td:first-child').allInnerTexts(), [String(fx.nodeId)]);
    await explorer.shot('farm');
  });

  it('shows a node with its capacity offered, reserved and free, and its agreements', async () => {
    const block = await explorer.open(`/node/${fx.nodeId}`, 'node-page');
    const node = (await (await atBlock(block)).query.registry.nodes(fx.nodeId)).unwrap();
    const gib = (bytes) => `${bytes / 1024n ** 3n} GiB`;
    assert.equal(
      await text('#node-capacity .bar-row[data-resource="SSD"] .bar-words'),
      `${gib(node.reserved.sru.toBigInt())} reserved of ${gib(node.capacity.sru.toBigInt())}; ${gib(node.capacity.sru.toBigInt() - node.reserved.sru.toBigInt())} free`,
    );
    assert.equal(await text('#node-suspended'), node.suspended.isTrue ? 'yes: takes no new agreements' : 'no');
    assert.ok((await explorer.page.locator('#agreements tbody tr td:first-child').allInnerTexts()).includes(String(contractId)));
    await explorer.shot('node');
  });

  it('shows an agreement: state, escrow, cost, when it runs out, and its events', async () => {
    await explorer.open(`/agreement/${contractId}`, 'agreement-page');
    const { block, texts } = await explorer.snapshot({ state: '#agreement-state', hash: '#agreement-hash', escrow: '#agreement-escrow', rate: '#agreement-rate', cost: '#agreement-cost', runsOut: '#agreement-runs-out' });
    const at = await atBlock(block);
    const [contract, terms, escrow] = await Promise.all([
      at.query.smartContract.contracts(contractId), at.query.smartContract.contractTerms(contractId), at.call.smartContractApi.escrow(contractId),
    ]);
    assert.ok(contract.unwrap().state.isDeployed);
    assert.equal(texts.state, 'deployed: running and billed');
    assert.equal(texts.hash, Buffer.from(terms.unwrap().deploymentHash).toString());
    const view = escrow.unwrap();
    assert.equal(texts.escrow, tftText(view.escrow.toBigInt()));
    assert.equal(texts.rate, tftText(view.costPerHour.toBigInt()));
    assert.equal(texts.cost, tftText(view.costSoFar.toBigInt()));
    const runsOut = view.runsOutAt.unwrap().toNumber();
    assert.match(texts.runsOut, new RegExp(`^#${runsOut} \\(≈ \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)$`));
    assert.deepEqual(await explorer.page.locator('#workloads tbody tr').allInnerTexts(), ['data\tvolume\t10 GiB']);
    // Actions are left to polkadot.js Apps, on this node, with the call filled in.
    const apps = new URL(await explorer.page.locator('#agreement-apps').getAttribute('href'));
    assert.equal(apps.searchParams.get('rpc'), fx.node.rpcUrl);
    assert.equal(apps.hash, `#/extrinsics/decode/${fx.api.tx.smartContract.topUp(contractId, 10n * TFT).method.toHex()}`);
    const events = await explorer.page.locator('#agreement-history tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(events.includes('ContractCreated') && events.includes('ContractDeployed'), `history: ${events}`);
    await explorer.shot('agreement');
  });

  it('shows a circle with its members, treasury and open proposals', async () => {
    const block = await explorer.open('/circle/1', 'circle-page');
    const view = (await (await atBlock(block)).call.guardianApi.circle(1)).unwrap();
    assert.equal(await text('#circle-name'), view.name.toUtf8());
    assert.equal(await text('#circle-threshold'), `${view.threshold.toNumber()} of ${view.members.length}`);
    assert.equal(await explorer.page.locator('#members tbody tr').count(), view.members.length);
    const row = explorer.page.locator('#proposals tbody tr', { hasText: 'system.remarkWithEvent' });
    assert.match(await row.innerText(), new RegExp(`^${proposal}\\tsystem\\.remarkWithEvent\\t1 ayes, 0 nays of 5\\tvoting until #\\d+`));
    await explorer.shot('circle');
  });

  it('shows a circle running the IOU bridge and the Stellar bridge', async () => {
    await explorer.open(`/circle/${bridge.circle}`, 'circle-page');
    const { block, texts } = await explorer.snapshot({ consumer: '#iou-consumers tbody tr', stellar: '#stellar-bridge', payment: '#pending-payments tbody tr' });
    const at = await atBlock(block);
    const view = (await at.call.iouApi.consumer(bridge.circle, fx.user.address)).unwrap();
    assert.match(texts.consumer, new RegExp(`twin ${fx.userTwin}\\t${escaped(tftText(view.escrow.toBigInt()))}\\t${view.score.toNumber()}\\t`));
    const supply = (await at.query.tftBridge.bridgedSupply()).toBigInt();
    assert.match(texts.stellar, new RegExp(`Bridged supply\\s+${escaped(tftText(supply))}`));
    const payment = (await at.query.tftBridge.outgoingPayments(bridge.withdrawal)).unwrap();
    assert.match(texts.payment, new RegExp(`^${bridge.withdrawal}\\twithdrawal by .*\\t${escaped(tftText(payment.transaction.asPayment.amount.toBigInt()))}\\t0 of 1 signatures$`));
    await explorer.shot('bridges');
  });

  it('lists and searches farms, nodes, agreements, a twin\'s agreements and circles', async () => {
    const cells = (css) => explorer.page.locator(css).allInnerTexts();
    let block = await explorer.open('/farms?q=zos-e2e', 'farms-page');
    assert.deepEqual(await cells('#farms tbody tr td:first-child'), [String(fx.farmId)]);
    await explorer.open('/farms?q=no-such-farm', 'farms-page');
    assert.match(await text('main#page .notice'), /No farm matches "no-such-farm"/);
    block = await explorer.open('/nodes?q=1', 'nodes-page');
    const withGib = (await (await atBlock(block)).query.registry.nodes.entries())
      .filter(([, node]) => node.unwrap().capacity.sru.toBigInt() - node.unwrap().reserved.sru.toBigInt() >= 1024n ** 3n)
      .map(([key]) => String(key.args[0].toNumber())).sort((a, b) => a - b);
    assert.deepEqual(await cells('#nodes tbody tr td:first-child'), withGib);
    await explorer.open('/nodes?q=999999', 'nodes-page');
    assert.match(await text('main#page .notice'), /No node has 999999 GiB of SSD free/);
    await explorer.open('/agreements', 'agreements-page');
    assert.ok((await cells('#agreements tbody tr td:first-child')).includes(String(contractId)));
    await explorer.open(`/twin/${fx.userTwin}`, 'twin-page');
    assert.deepEqual(await cells('#agreements tbody tr td:first-child'), [String(contractId)]);
    block = await explorer.open('/circles', 'circles-page');
    const circles = await (await atBlock(block)).query.guardian.circles.keys();
    assert.equal((await cells('#circles tbody tr')).length, circles.length);
  });

  it('says so when an id does not exist or the node cannot be reached', async () => {
    for (const [route, words] of [['/farm', 'Nothing is not a farm id'], ['/agreement/abc', 'abc is not an agreement id'], ['/farm/99999999999', '99999999999 is not a farm id'], ['/agreements?after=zz', 'zz is not a page of agreements'], [`/agreement/999999`, 'There is no agreement 999999'], ['/farm/999', 'There is no farm 999'], ['/node/999', 'There is no node 999'], ['/circle/999', 'There is no circle 999'], ['/nowhere', 'There is no page /nowhere']]) {
      await explorer.page.evaluate((hash) => { location.hash = hash; }, route);
      await explorer.page.locator('main#page > .notice.error', { hasText: words }).waitFor({ timeout: 30_000 });
    }
    const closed = `ws://127.0.0.1:${await freePort()}`;
    const unreachable = await explorerPage(browser, site.url, closed);
    await unreachable.page.goto(`${site.url}?node=${encodeURIComponent(closed)}#/`);
    const message = unreachable.page.locator('main#page > .notice.error');
    await message.waitFor({ timeout: 30_000 });
    assert.match(await message.innerText(), /cannot be reached/);
    await unreachable.page.close();
    assert.deepEqual(explorer.errors, [], 'no uncaught errors in the page');
  });
});
