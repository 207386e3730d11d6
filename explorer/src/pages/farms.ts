// Farms and nodes: what farmers offer and at what price, and what is used.

import { byId, type Decoded } from '../chain';
import { facts, h, link, notice, pager, searchBox, table } from '../dom';
import { bytes, tft } from '../format';
import { agreementRows } from './agreements';
import { capacityBars, resources } from './grid';
import { account, type PageContext, title } from './index';

const text = (bytes: Decoded) => bytes.toUtf8();

export async function farmsPage(ctx: PageContext, _id?: number, query?: URLSearchParams): Promise<HTMLElement> {
  const { at } = ctx;
  const q = (query?.get('q') ?? '').toLowerCase();
  // A search reads every farm (the chain has no index by name but the exact one); the list
  // reads one page at a time.
  const after = query?.get('after') ?? undefined;
  if (after !== undefined && !/^0x[0-9a-f]+$/i.test(after)) return notice('error', `${after} is not a page of farms.`);
  const { entries, next } = q ? { entries: await ctx.chain.entries(at.query.registry.farms), next: undefined } : await ctx.chain.page(at.query.registry.farms, after);
  const farms = entries
    .map(byId)
    .filter(([id, farm]) => !q || text(farm.name).toLowerCase().includes(q) || String(id) === q)
    .sort(([a], [b]) => a - b);
  const rows = await Promise.all(farms.map(async ([id, farm]) => [
    link(`/farm/${id}`, String(id)),
    link(`/farm/${id}`, text(farm.name)),
    link(`/twin/${farm.owner.toNumber()}`, `twin ${farm.owner.toNumber()}`),
    farm.operator.isSome ? await account(ctx, farm.operator.unwrap().toString()) : 'none',
    farm.cooperative.isSome ? String(farm.cooperative.unwrap().toNumber()) : '',
  ]));
  return h('section', { id: 'farms-page' },
    title('Farms'),
    searchBox(q, 'Farm name or id', (value) => `/farms?q=${encodeURIComponent(value)}`),
    rows.length ? table(['Id', 'Name', 'Owner', 'Operator', 'Cooperative'], rows, { id: 'farms' }) : notice('info', q ? `No farm matches "${q}".` : 'No farms yet.'),
    pager('/farms', after, next));
}

function pricingRows(pricing: Decoded): [string, string][] {
  return [
    ['CPU', `${tft(pricing.cruPerCoreHour.toBigInt())} per core-hour`],
    ['Memory', `${tft(pricing.mruPerGibHour.toBigInt())} per GiB-hour`],
    ['SSD', `${tft(pricing.sruPerGibHour.toBigInt())} per GiB-hour`],
    ['HDD', `${tft(pricing.hruPerGibHour.toBigInt())} per GiB-hour`],
  ];
}

export async function farmPage(ctx: PageContext, id?: number): Promise<HTMLElement> {
  const { at } = ctx;
  const found: Decoded = await at.query.registry.farms(id);
  if (found.isNone) return notice('error', `There is no farm ${id}. `, link('/farms', 'All farms.'));
  const farm = found.unwrap();
  const [nodes, earnings, offer] = await Promise.all([
    ctx.chain.entries(at.query.registry.nodes),
    at.call.smartContractApi.farmEarnings(id),
    at.query.registry.operatorOffers(id) as Promise<Decoded>,
  ]);
  const own = nodes.map(byId)
    .filter(([, node]) => node.farmId.toNumber() === id);
  return h('section', { id: 'farm-page' },
    title(`Farm ${id}: `, h('span', { id: 'farm-name' }, text(farm.name))),
    facts([
      ['Owner', link(`/twin/${farm.owner.toNumber()}`, `twin ${farm.owner.toNumber()}`)],
      ['Operator', farm.operator.isSome ? await account(ctx, farm.operator.unwrap().toString()) : 'none (takes no agreements)'],
      ['Offered to', offer.isSome ? await account(ctx, offer.unwrap().toString()) : null],
      ['Cooperative', farm.cooperative.isSome ? String(farm.cooperative.unwrap().toNumber()) : 'none'],
      ['Earned, not paid out', h('span', { id: 'farm-earnings' }, tft((earnings as Decoded).toBigInt()))],
    ].filter(([, value]) => value !== null) as [string, HTMLElement | string][]),
    h('h2', {}, 'Prices'),
    facts(pricingRows(farm.pricing), { id: 'farm-prices' }),
    h('h2', {}, `Nodes (${own.length})`),
    own.length ? nodeTable(own) : notice('info', 'No nodes yet.'));
}

