// Measures how long a `--dev` node takes from process start to its RPC answering, to its
// first block (#1 imported) and to its first finalized block. Prints one line per run and the
// medians. Usage: node tools/first-block.js [runs=5]   (GRIDCHAIN_NODE selects the binary)

import { startDevNode, nodeBinary } from '../lib/node.js';

const runs = Number(process.argv[2] ?? 5);
const seconds = (ms) => (ms / 1000).toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function whenHeadReaches(subscribe, number) {
  return new Promise((resolve) => {
    let unsubscribe;
    subscribe((header) => {
      if (header.number.toNumber() >= number) {
        unsubscribe?.();
        resolve(performance.now());
      }
    }).then((unsub) => { unsubscribe = unsub; });
  });
}

const results = [];
console.log(`binary: ${nodeBinary()}`);
for (let run = 1; run <= runs; run++) {
  const node = await startDevNode();
  const { api } = node;
  const [block1At, finalized1At] = await Promise.all([
    whenHeadReaches((cb) => api.rpc.chain.subscribeNewHeads(cb), 1),
    whenHeadReaches((cb) => api.rpc.chain.subscribeFinalizedHeads(cb), 1),
  ]);
  await node.stop();
  const result = {
    rpc: node.rpcReadyAt - node.startedAt,
    block1: block1At - node.startedAt,
    finalized1: finalized1At - node.startedAt,
  };
  results.push(result);
  console.log(`run ${run}: RPC after ${seconds(result.rpc)} s, block #1 after ${seconds(result.block1)} s, finalized #1 after ${seconds(result.finalized1)} s`);
}
console.log(`median of ${runs}: RPC ${seconds(median(results.map((r) => r.rpc)))} s, block #1 ${seconds(median(results.map((r) => r.block1)))} s, finalized #1 ${seconds(median(results.map((r) => r.finalized1)))} s`);
