import { entityId } from '../database/ids';
import type { RpcEntity, StoredRpcRequest } from './rpc.entity';

const parseStored = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // a device reply that is not JSON is kept as the text it was
  }
};

/** A persistent RPC as ThingsBoard serialises it (device-api.md §8.6). */
export function rpcJson(rpc: RpcEntity) {
  const request = JSON.parse(rpc.requestJson) as StoredRpcRequest;
  return {
    id: entityId('RPC', rpc.id),
    createdTime: rpc.createdTime,
    tenantId: entityId('TENANT', rpc.tenantId),
    deviceId: entityId('DEVICE', rpc.deviceId),
    expirationTime: rpc.expirationTime,
    request: {
      id: rpc.id,
      tenantId: entityId('TENANT', rpc.tenantId),
      deviceId: entityId('DEVICE', rpc.deviceId),
      oneway: request.oneway,
      expirationTime: rpc.expirationTime,
      body: { method: request.method, params: JSON.stringify(request.params) },
      persisted: true,
      retries: request.retries,
    },
    response: parseStored(rpc.responseJson),
    status: rpc.status,
    additionalInfo: parseStored(rpc.additionalInfoJson),
  };
}
