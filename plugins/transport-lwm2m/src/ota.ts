/**
 * Firmware update through Object 5 and software update through Object 9 (device-api.md §6.4, ThingsBoard's
 * DefaultLwM2MOtaUpdateService). The target package comes from the shared attributes the core writes on
 * assignment (`fw_title`/`fw_version`/`fw_url`, `sw_*`); the current one from the values the client reports
 * (`/5/0/6`, `/5/0/7` or `/3/0/3`; `/9/0/0`, `/9/0/1` or `/3/0/19`). The binary is written to the package
 * resource (or a URL to the package-URI resource); the client's state and result resources drive `fw_state` /
 * `sw_state` telemetry (with a `transportLog` line) and the Execute of Update / Install.
 */
import { createHash } from 'node:crypto';
import type { OtaPackageRef, OtaPackageType } from '@edgewise/plugin-api';
import { formatPath, type Lwm2mPath } from './paths';
import type { ClientSettings } from './profile';
import type { ResourceValue } from './values';

/** What the OTA logic needs from its client. */
export interface OtaPort {
  readonly endpoint: string;
  readonly settings: ClientSettings;
  findPackage(type: OtaPackageType): Promise<OtaPackageRef | undefined>;
  readPackage(packageId: string): Promise<Uint8Array>;
  /** Whether the client registered an object instance (`/19/65533`) or object (`/19`). */
  hasRegistered(path: Lwm2mPath): boolean;
  /** Write-Replace of a resource or resource instance; rejects when the client refuses. */
  write(path: Lwm2mPath, value: unknown): Promise<void>;
  /** Create of one instance (`{resourceId: value}`, multi-instance resources as `{instanceId: value}`). */
  create(instance: Lwm2mPath, resources: Record<string, unknown>): Promise<void>;
  execute(path: Lwm2mPath, argument?: string): Promise<void>;
  /** Telemetry JSON object text. */
  telemetry(json: string): Promise<void>;
  warn(message: string): void;
}

const path = (objectId: number, resourceId: number, instanceId = 0): Lwm2mPath => ({ objectId, instanceId, resourceId });

interface Kind {
  type: OtaPackageType;
  prefix: 'fw' | 'sw';
  label: 'Firmware' | 'Software';
  name: Lwm2mPath;
  version: Lwm2mPath;
  /** Device (3) resource with the running version. */
  deviceVersion: Lwm2mPath;
  state: Lwm2mPath;
  result: Lwm2mPath;
  packageResource: Lwm2mPath;
  uriResource: Lwm2mPath;
  /** Object 19 instance that receives the package info when `useObject19ForOtaInfo` is set. */
  infoInstance: Lwm2mPath;
  stateNames: readonly string[];
  resultNames: Readonly<Record<number, string>>;
  /** Results worth another try. */
  retried: ReadonlySet<number>;
}

const FIRMWARE: Kind = {
  type: 'FIRMWARE',
  prefix: 'fw',
  label: 'Firmware',
  name: path(5, 6),
  version: path(5, 7),
  deviceVersion: path(3, 3),
  state: path(5, 3),
  result: path(5, 5),
  packageResource: path(5, 0),
  uriResource: path(5, 1),
  infoInstance: { objectId: 19, instanceId: 65533 },
  stateNames: ['IDLE', 'DOWNLOADING', 'DOWNLOADED', 'UPDATING'],
  resultNames: {
    0: 'INITIAL',
    1: 'UPDATE_SUCCESSFULLY',
    2: 'NOT_ENOUGH',
    3: 'OUT_OFF_MEMORY',
    4: 'CONNECTION_LOST',
    5: 'INTEGRITY_CHECK_FAILURE',
    6: 'UNSUPPORTED_TYPE',
    7: 'INVALID_URI',
    8: 'UPDATE_FAILED',
    9: 'UNSUPPORTED_PROTOCOL',
  },
  retried: new Set([4, 5]),
};

const SOFTWARE: Kind = {
  type: 'SOFTWARE',
  prefix: 'sw',
  label: 'Software',
  name: path(9, 0),
  version: path(9, 1),
  deviceVersion: path(3, 19),
  state: path(9, 7),
  result: path(9, 9),
  packageResource: path(9, 2),
  uriResource: path(9, 3),
  infoInstance: { objectId: 19, instanceId: 65534 },
  stateNames: ['INITIAL', 'DOWNLOAD_STARTED', 'DOWNLOADED', 'DELIVERED', 'INSTALLED'],
  resultNames: {
    0: 'INITIAL',
    1: 'DOWNLOADING',
    2: 'SUCCESSFULLY_INSTALLED',
    3: 'SUCCESSFULLY_DOWNLOADED_VERIFIED',
    50: 'NOT_ENOUGH_STORAGE',
    51: 'OUT_OFF_MEMORY',
    52: 'CONNECTION_LOST',
    53: 'PACKAGE_CHECK_FAILURE',
    54: 'UNSUPPORTED_PACKAGE_TYPE',
    56: 'INVALID_URI',
    57: 'UPDATE_ERROR',
    58: 'INSTALL_FAILURE',
    59: 'UN_INSTALL_FAILURE',
  },
  retried: new Set([50, 51, 56, 57, 58, 59]),
};

