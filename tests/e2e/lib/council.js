// Proposing and voting in a guardian circle (the development council of nine, `//Guardian1` to
// `//Guardian9`, 5 of 9, or any circle) through @polkadot/api, and following the guardian
// events that say what became of each proposal.

import { eventData, followEvents, sendOk } from './chain.js';
import { waitFor } from './node.js';

/** The nine development guardians' pairs (the genesis council's members). */
export function devCouncil(keyring) {
  return Array.from({ length: 9 }, (_, i) => keyring.addFromUri(`//Guardian${i + 1}`));
}

/**
 * Follows the guardian events of every new best block of `api` into `seen` ({ method,
 * circleId, index, result, reason }) and returns the helpers `propose(circleId, proposer, call,
 * dispatchAs)`, `vote(circleId, index, voters, aye)`, `event(method, circleId, index)` and
 * `agree(circleId, members, call, dispatchAs)` (propose, four more ayes, the execution's
 * result), and `unsubscribe()`.
 */
export async function circleVoting(api, seen = []) {
  const voting = { seen };

  /** A member proposes `call` to `circleId`; resolves with the proposal's index. */
  voting.propose = async (circleId, proposer, call, dispatchAs = 'Circle') => {
    const result = await sendOk(api, api.tx.guardian.propose(circleId, call, dispatchAs), proposer);
    return eventData(result.events, api.events.guardian.Proposed).index.toNumber();
  };

  /** The members vote, all in the same block (each its own transaction). */
  voting.vote = (circleId, index, voters, aye = true) => Promise.all(
    voters.map((voter) => sendOk(api, api.tx.guardian.vote(circleId, index, aye), voter)),
  );

  /** The guardian event `method` about proposal `index` of `circleId`, once it happened. */
  voting.event = (method, circleId, index) => waitFor(
    () => seen.find((e) => e.method === method && e.circleId === circleId && e.index === index),
    { timeoutMs: 60_000, what: `${method} of proposal ${index} of circle ${circleId}` },
  );

  /** Proposes, has four more members vote aye, and resolves with the execution's result. */
  voting.agree = async (circleId, members, call, dispatchAs = 'Circle') => {
    const index = await voting.propose(circleId, members[0], call, dispatchAs);
    await voting.vote(circleId, index, members.slice(1, 5));
    const executed = await voting.event('Executed', circleId, index);
    return executed.result;
  };

  voting.unsubscribe = await followEvents(api, 'guardian', (e) => {
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
  return voting;
}
