/**
 * The device profile's LwM2M transport configuration (`profileData.transportConfiguration` of type `LWM2M`,
 * device-api.md §6.2), read leniently: missing members take ThingsBoard's defaults, members of the wrong shape
 * are ignored with a warning rather than failing the registration.
 */

/** Write-Attributes of one path (notification attributes; `dim`, `ssid`, `uri`, `ver`, `lwm2m` are passed through). */
export type ObjectAttributes = Partial<
  Record<'pmin' | 'pmax' | 'gt' | 'lt' | 'st' | 'epmin' | 'epmax' | 'dim' | 'ssid' | 'uri' | 'ver' | 'lwm2m', number | string>
>;

export type ObserveStrategy = 'SINGLE' | 'COMPOSITE_ALL' | 'COMPOSITE_BY_OBJECT';

export interface ClientSettings {
  fwUpdateStrategy: 1 | 2 | 3;
  swUpdateStrategy: 1 | 2;
  fwUpdateResource?: string;
  swUpdateResource?: string;
  useObject19ForOtaInfo: boolean;
  /** Object version assumed when the client states none. */
  defaultObjectIDVer: string;
}

export interface Lwm2mProfile {
  /** Versioned path → ThingsBoard key. */
  keyName: Map<string, string>;
  observe: Set<string>;
  attribute: Set<string>;
  telemetry: Set<string>;
  attributeLwm2m: Map<string, ObjectAttributes>;
  initAttrTelAsObsStrategy: boolean;
  observeStrategy: ObserveStrategy;
  clientSettings: ClientSettings;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

export function readProfile(transportConfiguration: Readonly<Record<string, unknown>> | undefined): Lwm2mProfile {
  const observeAttr = isObject(transportConfiguration?.observeAttr) ? transportConfiguration.observeAttr : {};
  const settings = isObject(transportConfiguration?.clientLwM2mSettings) ? transportConfiguration.clientLwM2mSettings : {};
  const keyName = new Map<string, string>();
  if (isObject(observeAttr.keyName))
    for (const [path, key] of Object.entries(observeAttr.keyName)) if (typeof key === 'string' && key) keyName.set(path, key);
  const attributeLwm2m = new Map<string, ObjectAttributes>();
  if (isObject(observeAttr.attributeLwm2m))
    for (const [path, attributes] of Object.entries(observeAttr.attributeLwm2m))
      if (isObject(attributes)) attributeLwm2m.set(path, attributes as ObjectAttributes);
  const strategy = observeAttr.observeStrategy;
  return {
    keyName,
    observe: new Set(strings(observeAttr.observe)),
    attribute: new Set(strings(observeAttr.attribute)),
    telemetry: new Set(strings(observeAttr.telemetry)),
    attributeLwm2m,
    initAttrTelAsObsStrategy: observeAttr.initAttrTelAsObsStrategy === true,
    observeStrategy: strategy === 'COMPOSITE_ALL' || strategy === 'COMPOSITE_BY_OBJECT' ? strategy : 'SINGLE',
    clientSettings: {
      fwUpdateStrategy: settings.fwUpdateStrategy === 2 || settings.fwUpdateStrategy === 3 ? settings.fwUpdateStrategy : 1,
      swUpdateStrategy: settings.swUpdateStrategy === 2 ? 2 : 1,
      fwUpdateResource: typeof settings.fwUpdateResource === 'string' && settings.fwUpdateResource ? settings.fwUpdateResource : undefined,
      swUpdateResource: typeof settings.swUpdateResource === 'string' && settings.swUpdateResource ? settings.swUpdateResource : undefined,
      useObject19ForOtaInfo: settings.useObject19ForOtaInfo === true,
      defaultObjectIDVer:
        typeof settings.defaultObjectIDVer === 'string' && /^\d+\.\d+$/.test(settings.defaultObjectIDVer)
          ? settings.defaultObjectIDVer
          : '1.0',
    },
  };
}

/** The versioned path a key names (`keyName` reverse lookup), as RPC `key` params and shared attributes use it. */
export function pathOfKey(profile: Lwm2mProfile, key: string): string | undefined {
  for (const [path, name] of profile.keyName) if (name === key) return path;
  return undefined;
}
