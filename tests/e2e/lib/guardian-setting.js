// The setting of the guardian end-to-end tests: a dev node with its genesis council of nine
// (`//Guardian1`..`//Guardian9`, 5 of 9), the guardian events of every new block, and helpers
// that propose, vote and wait for a proposal's end. Each test file starts its own, so the files
// run side by side.

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { eventData, followEvents, sendOk } from './chain.js';
import { startDevNode, waitFor } from './node.js';

export const TFT = 10_000_000n;
export const GIB = 1024n ** 3n;

/**
 * Starts the setting. Returns an object with `node`, `api`, `keyring`, `council` (the nine
 * guardians' pairs), `seen` (guardian events), and `propose(circleId, proposer, call,
 * dispatchAs)`, `vote(circleId, index, voters, aye)`, `event(method, circleId, index)`,
 * `agree(circleId, members, call, dispatchAs)` (propose, four more ayes, the execution's
 * result), `newCircle(name, members)`, `fund(accounts)`, `stop()`.
 */
export async function startGuardianSetting() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const node = await startDevNode();
  const { api } = node;
  const fx = { node, api, keyring, seen: [] };
  const { seen } = fx;

  /** A member proposes `call` to `circleId`; resolves with the proposal's index. */
  fx.propose = async (circleId, proposer, call, dispatchAs = 'Circle') => {
    const result = await sendOk(api, api.tx.guardian.propose(circleId, call, dispatchAs), proposer);
    return eventData(result.events, api.events.guardian.Proposed).index.toNumber();
  };

  /** The members vote, all in the same block (each its own transaction). */
  fx.vote = (circleId, index, voters, aye = true) => Promise.all(
    voters.map((voter) => sendOk(api, api.tx.guardian.vote(circleId, index, aye), voter)),
  );

  /** The guardian event `method` about proposal `index` of `circleId`, once it happened. */
  fx.event = (method, circleId, index) => waitFor(
    () => seen.find((e) => e.method === method && e.circleId === circleId && e.index === index),
    { timeoutMs: 60_000, what: `${method} of proposal ${index} of circle ${circleId}` },
  );

  /** Proposes, has four more members vote aye, and resolves with the execution's result. */
  fx.agree = async (circleId, members, call, dispatchAs = 'Circle') => {
    const index = await fx.propose(circleId, members[0], call, dispatchAs);
    await fx.vote(circleId, index, members.slice(1, 5));
    const executed = await fx.event('Executed', circleId, index);
    return executed.result;
  };

  /** Nine fresh members, funded, and the circle they make (5 of 9); its id. */
  fx.newCircle = async (name, members) => {
    const made = await sendOk(api, api.tx.guardian.createCircle(name, members.map((m) => m.address), 5, 10, 0), fx.council[0]);
    return eventData(made.events, api.events.guardian.CircleCreated).circleId.toNumber();
  };

  /** 100 TFT to each account from the guardians, one transfer per guardian per block. */
  fx.fund = async (accounts) => {
    for (let first = 0; first < accounts.length; first += fx.council.length) {
      await Promise.all(accounts.slice(first, first + fx.council.length).map((account, i) => sendOk(
        api, api.tx.balances.transferKeepAlive(account.address, 100n * TFT), fx.council[i],
      )));
    }
  };

  fx.council = Array.from({ length: 9 }, (_, i) => keyring.addFromUri(`//Guardian${i + 1}`));
  const unsubscribe = await followEvents(api, 'guardian', (e) => {
    const data = e.toHuman().data ?? {};
    const number = (value) => (value === undefined ? undefined : Number(String(value).replace(/,/g, '')));
    seen.push({
      method: e.method,
      circleId: number(data.circleId),
      index: number(data.index),
      result: e.method === 'Executed' ? e.data.result : undefined,
      reason: data.reason,
    });
  });

  fx.stop = async () => {
    unsubscribe?.();
    await node.stop();
  };
  return fx;
}
