// IOUs as an agent builds and signs them, implemented here from the documented layout (not
// from the chain's metadata), so that the tests check the chain against a second
// implementation. See primitives/src/iou.rs and tests/vectors/iou.json.

import { bnToU8a, compactToU8a, stringToU8a, u8aConcat, u8aToU8a, u8aWrapBytes } from '@polkadot/util';

/** The first 16 bytes of every signed IOU. */
export const IOU_TAG = stringToU8a('gridchain/iou/v1');

const le = (value, bitLength) => bnToU8a(BigInt(value), { bitLength, isLe: true });

/**
 * The bytes both parties sign: tag, genesis hash (32 bytes), channel (u64), usage (compact
 * length, then u64 each), amount (u128), sequence (u64), little endian.
 */
export function iouMessage(genesisHash, { channel, usage, amount, sequence }) {
  return u8aConcat(
    IOU_TAG,
    u8aToU8a(genesisHash),
    le(channel, 64),
    compactToU8a(usage.length),
    ...usage.map((used) => le(used, 64)),
    le(amount, 128),
    le(sequence, 64),
  );
}

/** What `usage` costs at `prices` ([{ price, per }]): per counter used × price / per, rounded down. */
export function priceUsage(usage, prices) {
  if (usage.length !== prices.length) throw new Error('one price per counter');
  return usage.reduce((total, used, i) => total + (BigInt(used) * BigInt(prices[i].price)) / BigInt(prices[i].per), 0n);
}

/** `pair`'s signature over the IOU's message, raw or wrapped in <Bytes> as wallets sign. */
export function signIou(pair, message, { wrapped = false } = {}) {
  return pair.sign(wrapped ? u8aWrapBytes(message) : message);
}
