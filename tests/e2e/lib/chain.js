// Helpers that read the chain through @polkadot/api the way a wallet does.

// Transactions from one account are sent in turn, each with the next nonce: tests that run side
// by side may then share accounts. The node's own count (`system_accountNextIndex`) can lag
// behind a transaction the pool just took, so the nonce is the larger of it and one past the
// last one this process sent from the account to this node.
const submissions = new WeakMap(); // api -> address -> { turn, next }

/** Runs `submit(nonce)` once the account's previous submission reached the pool (or failed). */
function inTurn(api, address, submit) {
  if (!submissions.has(api)) submissions.set(api, new Map());
  const accounts = submissions.get(api);
  const account = accounts.get(address) ?? { turn: Promise.resolve(), next: 0 };
  accounts.set(address, account);
  const turn = account.turn.then(async () => {
    const counted = (await api.rpc.system.accountNextIndex(address)).toNumber();
    const nonce = Math.max(counted, account.next);
    try {
      const unsubscribe = await submit(nonce);
      account.next = nonce + 1;
      return unsubscribe;
    } catch (err) {
      account.next = 0; // refused: ask the node again next time
      throw err;
    }
  });
  account.turn = turn.catch(() => {});
  return turn;
}

/**
 * Signs and sends `tx`, resolves once its block is finalized (or, with `{ inBlock: true }`,
 * included) with { blockHash, events, dispatchError } where `events` are the extrinsic's own
 * events. Rejects if the pool refuses the transaction.
 */
export function sendAndFinalize(api, tx, signer, { inBlock = false } = {}) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    inTurn(api, signer.address, (nonce) => tx.signAndSend(signer, { nonce }, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        unsubscribe?.();
        reject(new Error(`transaction ${status.type}`));
      } else if (status.isFinalized || (inBlock && status.isInBlock)) {
        unsubscribe?.();
        const blockHash = status.isFinalized ? status.asFinalized : status.asInBlock;
        resolve({ blockHash, events, dispatchError });
      }
    })).then((unsub) => { unsubscribe = unsub; }, reject);
  });
}

/** Sends `tx` and resolves once it is in a block; throws the decoded error if it failed. */
export async function sendOk(api, tx, signer) {
  const result = await sendAndFinalize(api, tx, signer, { inBlock: true });
  if (result.dispatchError) {
    const { section, name } = decodeDispatchError(api, result.dispatchError);
    throw new Error(`${tx.method.section}.${tx.method.method} failed: ${section}.${name}`);
  }
  return result;
}

/** The fee the extrinsic paid, from its TransactionFeePaid event. */
export function feePaid(api, events) {
  const fee = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  if (!fee) throw new Error('no TransactionFeePaid event');
  return fee.event.data.actualFee.toBigInt();
}

/** The data of the first event of `eventType` (e.g. api.events.smartContract.ContractCreated). */
export function eventData(events, eventType) {
  const found = events.find(({ event }) => eventType.is(event));
  if (!found) throw new Error(`no ${eventType.meta.name} event`);
  return found.event.data;
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

/**
 * Calls `onEvent(event, header)` for each event of pallet `section` in every new best block.
 * Resolves with a function that stops following; a block announced while the node stops is
 * ignored (its events can no longer be read, and no longer matter).
 */
export async function followEvents(api, section, onEvent) {
  let stopped = false;
  const unsubscribe = await api.rpc.chain.subscribeNewHeads(async (header) => {
    let events;
    try {
      events = await (await api.at(header.hash)).query.system.events();
    } catch (err) {
      if (!stopped) console.error(`${section} events of block ${header.number}: ${err.message}`);
      return;
    }
    for (const { event } of events) {
      if (!stopped && event.section === section) onEvent(event, header);
    }
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
