// IOUs through @polkadot/api on the dev chain. Nine members make a circle that registers
// itself as a Mycelium Pay bridge by its own proposal (2% fee). Farmers offer bandwidth priced
// per GiB and per 1,000 requests. Three consumers park escrow with the bridge and open
// channels; IOUs are built and signed here in JavaScript by both sides (lib/iou.js, raw and
// <Bytes>-wrapped), handed in by the farm's operator, and settled by the bridge's roll-up:
// - a consumer with enough escrow is paid for exactly (to the unit) by the scheduled roll-up;
// - one with too little gets a payment request and pays it with one call;
// - one that does not pay bounces: its reputation drops and the bridge refuses its next channel.
// The stories run side by side, each with its own farm; the first on a bridge no member ever
// asks to roll up, the others on a second bridge whose members do; every fee reaches its
// circle's treasury.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { decodeDispatchError, eventData, followEvents, freeBalance, sendAndFinalize, sendOk } from './lib/chain.js';
import { GIB, TFT, startGuardianSetting } from './lib/guardian-setting.js';
import { iouMessage, priceUsage, signIou } from './lib/iou.js';
import { waitFor } from './lib/node.js';

/** Bandwidth: 1 TFT per GiB, 0.01 TFT per 1,000 requests. */
const PRICES = [{ price: TFT, per: GIB }, { price: TFT / 100n, per: 1000n }];
/** 2% in parts per million. */
const FEE_PPM = 20_000n;
const feeOf = (amount) => (amount * FEE_PPM) / 1_000_000n;

