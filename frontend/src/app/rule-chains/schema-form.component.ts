import { ChangeDetectionStrategy, Component, computed, effect, input, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatChipGrid, MatChipInput, MatChipInputEvent, MatChipRemove, MatChipRow } from '@angular/material/chips';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatIcon } from '@angular/material/icon';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';
import { MatSlideToggle } from '@angular/material/slide-toggle';
import type { ScriptLang } from './rule-chain.models';
import { SchemaField, scriptVisible } from './schema-form';

/** Runs a script field against a sample message (the editor opens its test dialog). */
export type ScriptTester = (script: string, lang: ScriptLang, field: string) => void;

/** The fields of a schema-generated form (`schema-form.ts`); objects nest as titled groups. */
@Component({
  selector: 'ew-schema-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatFormField,
    MatLabel,
    MatHint,
    MatError,
    MatInput,
    MatSelect,
    MatOption,
    MatSlideToggle,
    MatChipGrid,
    MatChipRow,
    MatChipInput,
    MatChipRemove,
    MatIcon,
    MatButton,
  ],
  templateUrl: './schema-form.component.html',
  styleUrl: './schema-form.component.scss',
})
export class SchemaForm {
  readonly fields = input.required<readonly SchemaField[]>();
  readonly group = input.required<FormGroup>();
  readonly testScript = input<ScriptTester>();

  /** Counts the group's changes, so which script field shows follows the chosen language. */
  private readonly changes = signal(0);
  protected readonly visibleFields = computed(() => {
    this.changes();
    return this.fields().filter((field) => scriptVisible(field, this.group()));
  });

  constructor() {
    effect((onCleanup) => {
      const subscription = this.group().valueChanges.subscribe(() => this.changes.update((n) => n + 1));
      onCleanup(() => subscription.unsubscribe());
    });
  }

  protected control(key: string): FormControl {
    return this.group().controls[key] as FormControl;
  }

  protected subgroup(key: string): FormGroup {
    return this.group().controls[key] as FormGroup;
  }

  protected addItem(key: string, event: MatChipInputEvent): void {
    const value = event.value.trim();
    const control = this.control(key);
    if (value && !(control.value as string[]).includes(value)) {
      control.setValue([...(control.value as string[]), value]);
      control.markAsDirty();
    }
    event.chipInput.clear();
  }

  protected removeItem(key: string, item: string): void {
    const control = this.control(key);
    control.setValue((control.value as string[]).filter((v) => v !== item));
    control.markAsDirty();
  }

  protected numberError(field: SchemaField & { kind: 'number' }): string {
    const control = this.control(field.key);
    if (control.hasError('required')) return 'Enter a number.';
    if (control.hasError('pattern')) return 'Enter a whole number.';
    if (control.hasError('min')) return `Enter ${field.minimum} or more.`;
    if (control.hasError('max')) return `Enter ${field.maximum} or less.`;
    return '';
  }
}
