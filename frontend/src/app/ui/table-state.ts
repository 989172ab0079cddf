import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatProgressBar } from '@angular/material/progress-bar';
import { StateMessage } from './state-message';

/**
 * The top of a card that shows loaded data (a table or list): until the first answer, a progress bar or why it
 * failed with "Try again"; once data is shown, a thin progress bar over it while it reloads. The page renders the
 * data itself (inside `@if` on the same condition as `loaded`), since projected content would be evaluated
 * before the data exists.
 */
@Component({
  selector: 'ew-table-state',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButton, MatProgressBar, StateMessage],
  template: `@if (!loaded()) {
      @if (error()) {
        <ew-state-message kind="error" [heading]="errorHeading()" icon="error">
          <p>{{ error() }}</p>
          <button mat-flat-button type="button" (click)="retry.emit()">Try again</button>
        </ew-state-message>
      } @else {
        <mat-progress-bar mode="indeterminate" [attr.aria-label]="loadingLabel()" />
      }
    } @else if (loading()) {
      <mat-progress-bar class="reloading" mode="indeterminate" [attr.aria-label]="loadingLabel()" />
    }`,
  styles: `
    :host {
      display: block;
      position: relative;
    }
    /* Over the data rather than pushing it down, so the table does not jump on every reload. */
    .reloading {
      position: absolute;
    }
  `,
})
export class TableState {
  /** Whether the data is there to show (a reload keeps the previous data). */
  readonly loaded = input.required<boolean>();
  readonly loading = input.required<boolean>();
  /** Why the last load failed, as a sentence for the user. */
  readonly error = input<string | null>(null);
  /** E.g. "Loading devices": the progress bars' accessible name. */
  readonly loadingLabel = input.required<string>();
  /** E.g. "Devices could not be loaded". */
  readonly errorHeading = input.required<string>();
  readonly retry = output();
}

/** Why a reload failed, above data that is still shown (the last good answer), with "Try again"; nothing without an error. */
@Component({
  selector: 'ew-refresh-error',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButton],
  template: `@if (error()) {
    <p class="ew-banner ew-banner-error" role="alert">
      {{ error() }}
      <button mat-button type="button" (click)="retry.emit()">Try again</button>
    </p>
  }`,
  styles: `
    :host {
      display: block;
    }
  `,
})
export class RefreshError {
  readonly error = input<string | null>(null);
  readonly retry = output();
}
