// The IOU vectors of tests/vectors/iou.json, checked against this JavaScript implementation:
// the encoding, the <Bytes> wrapping, deterministic ed25519 signatures, pricing, and sr25519
// signatures made here verifying raw and wrapped. No node is needed.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';

import { iouMessage, priceUsage, signIou } from './lib/iou.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/iou.json', import.meta.url)));

describe('IOU vectors', () => {
  it('encodes every IOU to the published message, and wraps it as wallets sign', () => {
    for (const v of vectors.encoding) {
      const message = iouMessage(v.genesis_hash, v);
      assert.equal(u8aToHex(message), v.message, v.name);
      assert.equal(u8aToHex(u8aWrapBytes(message)), v.wrapped_message, v.name);
    }
  });

  it('signs with ed25519 exactly as published, and verifies sr25519 raw and wrapped', async () => {
    await cryptoWaitReady();
    const ed = new Keyring({ type: 'ed25519' }).addFromUri(vectors.ed25519_secret_uri);
    assert.equal(u8aToHex(ed.publicKey), vectors.ed25519_public);
    const sr = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    for (const v of vectors.encoding) {
      const message = iouMessage(v.genesis_hash, v);
      assert.equal(u8aToHex(signIou(ed, message)), v.ed25519_signature, v.name);
      assert.equal(u8aToHex(signIou(ed, message, { wrapped: true })), v.ed25519_wrapped_signature, v.name);
      assert.ok(signatureVerify(message, signIou(sr, message), sr.address).isValid);
      // signatureVerify accepts a wrapped signature over the unwrapped message, as the chain does.
      assert.ok(signatureVerify(message, signIou(sr, message, { wrapped: true }), sr.address).isValid);
      assert.ok(!signatureVerify(message, signIou(ed, message), sr.address).isValid);
    }
  });

  it('prices usage per counter, rounded down', () => {
    for (const p of vectors.pricing) {
      assert.equal(priceUsage(p.usage, p.prices), BigInt(p.amount));
    }
  });
});
