// The explorer: connects to the node the visitor chose (`?node=ws://…`, else the last one,
// else the local dev node), shows the page the address names (`#/farm/1`), and renders it
// again as blocks arrive.

import { Chain, DEFAULT_NODE } from './chain';
import { h, notice } from './dom';
import { date } from './format';
import { route, type Head, type PageContext } from './pages';

const NODE_KEY = 'gridchain-explorer-node';

const page = document.getElementById('page') as HTMLElement;
const heads = document.getElementById('heads') as HTMLElement;
const form = document.getElementById('node-form') as HTMLFormElement;
const input = document.getElementById('node-url') as HTMLInputElement;

let chain: Chain | null = null;
let best: Head | null = null;
let finalized = 0;
let rendering = false;
let renderAgain = false;

function chosenNode(): string {
  return new URLSearchParams(location.search).get('node') ?? localStorage.getItem(NODE_KEY) ?? DEFAULT_NODE;
}

/** Renders the page the address names, at the newest block; once more if a block came meanwhile. */
async function render(): Promise<void> {
  if (!chain || !best) return;
  if (rendering) {
    renderAgain = true;
    return;
  }
  rendering = true;
  try {
    const ctx: PageContext = { chain, best, finalized, at: await chain.api.at(best.hash) };
    let content: HTMLElement;
    try {
      content = await route(location.hash.replace(/^#/, '') || '/', ctx);
    } catch (error) {
      console.error(error);
      content = notice('error', `Could not read this page from ${chain.url}: ${(error as Error).message}`);
    }
    content.dataset.block = String(ctx.best.number);
    page.replaceChildren(content);
  } finally {
    rendering = false;
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

async function connect(url: string): Promise<void> {
  input.value = url;
  await chain?.disconnect().catch(() => {});
  chain = null;
  best = null;
  heads.replaceChildren();
  page.replaceChildren(h('p', { class: 'muted' }, `Connecting to ${url}…`));
  let connected: Chain;
  try {
    connected = await Chain.connect(url);
  } catch (error) {
    page.replaceChildren(notice('error',
      `The node at ${url} cannot be reached: ${(error as Error).message}. `,
      'Start one (scripts/devnet.sh) or give the address of another above.'));
    return;
  }
  chain = connected;
  localStorage.setItem(NODE_KEY, url);
  const { api } = connected;
  // Follow the best and the finalized heads; each new best block renders the page again.
  await api.rpc.chain.subscribeFinalizedHeads((header) => {
    finalized = header.number.toNumber();
    showHeads();
  });
  await api.rpc.chain.subscribeNewHeads(async (header) => {
    const at = await api.at(header.hash);
    const now = await at.query.timestamp.now();
    best = { number: header.number.toNumber(), hash: header.hash.toHex(), time: Number(now.toString()) };
    showHeads();
    await render();
  });
  connected.api.on('disconnected', () => {
    if (chain === connected) heads.replaceChildren(notice('error', `Disconnected from ${url}: connect again above.`));
  });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const url = input.value.trim();
  const search = new URLSearchParams(location.search);
  search.set('node', url);
  history.replaceState(null, '', `?${search}${location.hash}`);
  void connect(url);
});
window.addEventListener('hashchange', () => void render());

void connect(chosenNode());
