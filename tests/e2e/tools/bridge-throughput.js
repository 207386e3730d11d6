// Measures the Stellar bridge's deposit throughput: N deposits made on stellar-sim as fast as
// it takes them, then voted by three relays and minted on a dev chain. Prints the deposits per
// second from the first deposit to the last mint, and the blocks each waited.
// Usage: node tools/bridge-throughput.js [deposits=2000]

import { Memo, Operation, TransactionBuilder } from '@stellar/stellar-sdk';

import { hex, startBridgeSetting, TFT } from '../lib/bridge-setting.js';
import { waitFor } from '../lib/node.js';
import { STANDALONE, toStellarAmount } from '../lib/stellar.js';

const count = Number(process.argv[2] ?? 2000);
const fx = await startBridgeSetting({ relays: 3 });
try {
  const { api, keys, stellar, tft } = fx;
  const alice = fx.keyring.addFromUri('//Alice');
  const memo = Memo.hash(hex(alice.publicKey));
  // Warm up: the relays have started and voted once.
  const first = await fx.deposit(10n * TFT, memo);
  await fx.bridgeEvent('DepositMinted', (d) => hex(d.txHash) === first);

  // The user's deposits, built and signed here with consecutive sequence numbers.
  const account = await stellar.server.loadAccount(keys.user.publicKey());
  const envelopes = [];
  for (let i = 0; i < count; i += 1) {
    const tx = new TransactionBuilder(account, { fee: '100', networkPassphrase: STANDALONE })
      .addMemo(memo)
      .addOperation(Operation.payment({ destination: keys.vault.publicKey(), asset: tft, amount: toStellarAmount(2n * TFT + BigInt(i)) }))
      .setTimeout(0)
      .build();
    tx.sign(keys.user);
    envelopes.push({ xdr: tx.toXDR(), hash: tx.hash().toString('hex') });
  }
  const mintedBefore = fx.bridgeEvents.filter((e) => e.method === 'DepositMinted').length;
  const startBlock = (await api.rpc.chain.getHeader()).number.toNumber();
  const started = performance.now();
  for (const { xdr } of envelopes) {
    const response = await fetch(`${stellar.url}/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx: xdr }),
    });
    if (!response.ok) throw new Error(`deposit refused: ${await response.text()}`);
  }
  const submitted = performance.now();
  await waitFor(
    () => fx.bridgeEvents.filter((e) => e.method === 'DepositMinted').length >= mintedBefore + count,
    { timeoutMs: 600_000, intervalMs: 200, what: `${count} mints` },
  );
  const done = performance.now();
  const endBlock = (await api.rpc.chain.getHeader()).number.toNumber();
  const seconds = (done - started) / 1000;
  console.log(JSON.stringify({
    deposits: count,
    submitSeconds: ((submitted - started) / 1000).toFixed(1),
    totalSeconds: seconds.toFixed(1),
    depositsPerSecond: (count / seconds).toFixed(1),
    blocks: endBlock - startBlock,
  }));
  await fx.vaultMatchesSupply();
} finally {
  await fx.stop();
}
