import type { DeviceProfileView } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DeviceProfileEvents } from './device-profile-events';
import { DeviceProfileEntity } from './device-profile.entity';

/**
 * Device profiles as the message path needs them (which chain and queue a device's messages take; the
 * alarm rules the device-profile node evaluates), read once and dropped when the profile changes.
 */
@Injectable()
export class DeviceProfileCache {
  private readonly cache = new Map<string, Promise<DeviceProfileView | null>>();

  constructor(
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
    events: DeviceProfileEvents,
  ) {
    events.on('changed', (profileId) => this.cache.delete(profileId));
  }

  get(profileId: string): Promise<DeviceProfileView | null> {
    let view = this.cache.get(profileId);
    if (!view) {
      view = this.load(profileId);
      this.cache.set(profileId, view);
      view.catch(() => this.cache.delete(profileId));
    }
    return view;
  }

  private async load(profileId: string): Promise<DeviceProfileView | null> {
    const profile = await this.profiles.findOneBy({ id: profileId });
    return (
      profile && {
        id: profile.id,
        name: profile.name,
        profileData: profile.profileData,
        defaultRuleChainId: profile.defaultRuleChainId,
        defaultQueueName: profile.defaultQueueName,
      }
    );
  }
}
