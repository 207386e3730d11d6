// Prepares what every test node would otherwise do by itself at start, once, before the test
// files start side by side (`npm test` runs it first):
// - the raw chain specs of the `dev` and `local` chains (`build-spec --raw`): a node given the
//   raw spec starts from the same genesis (the same genesis hash) without first running the
//   runtime's genesis builder, which compiles the runtime to machine code outside the wasmtime
//   cache (about 9 s of CPU per node in a debug build);
// - the runtime compiled into the test nodes' wasmtime cache, by a dev node started and
//   stopped once: nodes starting at the same moment would each compile it, none finding it yet.
// The specs are kept per node binary (by its modification time, as wasmtime keys its cache),
// so a rebuilt node never runs with a spec of an older runtime.

import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { nodeBinary, preparedSpec, startDevNode } from '../lib/node.js';

const startedAt = performance.now();
await Promise.all(['dev', 'local'].map(async (chain) => {
  // Already written for this binary: the same runtime, the same spec.
  if (preparedSpec(chain)) return;
  const path = preparedSpec(chain, { existing: false });
  mkdirSync(dirname(path), { recursive: true });
  const { stdout } = await promisify(execFile)(
    nodeBinary(), ['build-spec', '--chain', chain, '--raw', '--disable-default-bootnode'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  // Written whole, then renamed: a test never reads half a spec.
  writeFileSync(`${path}.tmp`, stdout);
  renameSync(`${path}.tmp`, path);
}));
// The specs of older binaries are of no use any more.
const specsDir = dirname(dirname(preparedSpec('dev', { existing: false })));
const current = basename(dirname(preparedSpec('dev', { existing: false })));
for (const old of readdirSync(specsDir).filter((name) => name !== current)) {
  rmSync(join(specsDir, old), { recursive: true, force: true });
}
const node = await startDevNode();
await node.stop();
console.log(`test nodes prepared (raw chain specs, runtime compiled) in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
