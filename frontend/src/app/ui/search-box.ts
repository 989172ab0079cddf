import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, output } from '@angular/core';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatIconButton } from '@angular/material/button';
import { MatFormField, MatLabel, MatPrefix, MatSuffix } from '@angular/material/form-field';
import { MatIcon } from '@angular/material/icon';
import { MatInput } from '@angular/material/input';
import { debounceTime, distinctUntilChanged, map } from 'rxjs';

/** A search field that reports what was typed once typing pauses (and at once when cleared). */
@Component({
  selector: 'ew-search-box',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatFormField, MatLabel, MatInput, MatIcon, MatIconButton, MatPrefix, MatSuffix],
  template: `<mat-form-field class="search">
    <mat-label>{{ label() }}</mat-label>
    <mat-icon matPrefix aria-hidden="true">search</mat-icon>
    <input matInput type="search" [formControl]="text" />
    @if (text.value) {
      <button matSuffix mat-icon-button type="button" aria-label="Clear search" (click)="text.setValue('')">
        <mat-icon>close</mat-icon>
      </button>
    }
  </mat-form-field>`,
  styles: `
    .search {
      width: min(360px, 100%);
    }
  `,
})
export class SearchBox {
  readonly label = input.required<string>();
  /** The current search (e.g. from the URL); typing does not fight with it. */
  readonly value = input('');
  readonly search = output<string>();
  protected readonly text = new FormControl('', { nonNullable: true });

  constructor() {
    effect(() => {
      const value = this.value();
      if (value !== this.text.value.trim()) this.text.setValue(value, { emitEvent: false });
    });
    const subscription = this.text.valueChanges
      .pipe(
        map((text) => text.trim()),
        debounceTime(300),
        distinctUntilChanged(),
      )
      .subscribe((text) => this.search.emit(text));
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
