import { isIP } from 'node:net';
import type { PolledDevice, PolledDeviceChange, TransportContext, TransportInstance, TransportSettings } from '@edgewise/plugin-api';
import type { Varbind } from 'net-snmp';
import { resolveSnmpOptions, type SnmpOptions } from './options';
import { PollCounters } from './poll-schedule';
import { PolledDeviceRunner, type DeviceServices } from './polled-device';
import { RequestLimiter } from './request-limiter';
import { SharedSocket } from './shared-socket';
import { TrapReceiver } from './trap-receiver';

/** What the transport has done since it started (counters) and what it is doing now (gauges). */
export interface SnmpStats {
  devices: number;
  answering: number;
  silent: number;
  polls: number;
  failedPolls: number;
  skippedPolls: number;
  latePolls: number;
  maxPollDelayMs: number;
  requestsInFlight: number;
  requestsWaiting: number;
  /** Datagrams that answered no request (traps included). */
  unmatchedDatagrams: number;
  /** Traps handed to a device. */
  traps: number;
  /** Traps from an address no device (or more than one) is polled at. */
  unattributedTraps: number;
}

/**
 * The SNMP transport (device-api.md §7): Edgewise is the manager and polls the devices whose profile uses the SNMP
 * transport. All devices share one UDP socket per IP family and one bound on the number of requests in flight;
 * each device runs on its own schedules (PolledDeviceRunner).
 */
export class SnmpTransport implements TransportInstance {
  private readonly options: SnmpOptions;
  private readonly runners = new Map<string, PolledDeviceRunner>();
  private readonly counters = new PollCounters();
  private readonly limiter: RequestLimiter;
  private readonly services: DeviceServices;
  private ipv4?: SharedSocket;
  private ipv6?: SharedSocket;
  private trapReceiver?: TrapReceiver;
  private traps = 0;
  private unattributedTraps = 0;
  private boundPort = 0;
  private stopWatching?: () => void;
  private statsTimer?: NodeJS.Timeout;
  private lastLogged?: { at: number; stats: SnmpStats };

  constructor(
    private readonly context: TransportContext,
    private readonly settings: TransportSettings,
  ) {
    this.options = resolveSnmpOptions(settings.options);
    this.limiter = new RequestLimiter(this.options.maxConcurrentRequests);
    this.services = {
      core: context,
      options: this.options,
      counters: this.counters,
      limiter: this.limiter,
      maxRequestOids: this.options.maxRequestOids,
      dgramModule: (family) => this.socket(family).dgramModule(),
    };
  }

  async start(): Promise<void> {
    if (isIP(this.settings.host) === 6)
      throw new Error(`SNMP_HOST=${this.settings.host}: give an IPv4 address (agents on IPv6 are polled from a socket of their own)`);
    this.ipv4 = this.newSocket('udp4');
    this.boundPort = await this.ipv4.bind(this.settings.host, this.settings.ports.snmp ?? 0);
    this.trapReceiver = new TrapReceiver(this.ipv4, (source, varbinds) => this.onTrap(source, varbinds));
    const { devices, stop } = await this.context.watchPolledDevices('SNMP', (change) => this.apply(change));
    this.stopWatching = stop;
    for (const polled of devices) this.upsert(polled);
    this.context.log.info(`polling ${devices.length} SNMP devices`, { devices: devices.length });
    if (this.options.statsIntervalMs > 0) {
      this.lastLogged = { at: Date.now(), stats: this.stats() };
      this.statsTimer = setInterval(() => this.logStats(), this.options.statsIntervalMs).unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.statsTimer);
    this.stopWatching?.();
    this.stopWatching = undefined;
    for (const runner of this.runners.values()) runner.stop();
    this.runners.clear();
    this.trapReceiver?.close();
    await Promise.all([this.ipv4?.close(), this.ipv6?.close()]);
    this.ipv4 = this.ipv6 = undefined;
  }

  boundPorts(): Record<string, number> {
    return { snmp: this.boundPort };
  }

  stats(): SnmpStats {
    let answering = 0;
    let silent = 0;
    for (const runner of this.runners.values()) {
      if (runner.reachability === 'answering') answering++;
      else if (runner.reachability === 'silent') silent++;
    }
    return {
      devices: this.runners.size,
      answering,
      silent,
      polls: this.counters.polls,
      failedPolls: this.counters.failed,
      skippedPolls: this.counters.skipped,
      latePolls: this.counters.late,
      maxPollDelayMs: this.counters.maxDelayMs,
      requestsInFlight: this.limiter.inFlight,
      requestsWaiting: this.limiter.queued,
      unmatchedDatagrams: (this.ipv4?.unmatchedDatagrams ?? 0) + (this.ipv6?.unmatchedDatagrams ?? 0),
      traps: this.traps,
      unattributedTraps: this.unattributedTraps,
    };
  }

  private apply(change: PolledDeviceChange): void {
    if (!this.stopWatching) return; // stopped
    if (change.kind === 'upserted') this.upsert(change.polled);
    else {
      this.runners.get(change.deviceId)?.stop();
      this.runners.delete(change.deviceId);
    }
  }

  /** A trap goes to the one device polled at its source address (ThingsBoard matches traps to devices by host). */
  private onTrap(source: string, varbinds: Varbind[]): void {
    const devices = [...this.runners.values()].filter((runner) => runner.isAt(source));
    if (devices.length === 1) {
      this.traps++;
      devices[0].onTrap(varbinds);
      return;
    }
    this.unattributedTraps++;
    for (const device of devices) device.onAmbiguousTrap(source);
    if (devices.length === 0) this.context.log.debug(`SNMP trap from ${source} dropped: no device is polled at that address`);
  }

  private upsert(polled: PolledDevice): void {
    const runner = this.runners.get(polled.device.deviceId);
    if (runner) runner.update(polled);
    else this.runners.set(polled.device.deviceId, new PolledDeviceRunner(this.services, polled));
  }

  private socket(family: 4 | 6): SharedSocket {
    if (family === 4) return this.ipv4!;
    // Only created when an agent has an IPv6 address; sending binds it to a free port.
    return (this.ipv6 ??= this.newSocket('udp6'));
  }

  private newSocket(type: 'udp4' | 'udp6'): SharedSocket {
    return new SharedSocket(type, (error) => this.context.log.error(`SNMP ${type} socket error: ${error.message}`));
  }

  /** One line per interval: how many devices answer, and whether polling keeps up (no skipped or late polls). */
  private logStats(): void {
    const now = Date.now();
    const stats = this.stats();
    const previous = this.lastLogged!;
    this.lastLogged = { at: now, stats };
    if (stats.devices === 0) return;
    const seconds = (now - previous.at) / 1000;
    const polls = stats.polls - previous.stats.polls;
    const window = {
      polls,
      pollsPerSecond: Math.round((polls / seconds) * 10) / 10,
      failedPolls: stats.failedPolls - previous.stats.failedPolls,
      skippedPolls: stats.skippedPolls - previous.stats.skippedPolls,
      latePolls: stats.latePolls - previous.stats.latePolls,
    };
    this.context.log.info(
      `SNMP polling: ${stats.devices} devices (${stats.answering} answering, ${stats.silent} silent); ` +
        `${window.polls} polls in ${Math.round(seconds)} s (${window.pollsPerSecond}/s), ${window.failedPolls} failed, ` +
        `${window.skippedPolls} skipped, ${window.latePolls} late; ${stats.requestsInFlight} requests in flight, ${stats.requestsWaiting} waiting`,
      { ...stats, window },
    );
  }
}
