import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';

export interface ConfirmOptions {
  title: string;
  /** What will happen and to what, e.g. "Device Boiler-3 and its telemetry, attributes and alarms will be deleted." */
  message: string;
  confirmLabel: string;
  destructive?: boolean;
}

@Component({
  selector: 'ew-confirm-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButton],
  template: `<h2 mat-dialog-title>{{ options.title }}</h2>
    <mat-dialog-content>{{ options.message }}</mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="false">Cancel</button>
      <button mat-flat-button type="button" [class.destructive]="options.destructive" [mat-dialog-close]="true">
        {{ options.confirmLabel }}
      </button>
    </mat-dialog-actions>`,
})
export class ConfirmDialog {
  protected readonly options = inject<ConfirmOptions>(MAT_DIALOG_DATA);
}

/** Asks before an action; resolves true only when the person confirmed. */
export async function confirmAction(dialog: MatDialog, options: ConfirmOptions): Promise<boolean> {
  const ref = dialog.open<ConfirmDialog, ConfirmOptions, boolean>(ConfirmDialog, { data: options, width: '440px' });
  return (await firstValueFrom(ref.afterClosed())) === true;
}
