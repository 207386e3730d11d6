// Guardian circles: members, threshold, treasury, open proposals with their tallies and
// deadlines; and what a circle runs (an IOU bridge, the Stellar bridge).

import { byId, type Decoded } from '../chain';
import { facts, h, link, notice, table } from '../dom';
import { tft } from '../format';
import { account, blockWithTime, type PageContext, title } from './index';

const countBits = (bits: bigint) => bits.toString(2).split('').filter((b) => b === '1').length;

export async function circlesPage(ctx: PageContext): Promise<HTMLElement> {
  const circles = (await ctx.chain.entries(ctx.at.query.guardian.circles))
    .map(byId)
    .sort(([a], [b]) => a - b);
  return h('section', { id: 'circles-page' },
    title('Guardian circles'),
    circles.length ? table(['Circle', 'Name', 'Members', 'Threshold', 'Open proposals'], circles.map(([id, circle]) => [
      link(`/circle/${id}`, String(id)),
      link(`/circle/${id}`, circle.name.toUtf8()),
      String(circle.memberCount.toNumber()),
      String(circle.threshold.toNumber()),
      String(circle.openProposals.toNumber()),
    ]), { id: 'circles' }) : notice('info', 'No circles.'));
}

export async function circlePage(ctx: PageContext, id?: number): Promise<HTMLElement> {
  const { api } = ctx.chain;
  const { at } = ctx;
  const view: Decoded = await at.call.guardianApi.circle(id);
  if (view.isNone) return notice('error', `There is no circle ${id}. `, link('/circles', 'All circles.'));
  const circle = view.unwrap();
  const treasury = circle.treasury.toString();
  const [balance, proposals, iouBridge, stellarCircle]: Decoded[] = await Promise.all([
    at.query.system.account(treasury),
    ctx.chain.entries(at.query.guardian.proposals, id),
    at.query.iou.bridges(id),
    at.query.tftBridge.bridgeCircle(),
  ]);
  // Each member: (account, its keys on other chains: (kind, key)).
  const members = await Promise.all(circle.members.map(async ([member, keys]: Decoded) => [
    await account(ctx, member.toString()),
    keys.map(([kind, key]: Decoded) => `${kind.type} ${key.toHex()}`).join(', '),
  ]));
  const open = await Promise.all((proposals as [Decoded[], Decoded][])
    .map(([[, index], proposal]) => [index.toNumber(), proposal.unwrap()] as [number, Decoded])
    .sort(([a], [b]) => a - b)
    .map(async ([index, proposal]) => {
      const calls: Decoded = await at.query.guardian.proposalCalls(id, index);
      let call = '';
      try {
        const decoded = api.createType('Call', calls.unwrap());
        call = `${decoded.section}.${decoded.method}`;
      } catch {
        call = 'a call this page cannot decode';
      }
      return [
        String(index),
        call,
        `${countBits(proposal.ayes.toBigInt())} ayes, ${countBits(proposal.nays.toBigInt())} nays of ${circle.threshold.toNumber()}`,
        proposal.executesAt.isSome ? ['approved; executes at ', await blockWithTime(ctx, proposal.executesAt.unwrap().toNumber())] : ['voting until ', await blockWithTime(ctx, proposal.end.toNumber())],
      ];
    }));
  const runs: HTMLElement[] = [];
  if (iouBridge.isSome) runs.push(...await iouBridgeSection(ctx, id as number, iouBridge.unwrap().policy));
  if (stellarCircle.isSome && stellarCircle.unwrap().toNumber() === id) {
    runs.push(...await stellarBridgeSection(ctx, circle.threshold.toNumber()));
  }
  return h('section', { id: 'circle-page' },
    title(`Circle ${id}: `, h('span', { id: 'circle-name' }, circle.name.toUtf8())),
    facts([
      ['Threshold', h('span', { id: 'circle-threshold' }, `${circle.threshold.toNumber()} of ${circle.members.length}`)],
      ['Voting period', `${circle.votingPeriod.toNumber()} blocks`],
      ['Execution delay', `${circle.executionDelay.toNumber()} blocks`],
      ['Treasury', await account(ctx, treasury)],
      ['Treasury balance', h('span', { id: 'circle-treasury' }, tft(balance.data.free.toBigInt()))],
    ]),
    h('h2', {}, `Members (${members.length})`),
    table(['Member', 'Keys'], members, { id: 'members' }),
    h('h2', {}, `Open proposals (${open.length})`),
    open.length ? table(['Proposal', 'Call', 'Tally', 'When'], open, { id: 'proposals' }) : notice('info', 'No open proposals.'),
    ...runs);
}


