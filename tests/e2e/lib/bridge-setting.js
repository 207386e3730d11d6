// The setting of the Stellar bridge's end-to-end tests and figures: a dev node with its
// council, stellar-sim, a 9-member bridge circle (threshold 3) chosen by the council, the vault
// on Stellar with the nine members' keys as signers (medium threshold 3), TFT's issuer, users,
// and the relays of the first `relays` members.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { u8aToHex } from '@polkadot/util';

import { eventData, followEvents, sendOk } from './chain.js';
import { TFT, startGuardianSetting } from './guardian-setting.js';
import { waitFor } from './node.js';
import {
  Asset, Operation, STANDALONE, namedKeypair, startRelay, startStellarSim, toStellarAmount,
} from './stellar.js';

export { TFT };
export const DEPOSIT_FEE = TFT;
export const WITHDRAWAL_FEE = TFT;

/** Hex of bytes without `0x`, as Horizon and our events' hashes are compared. */
export const hex = (bytes) => u8aToHex(bytes).slice(2);

/**
 * Starts the setting; payments from the vault are valid `paymentLifetime` seconds. Returns fx with `api`, `keyring`, `node`, `stellar` (lib/stellar.js),
 * `keys` (Stellar key pairs: issuer, vault, user, other, untrusting), `tft` (the asset),
 * `validators` ({ chain, stellarKey }), `relays`, `relay(n, { crashAt })` (starts member n's
 * relay, to abort after step `crashAt` if given),
 * `bridgeEvents` (each with its block), `bridgeEvent(method, match)`, `deposit(amount, memo,
 * options)` (the user pays the vault; its hash), `vaultMatchesSupply(dust)`, `stop({ figures })`.
 */
