// The connection to a gridchain node and what the pages ask it. Everything is read through
// storage queries, runtime APIs and events of the node the visitor chose; nothing else.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { stringToU8a, u8aConcat } from '@polkadot/util';
import { encodeAddress } from '@polkadot/util-crypto';

// Decoded chain values: the API decorates them from the node's metadata at run time, so the
// pages read their fields by name (`farm.pricing.cruPerCoreHour.toBigInt()`).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Decoded = any;

/** A map entry with one key as [id, value] (`.map(byId)` over `entries`). */
export const byId = ([[id], value]: [Decoded[], Decoded]): [number, Decoded] => [id.toNumber(), value.unwrap()];

/** The node the explorer reads when the visitor names none. */
export const DEFAULT_NODE = 'ws://127.0.0.1:9944';

/** How long connecting may take before the page says the node is unreachable. */
const CONNECT_TIMEOUT_MS = 8_000;

/** The most entries a page reads of one map before it stops believing the node. */
const MAX_MAP_ENTRIES = 100_000;

/** Entries read per request when a page lists a map. */
export const PAGE_SIZE = 100;

export class Chain {
  readonly api: ApiPromise;
  readonly url: string;
  /** Milliseconds per block, from Aura's slot duration. */
  readonly blockMs: number;
  private twins = new Map<string, number>();
  /** Timestamps of blocks already read, by number (bounded). */
  private times = new Map<number, number>();

  private constructor(api: ApiPromise, url: string) {
    this.api = api;
    this.url = url;
    this.blockMs = Number((api.consts.aura?.slotDuration as Decoded)?.toNumber?.() ?? 6_000);
  }

  /** Connects to `url`, or fails with why within a few seconds (no endless retrying). */
  static async connect(url: string): Promise<Chain> {
    if (!/^wss?:\/\/./.test(url)) throw new Error(`not a WebSocket address: ${url} (ws://host:port or wss://host)`);
    const provider = new WsProvider(url, false);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer from ${url} within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS));
    // A refused connection says so at once instead of waiting out the timeout.
    const refused = new Promise<never>((_, reject) => provider.on('error', () => reject(new Error('the connection was refused or broke'))));
    try {
      await Promise.race([provider.connect(), timeout, refused]);
      await Promise.race([provider.isReady, timeout, refused]);
      const api = await Promise.race([ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true }), timeout, refused]);
      return new Chain(api, url);
    } catch (error) {
      await provider.disconnect().catch(() => {});
      throw error instanceof Error ? error : new Error(String(error));
    }
  }

  async disconnect(): Promise<void> {
    await this.api.disconnect();
  }

  /** The twin id of `account` at `at`, or null. A twin is never removed: found ones are remembered. */
  async twinOf(at: Decoded, account: string): Promise<number | null> {
    const known = this.twins.get(account);
    if (known !== undefined) return known;
    const twin: Decoded = await at.query.registry.twinIdByAccount(account);
    if (twin.isNone) return null;
    this.twins.set(account, twin.unwrap().toNumber());
    return twin.unwrap().toNumber();
  }

  /** Every entry of a storage map, read `PAGE_SIZE` at a time, as [key args, value]. */
  async entries(query: Decoded, ...prefix: unknown[]): Promise<[Decoded[], Decoded][]> {
    const all: [Decoded[], Decoded][] = [];
    let startKey: string | undefined;
    for (;;) {
      const page = await query.entriesPaged({ args: prefix, pageSize: PAGE_SIZE, startKey });
      for (const [key, value] of page) all.push([key.args, value]);
      if (page.length < PAGE_SIZE) return all;
      // A node that never stops sending pages is not believed past the bound.
      if (all.length >= MAX_MAP_ENTRIES) throw new Error(`the node sent more than ${MAX_MAP_ENTRIES} entries of one map`);
      startKey = page[page.length - 1][0].toHex();
    }
  }

  /**
   * One page of a storage map: at most `PAGE_SIZE` entries after the storage key `after` (the
   * map's order is its keys' hashes, not its ids), and the key to continue from, if any.
   */
  async page(query: Decoded, after?: string): Promise<{ entries: [Decoded[], Decoded][]; next?: string }> {
    const page = await query.entriesPaged({ args: [], pageSize: PAGE_SIZE, startKey: after });
    const entries = page.map(([key, value]: Decoded) => [key.args, value] as [Decoded[], Decoded]);
    return { entries, next: page.length === PAGE_SIZE ? page[page.length - 1][0].toHex() : undefined };
  }

  /** The chain's time at `block`: its timestamp if it is the best block or before, else estimated. */
  async blockTime(block: number, best: { number: number; time: number }): Promise<{ time: number; estimated: boolean }> {
    if (block >= best.number) return { time: best.time + (block - best.number) * this.blockMs, estimated: block > best.number };
    const known = this.times.get(block);
    if (known !== undefined) return { time: known, estimated: false };
    try {
      const hash = await this.api.rpc.chain.getBlockHash(block);
      const time = Number((await this.api.query.timestamp.now.at(hash)).toString());
      if (this.times.size > 1_000) this.times.clear();
      this.times.set(block, time);
      return { time, estimated: false };
    } catch {
      // A node that keeps only recent state no longer answers for old blocks.
      return { time: best.time - (best.number - block) * this.blockMs, estimated: true };
    }
  }

  /** The account of a pallet id (`PalletId::into_account_truncating`): "modl" + id, zero padded. */
  palletAccount(palletId: Uint8Array): string {
    const raw = new Uint8Array(32);
    raw.set(u8aConcat(stringToU8a('modl'), palletId).slice(0, 32));
    return encodeAddress(raw, this.api.registry.chainSS58 ?? 42);
  }
}
