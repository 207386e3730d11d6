// Helpers that read the chain through @polkadot/api the way a wallet does.

/**
 * Signs and sends `tx`, resolves once its block is finalized with
 * { blockHash, events, dispatchError } where `events` are the extrinsic's own events.
 * Rejects if the pool refuses the transaction.
 */
export function sendAndFinalize(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    tx.signAndSend(signer, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        unsubscribe?.();
        reject(new Error(`transaction ${status.type}`));
      } else if (status.isFinalized) {
        unsubscribe?.();
        resolve({ blockHash: status.asFinalized, events, dispatchError });
      }
    }).then((unsub) => { unsubscribe = unsub; }, reject);
  });
}

/**
 * Decodes a DispatchError through the runtime metadata into { kind, section, name }:
 * a module error names its pallet and error, other errors their DispatchError variant.
 */
export function decodeDispatchError(api, dispatchError) {
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return { kind: 'Module', section: meta.section, name: meta.name, docs: meta.docs.join(' ') };
  }
  const inner = dispatchError.value;
  return { kind: dispatchError.type, section: dispatchError.type, name: inner?.type ?? dispatchError.type };
}

/** The free balance of `address` at block `blockHash` (or the best block). */
export async function freeBalance(api, address, blockHash) {
  const at = blockHash ? await api.at(blockHash) : api;
  const account = await at.query.system.account(address);
  return account.data.free.toBigInt();
}