/** The circle as an IOU bridge: its policy, and its consumers with their escrow and reputation. */
async function iouBridgeSection(ctx: PageContext, id: number, policy: Decoded): Promise<HTMLElement[]> {
  const { at } = ctx;
  const consumers = await ctx.chain.entries(at.query.iou.consumers, id);
  const rows = await Promise.all(consumers.map(async ([[, who], record]: [Decoded[], Decoded]) => {
    const consumer = record.unwrap();
    const view: Decoded = await at.call.iouApi.consumer(id, who);
    return [
      await account(ctx, who.toString()),
      tft(consumer.escrow.toBigInt()),
      view.isSome ? String(view.unwrap().score.toNumber()) : '',
      tft(consumer.reputation.settledAmount.toBigInt()),
      String(consumer.reputation.bounces.toNumber()),
      consumer.blocked.isTrue ? 'blocked' : '',
    ];
  }));
  return [
    h('h2', {}, 'IOU bridge'),
    facts([
      ['Fee', `${Number(policy.fee.toBigInt()) / 10_000}%`],
      ['Least escrow', tft(policy.minEscrow.toBigInt())],
      ['Settles every', `${policy.settlementInterval.toNumber()} blocks`],
    ], { id: 'iou-bridge' }),
    h('h3', {}, `Consumers (${rows.length})`),
    rows.length ? table(['Consumer', 'Escrow', 'Score', 'Settled', 'Bounces', ''], rows, { id: 'iou-consumers' }) : notice('info', 'No consumers yet.'),
  ];
}

/** The circle as the Stellar bridge: supply, deposits waiting for votes, payments pending. */
async function stellarBridgeSection(ctx: PageContext, threshold: number): Promise<HTMLElement[]> {
  const { at } = ctx;
  const [supply, first, next, vault]: Decoded[] = await Promise.all([
    at.query.tftBridge.bridgedSupply(), at.query.tftBridge.firstPendingPayment(), at.query.tftBridge.nextPaymentId(), at.query.tftBridge.vaultOf(),
  ]);
  const deposits = await ctx.chain.entries(at.query.tftBridge.pendingDeposits);
  const depositRows = await Promise.all(deposits.map(async ([[hash], record]: [Decoded[], Decoded]) => {
    const pending = record.unwrap();
    return [h('code', {}, hash.toHex().slice(2)), `${pending.votes.length} of ${threshold}`, await blockWithTime(ctx, pending.firstVoted.toNumber())];
  }));
  const vaultThreshold = vault.isSome ? vault.unwrap().threshold.toNumber() : 0;
  const payments: Decoded[][] = [];
  // The pending payments are ids first..next; at most a page of them is shown.
  // Ids first..next (at most 1,000 looked at: a hostile node's numbers are not walked to the end).
  const last = Math.min(next.toNumber(), first.toNumber() + 1_000);
  for (let paymentId = first.toNumber(); paymentId < last && payments.length < 100; paymentId += 1) {
    const found: Decoded = await at.query.tftBridge.outgoingPayments(paymentId);
    if (found.isSome) payments.push([paymentId, found.unwrap()]);
  }
  const paymentRows = await Promise.all(payments.map(async ([paymentId, payment]) => {
    const purpose = payment.purpose;
    const why = purpose.isWithdrawal ? h('span', {}, 'withdrawal by ', await account(ctx, purpose.asWithdrawal.who.toString()))
      : purpose.isRefund ? `refund of ${purpose.asRefund.deposit.toHex().slice(2, 10)}…` : 'the vault\'s signers';
    const transaction = payment.transaction;
    return [
      String(paymentId),
      why,
      transaction.isPayment ? tft(transaction.asPayment.amount.toBigInt()) : '',
      `${payment.signatures.length} of ${vaultThreshold} signatures`,
    ];
  }));
  return [
    h('h2', {}, 'Stellar bridge'),
    facts([
      ['Bridged supply', tft(supply.toBigInt())],
      ['Vault', vault.isSome ? `${vault.unwrap().signers.length} signers, ${vaultThreshold} needed` : 'not set by the council yet'],
    ], { id: 'stellar-bridge' }),
    h('h3', {}, `Deposits waiting for votes (${depositRows.length})`),
    depositRows.length ? table(['Stellar transaction', 'Votes', 'First vote'], depositRows, { id: 'pending-deposits' }) : notice('info', 'No deposits waiting for votes.'),
    h('h3', {}, `Payments from the vault pending (${paymentRows.length})`),
    paymentRows.length ? table(['Payment', 'For', 'Amount', 'Signed'], paymentRows, { id: 'pending-payments' }) : notice('info', 'No payments pending.'),
  ];
}
