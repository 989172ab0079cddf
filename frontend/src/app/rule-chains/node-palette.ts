import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { MatFormField, MatLabel, MatPrefix } from '@angular/material/form-field';
import { MatIcon } from '@angular/material/icon';
import { MatInput } from '@angular/material/input';
import { MatTooltip } from '@angular/material/tooltip';
import { FExternalItem } from '@foblex/flow';
import { paletteGroups } from './palette-groups';
import type { ComponentDescriptor } from './rule-chain.models';

/** The node catalogue by category, searchable; drag an entry onto the canvas, or press it to add it. */
@Component({
  selector: 'ew-node-palette',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FExternalItem, MatFormField, MatLabel, MatPrefix, MatInput, MatIcon, MatTooltip],
  template: `<mat-form-field class="search">
      <mat-label>Search nodes</mat-label>
      <mat-icon matPrefix aria-hidden="true">search</mat-icon>
      <input matInput type="search" [value]="query()" (input)="query.set($any($event.target).value)" autocomplete="off" />
    </mat-form-field>
    <div class="groups">
      @for (group of groups(); track group.type) {
        <section [attr.aria-label]="group.label">
          <h3>{{ group.label }}</h3>
          @for (node of group.nodes; track node.clazz) {
            <button
              type="button"
              class="item"
              [class]="'cat-' + group.type.toLowerCase()"
              fExternalItem
              [fData]="node.clazz"
              [matTooltip]="node.configurationDescriptor.nodeDefinition.description"
              matTooltipPosition="right"
              (click)="add.emit(node)"
            >
              <mat-icon aria-hidden="true">{{ node.configurationDescriptor.nodeDefinition.icon }}</mat-icon>{{ node.name }}
            </button>
          }
        </section>
      } @empty {
        <p class="ew-muted">No node matches "{{ query() }}".</p>
      }
    </div>`,
  styleUrl: './node-palette.scss',
})
export class NodePalette {
  readonly components = input.required<readonly ComponentDescriptor[]>();
  readonly add = output<ComponentDescriptor>();
  protected readonly query = signal('');
  protected readonly groups = computed(() => paletteGroups(this.components(), this.query()));
}
