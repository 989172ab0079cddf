import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatProgressBar } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { describeError } from '../core/api-error';
import { AuthService } from './auth.service';

const samePasswords = (group: AbstractControl): ValidationErrors | null =>
  group.get('password')?.value === group.get('repeat')?.value ? null : { different: true };

/** An invited user sets a password (from the invitation link) and is logged in. */
@Component({
  selector: 'ew-create-password-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatFormField, MatLabel, MatHint, MatError, MatInput, MatButton, MatProgressBar],
  template: `<main class="login">
    <form class="card" [formGroup]="form" (ngSubmit)="submit()" novalidate aria-labelledby="title">
      @if (busy()) {
        <mat-progress-bar mode="indeterminate" aria-label="Saving" />
      }
      <h1 id="title">Set your password</h1>
      <p class="ew-muted">You were invited to Edgewise. Choose the password you will log in with.</p>
      @if (!activateToken()) {
        <p class="error" role="alert">This link is incomplete. Open the whole link from your invitation.</p>
      }
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
      <mat-form-field>
        <mat-label>Password</mat-label>
        <input matInput type="password" formControlName="password" autocomplete="new-password" required />
        <mat-hint>At least 6 characters.</mat-hint>
        <mat-error>Use at least 6 characters.</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Repeat the password</mat-label>
        <input matInput type="password" formControlName="repeat" autocomplete="new-password" required />
        <mat-error>Enter the same password again.</mat-error>
      </mat-form-field>
      @if (form.hasError('different') && form.controls.repeat.touched) {
        <p class="error" role="alert">The two passwords differ.</p>
      }
      <button mat-flat-button type="submit" [disabled]="busy() || !activateToken()">Set password and log in</button>
    </form>
  </main>`,
  styleUrl: './login.page.scss',
})
export default class CreatePasswordPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  /** From the invitation link. */
  readonly activateToken = input<string>();
  protected readonly form = inject(NonNullableFormBuilder).group(
    { password: ['', [Validators.required, Validators.minLength(6)]], repeat: ['', [Validators.required]] },
    { validators: samePasswords },
  );
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  async submit(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.activate(this.activateToken()!, this.form.getRawValue().password);
      await this.router.navigateByUrl('/');
    } catch (e) {
      this.error.set(describeError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
