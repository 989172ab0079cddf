import { EventsService } from '../src/events/events.service';
import { eventually } from './eventually';
import type { ApiClient, TestApp } from './harness';
import { TB } from './rule-chain-fixtures';
import { okBody } from './tenant-fixtures';

/** A message as a rule node received it, read back from the node's debug events. */
export interface RecordedMsg {
  type: string;
  originator: { entityType: string; id: string };
  metadata: Record<string, string>;
  /** The data as text, exactly as the node got it. */
  text: string;
  data: any;
}

/**
 * A chain of one debugged "message type switch" node, so that every message the core sends to the chain (as the
 * tenant's root chain, or a device profile's chain) can be read back as that node received it.
 */
export class RuleMessageRecorder {
  private constructor(
    private readonly app: TestApp,
    private readonly api: ApiClient,
    private readonly tenantId: string,
    readonly chainId: string,
    private readonly nodeId: string,
  ) {}

  /** Makes a recorder the tenant's root chain. @param api a client logged in as a tenant administrator */
  static async asRootChain(app: TestApp, api: ApiClient): Promise<RuleMessageRecorder> {
    const recorder = await RuleMessageRecorder.create(app, api, 'Records everything');
    okBody(await api.post(`/api/ruleChain/${recorder.chainId}/root`), 'make root');
    return recorder;
  }

  /** A recorder chain named `name`, not used by anything yet. @param api a client logged in as a tenant administrator */
  static async create(app: TestApp, api: ApiClient, name: string): Promise<RuleMessageRecorder> {
    const tenantId = okBody(await api.get('/api/auth/user'), 'me').tenantId.id;
    const chain = okBody(await api.post('/api/ruleChain', { name }), 'create chain');
    const recorder = {
      type: `${TB}.filter.TbMsgTypeSwitchNode`,
      name: 'Recorder',
      configuration: { version: 0 },
      debugSettings: { failuresEnabled: true, allEnabled: true },
    };
    const metadata = okBody(
      await api.post('/api/ruleChain/metadata', { ruleChainId: chain.id, firstNodeIndex: 0, nodes: [recorder], connections: [] }),
      'save chain',
    );
    return new RuleMessageRecorder(app, api, tenantId, chain.id.id, metadata.nodes[0].id.id);
  }

  /** Waits until `count` messages of `type` about `originatorId` were received (10 s at most); returns those received. */
  messages(type: string, originatorId: string, count = 1): Promise<RecordedMsg[]> {
    return eventually(
      async () => (await this.received()).filter((m) => m.type === type && m.originator.id === originatorId),
      (found) => found.length >= count,
    );
  }

  /** Every message received about `originatorId` so far, oldest first. */
  async about(originatorId: string): Promise<RecordedMsg[]> {
    return (await this.received()).filter((m) => m.originator.id === originatorId);
  }

  private async received(): Promise<RecordedMsg[]> {
    await this.app.running.app.get(EventsService).flush();
    const page = okBody(
      await this.api.get(`/api/events/RULE_NODE/${this.nodeId}/DEBUG_RULE_NODE?tenantId=${this.tenantId}&pageSize=1000&page=0`),
      'events',
    );
    return (page.data as { createdTime: number; body: Record<string, string> }[])
      .filter((e) => e.body.type === 'IN')
      .sort((a, b) => a.createdTime - b.createdTime)
      .map(({ body }) => ({
        type: body.msgType,
        originator: { entityType: body.entityType, id: body.entityId },
        metadata: JSON.parse(body.metadata),
        text: body.data,
        data: JSON.parse(body.data),
      }));
  }
}
