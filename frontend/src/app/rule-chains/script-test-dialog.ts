import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, ValidatorFn } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatIcon } from '@angular/material/icon';
import { MatInput } from '@angular/material/input';
import { MatProgressBar } from '@angular/material/progress-bar';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../core/api-error';
import type { ScriptLang, ScriptTestRequest, ScriptTestResult } from './rule-chain.models';
import { RuleChainsApi } from './rule-chains.api';

export interface ScriptTestData {
  nodeName: string;
  script: string;
  lang: ScriptLang;
  scriptType: ScriptTestRequest['scriptType'];
  argNames: string[];
}

/** What the server's script test runs for each script node class (rest-api.md §2.7). */
export function scriptTestKind(nodeClass: string): Pick<ScriptTestData, 'scriptType' | 'argNames'> {
  const args = ['msg', 'metadata', 'msgType'];
  if (nodeClass.endsWith('.TbJsFilterNode')) return { scriptType: 'filter', argNames: args };
  if (nodeClass.endsWith('.TbJsSwitchNode')) return { scriptType: 'switch', argNames: args };
  if (nodeClass.endsWith('.TbTransformMsgNode')) return { scriptType: 'update', argNames: args };
  if (nodeClass.endsWith('.TbMsgGeneratorNode')) return { scriptType: 'generate', argNames: ['prevMsg', 'prevMetadata', 'prevMsgType'] };
  if (nodeClass.endsWith('.TbLogNode')) return { scriptType: 'string', argNames: args };
  // Alarm details builders and the like return a JSON value.
  return { scriptType: 'json', argNames: args };
}

const jsonObject: ValidatorFn = (control) => {
  try {
    const value: unknown = JSON.parse(String(control.value));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? null
      : { json: 'Enter a JSON object, e.g. {"temperature": 22}' };
  } catch (e) {
    return { json: `Not valid JSON: ${(e as Error).message}` };
  }
};

/** Runs a node's script on the server against a sample message the user writes, and shows what it returned. */
@Component({
  selector: 'ew-script-test-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatDialogModule, MatButton, MatFormField, MatLabel, MatHint, MatError, MatInput, MatIcon, MatProgressBar],
  template: `<h2 mat-dialog-title>Test the script of {{ data.nodeName }}</h2>
    <form [formGroup]="form" (ngSubmit)="run()">
      <mat-dialog-content class="fields">
        <pre class="ew-mono script" aria-label="Script">{{ data.script }}</pre>
        <mat-form-field>
          <mat-label>Message</mat-label>
          <textarea matInput class="ew-mono" rows="4" formControlName="msg" spellcheck="false"></textarea>
          <mat-error>{{ form.controls.msg.getError('json') }}</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Metadata</mat-label>
          <textarea matInput class="ew-mono" rows="3" formControlName="metadata" spellcheck="false"></textarea>
          <mat-hint>Metadata values are text.</mat-hint>
          <mat-error>{{ form.controls.metadata.getError('json') }}</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Message type</mat-label>
          <input matInput formControlName="msgType" autocomplete="off" />
        </mat-form-field>
        @if (busy()) {
          <mat-progress-bar mode="indeterminate" aria-label="Running the script" />
        }
        @if (result(); as r) {
          @if (r.error) {
            <p class="ew-banner ew-banner-error" role="alert">The script failed: {{ r.error }}</p>
          } @else {
            <section aria-label="Output">
              <h3>Output</h3>
              <pre class="ew-mono output">{{ r.output }}</pre>
            </section>
          }
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Close</button>
        <button mat-flat-button type="submit" [disabled]="busy()"><mat-icon>play_arrow</mat-icon>Run</button>
      </mat-dialog-actions>
    </form>`,
  styles: `
    .fields {
      display: flex;
      flex-direction: column;
      gap: 16px;
    }
    pre {
      margin: 0;
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--mat-sys-surface-container);
      white-space: pre-wrap;
      overflow: auto;
      max-height: 200px;
    }
    h3 {
      margin: 0 0 8px;
      font: var(--mat-sys-title-small);
    }
  `,
})
export class ScriptTestDialog {
  protected readonly data = inject<ScriptTestData>(MAT_DIALOG_DATA);
  private readonly api = inject(RuleChainsApi);
  protected readonly form = inject(NonNullableFormBuilder).group({
    msg: ['{\n  "temperature": 22\n}', jsonObject],
    metadata: ['{\n  "deviceName": "Test device",\n  "deviceType": "default"\n}', jsonObject],
    msgType: ['POST_TELEMETRY_REQUEST'],
  });
  protected readonly busy = signal(false);
  protected readonly result = signal<ScriptTestResult | null>(null);

  protected async run(): Promise<void> {
    if (this.form.invalid) return this.form.markAllAsTouched();
    const { msg, metadata, msgType } = this.form.getRawValue();
    const request: ScriptTestRequest = {
      script: this.data.script,
      scriptType: this.data.scriptType,
      argNames: this.data.argNames,
      msg,
      metadata: Object.fromEntries(Object.entries(JSON.parse(metadata) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
      msgType,
    };
    this.busy.set(true);
    try {
      this.result.set(await firstValueFrom(this.api.testScript(request, this.data.lang)));
    } catch (e) {
      this.result.set({ output: '', error: describeError(e) });
    } finally {
      this.busy.set(false);
    }
  }
}
