// Measures the Stellar bridge's deposit throughput: N deposits waiting on stellar-sim while the
// three relays are stopped, then the relays start and vote them; prints the deposits per second
// from the relays' start to the last mint (relays + Horizon reads + chain: stellar-sim writes
// its state file after every transaction, so making the deposits is timed apart), and the
// blocks it took.
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
  await Promise.all(fx.relays.map((relay) => relay.stop('SIGINT')));
  const depositing = performance.now();
  for (const { xdr } of envelopes) {
    const response = await fetch(`${stellar.url}/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx: xdr }),
    });
    if (!response.ok) throw new Error(`deposit refused: ${await response.text()}`);
  }
  const submitted = performance.now();
  const startBlock = (await api.rpc.chain.getHeader()).number.toNumber();
  const started = performance.now();
  for (let n = 0; n < fx.relays.length; n += 1) fx.relays[n] = fx.relay(n);
  await waitFor(
    () => fx.bridgeEvents.filter((e) => e.method === 'DepositMinted').length >= mintedBefore + count,
    { timeoutMs: 600_000, intervalMs: 200, what: `${count} mints` },
  );
  const done = performance.now();
  const endBlock = (await api.rpc.chain.getHeader()).number.toNumber();
  const seconds = (done - started) / 1000;
  console.log(JSON.stringify({
    deposits: count,
    depositSeconds: ((submitted - depositing) / 1000).toFixed(1),
    totalSeconds: seconds.toFixed(1),
    depositsPerSecond: (count / seconds).toFixed(1),
    blocks: endBlock - startBlock,
  }));
  await fx.vaultMatchesSupply();
} finally {
  await fx.stop();
}
