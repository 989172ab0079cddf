import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatCheckbox } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';

export interface RelationDialogData {
  from: string;
  to: string;
  /** The labels the source node routes by. */
  relations: readonly string[];
  /** The node also routes by labels of the user's choosing (script switch, device profile, …). */
  customRelations: boolean;
  /** Labels of the connection being edited. */
  selected: readonly string[];
}

/** Which relation label(s) a connection carries; closes with the labels (empty = remove the connection). */
@Component({
  selector: 'ew-relation-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatDialogModule, MatButton, MatCheckbox, MatFormField, MatLabel, MatHint, MatInput],
  template: `<h2 mat-dialog-title>Connect {{ data.from }} → {{ data.to }}</h2>
    <mat-dialog-content>
      <p class="ew-muted">Messages {{ data.from }} routes with the checked labels go to {{ data.to }}.</p>
      <div class="labels" role="group" aria-label="Relation labels">
        @for (label of options(); track label) {
          <mat-checkbox [checked]="chosen().has(label)" (change)="toggle(label)">{{ label }}</mat-checkbox>
        }
      </div>
      @if (data.customRelations) {
        <mat-form-field class="custom">
          <mat-label>Custom label</mat-label>
          <input matInput [(ngModel)]="custom" (keydown.enter)="addCustom(); $event.preventDefault()" autocomplete="off" />
          <mat-hint>Type a label the node routes by and press Enter.</mat-hint>
        </mat-form-field>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button mat-flat-button type="button" [disabled]="!chosen().size && !data.selected.length" (click)="done()">
        {{ chosen().size || !data.selected.length ? 'Connect' : 'Remove connection' }}
      </button>
    </mat-dialog-actions>`,
  styles: `
    .labels {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
      gap: 0 16px;
    }
    .custom {
      width: 100%;
      margin-top: 16px;
    }
  `,
})
export class RelationDialog {
  protected readonly data = inject<RelationDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<RelationDialog, string[]>>(MatDialogRef);
  protected readonly chosen = signal(new Set(this.data.selected));
  private readonly added = signal<string[]>([]);
  protected readonly options = computed(() => [...new Set([...this.data.relations, ...this.data.selected, ...this.added()])]);
  protected custom = '';

  protected toggle(label: string): void {
    const next = new Set(this.chosen());
    if (!next.delete(label)) next.add(label);
    this.chosen.set(next);
  }

  protected addCustom(): void {
    const label = this.custom.trim();
    if (!label) return;
    this.added.update((labels) => [...labels, label]);
    this.chosen.set(new Set([...this.chosen(), label]));
    this.custom = '';
  }

  protected done(): void {
    this.ref.close(this.options().filter((label) => this.chosen().has(label)));
  }
}
