// Agreements: by id, by twin; state, workloads, escrow and when it runs out, and what the
// recent blocks' events say about it.

import { byId, type Decoded } from '../chain';
import { facts, h, link, notice, pager, searchBox, table } from '../dom';
import { bytes, tft } from '../format';
import { account, blockWithTime, type PageContext, title } from './index';

/** How far back an agreement's page looks for its events (a node answers for recent blocks). */
export const HISTORY_BLOCKS = 100;

/** An agreement's state in words. */
function stateOf(state: Decoded): string {
  if (state.isCreated) return 'created: waiting for the farm to deploy it';
  if (state.isDeployed) return 'deployed: running and billed';
  if (state.isGracePeriod) return `out of funds: paused until #${state.asGracePeriod.endsAt.toNumber()}`;
  if (state.isCancelled) return `cancelled (${state.asCancelled.cause.type}): the farm removes the workloads`;
  return state.type;
}

/** A table of agreements. */
export function agreementRows(contracts: [number, Decoded][]): HTMLElement {
  return table(['Agreement', 'Owner', 'Node', 'State'], contracts.map(([id, contract]) => [
    link(`/agreement/${id}`, String(id)),
    link(`/twin/${contract.twinId.toNumber()}`, `twin ${contract.twinId.toNumber()}`),
    link(`/node/${contract.nodeId.toNumber()}`, String(contract.nodeId.toNumber())),
    stateOf(contract.state),
  ]), { id: 'agreements' });
}

export async function agreementsPage(ctx: PageContext, _id?: number, query?: URLSearchParams): Promise<HTMLElement> {
  const q = (query?.get('q') ?? '').trim();
  const form = searchBox(q, 'Agreement id, or twin:ID', (value) => {
    const twin = /^twin[: ]?(\d+)$/i.exec(value);
    return twin ? `/twin/${twin[1]}` : /^\d+$/.test(value) ? `/agreement/${value}` : `/agreements?q=${encodeURIComponent(value)}`;
  });
  // The live agreements can be many: one page of them at a time.
  const after = query?.get('after') ?? undefined;
  if (after !== undefined && !/^0x[0-9a-f]+$/i.test(after)) return notice('error', `${after} is not a page of agreements.`);
  const { entries, next } = await ctx.chain.page(ctx.at.query.smartContract.contracts, after);
  const contracts = entries
    .map(byId)
    .sort(([a], [b]) => a - b);
  return h('section', { id: 'agreements-page' },
    title('Agreements'),
    form,
    q ? notice('error', `"${q}" is neither an agreement id nor twin:ID.`) : null,
    h('h2', {}, after ? 'Live agreements (continued)' : 'Live agreements'),
    contracts.length ? agreementRows(contracts) : notice('info', 'No live agreements.'),
    pager('/agreements', after, next));
}

export async function agreementPage(ctx: PageContext, id?: number): Promise<HTMLElement> {
  const { at } = ctx;
  const [found, terms, escrow]: Decoded[] = await Promise.all([
    at.query.smartContract.contracts(id),
    at.query.smartContract.contractTerms(id),
    at.call.smartContractApi.escrow(id),
  ]);
  if (found.isNone) {
    return notice('error', `There is no agreement ${id}: never made, or ended and deleted. `, link('/agreements', 'All agreements.'));
  }
  const contract = found.unwrap();
  const view = escrow.isSome ? escrow.unwrap() : null;
  const rows: [string, HTMLElement | string][] = [
    ['State', h('span', { id: 'agreement-state' }, stateOf(contract.state))],
    ['Owner', await account(ctx, contract.owner.toString())],
    ['Node', link(`/node/${contract.nodeId.toNumber()}`, `node ${contract.nodeId.toNumber()}`)],
    ['Farm', link(`/farm/${contract.farmId.toNumber()}`, `farm ${contract.farmId.toNumber()}`)],
  ];
  if (terms.isSome) rows.push(['Deployment hash', h('code', { id: 'agreement-hash' }, asciiOrHex(terms.unwrap().deploymentHash.toU8a()))]);
  if (view) {
    rows.push(
      ['Escrow', h('span', { id: 'agreement-escrow' }, tft(view.escrow.toBigInt()))],
      ['Cost per hour', h('span', { id: 'agreement-rate' }, tft(view.costPerHour.toBigInt()))],
      ['Cost so far', h('span', { id: 'agreement-cost' }, tft(view.costSoFar.toBigInt()))],
    );
    if (view.debt.toBigInt() > 0n) rows.push(['Debt', tft(view.debt.toBigInt())]);
    rows.push(['Escrow runs out', view.runsOutAt.isSome ? h('span', { id: 'agreement-runs-out' }, await blockWithTime(ctx, view.runsOutAt.unwrap().toNumber())) : 'not billed now']);
  }
  const workloads = terms.isSome ? terms.unwrap().workloads : [];
  // polkadot.js names a struct field `size` `size_` (a codec's own `size` would hide it).
  return h('section', { id: 'agreement-page' },
    title(`Agreement ${id}`),
    facts(rows),
    h('p', {}, appsLink(ctx, id as number)),
    h('h2', {}, 'Workloads'),
    table(['Name', 'Type', 'Size'], workloads.map((w: Decoded) => [w.name.toUtf8(), w.kind.type.toLowerCase(), w.kind.isVolume ? bytes(w.kind.asVolume.size_.toBigInt()) : '']), { id: 'workloads' }),
    h('h2', {}, 'History'),
    await history(ctx, id as number));
}