const MAX_RETRIES = 3;
const FW_DELIVERY_METHOD = path(5, 9);
const FW_PACKAGE_19 = path(19, 0);
const SW_UNINSTALL = path(9, 6);
const FW_UPDATE = path(5, 2);
const SW_INSTALL = path(9, 4);

const same = (a: Lwm2mPath, b: Lwm2mPath) => formatPath(a) === formatPath(b);

/** One package type's update for one client. */
class PackageUpdate {
  private targetTitle?: string;
  private targetVersion?: string;
  private targetUrl?: string;
  private currentName?: string;
  /** From the package version resource, else from the Device object's version resource. */
  private packageVersion?: string;
  private deviceVersion?: string;
  /** Last state / result the client reported, and the last status reported as telemetry. */
  private state?: number;
  private status?: string;
  private lastReportTs = 0;
  /** Firmware Delivery Method (`/5/0/9`): 0 pull, 1 push, 2 both. */
  private deliveryMethod?: number;
  private failedTarget?: string;
  private retries = 0;
  private starting = false;

  constructor(
    private readonly kind: Kind,
    private readonly port: OtaPort,
  ) {}

  private get currentVersion(): string | undefined {
    return this.packageVersion ?? this.deviceVersion;
  }

  private get supported(): boolean {
    return this.currentName !== undefined || this.currentVersion !== undefined;
  }

  private get targetId(): string {
    return `${this.targetTitle}@${this.targetVersion}`;
  }

  private get updateRequired(): boolean {
    if (!this.targetTitle || !this.targetVersion || !this.supported) return false;
    if (this.failedTarget === this.targetId) return false;
    const nameMatches = this.currentName === undefined || this.currentName === this.targetTitle;
    return !(nameMatches && this.currentVersion === this.targetVersion);
  }

  /** New target from the shared attributes (`undefined` members leave that part as it was). */
  async onTarget(title: string | undefined, version: string | undefined, url: string | undefined): Promise<void> {
    if (title !== undefined) this.targetTitle = title;
    if (version !== undefined) this.targetVersion = version;
    if (url !== undefined) this.targetUrl = url || undefined;
    this.retries = 0;
    await this.startIfNeeded();
  }

  /** A value the client reported; true when it was one this update follows. */
  async onValue(value: ResourceValue): Promise<boolean> {
    const { kind } = this;
    if (same(value.path, kind.name)) this.currentName = String(value.value);
    else if (same(value.path, kind.version)) this.packageVersion = String(value.value);
    else if (same(value.path, kind.deviceVersion)) this.deviceVersion = String(value.value);
    else if (same(value.path, kind.state)) await this.onState(Number(value.value));
    else if (same(value.path, kind.result)) await this.onResult(Number(value.value));
    else if (kind.type === 'FIRMWARE' && same(value.path, FW_DELIVERY_METHOD)) this.deliveryMethod = Number(value.value);
    else return false;
    return true;
  }

  private async startIfNeeded(): Promise<void> {
    const { kind, port } = this;
    if (this.targetTitle && this.targetVersion && !this.supported) {
      await this.report('FAILED', `Client does not support ${kind.label.toLowerCase()} update or profile misconfiguration!`);
      return;
    }
    if (!this.updateRequired || this.starting) return;
    this.starting = true;
    try {
      if (kind.type === 'SOFTWARE' && this.state === 4) {
        // An installed package must be uninstalled (argument 1: "for update") before the next one goes in.
        await port.execute(SW_UNINSTALL, '1');
        return;
      }
      if (this.targetUrl) {
        await port.write(kind.uriResource, this.targetUrl);
        return;
      }
      const found = await port.findPackage(kind.type);
      if (!found) {
        await this.report('FAILED', 'Failed to fetch OTA package: NOT_FOUND');
        return;
      }
      const binary = await port.readPackage(found.packageId);
      if (port.settings.useObject19ForOtaInfo) await this.writeInfo(found, binary);
      await this.deliver(found.packageId, binary);
    } catch (e) {
      port.warn(`${kind.label} update of ${port.endpoint} could not start: ${(e as Error).message}`);
      await this.report('FAILED', `Internal server error: ${(e as Error).message}`);
    } finally {
      this.starting = false;
    }
  }

  /** The binary to the package resource, or a URL of it served by the transport, per strategy and delivery method. */
  private async deliver(packageId: string, binary: Uint8Array): Promise<void> {
    const { kind, port } = this;
    const settings = port.settings;
    let strategy: number = kind.type === 'FIRMWARE' ? settings.fwUpdateStrategy : settings.swUpdateStrategy;
    if (kind.type === 'FIRMWARE' && (this.deliveryMethod === 0 || this.deliveryMethod === 1)) strategy = this.deliveryMethod === 0 ? 2 : 1;
    if (strategy === 2) {
      const base = kind.type === 'FIRMWARE' ? settings.fwUpdateResource : settings.swUpdateResource;
      await port.write(kind.uriResource, `${base ?? ''}/tbfw/${packageId}`);
    } else if (strategy === 3) await port.write(FW_PACKAGE_19, binary);
    else await port.write(kind.packageResource, binary);
  }

