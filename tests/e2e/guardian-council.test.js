// Guardian circles govern the dev chain, through @polkadot/api: the genesis council of nine
// (`//Guardian1`..`//Guardian9`, 5 of 9) decides by proposal (5 ayes execute, 4 do not, 5 nays
// reject) and chooses the auditor circle, which suspends a node, after which a new agreement on
// it is refused. (Circles of their own are in guardian-circles.test.js, beside this file.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { decodeDispatchError, eventData, sendAndFinalize, sendOk } from './lib/chain.js';
import { GIB, TFT, startGuardianSetting } from './lib/guardian-setting.js';
import { waitFor } from './lib/node.js';
import { createNodeContractTx } from './lib/zos.js';

describe('guardian circles govern the chain', { timeout: 600_000 }, () => {
  let fx;

  before(async () => {
    fx = await startGuardianSetting();
  });

  after(async () => {
    await fx?.stop();
  });

  it('governs by the council: 5 of 9 ayes execute, 4 do not, 5 nays reject', async () => {
    const bounds = {
      min: { cruPerCoreHour: 1, mruPerGibHour: 1, sruPerGibHour: 1, hruPerGibHour: 1 },
      max: { cruPerCoreHour: 100n * TFT, mruPerGibHour: 100n * TFT, sruPerGibHour: 100n * TFT, hruPerGibHour: 100n * TFT },
    };
    const call = fx.api.tx.registry.setPriceBounds(bounds);
    const index = await fx.propose(1, fx.council[0], call);
    await fx.vote(1, index, fx.council.slice(1, 4));
    // Four ayes: nothing happens, over two more blocks.
    const header = await fx.api.rpc.chain.getHeader();
    await waitFor(async () => (await fx.api.rpc.chain.getHeader()).number.toNumber() >= header.number.toNumber() + 2, { timeoutMs: 30_000, what: 'two blocks' });
    assert.equal(fx.seen.find((e) => e.method === 'Executed' && e.circleId === 1 && e.index === index), undefined);
    assert.ok((await fx.api.query.registry.priceBoundsInForce()).isNone);
    // The fifth aye: executed in the next block.
    await fx.vote(1, index, [fx.council[4]]);
    const executed = await fx.event('Executed', 1, index);
    assert.ok(executed.result.isOk, `the call failed: ${executed.result}`);
    assert.equal((await fx.api.query.registry.priceBoundsInForce()).unwrap().max.sruPerGibHour.toBigInt(), 100n * TFT);

    // Five nays of nine: the ayes can no longer reach five; rejected at once.
    const refused = await fx.propose(1, fx.council[0], fx.api.tx.registry.setPriceBounds(null));
    await fx.vote(1, refused, fx.council.slice(1, 6), false);
    const rejected = await fx.event('Rejected', 1, refused);
    assert.equal(rejected.reason, 'Unreachable');
    assert.ok((await fx.api.query.registry.priceBoundsInForce()).isSome);
  });

  it('lets the auditor circle the council chose suspend a node, and refuses a new agreement on it', async () => {
    const auditors = Array.from({ length: 9 }, (_, i) => fx.keyring.addFromUri(`//Auditor${i}`));
    await fx.fund(auditors);
    const auditorCircle = await fx.newCircle('auditors', auditors);
    const chosen = await fx.agree(1, fx.council, fx.api.tx.guardian.setRole('Auditor', auditorCircle));
    assert.ok(chosen.isOk, `the fx.council could not choose: ${chosen}`);
    const nodeId = 1; // the dev farm's node
    // Not the council's to do: the registry refuses any origin but the auditors'.
    const byCouncil = await fx.agree(1, fx.council, fx.api.tx.registry.setNodeSuspended(nodeId, true));
    assert.ok(byCouncil.isErr && byCouncil.asErr.isBadOrigin, `the fx.council suspended: ${byCouncil}`);
    const suspended = await fx.agree(auditorCircle, auditors, fx.api.tx.registry.setNodeSuspended(nodeId, true));
    assert.ok(suspended.isOk, `the suspension failed: ${suspended}`);
    assert.equal((await fx.api.query.registry.nodes(nodeId)).unwrap().suspended.isTrue, true);
    const quote = await fx.api.call.smartContractApi.quoteCostPerHour(nodeId, [{ Volume: { size: GIB } }]);
    assert.ok(quote.isErr);
    assert.equal(decodeDispatchError(fx.api, quote.asErr).name, 'NodeSuspended');
    // A user's agreement on it, signed as any other, is refused by name.
    const user = fx.keyring.addFromUri('//SuspendedNodeUser');
    await fx.fund([user]);
    const registered = await sendOk(fx.api, fx.api.tx.registry.registerTwin(), user);
    const twinId = eventData(registered.events, fx.api.events.registry.TwinRegistered).twinId.toNumber();
    const { tx } = createNodeContractTx(fx.api, {
      nodeId, signer: user, twinId, workloads: [{ name: 'vol', size: GIB, metadata: '', description: '' }],
      metadata: '', description: '', deposit: 10n * TFT,
    });
    const { dispatchError } = await sendAndFinalize(fx.api, tx, user, { inBlock: true });
    assert.equal(decodeDispatchError(fx.api, dispatchError).name, 'NodeSuspended');
  });
});
