import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../core/api-error';
import type { RuleChain } from './rule-chain.models';
import { RuleChainsApi } from './rule-chains.api';

/** Creates an empty rule chain; closes with it. */
@Component({
  selector: 'ew-rule-chain-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatDialogModule, MatButton, MatFormField, MatLabel, MatError, MatInput],
  template: `<h2 mat-dialog-title>Create a rule chain</h2>
    <form [formGroup]="form" (ngSubmit)="create()" novalidate>
      <mat-dialog-content class="fields">
        @if (error(); as message) {
          <p class="ew-banner ew-banner-error" role="alert">{{ message }}</p>
        }
        <mat-form-field>
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" required cdkFocusInitial autocomplete="off" />
          <mat-error>Give the chain a name, e.g. Thermostat alarms.</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Description</mat-label>
          <textarea matInput formControlName="description" rows="2"></textarea>
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()">Create</button>
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
export class RuleChainDialog {
  private readonly api = inject(RuleChainsApi);
  private readonly ref = inject<MatDialogRef<RuleChainDialog, RuleChain>>(MatDialogRef);
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(255), Validators.pattern(/\S/)]],
    description: [''],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async create(): Promise<void> {
    if (this.form.invalid) return this.form.markAllAsTouched();
    const { name, description } = this.form.getRawValue();
    this.busy.set(true);
    try {
      this.ref.close(await firstValueFrom(this.api.save({ name: name.trim(), type: 'CORE', additionalInfo: { description } })));
    } catch (e) {
      this.error.set(describeError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
