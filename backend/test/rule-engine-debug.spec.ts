import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsService } from '../src/events/events.service';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';
import { DebugSettings, eventually, node, RuleChainFixtures } from './rule-chain-fixtures';
import { okBody } from './tenant-fixtures';

const MINUTE_MS = 60_000;
/** ThingsBoard's `debug.settings.default_duration`: the longest "debug everything" lasts (rest-api.md §2.4). */
const MAX_DEBUG_MS = 15 * MINUTE_MS;

/** A script transformation that fails when the message asks it to, and passes everything else on unchanged. */
const failOnRequest = (debugSettings: DebugSettings | null) =>
  node(
    'transform.TbTransformMsgNode',
    'Fail on request',
    {
      scriptLang: 'JS',
      jsScript: "if (msg.fail) throw new Error('asked to fail: ' + msg.fail); return {msg: msg, metadata: metadata, msgType: msgType};",
    },
    debugSettings,
  );

const DEBUG_ALL: DebugSettings = { failuresEnabled: true, allEnabled: true };
const FAILURES_ONLY: DebugSettings = { failuresEnabled: true, allEnabled: false, allEnabledUntil: 0 };
const NO_DEBUG: DebugSettings = { failuresEnabled: false, allEnabled: false, allEnabledUntil: 0 };

