import { EventsService } from '../src/events/events.service';
import type { ApiClient, TestApp } from './harness';
import { TB } from './rule-chain-fixtures';
import { okBody } from './tenant-fixtures';

/** A message as a rule node received it, read back from the node's debug events. */
export interface RecordedMsg {
  type: string;
  originator: { entityType: string; id: string };
  metadata: Record<string, string>;
  data: any;
}

/**
 * Makes a chain of one debugged "message type switch" node the tenant's root chain, so that every message the
 * core sends to the root chain can be read back as that node received it.
 */
export class RuleMessageRecorder {
  private constructor(
    private readonly app: TestApp,
    private readonly api: ApiClient,
    private readonly tenantId: string,
    private readonly nodeId: string,
  ) {}

  /** @param api a client logged in as a tenant administrator (whose tenant's root chain is replaced) */
  static async asRootChain(app: TestApp, api: ApiClient): Promise<RuleMessageRecorder> {
    const tenantId = okBody(await api.get('/api/auth/user'), 'me').tenantId.id;
    const chain = okBody(await api.post('/api/ruleChain', { name: 'Records everything' }), 'create chain');
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
    okBody(await api.post(`/api/ruleChain/${chain.id.id}/root`), 'make root');
    return new RuleMessageRecorder(app, api, tenantId, metadata.nodes[0].id.id);
  }

  /** Waits until `count` messages of `type` about `originatorId` were received (10 s at most); returns those received. */
  async messages(type: string, originatorId: string, count = 1): Promise<RecordedMsg[]> {
    const until = Date.now() + 10_000;
    for (;;) {
      const found = (await this.received()).filter((m) => m.type === type && m.originator.id === originatorId);
      if (found.length >= count || Date.now() > until) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
        data: JSON.parse(body.data),
      }));
  }
}
