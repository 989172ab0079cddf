import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
import { catchError, firstValueFrom, lastValueFrom, of, tap } from 'rxjs';
import { describeError } from '../core/api-error';
import { DevicesApi } from '../devices/devices.api';
import { CHECKSUM_ALGORITHMS, OTA_PACKAGE_TYPES, OtaApi, OtaPackageInfo } from './ota.api';

const HEX = /^[0-9a-fA-F]+$/;

/** Creates a package and uploads its binary with a progress bar; closes with the stored package. */
@Component({
  selector: 'ew-ota-upload-dialog',
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
    MatButton,
    MatProgressBar,
  ],
  template: `
    <h2 mat-dialog-title>Upload a package</h2>
    <form [formGroup]="form" (ngSubmit)="upload()" novalidate>
      <mat-dialog-content class="fields">
        @if (error(); as message) {
          <p class="ew-banner ew-banner-error" role="alert">{{ message }}</p>
        }
        <mat-form-field>
          <mat-label>Title</mat-label>
          <input matInput formControlName="title" required cdkFocusInitial autocomplete="off" />
          <mat-hint>What devices see as fw_title, e.g. "tracker".</mat-hint>
          <mat-error>Give the package a title.</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Version</mat-label>
          <input matInput formControlName="version" required autocomplete="off" />
          <mat-error>Give the version, e.g. 1.2.0 (title and version together must be new).</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Type</mat-label>
          <mat-select formControlName="type">
            @for (type of types; track type) {
              <mat-option [value]="type">{{ type === 'FIRMWARE' ? 'Firmware' : 'Software' }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Device profile</mat-label>
          <mat-select formControlName="profileId" required>
            @for (profile of profiles() ?? []; track profile.id.id) {
              <mat-option [value]="profile.id.id">{{ profile.name }}</mat-option>
            }
          </mat-select>
          <mat-hint>The package can only be assigned to devices of this profile.</mat-hint>
          <mat-error>Pick the profile of the devices this package is for.</mat-error>
        </mat-form-field>
        <div class="file">
          <label for="ota-file">File</label>
          <input id="ota-file" type="file" (change)="pickFile($event)" [disabled]="busy()" />
          @if (fileMissing()) {
            <span class="warn" role="alert">Choose the binary to upload.</span>
          }
        </div>
        <mat-form-field>
          <mat-label>Checksum algorithm</mat-label>
          <mat-select formControlName="algorithm">
            @for (algorithm of algorithms; track algorithm) {
              <mat-option [value]="algorithm">{{ algorithm }}</mat-option>
            }
          </mat-select>
          <mat-hint>Devices verify the download with it.</mat-hint>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Checksum</mat-label>
          <input matInput formControlName="checksum" autocomplete="off" />
          <mat-hint>Optional: the server refuses the file if it does not match; empty = computed.</mat-hint>
          <mat-error>Use hexadecimal digits only.</mat-error>
        </mat-form-field>
        @if (progress() !== null) {
          <div class="progress">
            <mat-progress-bar
              [mode]="progress() === undefined ? 'indeterminate' : 'determinate'"
              [value]="(progress() ?? 0) * 100"
              aria-label="Upload progress"
            />
            <span role="status">{{ progressText() }}</span>
          </div>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close [disabled]="busy()">Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()">Upload</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .fields {
      display: flex;
      flex-direction: column;
      gap: 16px;
    }
    .file {
      display: flex;
      flex-direction: column;
      gap: 4px;
      font: var(--mat-sys-body-medium);
    }
    .warn {
      color: var(--mat-sys-error);
    }
    .progress {
      display: flex;
      flex-direction: column;
      gap: 4px;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class UploadDialog {
  private readonly api = inject(OtaApi);
  private readonly dialogRef = inject<MatDialogRef<UploadDialog, OtaPackageInfo>>(MatDialogRef);
  protected readonly types = OTA_PACKAGE_TYPES;
  protected readonly algorithms = CHECKSUM_ALGORITHMS;
  protected readonly profiles = toSignal(
    inject(DevicesApi)
      .profileNames()
      .pipe(catchError(() => of(null))),
  );
  protected readonly form = inject(NonNullableFormBuilder).group({
    title: ['', [Validators.required, Validators.pattern(/\S/)]],
    version: ['', [Validators.required, Validators.pattern(/\S/)]],
    type: ['FIRMWARE' as (typeof OTA_PACKAGE_TYPES)[number]],
    profileId: ['', [Validators.required]],
    algorithm: ['SHA256' as (typeof CHECKSUM_ALGORITHMS)[number]],
    checksum: ['', [Validators.pattern(HEX)]],
  });
  private file: File | null = null;
  protected readonly fileMissing = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  /** null: no upload yet; undefined: sending, size unknown; else the fraction sent. */
  protected readonly progress = signal<number | null | undefined>(null);
  protected readonly progressText = signal('');

  constructor() {
    effect(() => {
      const profiles = this.profiles();
      if (profiles === null) this.error.set('The device profiles could not be loaded: close this dialog and try again.');
      if (!profiles?.length || this.form.controls.profileId.value) return;
      this.form.controls.profileId.setValue((profiles.find((p) => p.name === 'default') ?? profiles[0]).id.id);
    });
  }

  pickFile(event: Event): void {
    this.file = (event.target as HTMLInputElement).files?.[0] ?? null;
    this.fileMissing.set(!this.file);
  }

  /**
   * Creates the package, then sends its binary. A failed upload deletes the package it just created, so a retry
   * with the same title and version is not refused as a duplicate.
   */
  async upload(): Promise<void> {
    this.form.markAllAsTouched();
    this.fileMissing.set(!this.file);
    if (this.form.invalid || !this.file) return;
    const file = this.file;
    const { title, version, type, profileId, algorithm, checksum } = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    this.form.disable();
    let created: OtaPackageInfo | undefined;
    try {
      created = await firstValueFrom(
        this.api.create({
          title: title.trim(),
          version: version.trim(),
          type,
          deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
        }),
      );
      this.showProgress(0, file.size);
      const stored = await lastValueFrom(
        this.api.upload(created.id.id, file, algorithm, checksum.trim().toLowerCase() || undefined).pipe(
          tap((step) => {
            if (!step.done) this.showProgress(step.fraction, step.total ?? file.size, step.loaded);
          }),
        ),
      );
      if (stored.done) this.dialogRef.close(stored.value);
    } catch (e) {
      if (created) await firstValueFrom(this.api.delete(created.id.id)).catch(() => undefined);
      this.error.set(`${created ? 'The file was not stored' : 'The package was not created'}: ${describeError(e)}`);
      this.progress.set(null);
      this.busy.set(false);
      this.form.enable();
    }
  }

  private showProgress(fraction: number | null, total: number, loaded = 0): void {
    this.progress.set(fraction ?? undefined);
    const kb = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString()} KB`;
    this.progressText.set(
      fraction === null
        ? `Uploading ${kb(total)}…`
        : fraction >= 1
          ? 'Checking and storing…'
          : `${Math.round(fraction * 100)} % of ${kb(total)} sent (${kb(loaded)})`,
    );
  }
}