  /** ThingsBoard's package info (title, version, SHA-256, size, file name) as JSON in Object 19. */
  private async writeInfo(found: OtaPackageRef, binary: Uint8Array): Promise<void> {
    const { kind, port } = this;
    if (!port.hasRegistered({ objectId: 19 })) {
      port.warn(`${port.endpoint}: cannot send the OTA info to Object 19: the client does not have object 19`);
      return;
    }
    const info = JSON.stringify({
      title: found.title,
      version: found.version,
      checksum: createHash('sha256').update(binary).digest('hex'),
      dataSize: binary.length,
      fileName: found.fileName,
    });
    const bytes = Buffer.from(info, 'utf8');
    if (port.hasRegistered(kind.infoInstance)) await port.write({ ...kind.infoInstance, resourceId: 0, resourceInstanceId: 0 }, bytes);
    else await port.create(kind.infoInstance, { 0: { 0: bytes.toString('base64') } });
  }

  private async onState(state: number): Promise<void> {
    const { kind } = this;
    this.state = state;
    const name = kind.stateNames[state] ?? String(state);
    let status: string | undefined;
    if (kind.type === 'FIRMWARE') {
      if (state === 2) await this.execute(FW_UPDATE);
      status = [undefined, 'DOWNLOADING', 'DOWNLOADED', 'UPDATING'][state];
      if (state === 0 && this.status === 'DOWNLOADING') {
        this.failedTarget = this.targetId;
        status = 'FAILED';
      }
    } else {
      if (state === 0) await this.startIfNeeded();
      else if (state === 3) await this.execute(SW_INSTALL);
      status = [undefined, 'DOWNLOADING', 'DOWNLOADING', 'DOWNLOADED'][state];
    }
    if (status) await this.report(status, `${kind.label} Update State: ${name}`);
  }

  private async onResult(result: number): Promise<void> {
    const { kind } = this;
    let status: string | undefined;
    if (kind.type === 'FIRMWARE') {
      if (result === 1 || (result === 0 && this.status === 'UPDATING')) status = 'UPDATED';
      else if (result >= 2 && result <= 9) status = 'FAILED';
    } else if (result === 1) status = 'DOWNLOADING';
    else if (result === 2) status = 'UPDATED';
    else if (result === 3) status = 'VERIFIED';
    else if (result >= 50 && result <= 59) status = 'FAILED';
    if (!status) return;
    await this.report(status, `${kind.label} Update Result: ${kind.resultNames[result] ?? result}`);
    if (status === 'UPDATED') {
      this.retries = 0;
      this.failedTarget = undefined;
      // the client runs the target now, even before it reports its new name and version
      [this.currentName, this.packageVersion] = [this.targetTitle, this.targetVersion];
    }
    if (status !== 'FAILED') return;
    if (kind.retried.has(result) && this.retries < MAX_RETRIES) {
      this.retries++;
      await this.startIfNeeded();
    } else this.failedTarget = this.targetId;
  }

  private async execute(target: Lwm2mPath): Promise<void> {
    try {
      await this.port.execute(target);
    } catch (e) {
      this.port.warn(`${this.kind.label} ${formatPath(target)} Execute on ${this.port.endpoint} failed: ${(e as Error).message}`);
    }
  }

  private report(status: string, log: string): Promise<void> {
    this.status = status;
    // Each state gets a moment of its own: two reports in one millisecond would keep only the later one.
    const ts = (this.lastReportTs = Math.max(Date.now(), this.lastReportTs + 1));
    const values = `{"${this.kind.prefix}_state":${JSON.stringify(status)},"transportLog":${JSON.stringify(log)}}`;
    return this.port.telemetry(`{"ts":${ts},"values":${values}}`);
  }
}

/** Firmware and software updates of one client. */
export class OtaUpdates {
  private readonly firmware: PackageUpdate;
  private readonly software: PackageUpdate;

  constructor(port: OtaPort) {
    this.firmware = new PackageUpdate(FIRMWARE, port);
    this.software = new PackageUpdate(SOFTWARE, port);
  }

  /** The shared attribute keys the target comes from. */
  static readonly TARGET_KEYS = ['fw_title', 'fw_version', 'fw_url', 'sw_title', 'sw_version', 'sw_url'];

  /** Shared attributes (registration fetch or update push); other keys are ignored. */
  async onSharedAttributes(attributes: Record<string, unknown>): Promise<void> {
    const text = (key: string) => (typeof attributes[key] === 'string' ? (attributes[key] as string) : undefined);
    if (text('fw_title') !== undefined || text('fw_version') !== undefined)
      await this.firmware.onTarget(text('fw_title'), text('fw_version'), text('fw_url') ?? '');
    if (text('sw_title') !== undefined || text('sw_version') !== undefined)
      await this.software.onTarget(text('sw_title'), text('sw_version'), text('sw_url') ?? '');
  }

  async onValue(value: ResourceValue): Promise<void> {
    if (value.path.instanceId !== 0) return;
    if (!(await this.firmware.onValue(value))) await this.software.onValue(value);
  }
}