export async function startBridgeSetting({ relays = 4, paymentLifetime = 3_600 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gridchain-bridge-e2e-'));
  const [fx, stellar] = await Promise.all([
    startGuardianSetting(),
    startStellarSim({ stateFile: join(dir, 'stellar.json') }),
  ]);
  const { api, keyring } = fx;
  Object.assign(fx, { stellar, dir, relays: [], bridgeEvents: [], keys: {}, validators: [] });
  const { keys, validators } = fx;
  for (const name of ['issuer', 'vault', 'user', 'other', 'untrusting']) keys[name] = namedKeypair(name);
  const tft = new Asset('TFT', keys.issuer.publicKey());
  fx.tft = tft;
  for (let n = 0; n < 9; n += 1) {
    const uri = `//BridgeValidator${n + 1}`;
    validators.push({ chain: Object.assign(keyring.addFromUri(uri), { uri }), stellarKey: namedKeypair(`validator-${n + 1}`) });
  }
  const chainKeys = validators.map((v) => v.chain);

  /** The first bridge event `method` whose data passes `match`, once it happened. */
  fx.bridgeEvent = (method, match = () => true, timeoutMs = 120_000) => waitFor(
    () => fx.bridgeEvents.find((e) => e.method === method && match(e.data)),
    { timeoutMs, what: `tftBridge.${method}` },
  );

  fx.relay = (n, { crashAt } = {}) => startRelay({
    crashAt,
    nodeUrl: fx.node.rpcUrl,
    horizonUrl: stellar.url,
    vault: keys.vault.publicKey(),
    chainUri: validators[n].chain.uri,
    stellarKey: validators[n].stellarKey,
    stateDir: join(dir, `relay-${n}`),
  });

  /** The Stellar keys of `members` as the chain lists the vault's signers: sorted, as hex. */
  fx.vaultSigners = (members) => members.map((v) => u8aToHex(v.stellarKey.rawPublicKey())).sort();

  /** The user (or `from`) pays `amount` to the vault with `memo` (and `extra` operations). */
  fx.deposit = async (amount, memo, { from = keys.user, extra = [], signers } = {}) => {
    const result = await stellar.submit(from, [
      Operation.payment({ destination: keys.vault.publicKey(), asset: tft, amount: toStellarAmount(amount) }),
      ...extra,
    ], { memo, signers });
    return result.hash;
  };

  /** The vault's TFT on Stellar equals the chain's bridged supply (plus dust it keeps). */
  fx.vaultMatchesSupply = async (dust = 0n) => {
    const supply = (await api.query.tftBridge.bridgedSupply()).toBigInt();
    const vault = await stellar.balance(keys.vault.publicKey(), tft);
    assert.equal(vault, supply + dust, 'the vault holds what was bridged');
  };

  // Stellar: TFT's issuer, the vault (the nine keys sign, 3 of them needed, the master key
  // none), a user with 1,000,000 TFT, and accounts for the failure cases.
  const onStellar = (async () => {
    for (const name of Object.keys(keys)) await stellar.friendbot(keys[name]);
    await stellar.submit(keys.vault, [
      Operation.changeTrust({ asset: tft }),
      ...validators.map((v) => Operation.setOptions({ signer: { ed25519PublicKey: v.stellarKey.publicKey(), weight: 1 } })),
      Operation.setOptions({ masterWeight: 0, lowThreshold: 3, medThreshold: 3, highThreshold: 3 }),
    ]);
    await stellar.submit(keys.user, [Operation.changeTrust({ asset: tft })]);
    await stellar.submit(keys.other, [Operation.changeTrust({ asset: tft })]);
    await stellar.submit(keys.issuer, [
      Operation.payment({ destination: keys.user.publicKey(), asset: tft, amount: '1000000' }),
      Operation.payment({ destination: keys.other.publicKey(), asset: tft, amount: '100' }),
    ]);
  })();

  // The chain, in three blocks: the members funded and their circle (3 of 9) made; their
  // Stellar keys, its treasury and the council's two proposals (choose the circle, set the
  // vault); the council's votes. Each account sends one transaction per block.
  const alice = keyring.addFromUri('//Alice');
  const [, made] = await Promise.all([
    fx.fund(chainKeys),
    sendOk(api, api.tx.guardian.createCircle('stellar-bridge', chainKeys.map((k) => k.address), 3, 10, 0), alice),
  ]);
  fx.bridgeCircle = eventData(made.events, api.events.guardian.CircleCreated).circleId.toNumber();
  fx.treasury = (await api.call.guardianApi.circle(fx.bridgeCircle)).unwrap().treasury.toString();
  await onStellar;
  const vaultAccount = await stellar.server.loadAccount(keys.vault.publicKey());
  fx.unsubscribeBridge = await followEvents(api, 'tftBridge', (event, header) => {
    fx.bridgeEvents.push({ method: event.method, data: event.data, block: header.number.toNumber() });
  });
  const { council } = fx;
  const [, , chooseCircle, setVault] = await Promise.all([
    Promise.all(validators.map((v) => sendOk(api, api.tx.guardian.setMemberKey(fx.bridgeCircle, 'StellarEd25519', u8aToHex(v.stellarKey.rawPublicKey())), v.chain))),
    sendOk(api, api.tx.balances.transferKeepAlive(fx.treasury, TFT), council[1]),
    fx.propose(1, council[0], api.tx.tftBridge.setBridgeCircle(fx.bridgeCircle)),
    fx.propose(1, council[5], api.tx.tftBridge.setVault({
      account: u8aToHex(keys.vault.rawPublicKey()),
      networkPassphrase: STANDALONE,
      assetCode: 'TFT',
      assetIssuer: u8aToHex(keys.issuer.rawPublicKey()),
      fee: 100,
      paymentLifetime,
      sequence: vaultAccount.sequence,
      signers: fx.vaultSigners(validators),
      threshold: 3,
    })),
  ]);
  await Promise.all([
    fx.vote(1, chooseCircle, council.slice(1, 5)),
    fx.vote(1, setVault, [council[6], council[7], council[8], council[0]]),
  ]);
  const [chosen, vaultSet] = await Promise.all([
    fx.event('Executed', 1, chooseCircle),
    fx.event('Executed', 1, setVault),
  ]);
  assert.ok(chosen.result.isOk && vaultSet.result.isOk, `the council could not set up the bridge: ${chosen.result} ${vaultSet.result}`);
  for (let n = 0; n < relays; n += 1) fx.relays[n] = fx.relay(n);

  // Stops everything; with GRIDCHAIN_E2E_SHOW_FIGURES, first prints `figures` and every
  // bridge event with its block.
  const stopChain = fx.stop;
  fx.stop = async ({ figures } = {}) => {
    if (process.env.GRIDCHAIN_E2E_SHOW_FIGURES) {
      if (figures) console.log('bridge figures', figures);
      for (const e of fx.bridgeEvents) console.log(e.block, e.method, JSON.stringify(e.data.toHuman()));
    }
    fx.unsubscribeBridge?.();
    await Promise.all(fx.relays.map((r) => r?.stop('SIGKILL')));
    await stellar.stop();
    await stopChain();
    rmSync(dir, { recursive: true, force: true });
  };
  return fx;
}