describe('IOUs and the Mycelium Pay bridge', { timeout: 600_000 }, () => {
  let fx;
  let bridges; // resolves with [scheduled, triggered]
  const iouEvents = [];

  /**
   * Nine fresh members make a circle (5 of 9) that registers itself as a bridge by its own
   * proposal; resolves with { id, members, treasury, treasuryBefore, fees }.
   */
  async function makeBridge(prefix) {
    const { api, keyring } = fx;
    const members = Array.from({ length: 9 }, (_, i) => keyring.addFromUri(`//${prefix}${i + 1}`));
    // A guardian makes the circle while the members get their funds.
    const [, id] = await Promise.all([fx.fund(members), fx.newCircle(prefix, members)]);
    const treasury = (await api.call.guardianApi.circle(id)).unwrap().treasury.toString();
    const policy = {
      fee: FEE_PPM,
      settlementInterval: 10,
      withdrawalDelay: 10,
      paymentPeriod: 10,
      minEscrow: 5n * TFT,
      minScore: 40,
      lowScoreEscrow: 1_000n * TFT,
    };
    // The treasury must exist before the circle registers (fees below the existential
    // deposit could not open it): the first member sends it 1 TFT, then proposes, in one block.
    const [, registered] = await Promise.all([
      sendOk(api, api.tx.balances.transferKeepAlive(treasury, TFT), members[0]),
      fx.agree(id, members, api.tx.iou.setBridgePolicy(policy)),
    ]);
    assert.ok(registered.isOk, `the circle could not register: ${registered}`);
    return { id, members, treasury, treasuryBefore: await freeBalance(api, treasury), fees: [] };
  }

  before(async () => {
    fx = await startGuardianSetting();
    // Two bridges: the first is only ever rolled up by the chain itself, the second also by
    // its members. The stories set up their farms and consumers meanwhile.
    bridges = Promise.all([makeBridge('IouBridgeA'), makeBridge('IouBridgeB')]);
    bridges.catch(() => {}); // awaited by every story
    // Every IOU pallet event, as it happens.
    fx.unsubscribeIou = await followEvents(fx.api, 'iou', (event) => {
      iouEvents.push({ method: event.method, data: event.data });
    });
  });

  after(async () => {
    fx?.unsubscribeIou?.();
    await fx?.stop();
  });

  /** The first IOU event `method` whose data passes `match`, once it happened. */
  const iouEvent = (method, match) => waitFor(
    () => iouEvents.find((e) => e.method === method && match(e.data)),
    { timeoutMs: 180_000, what: `iou.${method}` },
  );

  /**
   * A farm of a fresh owner with a fresh operator, offering bandwidth, and a fresh consumer
   * twin with `escrow` parked at the bridge (`pick` chooses it from the two) and a bandwidth
   * channel with the farm. Transactions of one account go in one block where they can.
   */
  async function setting(name, escrow, pick) {
    const { api, keyring } = fx;
    const [owner, operator, who] = ['Owner', 'Operator', 'Consumer'].map((role) => keyring.addFromUri(`//${name}${role}`));
    await fx.fund([owner, operator, who]);
    const pricing = { cruPerCoreHour: TFT, mruPerGibHour: TFT, sruPerGibHour: TFT, hruPerGibHour: TFT };
    const [, created] = await Promise.all([
      sendOk(api, api.tx.registry.registerTwin(), owner),
      sendOk(api, api.tx.registry.createFarm(name, pricing, operator.address), owner),
      sendOk(api, api.tx.registry.registerTwin(), who),
    ]);
    const farmId = eventData(created.events, api.events.registry.FarmCreated).farmId.toNumber();
    const bridge = pick(await bridges);
    const [,,, opened] = await Promise.all([
      sendOk(api, api.tx.iou.setService(farmId, 'Bandwidth', PRICES), owner),
      sendOk(api, api.tx.registry.acceptFarmOperator(farmId), operator),
      sendOk(api, api.tx.iou.depositEscrow(bridge.id, escrow), who),
      // The service is offered in the block the channel opens in: retried once if this one
      // came first.
      sendAndFinalize(api, api.tx.iou.openChannel(bridge.id, farmId, 'Bandwidth'), who, { inBlock: true }),
    ]);
    let events = opened.events;
    if (opened.dispatchError) {
      events = (await sendOk(api, api.tx.iou.openChannel(bridge.id, farmId, 'Bandwidth'), who)).events;
    }
    const channel = eventData(events, api.events.iou.ChannelOpened).channel.toBigInt();
    return { provider: { owner, operator, farmId }, who, channel, bridge };
  }

  /** The IOU for `usage` on `channel`, signed by the consumer and the operator. */
  function signedIou(channel, usage, sequence, consumerPair, providerPair, { wrapped = false } = {}) {
    const iou = { channel, usage, amount: priceUsage(usage, PRICES), sequence };
    const message = iouMessage(fx.api.genesisHash, iou);
    return {
      iou,
      consumerSignature: { Sr25519: signIou(consumerPair, message, { wrapped }) },
      providerSignature: { Sr25519: signIou(providerPair, message, { wrapped: !wrapped }) },
    };
  }

  /** Sends `tx` and resolves with the name of the error it failed with. */
  async function refusal(tx, signer) {
    const result = await sendAndFinalize(fx.api, tx, signer, { inBlock: true });
    assert.ok(result.dispatchError, 'the call was accepted');
    return decodeDispatchError(fx.api, result.dispatchError).name;
  }

  describe('stories', { concurrency: true }, () => {
    it('pays a day of usage exactly, from escrow, by the scheduled roll-up', async () => {
      const { api } = fx;
      const { provider, who, channel, bridge: scheduled } = await setting('IouDay', 50n * TFT, ([first]) => first);
      const bridge = scheduled.id;
      // A simulated day: every four hours both sides sign the cumulative usage so far.
      const day = [];
      let usage = [0n, 0n];
      for (let sequence = 1n; sequence <= 6n; sequence += 1n) {
        usage = [usage[0] + GIB / 3n + sequence * 1_000_003n, usage[1] + 12_345n * sequence];
        day.push(signedIou(channel, usage, sequence, who, provider.operator, { wrapped: sequence % 2n === 0n }));
      }
      const owed = day.at(-1).iou.amount;
      assert.ok(owed > 2n * TFT && owed % 10n !== 0n, `an amount with every unit counting: ${owed}`);
      const ownerBefore = await freeBalance(api, provider.owner.address);

      // The farmer hands in the newest; any older one after it is refused by name.
      await sendOk(api, api.tx.iou.submitIous([day.at(-1)]), provider.operator);
      assert.equal(await refusal(api.tx.iou.submitIous([day[2]]), provider.operator), 'SequenceWentBackwards');
      assert.equal(await refusal(api.tx.iou.submitIous([day.at(-1)]), provider.operator), 'IouReplayed');
      const maxBatch = api.consts.iou.maxIousPerBatch.toNumber();
      assert.equal(await refusal(api.tx.iou.submitIous(Array(maxBatch + 1).fill(day.at(-1))), provider.operator), 'BatchTooLarge');
      // Forged: one unit more than the usage costs, or signed for another chain.
      const greedy = { ...day.at(-1).iou, amount: owed + 1n, sequence: 7n };
      const greedyMessage = iouMessage(api.genesisHash, greedy);
      assert.equal(await refusal(api.tx.iou.submitIous([{
        iou: greedy,
        consumerSignature: { Sr25519: signIou(who, greedyMessage) },
        providerSignature: { Sr25519: signIou(provider.operator, greedyMessage) },
      }]), provider.operator), 'AmountMismatch');
      const elsewhere = iouMessage(new Uint8Array(32).fill(7), { ...day.at(-1).iou, sequence: 7n });
      assert.equal(await refusal(api.tx.iou.submitIous([{
        iou: { ...day.at(-1).iou, sequence: 7n },
        consumerSignature: { Sr25519: signIou(who, elsewhere) },
        providerSignature: { Sr25519: signIou(provider.operator, elsewhere) },
      }]), provider.operator), 'BadConsumerSignature');

      // The bridge's scheduled roll-up settles it, without anyone's transaction.
      const settled = await iouEvent('ChannelSettled', (d) => d.channel.toBigInt() === channel);
      assert.equal(settled.data.paid.toBigInt(), owed);
      assert.equal(settled.data.fee.toBigInt(), feeOf(owed));
      scheduled.fees.push(settled.data.fee.toBigInt());
      assert.equal(await freeBalance(api, provider.owner.address), ownerBefore + owed - feeOf(owed));
      const view = (await api.call.iouApi.consumer(bridge, who.address)).unwrap();
      assert.equal(view.escrow.toBigInt(), 50n * TFT - owed);
      assert.equal(view.reputation.settledAmount.toBigInt(), owed);
      assert.equal(view.score.toNumber(), 50);
      assert.equal(view.mayOpenChannel.isTrue, true);
      const stored = (await api.query.iou.channels(channel)).unwrap();
      assert.equal(stored.paid.toBigInt(), owed);
    });

    it('asks for what escrow does not cover, and the consumer pays it with one call', async () => {
      const { api } = fx;
      const { provider, who, channel, bridge: triggered } = await setting('IouShort', 5n * TFT, ([, second]) => second);
      const bridge = triggered.id;
      const iou = signedIou(channel, [8n * GIB, 0n], 1n, who, provider.operator);
      await sendOk(api, api.tx.iou.submitIous([iou]), provider.operator);
      const ownerBefore = await freeBalance(api, provider.owner.address);
      // A member rolls up now; a stranger may not.
      assert.equal(await refusal(api.tx.iou.rollUp(bridge, 10), provider.operator), 'NotBridgeMember');
      await sendOk(api, api.tx.iou.rollUp(bridge, 100), triggered.members[3]);
      const requested = await iouEvent('PaymentRequested', (d) => d.channel.toBigInt() === channel);
      assert.equal(requested.data.amount.toBigInt(), 3n * TFT);
      const settled = await iouEvent('ChannelSettled', (d) => d.channel.toBigInt() === channel);
      assert.equal(settled.data.paid.toBigInt(), 5n * TFT);
      triggered.fees.push(settled.data.fee.toBigInt());

      const paid = await sendOk(api, api.tx.iou.payRequest(channel), who);
      const paidEvent = eventData(paid.events, api.events.iou.PaymentRequestPaid);
      assert.equal(paidEvent.amount.toBigInt(), 3n * TFT);
      triggered.fees.push(paidEvent.fee.toBigInt());
      assert.equal(await freeBalance(api, provider.owner.address), ownerBefore + 8n * TFT - feeOf(5n * TFT) - feeOf(3n * TFT));
      const stored = (await api.query.iou.channels(channel)).unwrap();
      assert.equal(stored.paid.toBigInt(), 8n * TFT);
      assert.ok(stored.request.isNone);
      assert.equal(await refusal(api.tx.iou.payRequest(channel), who), 'NoPaymentRequest');
    });

    it('bounces an unpaid request: the reputation drops and the bridge refuses a new channel', async () => {
      const { api } = fx;
      const { provider, who, channel, bridge: triggered } = await setting('IouBounce', 5n * TFT, ([, second]) => second);
      const bridge = triggered.id;
      await sendOk(api, api.tx.iou.submitIous([signedIou(channel, [8n * GIB, 0n], 1n, who, provider.operator)]), provider.operator);
      await sendOk(api, api.tx.iou.rollUp(bridge, 100), triggered.members[5]);
      const settled = await iouEvent('ChannelSettled', (d) => d.channel.toBigInt() === channel);
      triggered.fees.push(settled.data.fee.toBigInt());
      const requested = await iouEvent('PaymentRequested', (d) => d.channel.toBigInt() === channel);
      // Not paid: at the deadline it bounces and the channel closes.
      const bounced = await iouEvent('PaymentBounced', (d) => d.channel.toBigInt() === channel);
      assert.equal(bounced.data.unpaid.toBigInt(), 3n * TFT);
      assert.ok((await api.query.iou.channels(channel)).isNone);
      const header = await api.rpc.chain.getHeader();
      assert.ok(header.number.toNumber() >= requested.data.deadline.toNumber());
      const view = (await api.call.iouApi.consumer(bridge, who.address)).unwrap();
      assert.equal(view.reputation.bounces.toNumber(), 1);
      assert.equal(view.reputation.bouncedAmount.toBigInt(), 3n * TFT);
      assert.equal(view.score.toNumber(), 25);
      assert.equal(view.mayOpenChannel.isFalse, true);
      await sendOk(api, api.tx.iou.depositEscrow(bridge, 20n * TFT), who);
      assert.equal(await refusal(api.tx.iou.openChannel(bridge, provider.farmId, 'Bandwidth'), who), 'ReputationTooLow');
    });
  });

  it('sent every fee to its bridge circle\'s treasury, and rolled up the first bridge unasked', async () => {
    const [scheduled, triggered] = await bridges;
    assert.equal(scheduled.fees.length, 1);
    assert.equal(triggered.fees.length, 3);
    for (const { treasury, treasuryBefore, fees } of [scheduled, triggered]) {
      assert.equal(await freeBalance(fx.api, treasury), treasuryBefore + fees.reduce((a, b) => a + b, 0n));
    }
    // No member of the first bridge ever asked: its roll-ups ran in blocks' initialization.
    const asked = iouEvents.filter((e) => e.method === 'RollupTriggered' && e.data.bridge.toNumber() === scheduled.id);
    assert.equal(asked.length, 0);
    assert.ok(iouEvents.some((e) => e.method === 'RollupCompleted' && e.data.bridge.toNumber() === scheduled.id));
  });
});
