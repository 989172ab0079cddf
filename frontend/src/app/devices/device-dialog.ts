import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatCheckbox } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
import { catchError, firstValueFrom, of } from 'rxjs';
import { describeError, serverMessage } from '../core/api-error';
import type { Device } from '../core/api-models';
import { DevicesApi } from './devices.api';

/** ThingsBoard's limit on device names (and labels). */
const NAME_MAX = 255;
/** What an access token may hold: it travels as an MQTT user name and inside HTTP/CoAP paths. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]+$/;

/** Creates a device (no data) or edits the one given; closes with the saved device. */
@Component({
  selector: 'ew-device-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatDialogModule,
    MatFormField,
    MatLabel,
    MatError,
    MatHint,
    MatInput,
    MatSelect,
    MatOption,
    MatCheckbox,
    MatButton,
    MatProgressBar,
  ],
  templateUrl: './device-dialog.html',
  styles: `
    .fields {
      display: flex;
      flex-direction: column;
      gap: 16px;
    }
    .warn {
      color: var(--mat-sys-error);
    }
  `,
})
export class DeviceDialog {
  private readonly api = inject(DevicesApi);
  private readonly dialogRef = inject<MatDialogRef<DeviceDialog, Device>>(MatDialogRef);
  protected readonly device = inject<Device | null>(MAT_DIALOG_DATA);
  protected readonly editing = this.device !== null;

  protected readonly profiles = toSignal(this.api.profileNames().pipe(catchError(() => of(null))));
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: [this.device?.name ?? '', [Validators.required, Validators.maxLength(NAME_MAX), Validators.pattern(/\S/)]],
    label: [this.device?.label ?? '', [Validators.maxLength(NAME_MAX)]],
    profileId: [this.device?.deviceProfileId.id ?? '', [Validators.required]],
    description: [this.device?.additionalInfo?.description ?? ''],
    gateway: [this.device?.additionalInfo?.gateway === true],
    accessToken: ['', [Validators.maxLength(32), Validators.pattern(TOKEN_PATTERN)]],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  /** The server's reason a name was refused (e.g. a duplicate), shown under the field. */
  protected readonly nameError = signal<string | null>(null);
  protected readonly profilesFailed = computed(() => this.profiles() === null);

  constructor() {
    // A new device gets the tenant's "default" profile unless the person picks another.
    effect(() => {
      const profiles = this.profiles();
      if (!profiles?.length || this.form.controls.profileId.value) return;
      this.form.controls.profileId.setValue((profiles.find((p) => p.name === 'default') ?? profiles[0]).id.id);
    });
    this.form.controls.name.valueChanges.subscribe(() => this.nameError.set(null));
  }

  async save(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    try {
      const saved = await firstValueFrom(
        this.api.save(
          {
            ...(this.device ?? {}),
            name: value.name.trim(),
            label: value.label.trim() || null,
            deviceProfileId: { entityType: 'DEVICE_PROFILE', id: value.profileId },
            additionalInfo: { ...(this.device?.additionalInfo ?? {}), description: value.description, gateway: value.gateway },
          },
          this.editing ? undefined : value.accessToken.trim() || undefined,
        ),
      );
      this.dialogRef.close(saved);
    } catch (e) {
      const message = serverMessage(e);
      if (message && /name/i.test(message)) {
        this.nameError.set(message);
        this.form.controls.name.setErrors({ server: true });
        this.form.controls.name.markAsTouched();
      } else this.error.set(describeError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
