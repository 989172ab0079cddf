import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatIcon } from '@angular/material/icon';

/**
 * The message a page shows instead of content: empty ("No devices yet" + what to do next) or an error
 * (what happened + what to do; announced to screen readers). Actions and details go in the content.
 */
@Component({
  selector: 'ew-state-message',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatIcon],
  host: { '[attr.role]': "kind() === 'error' ? 'alert' : null", '[class.error]': "kind() === 'error'" },
  template: `<mat-icon aria-hidden="true">{{ icon() }}</mat-icon>
    <h2>{{ heading() }}</h2>
    <div class="body"><ng-content /></div>`,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 8px;
      padding: 48px 24px;
      text-align: center;
      color: var(--mat-sys-on-surface-variant);
    }
    mat-icon {
      width: 48px;
      height: 48px;
      font-size: 48px;
      color: var(--mat-sys-primary);
    }
    :host(.error) mat-icon {
      color: var(--mat-sys-error);
    }
    h2 {
      margin: 0;
      font: var(--mat-sys-title-large);
      color: var(--mat-sys-on-surface);
    }
    .body {
      max-width: 640px;
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 16px;
    }
  `,
})
export class StateMessage {
  readonly kind = input<'empty' | 'error'>('empty');
  readonly heading = input.required<string>();
  readonly icon = input('info');
}
