import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { CopyButton } from './copy-button';

/** A command to copy and run, shown in monospace with a copy button. */
@Component({
  selector: 'ew-code-snippet',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [CopyButton],
  template: `<div class="snippet">
    <pre [attr.aria-label]="label()"><code>{{ code() }}</code></pre>
    <ew-copy-button [text]="code()" [label]="'Copy ' + label()" />
  </div>`,
  styles: `
    .snippet {
      display: flex;
      align-items: flex-start;
      gap: 8px;
      padding: 8px 8px 8px 16px;
      border-radius: 8px;
      background: var(--mat-sys-surface-container-high);
    }
    pre {
      flex: 1;
      margin: 8px 0;
      overflow-x: auto;
      white-space: pre-wrap;
      word-break: break-all;
      font:
        13px/1.5 ui-monospace,
        'SFMono-Regular',
        Menlo,
        Consolas,
        monospace;
    }
  `,
})
export class CodeSnippet {
  readonly code = input.required<string>();
  /** What the command is, e.g. "MQTT command". */
  readonly label = input.required<string>();
}
