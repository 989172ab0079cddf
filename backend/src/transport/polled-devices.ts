import type { PolledDevice, PolledDeviceChange } from '@edgewise/plugin-api';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { DeviceProfileEvents } from '../device-profiles/device-profile-events';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { DeviceCredentialsEntity, DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { identityOf } from './device-authenticator';

/** Rows read per query when listing devices (well below the bind-parameter limits of SQLite and PostgreSQL). */
const CHUNK = 500;

/** One transport's watch: the devices it was told about, and the way to tell it more. */
interface Watch {
  transportType: string;
  known: Set<string>;
  deliver(change: PolledDeviceChange): void;
}

/**
 * The devices a polling transport (SNMP) reaches out to: those whose profile uses the transport's type and whose
 * credentials are an access token (ThingsBoard opens no session otherwise, device-api.md §7). A watch gets the
 * current list, then a change whenever a device or profile is created, updated or deleted; every change carries
 * the device's whole current state, re-read after the commit, so a transport simply replaces what it had.
 */
@Injectable()
export class PolledDevices {
  private readonly logger = new Logger('PolledDevices');
  private readonly watches = new Set<Watch>();
  /** Per device, the newest re-read asked for: an older read finishing late is dropped. */
  private readonly reads = new Map<string, number>();
  private lastRead = 0;
  private readonly onDeviceChanged = (deviceId: string) => void this.refreshDevices([deviceId]);
  private readonly onDeviceDeleted = (deviceId: string) => this.removeEverywhere(deviceId);
  private readonly onProfileChanged = (profileId: string) => void this.refreshProfile(profileId);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deviceEvents: DeviceEvents,
    private readonly profileEvents: DeviceProfileEvents,
  ) {}

  async watch(transportType: string, onChange: (change: PolledDeviceChange) => void): Promise<{ devices: PolledDevice[]; stop(): void }> {
    // Changes that happen while the list is read are held back and delivered right after it.
    let listed = false;
    const held: PolledDeviceChange[] = [];
    const watch: Watch = {
      transportType,
      known: new Set(),
      deliver: (change) => (listed ? onChange(change) : held.push(change)),
    };
    if (this.watches.size === 0) this.subscribe();
    this.watches.add(watch);
    try {
      const profiles = await this.db.getRepository(DeviceProfileEntity).findBy({ transportType: transportType as never });
      const devices: PolledDevice[] = [];
      for (let i = 0; i < profiles.length; i += CHUNK) {
        const chunk = profiles.slice(i, i + CHUNK);
        const rows = await this.db.getRepository(DeviceEntity).findBy({ deviceProfileId: In(chunk.map((p) => p.id)) });
        devices.push(...(await this.polledOf(rows, new Map(chunk.map((p) => [p.id, p])))).values());
      }
      for (const polled of devices) watch.known.add(polled.device.deviceId);
      setImmediate(() => {
        listed = true;
        held.splice(0).forEach(onChange);
      });
      return { devices, stop: () => this.unwatch(watch) };
    } catch (e) {
      this.unwatch(watch);
      throw e;
    }
  }

  private subscribe(): void {
    for (const event of ['created', 'updated', 'credentialsChanged'] as const) this.deviceEvents.on(event, this.onDeviceChanged);
    this.deviceEvents.on('deleted', this.onDeviceDeleted);
    this.profileEvents.on('changed', this.onProfileChanged);
  }

  private unwatch(watch: Watch): void {
    if (!this.watches.delete(watch) || this.watches.size > 0) return;
    for (const event of ['created', 'updated', 'credentialsChanged'] as const) this.deviceEvents.off(event, this.onDeviceChanged);
    this.deviceEvents.off('deleted', this.onDeviceDeleted);
    this.profileEvents.off('changed', this.onProfileChanged);
  }

  /** A saved or deleted profile: every device on it is re-read (its configuration, or its transport, may have changed). */
  private async refreshProfile(profileId: string): Promise<void> {
    try {
      const rows = await this.db.getRepository(DeviceEntity).find({ select: { id: true }, where: { deviceProfileId: profileId } });
      for (let i = 0; i < rows.length; i += CHUNK) await this.refreshDevices(rows.slice(i, i + CHUNK).map((row) => row.id));
    } catch (e) {
      this.logger.error(`could not re-read the devices of profile ${profileId} for polling transports: ${(e as Error).message}`);
    }
  }

  /** Re-reads devices and tells each watch whether it polls them now (upserted) or no longer does (removed). */
  private async refreshDevices(deviceIds: string[]): Promise<void> {
    const readIds = new Map(deviceIds.map((id) => [id, ++this.lastRead]));
    for (const [id, read] of readIds) this.reads.set(id, read);
    try {
      const rows = await this.db.getRepository(DeviceEntity).findBy({ id: In(deviceIds) });
      const profileIds = [...new Set(rows.map((row) => row.deviceProfileId))];
      const profiles = await this.db.getRepository(DeviceProfileEntity).findBy({ id: In(profileIds) });
      const polled = await this.polledOf(rows, new Map(profiles.map((p) => [p.id, p])));
      for (const [deviceId, read] of readIds) {
        if (this.reads.get(deviceId) !== read) continue; // a newer read of this device is under way
        this.reads.delete(deviceId);
        const current = polled.get(deviceId);
        for (const watch of this.watches) {
          if (current && current.device.transportType === watch.transportType) {
            watch.known.add(deviceId);
            watch.deliver({ kind: 'upserted', polled: current });
          } else if (watch.known.delete(deviceId)) {
            watch.deliver({ kind: 'removed', deviceId });
          }
        }
      }
    } catch (e) {
      for (const id of deviceIds) if (this.reads.get(id) === readIds.get(id)) this.reads.delete(id);
      this.logger.error(`could not re-read devices ${deviceIds.join(', ')} for polling transports: ${(e as Error).message}`);
    }
  }

  private removeEverywhere(deviceId: string): void {
    this.reads.delete(deviceId);
    for (const watch of this.watches) if (watch.known.delete(deviceId)) watch.deliver({ kind: 'removed', deviceId });
  }

  /** The polled form of each device that has access-token credentials; the others are logged and left out. */
  private async polledOf(devices: DeviceEntity[], profiles: Map<string, DeviceProfileEntity>): Promise<Map<string, PolledDevice>> {
    const polled = new Map<string, PolledDevice>();
    if (devices.length === 0) return polled;
    const credentials = await this.db
      .getRepository(DeviceCredentialsEntity)
      .find({ select: { deviceId: true, credentialsType: true }, where: { deviceId: In(devices.map((d) => d.id)) } });
    const typeOf = new Map(credentials.map((c) => [c.deviceId, c.credentialsType]));
    for (const device of devices) {
      const profile = profiles.get(device.deviceProfileId) ?? null;
      const credentialsType = typeOf.get(device.id);
      if (credentialsType !== 'ACCESS_TOKEN') {
        if (profile && [...this.watches].some((watch) => watch.transportType === profile.transportType))
          this.logger.warn(
            `device ${device.name} (${device.id}) is not polled: its credentials are ${credentialsType ?? 'missing'}; ` +
              `a ${profile.transportType} device needs ACCESS_TOKEN credentials`,
          );
        continue;
      }
      const transportConfiguration = device.deviceData?.transportConfiguration;
      polled.set(device.id, {
        device: identityOf(device, profile),
        deviceTransportConfiguration:
          typeof transportConfiguration === 'object' && transportConfiguration !== null ? transportConfiguration : {},
      });
    }
    return polled;
  }
}