/** Per-node debug mode, the events it records, and the engine's counters (rest-api.md §2.4, §4). */
describe('rule engine: node debug events and statistics', () => {
  let app: TestApp;
  let api: ApiClient;
  let rules: RuleChainFixtures;
  const deviceName = 'debug-device';

  const markers = () => rules.storedValues('marker');
  /** Waits until the telemetry carrying `marker` is stored (so every node before the save node has run). */
  const stored = async (marker: string) => expect(await eventually(markers, (m) => m.includes(marker))).toContain(marker);

  /** Every debug event recorded so far, once the (fire-and-forget) event writer has written them. */
  const allDebugEvents = async (nodeId: string) => {
    await app.running.app.get(EventsService).flush();
    return rules.debugEvents(nodeId);
  };
  const mainQueue = async (): Promise<{ processed: number; failed: number; retried: number; timedOut: number }> =>
    okBody(await api.get('/api/ruleEngine/queues/stats'), 'queue stats').find((q: { name: string }) => q.name === 'Main');

  /** A chain "first node → Save Timeseries" whose first node is `first`; returns the ids of both nodes. */
  const chainBeforeSave = async (name: string, first: object, relation: string) => {
    const { chainId, metadata } = await rules.createChain(
      name,
      [first, node('telemetry.TbMsgTimeseriesNode', 'Save')],
      [{ fromIndex: 0, toIndex: 1, type: relation }],
    );
    return { chainId, firstId: metadata.nodes[0].id.id as string, saveId: metadata.nodes[1].id.id as string };
  };

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    rules = await RuleChainFixtures.of(api, { name: deviceName, accessToken: 'RULE-ENGINE-DEBUG-TOKEN' });
  });
  afterAll(() => app?.close());

  it('with "debug all", records what enters and leaves the node: IN and OUT events with the message as text', async () => {
    const hotFilter = node('filter.TbJsFilterNode', 'Hot?', { scriptLang: 'JS', jsScript: 'return msg.temperature > 30;' }, DEBUG_ALL);
    const { chainId, firstId, saveId } = await chainBeforeSave('Debug all', hotFilter, 'True');
    await rules.asRoot(chainId, async () => {
      await rules.postTelemetry({ temperature: 42, marker: 'debug-all' });
      await stored('debug-all');
      const events = await eventually(
        () => rules.debugEvents(firstId),
        (e) => e.length >= 2,
      );
      expect(events).toHaveLength(2);
      const inbound = events.find((e) => e.body.type === 'IN')!;
      const outbound = events.find((e) => e.body.type === 'OUT')!;
      for (const event of [inbound, outbound]) {
        expect(event).toMatchObject({ type: 'DEBUG_RULE_NODE', entityId: { entityType: 'RULE_NODE', id: firstId } });
        expect(event.body).toMatchObject({
          entityId: rules.deviceId,
          entityType: 'DEVICE',
          msgType: 'POST_TELEMETRY_REQUEST',
          dataType: 'JSON',
          msgId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        });
        // Data and metadata are JSON *texts*, as ThingsBoard stores them.
        expect(typeof event.body.data).toBe('string');
        expect(JSON.parse(event.body.data!)).toEqual({ temperature: 42, marker: 'debug-all' });
        expect(typeof event.body.metadata).toBe('string');
        expect(JSON.parse(event.body.metadata!)).toMatchObject({ deviceName, ts: expect.stringMatching(/^\d+$/) });
        expect(event.body.error).toBeUndefined();
      }
      expect(outbound.body.msgId).toBe(inbound.body.msgId);
      expect(outbound.body.relationType).toBe('True');
      // The chain's first node: the message arrived by no relation.
      expect(inbound.body.relationType).toBeUndefined();
      // Nodes without debug settings record nothing.
      expect(await allDebugEvents(saveId)).toEqual([]);
    });
  });

  it('with "debug all", a failing message leaves an OUT event by Failure that names the error', async () => {
    const { chainId, firstId } = await chainBeforeSave('Debug all failures', failOnRequest(DEBUG_ALL), 'Success');
    await rules.asRoot(chainId, async () => {
      await rules.postTelemetry({ fail: 'overheated', marker: 'debug-all-failing' });
      const events = await eventually(
        () => rules.debugEvents(firstId),
        (e) => e.length >= 2,
      );
      expect(events.map((e) => e.body.type).sort()).toEqual(['IN', 'OUT']);
      const outbound = events.find((e) => e.body.type === 'OUT')!;
      expect(outbound.body).toMatchObject({ relationType: 'Failure', error: expect.stringContaining('asked to fail: overheated') });
      expect(JSON.parse(outbound.body.data!)).toEqual({ fail: 'overheated', marker: 'debug-all-failing' });
    });
  });

  it('with only "failures" enabled, records nothing but the OUT events of messages that fail', async () => {
    const { chainId, firstId } = await chainBeforeSave('Failures only', failOnRequest(FAILURES_ONLY), 'Success');
    await rules.asRoot(chainId, async () => {
      await rules.postTelemetry({ marker: 'failures-only-good-1' });
      await rules.postTelemetry({ fail: 'bad reading', marker: 'failures-only-bad' });
      await rules.postTelemetry({ marker: 'failures-only-good-2' });
      await stored('failures-only-good-2');
      await eventually(
        () => rules.debugEvents(firstId),
        (e) => e.length >= 1,
      );
      await eventually(
        async () => (await rules.chainStatus(chainId)).nodes[0].received,
        (received) => received === 3,
      );
      const events = await allDebugEvents(firstId);
      expect(events).toHaveLength(1);
      expect(events[0].body).toMatchObject({
        type: 'OUT',
        relationType: 'Failure',
        entityId: rules.deviceId,
        error: expect.stringContaining('asked to fail: bad reading'),
      });
      expect(JSON.parse(events[0].body.data!)).toMatchObject({ marker: 'failures-only-bad' });
      expect(await markers()).not.toContain('failures-only-bad');
    });
  });

  it.each([
    ['both switched off', NO_DEBUG],
    ['no debug settings', null],
  ])('with %s, records no event at all, not even for failures', async (_case, debugSettings) => {
    const { chainId, firstId } = await chainBeforeSave(`No debug (${_case})`, failOnRequest(debugSettings), 'Success');
    const marker = `no-debug-${debugSettings ? 'off' : 'null'}`;
    await rules.asRoot(chainId, async () => {
      await rules.postTelemetry({ fail: 'bad reading', marker: `${marker}-bad` });
      await rules.postTelemetry({ marker });
      await stored(marker);
      expect(
        await eventually(
          async () => (await rules.chainStatus(chainId)).nodes[0],
          (n) => n.received === 2 && n.failed === 1,
        ),
      ).toMatchObject({ received: 2, failed: 1 });
      expect(await allDebugEvents(firstId)).toEqual([]);
    });
  });

  it('caps "debug all" at now + 15 minutes when the chain is saved, and keeps shorter deadlines', async () => {
    const before = Date.now();
    const { metadata } = await rules.createChain(
      'Debug deadlines',
      [
        node('action.TbLogNode', 'All', {}, DEBUG_ALL),
        node('action.TbLogNode', 'A day', {}, { failuresEnabled: false, allEnabled: false, allEnabledUntil: before + 24 * 60 * MINUTE_MS }),
        node('action.TbLogNode', 'A minute', {}, { failuresEnabled: true, allEnabled: false, allEnabledUntil: before + MINUTE_MS }),
        { ...node('action.TbLogNode', 'Legacy'), debugSettings: undefined, debugMode: true },
      ],
      [],
    );
    const after = Date.now();
    const settings = Object.fromEntries(
      metadata.nodes.map((n: { name: string; debugSettings: DebugSettings }) => [n.name, n.debugSettings]),
    );
    const expectCapped = (saved: DebugSettings, failuresEnabled: boolean) => {
      expect(saved).toEqual({ failuresEnabled, allEnabled: false, allEnabledUntil: expect.any(Number) });
      expect(saved.allEnabledUntil).toBeGreaterThanOrEqual(before + MAX_DEBUG_MS);
      expect(saved.allEnabledUntil).toBeLessThanOrEqual(after + MAX_DEBUG_MS);
    };
    expectCapped(settings.All, true);
    expectCapped(settings['A day'], false);
    expect(settings['A minute']).toEqual({ failuresEnabled: true, allEnabled: false, allEnabledUntil: before + MINUTE_MS });
    // The deprecated `debugMode: true` becomes "failures, and everything for the maximum time".
    expectCapped(settings.Legacy, true);
    const reread = okBody(await api.get(`/api/ruleChain/${metadata.ruleChainId.id}/metadata`), 'metadata');
    expect(reread.nodes.map((n: { debugSettings: DebugSettings }) => n.debugSettings)).toEqual(
      metadata.nodes.map((n: { debugSettings: DebugSettings }) => n.debugSettings),
    );
    expect(reread.nodes.every((n: object) => !('debugMode' in n))).toBe(true);
  });

  it('answers the body of a node\u2019s latest IN event on GET /api/ruleNode/{id}/debugIn, and an empty body before there is one', async () => {
    const { chainId, firstId, saveId } = await chainBeforeSave('Debug in', failOnRequest(DEBUG_ALL), 'Success');
    const none = await api.get(`/api/ruleNode/${firstId}/debugIn`);
    expect(none.status).toBe(200);
    expect(none.text).toBe('');
    await rules.asRoot(chainId, async () => {
      await rules.postTelemetry({ marker: 'debug-in-1' });
      await stored('debug-in-1');
      await rules.postTelemetry({ marker: 'debug-in-2' });
      await stored('debug-in-2');
      const latest = await eventually(
        async () => (await api.get(`/api/ruleNode/${firstId}/debugIn`)).body,
        (body) => body?.data !== undefined && JSON.parse(body.data).marker === 'debug-in-2',
      );
      expect(latest).toMatchObject({ type: 'IN', entityId: rules.deviceId, entityType: 'DEVICE', msgType: 'POST_TELEMETRY_REQUEST' });
      expect(JSON.parse(latest.data)).toEqual({ marker: 'debug-in-2' });
      expect(JSON.parse(latest.metadata)).toMatchObject({ deviceName });
    });
    expect((await api.get(`/api/ruleNode/${saveId}/debugIn`)).text).toBe('');
  });

  it('counts, per node, the messages received and failed (chain status), and, per queue, the messages processed and failed', async () => {
    const { chainId, firstId, saveId } = await chainBeforeSave('Counted', failOnRequest(null), 'Success');
    const queueBefore = await mainQueue();
    await rules.asRoot(chainId, async () => {
      await rules.postTelemetry({ marker: 'counted-good-1' });
      await rules.postTelemetry({ fail: 'no Failure relation', marker: 'counted-bad' });
      await rules.postTelemetry({ marker: 'counted-good-2' });
      await stored('counted-good-2');
      await stored('counted-good-1');
      const queue = await eventually(mainQueue, (q) => q.processed >= queueBefore.processed + 2 && q.failed >= queueBefore.failed + 1);
      // Main skips failures (SKIP_ALL_FAILURES): the failed message counts once and is not tried again.
      expect(queue.failed - queueBefore.failed).toBe(1);
      expect(queue.processed - queueBefore.processed).toBe(2);
      expect(queue.retried).toBe(queueBefore.retried);
      expect(queue.timedOut).toBe(queueBefore.timedOut);
      const status = await rules.chainStatus(chainId);
      expect(status).toMatchObject({ deployed: true, error: null });
      expect(status.nodes).toEqual([
        { id: firstId, name: 'Fail on request', received: 3, failed: 1 },
        { id: saveId, name: 'Save', received: 2, failed: 0 },
      ]);
      expect(await markers()).not.toContain('counted-bad');
    });
  });
});
