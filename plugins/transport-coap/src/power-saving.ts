/**
 * Power-saving modes of CoAP devices (device-api.md §3.4): when a device can take a downlink, and how long a
 * confirmable RPC notification waits for its ACK. Settings come from the device profile's CoAP transport
 * configuration (`clientSettings`), else the transport's defaults. `DRX` (or no mode) is always reachable.
 */
import type { DeviceIdentity } from '@edgewise/plugin-api';
import type { CoapOptions } from './options';

export type PowerMode = 'PSM' | 'DRX' | 'E_DRX';

interface ClientSettings {
  powerMode?: unknown;
  psmActivityTimer?: unknown;
  pagingTransmissionWindow?: unknown;
}

/** A profile setting in ms; absent, 0 or not a number → the transport's default, as ThingsBoard does. */
const millis = (value: unknown, fallback: number): number => (typeof value === 'number' && value > 0 ? value : fallback);

export class PowerSaving {
  private lastUplinkAt = Date.now();
  /** eDRX: one downlink may go out after the paging window has passed, until the next uplink. */
  private lateDownlinkLeft = true;

  private constructor(
    readonly mode: PowerMode | undefined,
    /** How long after an uplink downlinks are allowed (PSM activity timer or eDRX paging window). */
    private readonly windowMs: number,
    /** How long a confirmable RPC notification waits for its ACK before the RPC counts as timed out. */
    readonly ackWaitMs: number,
  ) {}

  static of(device: DeviceIdentity, defaults: Pick<CoapOptions, 'psmActivityTimerMs' | 'pagingTransmissionWindowMs'>): PowerSaving {
    const configuration = device.transportConfiguration;
    const settings = (configuration?.type === 'COAP' ? configuration.clientSettings : undefined) as ClientSettings | undefined;
    const mode =
      settings?.powerMode === 'PSM' || settings?.powerMode === 'DRX' || settings?.powerMode === 'E_DRX' ? settings.powerMode : undefined;
    const psmMs = millis(settings?.psmActivityTimer, defaults.psmActivityTimerMs);
    const pagingMs = millis(settings?.pagingTransmissionWindow, defaults.pagingTransmissionWindowMs);
    return mode === 'PSM' ? new PowerSaving(mode, psmMs, psmMs) : new PowerSaving(mode, pagingMs, pagingMs);
  }

  /** The device sent something (a request, or the ACK of a notification): it is awake. Returns whether it was asleep. */
  uplink(now: number): boolean {
    const wasAsleep = !this.withinWindow(now);
    this.lastUplinkAt = now;
    this.lateDownlinkLeft = true;
    return wasAsleep && this.sleeps;
  }

  /** Whether a downlink may go out now; for eDRX this spends the one late downlink. */
  downlinkAllowed(now: number): boolean {
    if (!this.sleeps || this.withinWindow(now)) return true;
    if (this.mode === 'E_DRX' && this.lateDownlinkLeft) {
      this.lateDownlinkLeft = false;
      return true;
    }
    return false;
  }

  private get sleeps(): boolean {
    return this.mode === 'PSM' || this.mode === 'E_DRX';
  }

  private withinWindow(now: number): boolean {
    return now - this.lastUplinkAt <= this.windowMs;
  }
}
