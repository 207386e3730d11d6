// The ZOS deployment challenge, computed the way ZOS and REFERENCE.md describe it, written
// independently of the chain's Rust implementation so the end-to-end test checks one against
// the other.

import { createHash } from 'node:crypto';

/**
 * The challenge text of a new deployment: version, twin id, metadata, description and
 * expiration; per workload its version, name, type, metadata, description and size; per
 * signature request twin id, required and weight; then weight required and signature style.
 */
export function challenge({ twinId, metadata, description, workloads, style = '' }) {
  let text = `0${twinId}${metadata}${description}0`;
  for (const w of workloads) {
    text += `0${w.name}volume${w.metadata}${w.description}${w.size}`;
  }
  text += `${twinId}false1`; // the one signature request: the twin, not required, weight 1
  text += `1${style}`; // weight required 1, the signature style
  return text;
}

/** MD5 of the challenge: 16 bytes. */
export function challengeHash(deployment) {
  return createHash('md5').update(challenge(deployment), 'utf8').digest();
}

/** What a signature signs: the raw hash bytes, or `<Bytes>hex</Bytes>` for polka-wallet. */
export function signedMessage(hash, style = '') {
  return style === 'polka-wallet'
    ? Buffer.from(`<Bytes>${hash.toString('hex')}</Bytes>`, 'utf8')
    : hash;
}

/**
 * A `smartContract.createNodeContract` transaction for `workloads` (volumes: {name, size,
 * metadata, description}) on `nodeId`, signed over the challenge hash computed here by the
 * twin's key `signer`. Returns { tx, hashHex }.
 */
export function createNodeContractTx(api, { nodeId, signer, twinId, workloads, metadata, description, deposit, style = '' }) {
  const hash = challengeHash({ twinId, metadata, description, workloads, style });
  const signature = signer.sign(signedMessage(hash, style));
  const tx = api.tx.smartContract.createNodeContract(
    nodeId,
    workloads.map((w) => ({ name: w.name, kind: { Volume: { size: w.size } }, metadata: w.metadata, description: w.description })),
    metadata,
    description,
    { signature, style: style === 'polka-wallet' ? 'PolkaWallet' : 'Raw' },
    deposit,
  );
  return { tx, hashHex: hash.toString('hex') };
}