function nodeTable(nodes: [number, Decoded][]): HTMLElement {
  return table(['Node', 'Farm', 'Free SSD', 'Free memory', 'Free cores', 'Agreements', 'State'], nodes.map(([id, node]) => {
    const offered = resources(node.capacity);
    const reserved = resources(node.reserved);
    return [
      link(`/node/${id}`, String(id)),
      link(`/farm/${node.farmId.toNumber()}`, String(node.farmId.toNumber())),
      formatFree('sru', offered, reserved),
      formatFree('mru', offered, reserved),
      String(offered.cru - reserved.cru),
      String(node.liveAgreements.toNumber()),
      node.suspended.isTrue ? 'suspended' : node.audited.isSome ? 'audited' : 'not audited',
    ];
  }), { id: 'nodes' });
}

function formatFree(r: 'sru' | 'mru', offered: Record<string, bigint>, reserved: Record<string, bigint>): string {
  return bytes(offered[r] - reserved[r]);
}

export async function nodesPage(ctx: PageContext, _id?: number, query?: URLSearchParams): Promise<HTMLElement> {
  const { at } = ctx;
  const farm = query?.get('farm');
  // Search: the nodes with at least this many GiB of SSD free.
  const q = query?.get('q') ?? '';
  const minFreeGib = /^\d+$/.test(q) ? BigInt(q) : null;
  // A search or a farm's nodes read every node; the list reads one page at a time.
  const after = query?.get('after') ?? undefined;
  if (after !== undefined && !/^0x[0-9a-f]+$/i.test(after)) return notice('error', `${after} is not a page of nodes.`);
  const { entries, next } = q || farm ? { entries: await ctx.chain.entries(at.query.registry.nodes), next: undefined } : await ctx.chain.page(at.query.registry.nodes, after);
  const nodes = entries
    .map(byId)
    .filter(([, node]) => !farm || String(node.farmId.toNumber()) === farm)
    .filter(([, node]) => minFreeGib === null || node.capacity.sru.toBigInt() - node.reserved.sru.toBigInt() >= minFreeGib * 1024n ** 3n)
    .sort(([a], [b]) => a - b);
  return h('section', { id: 'nodes-page' },
    title(farm ? `Nodes of farm ${farm}` : 'Nodes'),
    searchBox(q, 'GiB of SSD free, at least', (value) => `/nodes?q=${encodeURIComponent(value)}${farm ? `&farm=${farm}` : ''}`),
    q && minFreeGib === null ? notice('error', `"${q}" is not a number of GiB.`) : null,
    nodes.length ? nodeTable(nodes) : notice('info', q ? `No node has ${q} GiB of SSD free.` : 'No nodes.'),
    pager('/nodes', after, next));
}

export async function nodePage(ctx: PageContext, id?: number): Promise<HTMLElement> {
  const { at } = ctx;
  const found: Decoded = await at.query.registry.nodes(id);
  if (found.isNone) return notice('error', `There is no node ${id}. `, link('/nodes', 'All nodes.'));
  const node = found.unwrap();
  const contracts = (await ctx.chain.entries(at.query.smartContract.contracts))
    .map(byId)
    .filter(([, contract]) => contract.nodeId.toNumber() === id);
  return h('section', { id: 'node-page' },
    title(`Node ${id}`),
    facts([
      ['Farm', link(`/farm/${node.farmId.toNumber()}`, `farm ${node.farmId.toNumber()}`)],
      ['ZOS endpoint', h('code', {}, text(node.endpoint))],
      ['Node key', h('code', {}, node.publicKey.toHex())],
      ['Audit', node.audited.isSome ? 'audited' : 'not audited yet'],
      ['Suspended', h('span', { id: 'node-suspended' }, node.suspended.isTrue ? 'yes: takes no new agreements' : 'no')],
      ['Live agreements', String(node.liveAgreements.toNumber())],
    ]),
    h('h2', {}, 'Capacity'),
    h('div', { id: 'node-capacity' }, capacityBars(resources(node.capacity), resources(node.reserved))),
    h('h2', {}, `Agreements (${contracts.length})`),
    contracts.length ? agreementRows(contracts) : notice('info', 'No agreements on this node.'));
}

