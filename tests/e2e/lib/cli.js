// Runs the `gridchain` command line as a user would: a process with the node's address and the
// signing key's secret URI in its environment (never as an argument), its exit code, stdout and
// stderr, and stdout parsed when --json was given.

import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';

import { targetBinary } from './node.js';

/** The CLI binary: $GRIDCHAIN_CLI, else the debug build in the shared target dir. */
export const cliBinary = () => targetBinary('gridchain', 'GRIDCHAIN_CLI');

/**
 * The command line against the node at `url`: `run(args, { suri, env })` resolves with
 * { code, stdout, stderr, json }; `ok(args, options)` requires exit 0; `fails(args, { code,
 * error, ...options })` requires exit `code` (default 1) with `error` matching stderr.
 */
export function gridchainCli(url) {
  const run = (args, { suri, env = {} } = {}) => new Promise((resolve) => {
    execFile(cliBinary(), args, {
      env: { PATH: process.env.PATH, GRIDCHAIN_URL: url, ...(suri ? { GRIDCHAIN_SURI: suri } : {}), ...env },
      timeout: 180_000,
    }, (error, stdout, stderr) => {
      const code = error ? (error.code ?? 1) : 0;
      const json = args.includes('--json') && stdout.trim() ? JSON.parse(stdout) : undefined;
      resolve({ code, stdout, stderr, json });
    });
  });
  const ok = async (args, options) => {
    const result = await run(args, options);
    assert.equal(result.code, 0, `gridchain ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  const fails = async (args, { code = 1, error, ...options } = {}) => {
    const result = await run(args, options);
    assert.equal(result.code, code, `gridchain ${args.join(' ')} exited ${result.code}, not ${code}:\n${result.stdout}\n${result.stderr}`);
    if (error) assert.match(result.stderr, error);
    return result;
  };
  return { run, ok, fails };
}
