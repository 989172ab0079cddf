import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatError, MatFormField, MatHint, MatLabel, MatSuffix } from '@angular/material/form-field';
import { MatIcon } from '@angular/material/icon';
import { MatInput } from '@angular/material/input';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatSlideToggle } from '@angular/material/slide-toggle';
import { firstValueFrom } from 'rxjs';
import { RelativeTime } from '../../ui/relative-time';
import { DeviceContext } from '../device-context';
import { DevicesApi } from '../devices.api';
import { RpcOutcome, rpcOutcome } from '../rpc-outcome';

interface RpcCall extends RpcOutcome {
  id: number;
  at: number;
  method: string;
  params: string;
  twoWay: boolean;
}

const validJson = (control: AbstractControl): ValidationErrors | null => {
  try {
    JSON.parse(control.value as string);
    return null;
  } catch {
    return { json: true };
  }
};

/** Sends server-side RPC to the device (one-way or two-way) and shows the reply or why there is none. */
@Component({
  selector: 'ew-rpc-console-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatFormField,
    MatLabel,
    MatHint,
    MatError,
    MatSuffix,
    MatInput,
    MatSlideToggle,
    MatButton,
    MatIcon,
    MatProgressBar,
    RelativeTime,
  ],
  templateUrl: './rpc-console.tab.html',
  styleUrl: './rpc-console.tab.scss',
})
export default class RpcConsoleTab {
  private readonly context = inject(DeviceContext);
  private readonly api = inject(DevicesApi);
  private nextId = 1;

  protected readonly form = inject(NonNullableFormBuilder).group({
    method: ['', [Validators.required, Validators.pattern(/\S/)]],
    params: ['{}', [Validators.required, validJson]],
    twoWay: [true],
    timeout: [10, [Validators.required, Validators.min(5), Validators.max(600)]],
  });
  protected readonly sending = signal(false);
  /** This page's calls, newest first. */
  protected readonly calls = signal<RpcCall[]>([]);

  async send(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { method, params, twoWay, timeout } = this.form.getRawValue();
    this.sending.set(true);
    let outcome: RpcOutcome;
    try {
      const response = await firstValueFrom(
        this.api.rpc(this.context.deviceId(), twoWay, { method: method.trim(), params: JSON.parse(params), timeout: timeout * 1000 }),
      );
      outcome = rpcOutcome(response, twoWay, timeout);
    } catch (e) {
      outcome = e instanceof HttpErrorResponse ? rpcOutcome(e, twoWay, timeout) : { ok: false, summary: String(e) };
    } finally {
      this.sending.set(false);
    }
    this.calls.update((calls) => [{ id: this.nextId++, at: Date.now(), method: method.trim(), params, twoWay, ...outcome }, ...calls]);
  }
}
