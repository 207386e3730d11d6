// Building the page from chain data that anyone could have written (farm names, endpoints,
// circle names): every text goes in as a text node, never as HTML.

export type Child = Node | string | number | bigint | null | undefined | false | Child[];

/** An element with attributes and children; strings become text nodes. */
export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** A link inside the explorer (`#/farm/1`). */
export const link = (route: string, ...children: Child[]) => h('a', { href: `#${route}` }, ...children);

/** A table with a header row; `rows` of cells. */
export function table(headers: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLElement {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell) => h('td', {}, cell))))));
}

/** Label and value pairs, as a definition list. */
export function facts(pairs: [string, Child][], attrs: Record<string, string> = {}): HTMLElement {
  return h('dl', { class: 'facts', ...attrs }, pairs.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

/** A bar of `used` out of `total`, with its words. */
export function bar(label: string, used: bigint, total: bigint, words: string): HTMLElement {
  const percent = total > 0n ? Number((used * 10000n) / total) / 100 : 0;
  return h('div', { class: 'bar-row', 'data-resource': label },
    h('span', { class: 'bar-label' }, label),
    h('span', { class: 'bar', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(percent) },
      h('span', { class: 'bar-fill', style: `width: ${Math.min(percent, 100)}%` })),
    h('span', { class: 'bar-words' }, words));
}

/** A message in place of a page: unreachable node, unknown id. */
export const notice = (kind: 'error' | 'info', ...children: Child[]) => h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);

/** A search box; submitting goes to the route `to(what was typed)`. */
export function searchBox(query: string, placeholder: string, to: (value: string) => string): HTMLElement {
  const input = h('input', { type: 'search', name: 'q', value: query, placeholder, 'aria-label': placeholder }) as HTMLInputElement;
  const form = h('form', { class: 'search' }, input, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#${to(input.value.trim())}`;
  });
  return form;
}

/** Links to a list's first and next pages (`?after=` the last storage key shown). */
export function pager(route: string, after: string | undefined, next: string | undefined): HTMLElement {
  return h('p', { class: 'pager' },
    after ? link(route, 'First page') : null, after && next ? ' · ' : null,
    next ? link(`${route}?after=${next}`, 'Next page') : null);
}
