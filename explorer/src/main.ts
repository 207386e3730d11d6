// The explorer: connects to the node the visitor chose (`?node=ws://…`, else the last one they
// connected to, else the local dev node), shows the page the address names (`#/farm/1`), and
// renders it again as blocks arrive.

import { Chain, DEFAULT_NODE } from './chain';
import { h, notice } from './dom';
import { date } from './format';
import { route, type Head, type PageContext } from './pages';

const NODE_KEY = 'gridchain-explorer-node';
/** How long a page may take to read before it says so (the node answers slowly or not at all). */
const RENDER_TIMEOUT_MS = 30_000;

const page = document.getElementById('page') as HTMLElement;
const heads = document.getElementById('heads') as HTMLElement;
const form = document.getElementById('node-form') as HTMLFormElement;
const input = document.getElementById('node-url') as HTMLInputElement;

let chain: Chain | null = null;
/** Which connection is current: what an older one finishes is dropped. */
let generation = 0;
let best: Head | null = null;
let finalized = 0;
let rendering = false;
let renderAgain = false;
/** The address the page on screen shows (a new one renders at once, even mid-typing). */
let shownPath = '';

function chosenNode(): string {
  return new URLSearchParams(location.search).get('node') ?? localStorage.getItem(NODE_KEY) ?? DEFAULT_NODE;
}

const currentPath = () => location.hash.replace(/^#/, '') || '/';

/** Renders the page the address names, at the newest block; once more if a block came meanwhile. */
async function render(): Promise<void> {
  if (!chain || !best) return;
  if (rendering) {
    renderAgain = true;
    return;
  }
  const path = currentPath();
  // A visitor typing in the page's search box keeps what they typed: the page waits.
  if (path === shownPath && page.contains(document.activeElement) && document.activeElement instanceof HTMLInputElement) return;
  rendering = true;
  const mine = generation;
  const ctx: Omit<PageContext, 'at'> = { chain, best, finalized };
  let content: HTMLElement;
  try {
    const reading = (async () => route(path, { ...ctx, at: await ctx.chain.api.at(ctx.best.hash) }))();
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${RENDER_TIMEOUT_MS / 1000} s`)), RENDER_TIMEOUT_MS));
    content = await Promise.race([reading, late]);
  } catch (error) {
    console.error(error);
    content = notice('error', `Could not read this page from ${ctx.chain.url}: ${(error as Error).message}`);
  } finally {
    rendering = false;
  }
  if (mine === generation) {
    content.dataset.block = String(ctx.best.number);
    content.dataset.route = path;
    page.replaceChildren(content);
    shownPath = path;
  }
  if (renderAgain) {
    renderAgain = false;
    await render();
  }
}

function showHeads(): void {
  if (!best) return;
  heads.replaceChildren(
    h('span', { id: 'best-block' }, `best #${best.number}`), ' · ',
    h('span', { id: 'finalized-block' }, `finalized #${finalized}`), ' · ',
    h('span', {}, date(best.time)));
}

async function connect(url: string, { remember }: { remember: boolean }): Promise<void> {
  const mine = ++generation;
  input.value = url;
  const previous = chain;
  chain = null;
  best = null;
  finalized = 0;
  await previous?.disconnect().catch(() => {});
  heads.replaceChildren();
  page.replaceChildren(h('p', { class: 'muted' }, `Connecting to ${url}…`));
  let connected: Chain;
  try {
    connected = await Chain.connect(url);
  } catch (error) {
    if (mine === generation) {
      page.replaceChildren(notice('error',
        `The node at ${url} cannot be reached: ${(error as Error).message}. `,
        'Start one (scripts/devnet.sh) or give the address of another above.'));
    }
    return;
  }
  if (mine !== generation) {
    await connected.disconnect().catch(() => {});
    return;
  }
  chain = connected;
  if (remember) localStorage.setItem(NODE_KEY, url);
  const { api } = connected;
  // Follow the best and the finalized heads; each new best block renders the page again.
  await api.rpc.chain.subscribeFinalizedHeads((header) => {
    if (mine !== generation) return;
    finalized = Math.max(finalized, header.number.toNumber());
    showHeads();
  });
  await api.rpc.chain.subscribeNewHeads(async (header) => {
    try {
      const now = await api.query.timestamp.now.at(header.hash);
      // Heads can arrive out of order: never go back.
      if (mine !== generation || (best && header.number.toNumber() <= best.number)) return;
      best = { number: header.number.toNumber(), hash: header.hash.toHex(), time: Number(now.toString()) };
      showHeads();
      await render();
    } catch (error) {
      console.error(error);
    }
  });
  api.on('disconnected', () => {
    if (mine === generation) heads.replaceChildren(notice('error', `Disconnected from ${url}: the page shows block #${best?.number ?? '?'}; connect again above.`));
  });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const url = input.value.trim();
  const search = new URLSearchParams(location.search);
  search.set('node', url);
  history.replaceState(null, '', `?${search}${location.hash}`);
  void connect(url, { remember: true });
});
window.addEventListener('hashchange', () => void render());

// A shared link's `?node=` is used, not remembered: only an explicit Connect changes the default.
void connect(chosenNode(), { remember: false });
