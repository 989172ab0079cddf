import { Injectable } from '@nestjs/common';

type ChainListener = (tenantId: string, ruleChainId: string) => Promise<void>;

/**
 * Committed rule-chain changes, for the running engine. Announcing awaits the listeners, so a REST call that
 * saved a chain answers once the engine runs the new version (or has recorded why it cannot).
 */
@Injectable()
export class RuleChainEvents {
  private readonly changedListeners: ChainListener[] = [];
  private readonly deletedListeners: ChainListener[] = [];

  /** A chain was created, its graph or header changed, or it became the root. */
  onChanged(listener: ChainListener): void {
    this.changedListeners.push(listener);
  }

  onDeleted(listener: ChainListener): void {
    this.deletedListeners.push(listener);
  }

  async changed(tenantId: string, ruleChainId: string): Promise<void> {
    for (const listener of this.changedListeners) await listener(tenantId, ruleChainId);
  }

  async deleted(tenantId: string, ruleChainId: string): Promise<void> {
    for (const listener of this.deletedListeners) await listener(tenantId, ruleChainId);
  }
}
