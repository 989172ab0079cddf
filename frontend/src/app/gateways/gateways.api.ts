import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { EMPTY, expand, map, Observable, reduce } from 'rxjs';
import type { Device, DeviceInfo, PageData, PageQuery } from '../core/api-models';

/** A child device of a gateway with its connection state (`GET /api/gateway/{gatewayId}/devices`); times are epoch ms, 0 = never. */
export interface GatewayChild extends Device {
  active: boolean;
  connected: boolean;
  lastConnectTime: number;
  lastDisconnectTime: number;
  lastActivityTime: number;
}

/** Devices read per request while looking for gateways. */
const SCAN_PAGE_SIZE = 1000;

/** The gateway REST calls of the admin. */
@Injectable({ providedIn: 'root' })
export class GatewaysApi {
  private readonly http = inject(HttpClient);

  /**
   * The tenant's gateways (devices with `additionalInfo.gateway`), by name. The API has no gateway filter, so the
   * device list is read a large page at a time and filtered here.
   */
  gateways(): Observable<DeviceInfo[]> {
    const page = (index: number) =>
      this.http.get<PageData<DeviceInfo>>('/api/tenant/deviceInfos', {
        params: new HttpParams().set('page', index).set('pageSize', SCAN_PAGE_SIZE).set('sortProperty', 'name').set('sortOrder', 'ASC'),
      });
    let index = 0;
    return page(index).pipe(
      expand((current) => (current.hasNext ? page(++index) : EMPTY)),
      map((current) => current.data.filter((device) => device.additionalInfo?.gateway === true)),
      reduce((all: DeviceInfo[], gateways) => [...all, ...gateways], []),
    );
  }

  /** A page of the devices the gateway connects. */
  children(gatewayId: string, query: PageQuery): Observable<PageData<GatewayChild>> {
    let params = new HttpParams().set('page', query.page).set('pageSize', query.pageSize);
    if (query.textSearch) params = params.set('textSearch', query.textSearch);
    if (query.sortProperty) params = params.set('sortProperty', query.sortProperty).set('sortOrder', query.sortOrder ?? 'ASC');
    return this.http.get<PageData<GatewayChild>>(`/api/gateway/${gatewayId}/devices`, { params });
  }
}
