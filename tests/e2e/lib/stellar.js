// Stellar for the bridge's end-to-end tests: stellar-sim (our Horizon-compatible simulator)
// driven through SDF's own JavaScript SDK, as a Stellar wallet would, and the relays
// (`gridchain-bridge`) of the bridge's validators.

import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';

import {
  Asset, BASE_FEE, Horizon, Keypair, Memo, Operation, TransactionBuilder,
} from '@stellar/stellar-sdk';

import { targetBinary, waitFor } from './node.js';

export const STANDALONE = 'Standalone Network ; February 2017';

/** Stellar amounts are strings with 7 decimals; chain units are stroops. */
export const toStellarAmount = (stroops) => {
  const whole = stroops / 10_000_000n;
  const fraction = (stroops % 10_000_000n).toString().padStart(7, '0');
  return `${whole}.${fraction}`;
};
export const fromStellarAmount = (text) => {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * 10_000_000n + BigInt(fraction.padEnd(7, '0'));
};

/** A Stellar key pair from a name (deterministic, so a restarted test finds the same keys). */
export function namedKeypair(name) {
  return Keypair.fromRawEd25519Seed(createHash('sha256').update(`gridchain-e2e/${name}`).digest());
}

function startProcess(binary, args, env, readyLine) {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const logs = [];
  const keep = (chunk) => {
    logs.push(chunk.toString());
    if (logs.length > 3000) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  return { child, logs, exited };
}

/**
 * Starts stellar-sim on a free port, its state in `stateFile`. Returns { url, server (SDF's
 * Horizon.Server), logs, stop(), clock(seconds), faults(body) }.
 */
export async function startStellarSim({ stateFile }) {
  const binary = targetBinary('stellar-sim', 'STELLAR_SIM');
  if (!existsSync(binary)) throw new Error(`stellar-sim not found at ${binary}: build it (scripts/test.sh does)`);
  const { child, logs, exited } = startProcess(binary, [
    '--listen', '127.0.0.1:0', '--state', stateFile, '--network-passphrase', STANDALONE,
  ], {}, 'listening');
  const url = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`stellar-sim exited with ${child.exitCode}:\n${logs.join('')}`);
    const line = logs.join('').match(/stellar-sim listening on (http:\/\/\S+)/);
    return line?.[1];
  }, { timeoutMs: 30_000, intervalMs: 50, what: 'stellar-sim to listen' });
  const server = new Horizon.Server(url, { allowHttp: true });
  const admin = async (path, body) => {
    const response = await fetch(`${url}/sim/${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`stellar-sim ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    url,
    server,
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
    clock: (seconds) => admin('clock', { advance_seconds: seconds }),
    faults: (body) => admin('faults', body),
    /** Creates `keypair`'s account with 10,000 XLM, as the testnet's friendbot does. */
    async friendbot(keypair) {
      const response = await fetch(`${url}/friendbot?addr=${keypair.publicKey()}`);
      if (!response.ok) throw new Error(`friendbot: HTTP ${response.status} ${await response.text()}`);
    },
    /**
     * Builds, signs (by `signers`, default the source) and submits a transaction of `source`
     * with `operations` and `memo`; resolves with Horizon's answer.
     */
    async submit(source, operations, { memo = Memo.none(), signers = [source] } = {}) {
      const account = await server.loadAccount(source.publicKey());
      const builder = new TransactionBuilder(account, { fee: BASE_FEE, networkPassphrase: STANDALONE })
        .addMemo(memo)
        .setTimeout(300);
      for (const operation of operations) builder.addOperation(operation);
      const tx = builder.build();
      for (const signer of signers) tx.sign(signer);
      return server.submitTransaction(tx);
    },
    /** The account's balance of `asset`, in stroops (0n without a trustline). */
    async balance(publicKey, asset) {
      const account = await server.loadAccount(publicKey);
      const line = account.balances.find((b) => b.asset_code === asset.getCode() && b.asset_issuer === asset.getIssuer());
      return line ? fromStellarAmount(line.balance) : 0n;
    },
  };
}

/**
 * Starts validator `name`'s relay: chain key `chainUri`, Stellar key `stellarKey`, state in
 * `stateDir`. Returns { child, logs, kill(signal), exited }.
 */
export function startRelay({
  nodeUrl, horizonUrl, vault, chainUri, stellarKey, stateDir, metricsPort, crashAt,
}) {
  const binary = targetBinary('gridchain-bridge', 'GRIDCHAIN_BRIDGE');
  if (!existsSync(binary)) throw new Error(`gridchain-bridge not found at ${binary}: build it (scripts/test.sh does)`);
  const { child, logs, exited } = startProcess(binary, [
    'run',
    '--node', nodeUrl,
    '--horizon', horizonUrl,
    '--network-passphrase', STANDALONE,
    '--vault', vault,
    '--state-dir', stateDir,
    '--poll-ms', '500',
    ...(metricsPort ? ['--metrics', `127.0.0.1:${metricsPort}`] : []),
  ], {
    GRIDCHAIN_BRIDGE_CHAIN_SECRET: chainUri,
    GRIDCHAIN_BRIDGE_STELLAR_SECRET: stellarKey.secret(),
    // A crash point (bridge/relay/src/crash.rs): the relay aborts after that step.
    ...(crashAt ? { GRIDCHAIN_BRIDGE_CRASH_AT: crashAt } : {}),
  });
  return {
    child,
    logs,
    exited,
    /** Stops it with `signal`; a relay that does not exit within 10 s is killed. */
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Runs `gridchain-bridge update-vault-signers` as the member `chainUri`; resolves with what it
 * printed, rejects with its error output when it fails.
 */
export function updateVaultSigners({ nodeUrl, chainUri }) {
  const binary = targetBinary('gridchain-bridge', 'GRIDCHAIN_BRIDGE');
  return new Promise((resolve, reject) => {
    execFile(binary, ['update-vault-signers', '--node', nodeUrl], {
      env: { ...process.env, GRIDCHAIN_BRIDGE_CHAIN_SECRET: chainUri },
      timeout: 120_000,
    }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

export { Asset, Keypair, Memo, Operation, TransactionBuilder };
