import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';
import type { AlarmInfo } from '../core/api-models';

/** Acknowledging and clearing alarms (rest-api.md §3.1); lists come live over the WebSocket API (live-alarms.ts). */
@Injectable({ providedIn: 'root' })
export class AlarmsApi {
  private readonly http = inject(HttpClient);

  acknowledge(alarmId: string): Observable<AlarmInfo> {
    return this.http.post<AlarmInfo>(`/api/alarm/${alarmId}/ack`, null);
  }

  clear(alarmId: string): Observable<AlarmInfo> {
    return this.http.post<AlarmInfo>(`/api/alarm/${alarmId}/clear`, null);
  }
}
