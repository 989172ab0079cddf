import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';
import { firstValueFrom, startWith } from 'rxjs';
import { describeError } from '../core/api-error';
import type { AttributeScope } from '../core/api-models';
import { DevicesApi } from './devices.api';

export type ValueType = 'string' | 'number' | 'boolean' | 'json';

/** The type a value shown as text most likely had (the WebSocket API sends every value as text). */
export function guessType(text: string): ValueType {
  if (text === 'true' || text === 'false') return 'boolean';
  if (text.trim() !== '' && Number.isFinite(Number(text))) return 'number';
  if (/^\s*[[{]/.test(text)) {
    try {
      JSON.parse(text);
      return 'json';
    } catch {
      return 'string';
    }
  }
  return 'string';
}

/** The typed value to save, or undefined when the text is not a value of that type. */
export function parseValue(type: ValueType, text: string): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
  }
}

export interface AttributeDialogData {
  deviceId: string;
  scope: AttributeScope;
  /** Editing this attribute; a new one when absent. */
  key?: string;
  value?: string;
}

/** Adds or changes one shared or server attribute. */
@Component({
  selector: 'ew-attribute-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatDialogModule, MatFormField, MatLabel, MatHint, MatError, MatInput, MatSelect, MatOption, MatButton],
  templateUrl: './attribute-dialog.html',
  styles: `
    .fields {
      display: flex;
      flex-direction: column;
      gap: 16px;
    }
  `,
})
export class AttributeDialog {
  private readonly api = inject(DevicesApi);
  private readonly dialogRef = inject<MatDialogRef<AttributeDialog, boolean>>(MatDialogRef);
  protected readonly data = inject<AttributeDialogData>(MAT_DIALOG_DATA);
  protected readonly editing = this.data.key !== undefined;
  protected readonly scopeName = this.data.scope === 'SHARED_SCOPE' ? 'shared' : 'server';

  protected readonly form = inject(NonNullableFormBuilder).group(
    {
      key: [this.data.key ?? '', [Validators.required, Validators.pattern(/\S/)]],
      type: [guessType(this.data.value ?? '') as ValueType],
      value: [this.data.value ?? ''],
    },
    { validators: (group: AbstractControl): ValidationErrors | null => this.valueError(group) },
  );
  private readonly type = toSignal(this.form.controls.type.valueChanges.pipe(startWith(this.form.controls.type.value)), {
    requireSync: true,
  });
  protected readonly valueHint = computed(
    () =>
      ({
        string: 'Any text.',
        number: 'A number, e.g. 42 or 21.5.',
        boolean: 'true or false.',
        json: 'A JSON value, e.g. {"mode":"eco"} or [1,2].',
      })[this.type()],
  );
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  private valueError(group: AbstractControl): ValidationErrors | null {
    const { type, value } = group.value as { type: ValueType; value: string };
    const invalid = parseValue(type, value ?? '') === undefined;
    const control = group.get('value');
    if (invalid) control?.setErrors({ type: true });
    else if (control?.hasError('type')) control.setErrors(null);
    return null;
  }

  async save(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { key, type, value } = this.form.getRawValue();
    this.busy.set(true);
    this.error.set(null);
    try {
      await firstValueFrom(this.api.saveAttributes(this.data.deviceId, this.data.scope, { [key.trim()]: parseValue(type, value) }));
      this.dialogRef.close(true);
    } catch (e) {
      this.error.set(describeError(e));
    } finally {
      this.busy.set(false);
    }
  }
}