/** The smartContract events of blocks already read, by block hash: a block's events never change. */
const eventsByBlock = new Map<string, { number: number; events: Decoded[] }>();

/** The smartContract events about agreement `id` in the last HISTORY_BLOCKS blocks. */
async function history(ctx: PageContext, id: number): Promise<HTMLElement> {
  const { api } = ctx.chain;
  const from = Math.max(1, ctx.best.number - HISTORY_BLOCKS + 1);
  // Forget blocks out of the window.
  for (const [hash, block] of eventsByBlock) if (block.number < from) eventsByBlock.delete(hash);
  const numbers = Array.from({ length: ctx.best.number - from + 1 }, (_, i) => from + i);
  const blocks: { number: number; events: Decoded[] }[] = [];
  // A few requests at a time: the node answers them side by side.
  for (let start = 0; start < numbers.length; start += 20) {
    blocks.push(...await Promise.all(numbers.slice(start, start + 20).map(async (number) => {
      const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
      let block = eventsByBlock.get(hash);
      if (!block) {
        const events: Decoded = await api.query.system.events.at(hash);
        block = { number, events: events.filter((record: Decoded) => record.event.section === 'smartContract') };
        eventsByBlock.set(hash, block);
      }
      return block;
    })));
  }
  const found: [number, string, string][] = [];
  for (const block of blocks.reverse()) {
    for (const record of block.events) {
      // Only events that name the agreement (`contract_id`): not a farm's or a twin's.
      const about = record.event.data.contractId;
      if (about !== undefined && about.toString() === String(id)) found.push([block.number, record.event.method, describe(record.event)]);
    }
  }
  return h('div', { id: 'agreement-history' },
    found.length ? table(['Block', 'Event', ''], found.map(([number, method, words]) => [`#${number}`, method, words])) : notice('info', `No events about it in the last ${HISTORY_BLOCKS} blocks.`),
    h('p', { class: 'muted' }, `Events of the last ${HISTORY_BLOCKS} blocks, read from the node; older history needs an archive node or an indexer.`));
}

function describe(event: Decoded): string {
  const names: string[] = event.meta.fields.map((f: Decoded) => f.name.unwrap().toString());
  return names.map((name, i) => [name, event.data[i]] as [string, Decoded]).filter(([name]) => name !== 'contract_id').map(([name, value]) => {
    const looksLikeAmount = /deposit|amount|escrow|refunded|debt|cost/.test(name);
    // The deployment hash is 32 hex characters as bytes: shown as the text ZOS shows.
    const shown = looksLikeAmount ? tft(value.toBigInt()) : name.endsWith('hash') ? asciiOrHex(value.toU8a()) : value.toString();
    return `${name.replace(/_/g, ' ')}: ${shown}`;
  }).join(', ');
}

/** Bytes that are printable ASCII (a hash in hex) as text, else as 0x hex. */
function asciiOrHex(bytes: Uint8Array): string {
  return bytes.every((b) => b > 0x20 && b < 0x7f) ? String.fromCharCode(...bytes) : `0x${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Where a visitor acts on an agreement: polkadot.js Apps, on this node, with a top-up of 10 TFT
 * filled in (Apps lets one change the amount, or pick `cancelContract`, and signs with the
 * visitor's wallet). The explorer itself never signs.
 */
function appsLink(ctx: PageContext, id: number): HTMLElement {
  const call = ctx.chain.api.tx.smartContract.topUp(id, 10n * 10_000_000n).method.toHex();
  const href = `https://polkadot.js.org/apps/?rpc=${encodeURIComponent(ctx.chain.url)}#/extrinsics/decode/${call}`;
  return h('a', { href, id: 'agreement-apps', target: '_blank', rel: 'noopener' }, 'Top up or cancel it in polkadot.js Apps');
}

export async function twinPage(ctx: PageContext, id?: number): Promise<HTMLElement> {
  const { at } = ctx;
  const found: Decoded = await at.query.registry.twins(id);
  if (found.isNone) return notice('error', `There is no twin ${id}.`);
  const twin = found.unwrap();
  const [farms, contracts] = await Promise.all([
    ctx.chain.entries(at.query.registry.farms),
    ctx.chain.entries(at.query.smartContract.contracts),
  ]);
  const own = contracts.map(byId).filter(([, c]) => c.twinId.toNumber() === id);
  const ownFarms = farms.map(byId).filter(([, f]) => f.owner.toNumber() === id);
  const balance: Decoded = await at.query.system.account(twin.account.toString());
  return h('section', { id: 'twin-page' },
    title(`Twin ${id}`),
    facts([
      ['Account', h('code', {}, twin.account.toString())],
      ['Free balance', tft(balance.data.free.toBigInt())],
      ['Farms', ownFarms.length ? h('span', {}, ownFarms.map(([fid, f], i) => [i ? ', ' : '', link(`/farm/${fid}`, `${fid} (${f.name.toUtf8()})`)])) : 'none'],
    ]),
    h('h2', {}, `Agreements (${own.length})`),
    own.length ? agreementRows(own) : notice('info', 'No live agreements.'));
}
