import { HttpClient, HttpParams, HttpResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import type {
  AttributeScope,
  Device,
  DeviceCredentials,
  DeviceDraft,
  DeviceInfo,
  DeviceProfileName,
  PageData,
  PageQuery,
  TransportPorts,
} from '../core/api-models';

export interface DeviceListQuery extends PageQuery {
  active?: boolean;
}

export interface RpcRequest {
  method: string;
  params: unknown;
  timeout: number;
}

const pageParams = (query: DeviceListQuery) => {
  let params = new HttpParams().set('page', query.page).set('pageSize', query.pageSize);
  if (query.textSearch) params = params.set('textSearch', query.textSearch);
  if (query.sortProperty) params = params.set('sortProperty', query.sortProperty).set('sortOrder', query.sortOrder ?? 'ASC');
  if (query.active !== undefined) params = params.set('active', query.active);
  return params;
};

/** The device REST calls of the admin (device-api.md §8.3–8.6). */
@Injectable({ providedIn: 'root' })
export class DevicesApi {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);

  /** A page of the devices the user sees: the tenant's, or a customer user's own customer's. */
  page(query: DeviceListQuery): Observable<PageData<DeviceInfo>> {
    const user = this.auth.user();
    const url = user?.authority === 'CUSTOMER_USER' ? `/api/customer/${user.customerId}/deviceInfos` : '/api/tenant/deviceInfos';
    return this.http.get<PageData<DeviceInfo>>(url, { params: pageParams(query) });
  }

  get(deviceId: string): Observable<Device> {
    return this.http.get<Device>(`/api/device/${deviceId}`);
  }

  /** Creates (no `id`; `accessToken` empty = a random one) or updates a device. */
  save(device: DeviceDraft, accessToken?: string): Observable<Device> {
    const params = accessToken ? new HttpParams().set('accessToken', accessToken) : undefined;
    return this.http.post<Device>('/api/device', device, { params });
  }

  delete(deviceId: string): Observable<void> {
    return this.http.delete<void>(`/api/device/${deviceId}`);
  }

  credentials(deviceId: string): Observable<DeviceCredentials> {
    return this.http.get<DeviceCredentials>(`/api/device/${deviceId}/credentials`);
  }

  saveCredentials(credentials: DeviceCredentials): Observable<DeviceCredentials> {
    return this.http.post<DeviceCredentials>('/api/device/credentials', credentials);
  }

  profileNames(): Observable<DeviceProfileName[]> {
    return this.http.get<DeviceProfileName[]>('/api/deviceProfile/names');
  }

  timeseriesKeys(deviceId: string): Observable<string[]> {
    return this.http.get<string[]>(`/api/plugins/telemetry/DEVICE/${deviceId}/keys/timeseries`);
  }

  saveAttributes(deviceId: string, scope: AttributeScope, values: Record<string, unknown>): Observable<void> {
    return this.http.post<void>(`/api/plugins/telemetry/DEVICE/${deviceId}/attributes/${scope}`, values);
  }

  deleteAttributes(deviceId: string, scope: AttributeScope, keys: string[]): Observable<void> {
    return this.http.delete<void>(`/api/plugins/telemetry/DEVICE/${deviceId}/${scope}`, { params: { keys: keys.join(',') } });
  }

  /** Server-side RPC (`/api/rpc/oneway|twoway`): the raw response, since the body is whatever the device answered. */
  rpc(deviceId: string, twoWay: boolean, request: RpcRequest): Observable<HttpResponse<string>> {
    return this.http.post(`/api/rpc/${twoWay ? 'twoway' : 'oneway'}/${deviceId}`, request, { observe: 'response', responseType: 'text' });
  }

  /** The ports the device transports listen on, for the connection snippets. */
  transports(): Observable<TransportPorts> {
    return this.http.get<TransportPorts>('/api/web-admin/transports');
  }
}
