import type { EntityId, PageData } from '../core/api-models';
import type { SocketCommand, SocketMessage, SocketUpdate } from '../core/telemetry-socket';

/** A device's connection state as the device-state service keeps it in server attributes; times are epoch ms, 0 = never. */
export interface Connectivity {
  active: boolean;
  lastConnectTime: number;
  lastDisconnectTime: number;
  lastActivityTime: number;
}

const KEYS = ['active', 'lastConnectTime', 'lastDisconnectTime', 'lastActivityTime'] as const;

interface EntityData {
  entityId: EntityId;
  latest: Record<string, Record<string, { ts: number; value: string }> | undefined> | null;
}

/** ENTITY_DATA updates: the whole page in `data` first, then changed entities (with their changed keys) in `update`. */
export interface EntityDataMessage extends SocketMessage {
  data: PageData<EntityData> | null;
  update: EntityData[] | null;
}

/** Device id → connection state. */
export type ConnectivityById = ReadonlyMap<string, Connectivity>;

/** Follows the connection state of these devices (entityDataCmd with `latestCmd` over their server attributes). */
export function connectivityCommand(deviceIds: readonly string[]): SocketCommand {
  const keys = KEYS.map((key) => ({ type: 'SERVER_ATTRIBUTE', key }));
  return {
    type: 'ENTITY_DATA',
    query: {
      entityFilter: { type: 'entityList', entityType: 'DEVICE', entityList: deviceIds },
      pageLink: { page: 0, pageSize: Math.max(deviceIds.length, 1) },
      entityFields: [],
      latestValues: keys,
    },
    latestCmd: { keys },
  };
}

const NEVER: Connectivity = { active: false, lastConnectTime: 0, lastDisconnectTime: 0, lastActivityTime: 0 };

/** Folds entity-data updates into the state per device: the first update is the whole state, later ones change only the keys they carry. */
export function applyConnectivity(
  previous: ConnectivityById | undefined,
  { initial, message }: SocketUpdate<EntityDataMessage>,
): ConnectivityById {
  const next = new Map(initial ? [] : (previous ?? []));
  for (const entity of [...(message.data?.data ?? []), ...(message.update ?? [])]) {
    const values = entity.latest?.['SERVER_ATTRIBUTE'] ?? {};
    const state = { ...(next.get(entity.entityId.id) ?? NEVER) };
    for (const key of KEYS) {
      const value = values[key]?.value;
      if (value === undefined || value === '') continue;
      if (key === 'active') state.active = value === 'true';
      else state[key] = Number(value) || 0;
    }
    next.set(entity.entityId.id, state);
  }
  return next;
}

/** A session is open when the last connect is newer than the last disconnect (what `connected` means in the REST answer). */
export const isConnected = (state: Connectivity) => state.lastConnectTime > state.lastDisconnectTime;
