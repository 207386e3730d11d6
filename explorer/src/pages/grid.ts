// The state of the grid: blocks, validators, and totals over farms, nodes and agreements.

import type { Decoded } from '../chain';
import { bar, facts, h, table } from '../dom';
import { bytes, tft } from '../format';
import { account, blockWithTime, type PageContext, title } from './index';

const RESOURCES = ['cru', 'mru', 'sru', 'hru'] as const;
type Resource = (typeof RESOURCES)[number];
export const RESOURCE_NAMES: Record<Resource, string> = { cru: 'CPU cores', mru: 'memory', sru: 'SSD', hru: 'HDD' };

/** How an amount of a resource reads: cores as a count, the rest in bytes. */
export const amountOf = (resource: Resource, value: bigint) => (resource === 'cru' ? `${value} cores` : bytes(value));

/** A node's resources as bigints. */
export function resources(decoded: Decoded): Record<Resource, bigint> {
  return Object.fromEntries(RESOURCES.map((r) => [r, decoded[r].toBigInt()])) as Record<Resource, bigint>;
}

/** Bars of reserved out of offered, one per resource. */
export function capacityBars(offered: Record<Resource, bigint>, reserved: Record<Resource, bigint>): HTMLElement {
  return h('div', { class: 'bars' }, RESOURCES.map((r) => bar(RESOURCE_NAMES[r], reserved[r], offered[r],
    `${amountOf(r, reserved[r])} reserved of ${amountOf(r, offered[r])}; ${amountOf(r, offered[r] - reserved[r])} free`)));
}

export async function gridPage(ctx: PageContext): Promise<HTMLElement> {
  const { api } = ctx.chain;
  const { at } = ctx;
  const [farms, nodes, contracts, circles, validators] = await Promise.all([
    ctx.chain.entries(at.query.registry.farms),
    ctx.chain.entries(at.query.registry.nodes),
    at.query.smartContract.contracts.keys(),
    ctx.chain.entries(at.query.guardian.circles),
    at.query.session.validators(),
  ]);
  const offered = { cru: 0n, mru: 0n, sru: 0n, hru: 0n };
  const reserved = { cru: 0n, mru: 0n, sru: 0n, hru: 0n };
  for (const [, node] of nodes) {
    const n = node.unwrap();
    for (const r of RESOURCES) {
      offered[r] += n.capacity[r].toBigInt();
      reserved[r] += n.reserved[r].toBigInt();
    }
  }
  const escrowAccount = ctx.chain.palletAccount((api.consts.smartContract.palletId as Decoded).toU8a());
  const held: Decoded = await at.query.system.account(escrowAccount);
  const validatorList = (validators as Decoded).map((v: Decoded) => v.toString()) as string[];
  return h('section', { id: 'grid-page' },
    title('The grid'),
    facts([
      ['Best block', await blockWithTime(ctx, ctx.best.number)],
      ['Finalized block', h('span', { id: 'grid-finalized' }, `#${ctx.finalized}`)],
      ['Farms', h('span', { id: 'total-farms' }, String(farms.length))],
      ['Nodes', h('span', { id: 'total-nodes' }, String(nodes.length))],
      ['Agreements (open or ending)', h('span', { id: 'total-agreements' }, String(contracts.length))],
      ['Circles', h('span', { id: 'total-circles' }, String(circles.length))],
      ['Held for agreements', h('span', { id: 'total-escrow', title: `the agreements' account ${escrowAccount}: escrows, and earnings not paid out yet` }, tft(held.data.free.toBigInt()))],
    ]),
    h('h2', {}, 'Capacity'),
    capacityBars(offered, reserved),
    h('h2', {}, `Validators (${validatorList.length})`),
    table(['Account'], await Promise.all(validatorList.map(async (v) => [await account(ctx, v)])), { id: 'validators' }));
}
