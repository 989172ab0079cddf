import { ChangeDetectionStrategy, Component, computed, effect, inject } from '@angular/core';
import { MatAnchor, MatButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIcon } from '@angular/material/icon';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatTabLink, MatTabNav, MatTabNavPanel } from '@angular/material/tabs';
import { Title } from '@angular/platform-browser';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import type { Device } from '../core/api-models';
import { follow } from '../core/follow';
import type { TelemetryMessage } from '../core/live-messages';
import { RelativeTime } from '../ui/relative-time';
import { StateMessage } from '../ui/state-message';
import { DeviceContext } from './device-context';
import { DeviceDialog } from './device-dialog';
import { applyLatest, LiveValues } from './live-values';

const TABS = [
  { path: 'latest', label: 'Latest telemetry' },
  { path: 'attributes', label: 'Attributes' },
  { path: 'timeseries', label: 'Timeseries' },
  { path: 'alarms', label: 'Alarms' },
  { path: 'rpc', label: 'RPC' },
  { path: 'connectivity', label: 'Connectivity' },
  { path: 'credentials', label: 'Credentials' },
];

/** The connection state the server keeps per device (device-api.md §5), as server-scope attributes. */
const STATE_KEYS = 'active,lastActivityTime,lastConnectTime,lastDisconnectTime';

/** One device: its name and connection state, and tabs (in the URL) for its data and controls. */
@Component({
  selector: 'ew-device-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    RouterLinkActive,
    RouterOutlet,
    MatTabNav,
    MatTabLink,
    MatTabNavPanel,
    MatIcon,
    MatButton,
    MatAnchor,
    MatProgressBar,
    StateMessage,
    RelativeTime,
  ],
  providers: [DeviceContext],
  templateUrl: './device-detail.page.html',
  styleUrl: './device-detail.page.scss',
})
export default class DeviceDetailPage {
  protected readonly context = inject(DeviceContext);
  private readonly dialog = inject(MatDialog);
  private readonly auth = inject(AuthService);
  protected readonly tabs = TABS;
  protected readonly device = computed(() => this.context.device.state().value);
  protected readonly canEdit = computed(() => this.auth.user()?.authority === 'TENANT_ADMIN');

  private readonly connection = follow<string, TelemetryMessage, LiveValues>(
    this.context.deviceId,
    (entityId) => ({ type: 'ATTRIBUTES', entityType: 'DEVICE', entityId, scope: 'SERVER_SCOPE', keys: STATE_KEYS }),
    applyLatest,
  );
  protected readonly active = computed(() => this.connection.state().value?.get('active')?.value === 'true');
  protected readonly lastActivity = computed(() => Number(this.connection.state().value?.get('lastActivityTime')?.value) || null);

  constructor() {
    const title = inject(Title);
    effect(() => {
      const name = this.device()?.name;
      if (name) title.setTitle(`${name} · Devices · Edgewise`);
    });
  }

  async edit(device: Device): Promise<void> {
    const ref = this.dialog.open<DeviceDialog, Device, Device>(DeviceDialog, { data: device, width: '520px' });
    if (await firstValueFrom(ref.afterClosed())) this.context.device.reload();
  }
}
