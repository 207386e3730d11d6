// Starts zos-sim (the ZOS node simulator) for a test, and talks to it the way ZOS is talked to:
// RMB envelopes POSTed to its endpoint. The envelope code here is written from REFERENCE.md,
// independently of zos-client, so the tests check the Rust side against it.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';

import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, ed25519Verify } from '@polkadot/util-crypto';

import { accepts, targetBinary, waitFor } from './node.js';

/** The simulator binary: $ZOS_SIM, else the debug build in the shared target dir. */
export function simBinary() {
  return targetBinary('zos-sim', 'ZOS_SIM');
}

/**
 * Starts `zos-sim` on `port` for chain node `nodeId`, checking agreements over `chainRpc`
 * (the node's HTTP JSON-RPC), keeping its state in `stateFile`, and signing with the ed25519
 * key of the secret URI `keySeed` (the key registered with the node on chain).
 * Returns { url, logs, stop(), faults(body) }.
 */
export async function startSim({ port, nodeId, chainRpc, stateFile, keySeed, sru, extraArgs = [] }) {
  const binary = simBinary();
  if (!existsSync(binary)) throw new Error(`zos-sim not found at ${binary}: build it (scripts/test.sh does)`);
  const args = [
    '--listen', `127.0.0.1:${port}`,
    '--node-id', String(nodeId),
    '--chain-rpc', chainRpc,
    '--state-file', stateFile,
    '--key-seed', keySeed,
    ...(sru ? ['--sru', String(sru)] : []),
    ...extraArgs,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  const keep = (chunk) => logs.push(chunk.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  const refusing = extraArgs.includes('--refuse-for-secs');
  if (!refusing) {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`zos-sim exited with ${child.exitCode}:\n${logs.join('')}`);
      return accepts(port);
    }, { timeoutMs: 30_000, intervalMs: 50, what: `zos-sim on port ${port}` });
  }
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
    async faults(body) {
      const response = await fetch(`${url}admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`faults: HTTP ${response.status}`);
      return response.json();
    },
  };
}

let reference = 0;

const ED25519 = 0x65; // 'e'
const SR25519 = 0x73; // 's'

/**
 * The challenge of a message as docs/zos.md defines it: BLAKE2b-256 of its fields, each
 * framed as a netstring `<length in bytes>:<bytes>,`.
 */
export function challenge(fields) {
  const encoder = new TextEncoder();
  const parts = fields.map((field) => {
    const bytes = encoder.encode(String(field));
    return [...encoder.encode(`${bytes.length}:`), ...bytes, 0x2c];
  });
  return blake2AsU8a(Uint8Array.from(parts.flat()), 256);
}

const requestFields = (e) => ['gridchain-rmb-request', e.ver, e.ref, e.cmd, e.exp, e.dat, e.src, e.dst.length, ...e.dst, e.now, e.shm];

const replyFields = (r) => [
  'gridchain-rmb-reply', r.ver, r.ref, r.src, r.dst.length, ...r.dst, r.now, r.shm ?? '',
  ...(r.dat != null ? ['dat', r.dat] : r.err ? ['err', r.err.code, r.err.message] : ['none']),
];

/**
 * Sends the ZOS command `cmd` with JSON `body` to the node at `url` in an RMB envelope signed
 * by `signer` (a keyring pair: the farm's operator) and returns the reply's decoded body once
 * its signature by `nodeKey` (the node's ed25519 public key) is checked; a failed command
 * throws an Error with `code` and the node's message.
 */
export async function rmb(url, cmd, body, { signer, nodeKey, src = 1, dst = 0 }) {
  const now = Math.floor(Date.now() / 1000);
  const ref = `e2e-${process.pid}-${++reference}`;
  const envelope = {
    ver: 1, ref, cmd, exp: now + 60,
    dat: Buffer.from(JSON.stringify(body ?? null), 'utf8').toString('base64'),
    src, dst: [dst], now, shm: 'application/json',
  };
  const keyType = { sr25519: SR25519, ed25519: ED25519 }[signer.type];
  envelope.sig = u8aToHex(Uint8Array.from([keyType, ...signer.sign(challenge(requestFields(envelope)))]), -1, false);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  if (!response.ok) throw new Error(`${cmd}: HTTP ${response.status}`);
  const reply = await response.json();
  if (reply.ref !== ref) throw new Error(`${cmd}: reply to ${reply.ref}, not ${ref}`);
  const signature = Buffer.from(reply.sig ?? '', 'hex');
  if (signature.length !== 65 || signature[0] !== ED25519
    || !ed25519Verify(challenge(replyFields(reply)), signature.subarray(1), nodeKey)) {
    throw new Error(`${cmd}: the reply is not signed by the node's key`);
  }
  if (reply.err) {
    const error = new Error(`${cmd}: ${reply.err.code} ${reply.err.message}`);
    error.code = reply.err.code;
    throw error;
  }
  return JSON.parse(Buffer.from(reply.dat, 'base64').toString('utf8'));
}
