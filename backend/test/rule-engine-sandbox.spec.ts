import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TENANT_ADMIN, TestApp } from './harness';
import { DebugEvent, eventually, node, RuleChainFixtures } from './rule-chain-fixtures';

const SCRIPT_TIMEOUT_MS = 300;
/** How long to wait for the engine here: longer than elsewhere, since each hostile script first has to be stopped. */
const WAIT_MS = 15_000;

/**
 * One script for every case: a message whose `hostile` key names an attack makes it misbehave that way;
 * any other message passes (True). The same deployed chain handles good and bad messages.
 */
const HOSTILE_FILTER = `
  if (msg.hostile === 'loop') { while (true) {} }
  if (msg.hostile === 'memory') { var big = new Array(128 * 1024 * 1024).fill(0); return big.length > 0; }
  if (msg.hostile === 'require') { return require('fs') !== null; }
  return true;
`;

/**
 * A rule-node script that loops, eats memory or reaches for Node.js fails only its own message, with an error
 * saying why in the node's debug events; the engine goes on with the next message.
 */
describe('rule engine: user scripts run sandboxed', () => {
  let app: TestApp;
  let rules: RuleChainFixtures;

  /**
   * Makes a chain "script filter (debug all) → True → Save Timeseries" the root, sends the hostile message and
   * then a good one, and gives the root back to the default chain. Returns the script node's Failure event
   * for the hostile message, once the good message is stored.
   */
  const sendHostileThenGood = async (attack: string): Promise<DebugEvent> => {
    const { chainId, metadata } = await rules.createChain(
      `Sandbox: ${attack}`,
      [
        node(
          'filter.TbJsFilterNode',
          'Hostile script',
          { scriptLang: 'JS', jsScript: HOSTILE_FILTER },
          { failuresEnabled: true, allEnabled: true },
        ),
        node('telemetry.TbMsgTimeseriesNode', 'Save'),
      ],
      [{ fromIndex: 0, toIndex: 1, type: 'True' }],
    );
    const scriptNodeId: string = metadata.nodes[0].id.id;
    return rules.asRoot(chainId, async () => {
      await rules.postTelemetry({ hostile: attack, marker: `hostile-${attack}` });
      await rules.postTelemetry({ marker: `good-after-${attack}` });
      const stored = await eventually(
        () => rules.storedValues('marker'),
        (m) => m.includes(`good-after-${attack}`),
        WAIT_MS,
      );
      expect(stored).toContain(`good-after-${attack}`);
      expect(stored).not.toContain(`hostile-${attack}`);
      const failures = (events: DebugEvent[]) => events.filter((e) => e.body.type === 'OUT' && e.body.relationType === 'Failure');
      const events = await eventually(
        () => rules.debugEvents(scriptNodeId),
        (e) => failures(e).length > 0,
        WAIT_MS,
      );
      const [failure, ...more] = failures(events);
      expect(more).toEqual([]);
      expect(JSON.parse(failure.body.data!)).toEqual({ hostile: attack, marker: `hostile-${attack}` });
      // The good message went through the same node, by True.
      const passed = events.find((e) => e.body.type === 'OUT' && e.body.relationType === 'True');
      expect(JSON.parse(passed!.body.data!)).toEqual({ marker: `good-after-${attack}` });
      const status = await rules.chainStatus(chainId);
      expect(status).toMatchObject({ deployed: true, error: null });
      expect(status.nodes[0]).toMatchObject({ received: 2, failed: 1 });
      return failure;
    });
  };

  beforeAll(async () => {
    app = await startTestApp({ SCRIPT_TIMEOUT_MS: String(SCRIPT_TIMEOUT_MS) });
    const api = await app.api.login(TENANT_ADMIN);
    rules = await RuleChainFixtures.of(api, { name: 'sandbox-device', accessToken: 'RULE-ENGINE-SANDBOX-TOKEN' });
  });
  afterAll(() => app?.close());

  it('stops a script that loops forever after SCRIPT_TIMEOUT_MS', async () => {
    const failure = await sendHostileThenGood('loop');
    expect(failure.body.error).toBe(
      `Script timed out after ${SCRIPT_TIMEOUT_MS} ms: look for an endless loop, or raise SCRIPT_TIMEOUT_MS if it really needs longer`,
    );
  });

  it('stops a script that allocates 1 GB at the memory limit', async () => {
    const failure = await sendHostileThenGood('memory');
    expect(failure.body.error).toBe(
      'Script exceeded its memory limit of 128 MB: make it build smaller values, or raise SCRIPT_MEMORY_LIMIT_MB',
    );
  });

  it('gives a script no require(): it fails with "require is not defined"', async () => {
    const failure = await sendHostileThenGood('require');
    expect(failure.body.error).toMatch(/^ReferenceError: require is not defined \(scripts run in a sandbox without Node\.js/);
  });
});
