import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatIcon } from '@angular/material/icon';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../auth/auth.service';
import { describeError } from '../../core/api-error';
import type { AttributeScope } from '../../core/api-models';
import { follow } from '../../core/follow';
import type { TelemetryMessage } from '../../core/live-messages';
import { urlState } from '../../core/url-state';
import { confirmAction } from '../../ui/confirm-dialog';
import { FlashOnChange } from '../../ui/flash-on-change';
import { RelativeTime } from '../../ui/relative-time';
import { StateMessage } from '../../ui/state-message';
import { AttributeDialog, AttributeDialogData } from '../attribute-dialog';
import { DeviceContext } from '../device-context';
import { DevicesApi } from '../devices.api';
import { applyLatest, LiveValues } from '../live-values';

const SCOPES: Record<string, { scope: AttributeScope; label: string; about: string; editable: boolean }> = {
  client: { scope: 'CLIENT_SCOPE', label: 'Client', about: 'reported by the device itself', editable: false },
  shared: { scope: 'SHARED_SCOPE', label: 'Shared', about: 'set here and pushed to the device', editable: true },
  server: { scope: 'SERVER_SCOPE', label: 'Server', about: 'kept on the server, never sent to the device', editable: true },
};

/** The device's attributes of one scope (in the URL), live; shared and server ones can be added, changed and deleted. */
@Component({
  selector: 'ew-attributes-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    MatTableModule,
    MatButtonToggleGroup,
    MatButtonToggle,
    MatButton,
    MatIconButton,
    MatIcon,
    MatProgressBar,
    FlashOnChange,
    RelativeTime,
    StateMessage,
  ],
  templateUrl: './attributes.tab.html',
  styleUrl: './attributes.tab.scss',
})
export default class AttributesTab {
  private readonly context = inject(DeviceContext);
  private readonly api = inject(DevicesApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly auth = inject(AuthService);
  private readonly url = urlState();
  protected readonly scopes = Object.entries(SCOPES).map(([value, { label }]) => ({ value, label }));

  protected readonly scopeParam = computed(() => {
    const value = this.url.params().get('scope') ?? 'client';
    return value in SCOPES ? value : 'client';
  });
  protected readonly scope = computed(() => SCOPES[this.scopeParam()]);
  /** Customer users may read attributes; changing them is for tenant administrators. */
  protected readonly canEdit = computed(() => this.scope().editable && this.auth.user()?.authority === 'TENANT_ADMIN');
  protected readonly columns = computed(() => ['key', 'value', 'ts', ...(this.canEdit() ? ['actions'] : [])]);
  protected readonly byKey = (_index: number, row: { key: string }) => row.key;

  protected readonly attributes = follow<{ entityId: string; scope: AttributeScope }, TelemetryMessage, LiveValues>(
    () => ({ entityId: this.context.deviceId(), scope: this.scope().scope }),
    ({ entityId, scope }) => ({ type: 'ATTRIBUTES', entityType: 'DEVICE', entityId, scope }),
    applyLatest,
  );
  protected readonly rows = computed(() =>
    [...(this.attributes.state().value ?? new Map())].map(([key, { ts, value }]) => ({ key, ts, value })),
  );

  setScope(scope: string): void {
    this.url.patch({ scope: scope === 'client' ? null : scope });
  }

  async edit(key?: string, value?: string): Promise<void> {
    const data: AttributeDialogData = { deviceId: this.context.deviceId(), scope: this.scope().scope, key, value };
    const ref = this.dialog.open<AttributeDialog, AttributeDialogData, boolean>(AttributeDialog, { data, width: '480px' });
    if (await firstValueFrom(ref.afterClosed())) this.snackBar.open('Attribute saved', undefined, { duration: 2500 });
  }

  async delete(key: string): Promise<void> {
    const scope = this.scope();
    const confirmed = await confirmAction(this.dialog, {
      title: `Delete ${key}?`,
      message: `The ${scope.label.toLowerCase()} attribute ${key} is removed from the device${scope.scope === 'SHARED_SCOPE' ? ', and connected devices are told' : ''}.`,
      confirmLabel: 'Delete attribute',
      destructive: true,
    });
    if (!confirmed) return;
    try {
      await firstValueFrom(this.api.deleteAttributes(this.context.deviceId(), scope.scope, [key]));
    } catch (e) {
      this.snackBar.open(`Could not delete ${key}: ${describeError(e)}`, 'Dismiss', { duration: 8000 });
    }
  }
}
