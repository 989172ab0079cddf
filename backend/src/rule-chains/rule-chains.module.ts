import { Module } from '@nestjs/common';
import { ComponentDescriptorsController } from './component-descriptors.controller';
import { RuleChainEvents } from './rule-chain-events';
import { RuleChainsController } from './rule-chains.controller';
import { RuleChainsService } from './rule-chains.service';

/** Rule chains as stored and edited (REST, import/export, versions); the running engine lives in rule-engine/. */
@Module({
  controllers: [RuleChainsController, ComponentDescriptorsController],
  providers: [RuleChainsService, RuleChainEvents],
  exports: [RuleChainsService, RuleChainEvents],
})
export class RuleChainsModule {}
