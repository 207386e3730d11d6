// Measures a local network of the four genesis validators over longer spans than the tests
// can afford: blocks produced and finalized per minute over `minutes` minutes, the slots missed
// while one validator is down for `downSlots` slots, how long finality takes to resume after two
// of four were down and one came back, and how long a new full node takes to sync the chain
// from genesis. Prints one JSON line (docs/validator.md keeps the figures).
// Usage: node tools/network-figures.js [minutes=5] [downSlots=20]   (run tools/prepare-nodes.js
// first for the raw chain spec; GRIDCHAIN_NODE selects the binary)

import { bestAtLeast, finalizedAtLeast, heads, slotOf } from '../lib/network.js';
import { waitFor } from '../lib/node.js';
import { SLOT_MS, startValidatorsSetting } from '../lib/validators-setting.js';

const minutes = Number(process.argv[2] ?? 5);
const downSlots = Number(process.argv[3] ?? 20);
const seconds = (ms) => +(ms / 1000).toFixed(1);

const fx = await startValidatorsSetting();
const alice = fx.api('alice');
const slotAt = async (number) => slotOf(alice, await alice.rpc.chain.getBlockHash(number));
const figures = {};
try {
  // Steady pace, from the first finalized block on.
  const first = await finalizedAtLeast(alice, 1);
  const startedAt = Date.now();
  await waitFor(() => Date.now() - startedAt >= minutes * 60_000, { timeoutMs: minutes * 60_000 + 10_000, intervalMs: 1_000, what: 'the measuring span' });
  const last = await heads(alice);
  const span = (Date.now() - startedAt) / 60_000;
  const slots = (await slotAt(last.best)) - (await slotAt(first.best));
  figures.fourValidators = {
    minutes: +span.toFixed(2),
    slots,
    blocks: last.best - first.best,
    blocksPerMinute: +((last.best - first.best) / span).toFixed(2),
    finalizedPerMinute: +((last.finalized - first.finalized) / span).toFixed(2),
    finalityLagBlocks: last.best - last.finalized,
  };

  // One validator down for `downSlots` slots.
  const down = await heads(alice);
  const downSlot = await slotAt(down.best);
  await fx.net.kill('dave');
  await waitFor(async () => (await slotAt((await heads(alice)).best)) - downSlot >= downSlots, { timeoutMs: (downSlots + 10) * SLOT_MS, intervalMs: 1_000, what: 'the slots with Dave down' });
  const up = await heads(alice);
  const upSlots = (await slotAt(up.best)) - downSlot;
  figures.oneDown = {
    slots: upSlots,
    blocks: up.best - down.best,
    missedSlots: upSlots - (up.best - down.best),
    finalizedMeanwhile: up.finalized - down.finalized,
  };
  const restartedAt = Date.now();
  await fx.net.start('dave');
  await finalizedAtLeast(fx.api('dave'), (await heads(alice)).finalized);
  figures.oneDown.catchUpSeconds = seconds(Date.now() - restartedAt);

  // Two down, then one back.
  await Promise.all([fx.net.kill('charlie'), fx.net.kill('dave')]);
  const stalledAt = await heads(alice);
  await bestAtLeast(alice, stalledAt.best + 3);
  const stalled = await heads(alice);
  const backAt = Date.now();
  await fx.net.start('charlie');
  await finalizedAtLeast(alice, stalled.finalized + 1, { timeoutMs: 300_000 });
  figures.twoDown = { blocksUnfinalized: stalled.best - stalled.finalized, finalityResumeSeconds: seconds(Date.now() - backAt) };
  await fx.net.start('dave');

  // A full node syncs everything from genesis.
  const target = await heads(alice);
  const syncStartedAt = Date.now();
  const full = await fx.net.start('ferdie', { devKeys: false, validator: false });
  const rpcAt = Date.now();
  await finalizedAtLeast(full.api, target.finalized, { timeoutMs: 600_000 });
  figures.fullNodeSync = {
    blocks: target.finalized,
    seconds: seconds(Date.now() - syncStartedAt),
    secondsAfterRpc: seconds(Date.now() - rpcAt),
  };
} finally {
  await fx.stop();
}
console.log(JSON.stringify(figures));
