import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIcon } from '@angular/material/icon';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../auth/auth.service';
import type { DeviceCredentials } from '../../core/api-models';
import { CopyButton } from '../../ui/copy-button';
import { StateMessage } from '../../ui/state-message';
import { CredentialsDialog } from '../credentials-dialog';
import { DeviceContext } from '../device-context';

const TYPE_NAMES: Record<DeviceCredentials['credentialsType'], string> = {
  ACCESS_TOKEN: 'Access token',
  MQTT_BASIC: 'MQTT basic (client id, user name, password)',
  X509_CERTIFICATE: 'X.509 certificate',
  LWM2M_CREDENTIALS: 'LwM2M credentials',
};

/** How the device logs in: copy the access token, or replace it. */
@Component({
  selector: 'ew-credentials-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButton, MatIcon, MatProgressBar, CopyButton, StateMessage],
  template: `
    @let state = context.credentials.state();
    @if (state.error) {
      <ew-state-message kind="error" heading="The credentials could not be loaded" icon="error">
        <p>{{ state.error }}</p>
        <button mat-flat-button type="button" (click)="context.credentials.reload()">Try again</button>
      </ew-state-message>
    } @else if (!state.value) {
      <mat-progress-bar mode="indeterminate" aria-label="Loading the credentials" />
    } @else {
      @let credentials = state.value;
      <dl class="ew-card facts">
        <dt>Type</dt>
        <dd>{{ typeName() }}</dd>
        @if (credentials.credentialsType === 'ACCESS_TOKEN') {
          <dt id="token-label">Access token</dt>
          <dd class="token">
            <code aria-labelledby="token-label">{{ credentials.credentialsId }}</code>
            <ew-copy-button [text]="credentials.credentialsId ?? ''" label="Copy access token" />
          </dd>
        } @else if (credentials.credentialsType === 'MQTT_BASIC') {
          <dt>Settings</dt>
          <dd>
            <code>{{ credentials.credentialsValue }}</code>
          </dd>
        } @else {
          <dt>Identifier</dt>
          <dd>
            <code>{{ credentials.credentialsId }}</code>
          </dd>
        }
      </dl>
      @if (canChange()) {
        <div class="actions">
          <button mat-stroked-button type="button" (click)="changeToken(credentials)"><mat-icon>key</mat-icon>Change access token</button>
          @if (credentials.credentialsType !== 'ACCESS_TOKEN') {
            <span class="ew-muted"
              >This switches the device to an access token. Other credential types are edited through
              <code>POST /api/device/credentials</code> for now.</span
            >
          }
        </div>
      }
    }
  `,
  styles: `
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 12px 24px;
      margin: 0 0 16px;
      padding: 16px 24px;
    }
    dt {
      font: var(--mat-sys-title-small);
      color: var(--mat-sys-on-surface-variant);
      align-self: center;
    }
    dd {
      margin: 0;
      align-self: center;
      word-break: break-all;
    }
    .token {
      display: flex;
      align-items: center;
      gap: 8px;
    }
    code {
      font-size: 15px;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 16px;
    }
  `,
})
export default class CredentialsTab {
  protected readonly context = inject(DeviceContext);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly auth = inject(AuthService);
  protected readonly canChange = computed(() => this.auth.user()?.authority === 'TENANT_ADMIN');
  protected readonly typeName = computed(() => {
    const type = this.context.credentials.state().value?.credentialsType;
    return type ? TYPE_NAMES[type] : '';
  });

  async changeToken(credentials: DeviceCredentials): Promise<void> {
    const ref = this.dialog.open<CredentialsDialog, DeviceCredentials, DeviceCredentials>(CredentialsDialog, {
      data: credentials,
      width: '480px',
    });
    if (!(await firstValueFrom(ref.afterClosed()))) return;
    this.context.credentials.reload();
    this.snackBar.open('Access token changed. The device must use the new one.', undefined, { duration: 4000 });
  }
}
