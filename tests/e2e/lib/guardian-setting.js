// The setting of the guardian end-to-end tests: a dev node with its genesis council of nine
// (`//Guardian1`..`//Guardian9`, 5 of 9), the guardian events of every new block, and helpers
// that propose, vote and wait for a proposal's end. Each test file starts its own, so the files
// run side by side.

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { eventData, sendOk } from './chain.js';
import { circleVoting, devCouncil } from './council.js';
import { startDevNode } from './node.js';

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
  const voting = await circleVoting(api);
  const fx = { node, api, keyring, seen: voting.seen, ...voting };
  fx.council = devCouncil(keyring);

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

  fx.stop = async () => {
    voting.unsubscribe();
    await node.stop();
  };
  return fx;
}
