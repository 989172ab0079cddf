import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { MatIconButton } from '@angular/material/button';
import { MatIcon } from '@angular/material/icon';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltip } from '@angular/material/tooltip';

/** Copies a text and says so; `label` names what is copied ("Copy token"), for screen readers and the tooltip. */
@Component({
  selector: 'ew-copy-button',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatIconButton, MatIcon, MatTooltip],
  template: `<button mat-icon-button type="button" [attr.aria-label]="label()" [matTooltip]="label()" (click)="copy()">
    <mat-icon>content_copy</mat-icon>
  </button>`,
})
export class CopyButton {
  private readonly clipboard = inject(Clipboard);
  private readonly snackBar = inject(MatSnackBar);
  readonly text = input.required<string>();
  readonly label = input('Copy');

  async copy(): Promise<void> {
    let copied: boolean;
    try {
      // The asynchronous Clipboard API where the page may use it (HTTPS or localhost), the CDK's fallback elsewhere.
      await navigator.clipboard.writeText(this.text());
      copied = true;
    } catch {
      copied = this.clipboard.copy(this.text());
    }
    this.snackBar.open(copied ? 'Copied to the clipboard' : 'Copying failed: select the text and copy it by hand', undefined, {
      duration: 2500,
    });
  }
}
