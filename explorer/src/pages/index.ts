// Which page an address shows: `#/`, `#/farms`, `#/farm/1`, `#/nodes`, `#/node/1`,
// `#/agreements`, `#/agreement/1`, `#/twin/1`, `#/circles`, `#/circle/1`.

import type { Chain, Decoded } from '../chain';
import { h, link, notice } from '../dom';
import { date, short } from '../format';
import { agreementPage, agreementsPage, twinPage } from './agreements';
import { circlePage, circlesPage } from './circles';
import { farmPage, farmsPage, nodePage, nodesPage } from './farms';
import { gridPage } from './grid';

/** The newest block: its number, hash and timestamp. */
export interface Head {
  number: number;
  hash: string;
  time: number;
}

/** What a page reads with: the chain at the best block it shows, so every value is of one block. */
export interface PageContext {
  chain: Chain;
  best: Head;
  finalized: number;
  /** The API at `best` (`at.query…`, `at.call…`). */
  at: Decoded;
}

type Page = (ctx: PageContext, id?: number, query?: URLSearchParams) => Promise<HTMLElement>;

const pages: Record<string, Page> = {
  '': gridPage,
  farms: farmsPage,
  farm: farmPage,
  nodes: nodesPage,
  node: nodePage,
  agreements: agreementsPage,
  agreement: agreementPage,
  twin: twinPage,
  circles: circlesPage,
  circle: circlePage,
};

/** The pages of one thing, by id. */
const SINGLE = new Set(['farm', 'node', 'agreement', 'twin', 'circle']);

/** The page of `path` (`/farm/1?…`). */
export async function route(path: string, ctx: PageContext): Promise<HTMLElement> {
  const [where, search] = path.split('?');
  const [name = '', idText] = where.replace(/^\/+/, '').split('/');
  const page = pages[name];
  if (!page) return notice('error', `There is no page ${path}. `, link('/', 'Back to the grid.'));
  let id: number | undefined;
  if (SINGLE.has(name)) {
    // Agreement ids are u64 (shown up to 2^53 here), the others u32.
    const max = name === 'agreement' ? Number.MAX_SAFE_INTEGER : 2 ** 32 - 1;
    if (idText === undefined || !/^\d+$/.test(idText) || Number(idText) > max) {
      return notice('error', `${idText ?? 'Nothing'} is not ${name === 'agreement' ? 'an' : 'a'} ${name} id: ids are whole numbers up to ${max}.`);
    }
    id = Number(idText);
  }
  return page(ctx, id, new URLSearchParams(search ?? ''));
}

/** An account as SS58 (shortened, the whole in its title) with its twin, linked, if it has one. */
export async function account(ctx: PageContext, address: string): Promise<HTMLElement> {
  const twin = await ctx.chain.twinOf(ctx.at, address);
  return h('span', { class: 'account' },
    h('code', { title: address }, short(address)),
    twin !== null ? [' ', link(`/twin/${twin}`, `twin ${twin}`)] : null);
}

/** `#block (date)`, the date estimated for a future block. */
export async function blockWithTime(ctx: PageContext, block: number): Promise<HTMLElement> {
  const { time, estimated } = await ctx.chain.blockTime(block, ctx.best);
  return h('span', { class: 'block', 'data-block-number': String(block) }, `#${block} (${estimated ? '≈ ' : ''}${date(time)})`);
}

/** A page's title line. */
export const title = (...children: Parameters<typeof h>[2][]) => h('h1', {}, ...children);
