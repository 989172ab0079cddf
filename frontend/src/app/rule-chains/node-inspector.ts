import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, output, signal, untracked } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatError, MatFormField, MatLabel } from '@angular/material/form-field';
import { MatIcon } from '@angular/material/icon';
import { MatInput } from '@angular/material/input';
import { MatSlideToggle } from '@angular/material/slide-toggle';
import { Subscription } from 'rxjs';
import type { GraphNode } from './rule-chain-graph';
import type { ComponentDescriptor, RuleNode } from './rule-chain.models';
import { SchemaForm, ScriptTester } from './schema-form.component';
import { fieldsOf, formGroupOf, formValueOf, SchemaField } from './schema-form';

const RAW_CONFIGURATION: SchemaField = {
  kind: 'json',
  key: 'configuration',
  label: 'Configuration (JSON)',
  required: true,
  nullable: false,
};

/** An outgoing connection as the inspector lists it. */
export interface OutgoingConnection {
  to: string;
  toName: string;
  labels: string[];
}

export interface NodeChange {
  key: string;
  node: RuleNode;
  /** The configuration form holds an invalid value (not applied). */
  invalid: boolean;
}

/** Edits the selected node: name, description, debug, configuration (from its schema), outgoing connections. */
@Component({
  selector: 'ew-node-inspector',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatFormField, MatLabel, MatError, MatInput, MatButton, MatIconButton, MatIcon, MatSlideToggle, SchemaForm],
  templateUrl: './node-inspector.html',
  styleUrl: './node-inspector.scss',
})
export class NodeInspector {
  readonly node = input.required<GraphNode>();
  readonly descriptor = input<ComponentDescriptor>();
  readonly outgoing = input<OutgoingConnection[]>([]);
  readonly isEntry = input(false);
  readonly testScript = input<ScriptTester>();
  readonly changed = output<NodeChange>();
  readonly editConnection = output<string>();
  readonly removeConnection = output<string>();
  readonly deleteNode = output<void>();
  readonly close = output<void>();

  protected readonly fields = signal<SchemaField[]>([]);
  protected readonly configForm = signal(new FormGroup({}));
  protected readonly name = new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.pattern(/\S/)] });
  protected readonly description = new FormControl('', { nonNullable: true });
  protected readonly debugOn = computed(() => (this.node().node.debugSettings?.allEnabledUntil ?? 0) > Date.now());
  protected readonly debugUntil = computed(() => new Date(this.node().node.debugSettings?.allEnabledUntil ?? 0).toLocaleTimeString());

  private subscriptions = new Subscription();

  constructor() {
    // A new form per selected node; edits to the same node do not rebuild it.
    const key = computed(() => this.node().key);
    effect(() => {
      key();
      untracked(() => this.rebuild());
    });
    inject(DestroyRef).onDestroy(() => this.subscriptions.unsubscribe());
  }

  private rebuild(): void {
    this.subscriptions.unsubscribe();
    this.subscriptions = new Subscription();
    const { node } = this.node();
    const schema = this.descriptor()?.edgewise?.configSchema;
    // Without a schema (a node type no plugin provides) the configuration is edited as JSON.
    const fields = schema ? fieldsOf(schema) : [RAW_CONFIGURATION];
    this.fields.set(fields);
    this.configForm.set(formGroupOf(fields, this.formValue(node.configuration ?? {})));
    this.name.setValue(node.name, { emitEvent: false });
    this.description.setValue(String(node.additionalInfo?.description ?? ''), { emitEvent: false });
    this.subscriptions.add(this.name.valueChanges.subscribe(() => this.emit()));
    this.subscriptions.add(this.description.valueChanges.subscribe(() => this.emit()));
    this.subscriptions.add(this.configForm().valueChanges.subscribe(() => this.emit()));
  }

  private get raw(): boolean {
    return this.fields()[0] === RAW_CONFIGURATION;
  }

  private formValue(configuration: Record<string, unknown>): Record<string, unknown> {
    return this.raw ? { [RAW_CONFIGURATION.key]: configuration } : configuration;
  }

  private emit(): void {
    const { key, node } = this.node();
    const form = this.configForm();
    let configuration = node.configuration;
    if (form.valid) {
      const value = formValueOf(this.fields(), form, this.formValue(node.configuration ?? {}));
      configuration = this.raw ? (value[RAW_CONFIGURATION.key] as Record<string, unknown>) : value;
    }
    this.changed.emit({
      key,
      invalid: form.invalid || this.name.invalid,
      node: {
        ...node,
        name: this.name.valid ? this.name.value.trim() : node.name,
        configuration,
        additionalInfo: { ...node.additionalInfo, description: this.description.value },
      },
    });
  }

  /** Debug of everything for the longest time the server allows (it caps the time: rest-api.md §2.4). */
  protected toggleDebug(on: boolean): void {
    const { key, node } = this.node();
    this.changed.emit({
      key,
      invalid: this.configForm().invalid || this.name.invalid,
      node: {
        ...node,
        debugSettings: on ? { failuresEnabled: true, allEnabled: true } : { failuresEnabled: true, allEnabled: false, allEnabledUntil: 0 },
      },
    });
  }
}
