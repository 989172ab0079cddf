import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';
import { eventually, node, RuleChainFixtures, TB } from './rule-chain-fixtures';

describe('rule engine: chains, deployment, flow', () => {
  let app: TestApp;
  let api: ApiClient;
  let rules: RuleChainFixtures;

  const latest = async () =>
    (await api.get(`/api/plugins/telemetry/DEVICE/${rules.deviceId}/values/timeseries`)).body as Record<string, { value: string }[]>;

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    rules = await RuleChainFixtures.of(api, { name: 'rule-engine-device', accessToken: 'RULE-ENGINE-TOKEN' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('gives the tenant a root chain equivalent to ThingsBoard\u2019s, and device telemetry flows through it into storage', async () => {
    const metadata = (await api.get(`/api/ruleChain/${rules.defaultRootId}/metadata`)).body;
    expect(metadata.nodes.map((n: { type: string }) => n.type)).toEqual(
      expect.arrayContaining([
        `${TB}.profile.TbDeviceProfileNode`,
        `${TB}.filter.TbMsgTypeSwitchNode`,
        `${TB}.telemetry.TbMsgTimeseriesNode`,
      ]),
    );
    await rules.postTelemetry({ temperature: 21.5 });
    const stored = await eventually(latest, (l) => l.temperature?.[0].value === '21.5');
    expect(stored.temperature[0].value).toBe('21.5');
    expect(await rules.chainStatus(rules.defaultRootId)).toMatchObject({ deployed: true, error: null });
    const queues = (await api.get('/api/ruleEngine/queues/stats')).body;
    expect(queues.find((q: { name: string }) => q.name === 'Main').processed).toBeGreaterThan(0);
  });

  it('applies a saved chain without a restart: a script filter lets only hot readings reach storage', async () => {
    const { chainId: hotOnly } = await rules.createChain(
      'Hot only',
      [
        node('filter.TbJsFilterNode', 'Hot?', { scriptLang: 'JS', jsScript: 'return msg.temperature > 30;' }),
        node('telemetry.TbMsgTimeseriesNode', 'Save'),
      ],
      [{ fromIndex: 0, toIndex: 1, type: 'True' }],
    );
    await rules.asRoot(hotOnly, async () => {
      await rules.postTelemetry({ temperature: 10, marker: 'cold' });
      await rules.postTelemetry({ temperature: 40, marker: 'hot' });
      const stored = await eventually(latest, (l) => l.marker?.[0].value === 'hot');
      expect(stored.marker[0].value).toBe('hot');
      expect(await rules.storedValues('marker')).toEqual(['hot']);
    });
  });

  it('keeps every saved version and restores an earlier graph as the newest version', async () => {
    const { chainId: id } = await rules.createChain('Versioned', [node('telemetry.TbMsgTimeseriesNode', 'Save')], []);
    const v2 = (await api.get(`/api/ruleChain/${id}/metadata`)).body;
    const renamed = await api.post('/api/ruleChain/metadata', { ...v2, nodes: [{ ...v2.nodes[0], name: 'Save renamed' }] });
    expect(renamed.body.version).toBe(v2.version + 1);
    const versions = (await api.get(`/api/ruleChain/${id}/versions`)).body;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([v2.version + 1, v2.version]);
    const restored = await api.post(`/api/ruleChain/${id}/versions/${v2.version}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.nodes[0].name).toBe('Save');
    expect(restored.body.version).toBe(v2.version + 2);
    expect((await api.post('/api/ruleChain/metadata', { ...v2, version: v2.version })).status).toBe(409);
  });

  it('refuses graphs that cannot work, with ThingsBoard\u2019s messages', async () => {
    const chain = (await api.post('/api/ruleChain', { name: 'Broken' })).body;
    const save = (body: object) => api.post('/api/ruleChain/metadata', { ruleChainId: chain.id, firstNodeIndex: 0, ...body });
    const two = [node('filter.TbMsgTypeFilterNode', 'A', { messageTypes: ['POST_TELEMETRY_REQUEST'] }), node('action.TbLogNode', 'B')];
    expect((await save({ nodes: two, connections: [{ fromIndex: 0, toIndex: 0, type: 'True' }] })).body.message).toBe(
      "Can't create the relation to yourself.",
    );
    const cycle = await save({
      nodes: two,
      connections: [
        { fromIndex: 0, toIndex: 1, type: 'True' },
        { fromIndex: 1, toIndex: 0, type: 'Success' },
      ],
    });
    expect(cycle.body.message).toBe("Can't create circling relations in rule chain.");
    expect((await save({ nodes: two, connections: [{ fromIndex: 0, toIndex: 5, type: 'True' }] })).status).toBe(400);
    const invalid = await save({
      nodes: [node('filter.TbMsgTypeFilterNode', 'Bad filter', { messageTypes: 'not a list' })],
      connections: [],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/^'Bad filter' node configuration is invalid/);
    expect((await api.post('/api/ruleChain', { name: '' })).body.message).toBe('Rule chain name should be specified!');
  });

  it('stores a chain with a node type it does not have, and refuses to make it the root, naming that node', async () => {
    const { chainId: id } = await rules.createChain('Foreign', [{ type: 'com.example.FancyNode', name: 'Fancy', configuration: {} }], []);
    const refused = await api.post(`/api/ruleChain/${id}/root`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('"Fancy" (com.example.FancyNode)');
    // The chain's graph cannot run: the engine reports why (and keeps the previous, empty version).
    expect((await rules.chainStatus(id)).error).toContain('"Fancy" (com.example.FancyNode)');
  });

  it('calls another chain through a "rule chain" node and continues by the label of the output node it returned through', async () => {
    const { chainId: inner } = await rules.createChain('Inner', [node('flow.TbRuleChainOutputNode', 'Done')], []);
    const { chainId: outer } = await rules.createChain(
      'Outer',
      [node('flow.TbRuleChainInputNode', 'Call inner', { ruleChainId: inner }), node('telemetry.TbMsgTimeseriesNode', 'Save')],
      [{ fromIndex: 0, toIndex: 1, type: 'Done' }],
    );
    expect((await api.get(`/api/ruleChain/${inner}/output/labels`)).body).toEqual(['Done']);
    await rules.asRoot(outer, async () => {
      await rules.postTelemetry({ via: 'inner-chain' });
      expect((await eventually(latest, (l) => l.via?.[0].value === 'inner-chain')).via[0].value).toBe('inner-chain');
    });
  });

  it('exports chains with fresh ids and imports them back, keeping the links between them', async () => {
    const exported = (await api.get('/api/ruleChains/export?limit=100')).body;
    expect(exported.ruleChains.length).toBe(exported.metadata.length);
    expect(exported.ruleChains.every((c: { tenantId: unknown }) => c.tenantId === null)).toBe(true);
    const results = (await api.post('/api/ruleChains/import', exported)).body;
    expect(results.every((r: { error?: string }) => !r.error)).toBe(true);
    const outer = results.find((r: { ruleChainName: string }) => r.ruleChainName === 'Outer');
    const inner = results.find((r: { ruleChainName: string }) => r.ruleChainName === 'Inner');
    const outerNodes = (await api.get(`/api/ruleChain/${outer.ruleChainId.id}/metadata`)).body.nodes;
    expect(outerNodes[0].configuration.ruleChainId).toBe(inner.ruleChainId.id);
    expect((await api.get('/api/ruleChains/export')).status).toBe(400);
  });

  it('lists the node catalogue under ThingsBoard class names, with each node\u2019s JSON Schema', async () => {
    const all = (await api.get('/api/components?componentTypes=FILTER,ENRICHMENT,TRANSFORMATION,ACTION,EXTERNAL,FLOW')).body;
    const save = all.find((c: { clazz: string }) => c.clazz === `${TB}.telemetry.TbMsgTimeseriesNode`);
    expect(save).toMatchObject({
      type: 'ACTION',
      configurationDescriptor: { nodeDefinition: { relationTypes: expect.arrayContaining(['Success', 'Failure']) } },
    });
    expect(save.edgewise.configSchema.type).toBe('object');
    expect((await api.get(`/api/component/${TB}.filter.TbMsgTypeSwitchNode`)).body.type).toBe('FILTER');
    expect((await api.get('/api/component/com.example.Missing')).status).toBe(404);
    expect((await api.get('/api/components?componentTypes=BOGUS')).status).toBe(400);
  });

  it('answers a device\u2019s own RPC through an "RPC call reply" node', async () => {
    const { chainId: replying } = await rules.createChain(
      'Replies',
      [
        node('filter.TbMsgTypeSwitchNode', 'Type'),
        node('transform.TbTransformMsgNode', 'Answer', {
          scriptLang: 'JS',
          jsScript: 'return {msg: {time: 42, asked: msg.method}, metadata: metadata, msgType: msgType};',
        }),
        node('rpc.TbSendRPCReplyNode', 'Reply'),
      ],
      [
        { fromIndex: 0, toIndex: 1, type: 'RPC Request from Device' },
        { fromIndex: 1, toIndex: 2, type: 'Success' },
      ],
    );
    await rules.asRoot(replying, async () => {
      const response = await rules.asDevice('rpc', { method: 'getTime', params: {} });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ time: 42, asked: 'getTime' });
    });
  });
});
