import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../core/api-error';
import type { DeviceCredentials } from '../core/api-models';
import { DevicesApi } from './devices.api';

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 20 random letters and digits, like the tokens the server generates. */
export function randomToken(length = 20): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join('');
}

/** Replaces a device's access token; closes with the saved credentials. */
@Component({
  selector: 'ew-credentials-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatDialogModule, MatFormField, MatLabel, MatHint, MatError, MatInput, MatButton],
  template: `<h2 mat-dialog-title>Change the access token</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="fields">
        <p>The device is disconnected and must log in with the new token from then on.</p>
        @if (error(); as message) {
          <p class="ew-banner ew-banner-error" role="alert">{{ message }}</p>
        }
        <mat-form-field>
          <mat-label>New access token</mat-label>
          <input matInput formControlName="token" required autocomplete="off" class="ew-mono" />
          <mat-hint>Up to 32 letters, digits, dots, dashes, underscores or tildes.</mat-hint>
          <mat-error>Enter a token of up to 32 letters, digits, dots, dashes, underscores or tildes.</mat-error>
        </mat-form-field>
        <div><button mat-button type="button" (click)="generate()">Generate a random token</button></div>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()">Change token</button>
      </mat-dialog-actions>
    </form>`,
  styles: `
    .fields {
      display: flex;
      flex-direction: column;
      gap: 16px;
    }
  `,
})
export class CredentialsDialog {
  private readonly api = inject(DevicesApi);
  private readonly dialogRef = inject<MatDialogRef<CredentialsDialog, DeviceCredentials>>(MatDialogRef);
  private readonly credentials = inject<DeviceCredentials>(MAT_DIALOG_DATA);
  protected readonly form = inject(NonNullableFormBuilder).group({
    token: [randomToken(), [Validators.required, Validators.maxLength(32), Validators.pattern(/^[A-Za-z0-9._~-]+$/)]],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  generate(): void {
    this.form.controls.token.setValue(randomToken());
  }

  async save(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      const saved = await firstValueFrom(
        this.api.saveCredentials({ ...this.credentials, credentialsType: 'ACCESS_TOKEN', credentialsId: this.form.getRawValue().token }),
      );
      this.dialogRef.close(saved);
    } catch (e) {
      this.error.set(describeError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
