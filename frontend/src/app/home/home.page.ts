import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatAnchor } from '@angular/material/button';
import { MatProgressBar } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { interval, map } from 'rxjs';
import { AlarmActions } from '../alarms/alarm-actions';
import { AlarmTable } from '../alarms/alarm-table';
import { followAlarms } from '../alarms/live-alarms';
import { AuthService } from '../auth/auth.service';
import { follow } from '../core/follow';
import type { CountMessage } from '../core/live-messages';
import { loader } from '../core/loader';
import { DevicesApi } from '../devices/devices.api';
import { StateMessage } from '../ui/state-message';

interface Health {
  status: string;
  database: string;
  uptimeMs: number;
}

/** How often the number of connected devices is read again (it changes without an event the admin can follow). */
const ACTIVE_REFRESH_MS = 30_000;

const liveCount = (command: () => object | undefined, type: 'ENTITY_COUNT' | 'ALARM_COUNT') =>
  follow<object, CountMessage, number>(
    command,
    (query) => ({ type, query }),
    (_previous, { message }) => message.count,
  );

/** What is going on: how many devices, how many connected, how many alarms need attention, the latest alarms. */
@Component({
  selector: 'ew-home-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MatAnchor, MatProgressBar, AlarmTable, StateMessage],
  providers: [AlarmActions],
  templateUrl: './home.page.html',
  styleUrl: './home.page.scss',
})
export default class HomePage {
  private readonly auth = inject(AuthService);
  private readonly devicesApi = inject(DevicesApi);
  private readonly http = inject(HttpClient);
  protected readonly actions = inject(AlarmActions);

  protected readonly isSysAdmin = computed(() => this.auth.user()?.authority === 'SYS_ADMIN');
  protected readonly name = computed(() => this.auth.user()?.displayName ?? '');
  private readonly tenantView = () => (this.isSysAdmin() ? undefined : {});

  protected readonly devices = liveCount(
    () => (this.tenantView() ? { entityFilter: { type: 'entityType', entityType: 'DEVICE' } } : undefined),
    'ENTITY_COUNT',
  );
  protected readonly activeAlarms = liveCount(() => (this.tenantView() ? { statusList: ['ACTIVE'] } : undefined), 'ALARM_COUNT');
  protected readonly connected = loader(
    () => (this.isSysAdmin() ? undefined : { total: this.devices.state().value }),
    () => this.devicesApi.page({ page: 0, pageSize: 1, active: true }).pipe(map((page) => page.totalElements)),
  );
  protected readonly recentAlarms = followAlarms(() =>
    this.tenantView() ? { page: 0, pageSize: 5, statuses: [], severities: [], sortProperty: 'createdTime', sortOrder: 'DESC' } : undefined,
  );

  protected readonly health = loader(
    () => (this.isSysAdmin() ? {} : undefined),
    () => this.http.get<Health>('/api/health'),
  );
  constructor() {
    // A plain subscription, not a signal in the requests: a signal nothing on the page reads does not wake a
    // zoneless application, so its loaders would never see the tick.
    interval(ACTIVE_REFRESH_MS)
      .pipe(takeUntilDestroyed())
      .subscribe(() => {
        this.connected.reload();
        this.health.reload();
      });
  }

  protected readonly uptime = computed(() => {
    const ms = this.health.state().value?.uptimeMs ?? 0;
    const hours = Math.floor(ms / 3_600_000);
    return hours >= 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${hours} h ${Math.floor(ms / 60_000) % 60} min`;
  });
}
