import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked, ViewEncapsulation } from '@angular/core';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIcon } from '@angular/material/icon';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltip } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';
import { FCanvasComponent, FCreateConnectionEvent, FCreateNodeEvent, FFlowModule, FSelectionChangeEvent } from '@foblex/flow';
import { HttpErrorResponse } from '@angular/common/http';
import { firstValueFrom, forkJoin } from 'rxjs';
import { describeError } from '../core/api-error';
import { loader } from '../core/loader';
import { confirmAction } from '../ui/confirm-dialog';
import { StateMessage } from '../ui/state-message';
import { DebugPanel } from './debug-panel';
import { NodeChange, NodeInspector, OutgoingConnection } from './node-inspector';
import { NodePalette } from './node-palette';
import { RelationDialog, RelationDialogData } from './relation-dialog';
import {
  createNode,
  edgeId,
  edgesOf,
  graphToMetadata,
  labelsBetween,
  metadataToGraph,
  Point,
  removeNodes,
  RuleChainGraph,
  sameGraph,
  setLabels,
  wouldCycle,
} from './rule-chain-graph';
import type { ComponentDescriptor, RuleChain, RuleChainMetaData, ScriptLang } from './rule-chain.models';
import { RuleChainsApi } from './rule-chains.api';
import { ScriptTestData, ScriptTestDialog, scriptTestKind } from './script-test-dialog';
import type { ScriptTester } from './schema-form.component';
import { VersionsDialog, VersionsDialogData } from './versions-dialog';

/** The canvas's "Input": where messages enter the chain; connecting it to a node makes that node the first one. */
export const INPUT_KEY = 'input';
const inId = (key: string) => `in:${key}`;
const outId = (key: string) => `out:${key}`;
const keyOf = (connectorId: string) => connectorId.slice(connectorId.indexOf(':') + 1);

interface Loaded {
  chain: RuleChain;
  metadata: RuleChainMetaData;
  components: ComponentDescriptor[];
}

/**
 * The visual rule-chain editor: drag nodes from the palette, connect an output to an input and pick the relation
 * labels, edit the selected node's configuration, delete with the Delete key, save as a new version (a stale
 * version is refused by the server and the work stays on the canvas), restore versions, debug nodes live.
 */
@Component({
  selector: 'ew-rule-chain-editor-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // The flow's SVG internals are outside any component's view: the canvas styles must be global (scoped by class).
  encapsulation: ViewEncapsulation.None,
  imports: [
    FFlowModule,
    RouterLink,
    MatButton,
    MatIconButton,
    MatIcon,
    MatProgressBar,
    MatTooltip,
    StateMessage,
    NodePalette,
    NodeInspector,
    DebugPanel,
  ],
  templateUrl: './rule-chain-editor.page.html',
  styleUrl: './rule-chain-editor.page.scss',
  host: {
    class: 'ew-rule-chain-editor',
    '(window:beforeunload)': 'warnBeforeUnload($event)',
    '(document:keydown.delete)': 'deleteKey($event)',
    '(document:keydown.backspace)': 'deleteKey($event)',
  },
})
export default class RuleChainEditorPage {
  readonly ruleChainId = input.required<string>();
  private readonly api = inject(RuleChainsApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly loaded = loader(
    () => this.ruleChainId(),
    (id) => forkJoin({ chain: this.api.get(id), metadata: this.api.metadata(id), components: this.api.components() }),
  );
  protected readonly chain = signal<RuleChain | null>(null);
  protected readonly components = signal<ComponentDescriptor[]>([]);
  private readonly byClass = computed(() => new Map(this.components().map((c) => [c.clazz, c])));

  /** What is on the canvas, and what the server has (the version the next save builds on). */
  protected readonly graph = signal<RuleChainGraph>({ nodes: [], connections: [], firstNodeKey: null });
  private readonly saved = signal<{ graph: RuleChainGraph; metadata: RuleChainMetaData } | null>(null);
  protected readonly dirty = computed(() => {
    const saved = this.saved();
    return !!saved && !sameGraph(saved.graph, this.graph());
  });
  /** Nodes whose configuration form holds an invalid value: saving waits until they are fixed. */
  private readonly invalidNodes = signal<ReadonlySet<string>>(new Set());
  protected readonly invalidNames = computed(() =>
    this.graph()
      .nodes.filter((n) => this.invalidNodes().has(n.key))
      .map((n) => n.node.name),
  );
  protected readonly saving = signal(false);
  protected readonly saveError = signal<{ message: string; conflict: boolean } | null>(null);

  protected readonly inputPosition = signal<Point>({ x: 0, y: 0 });
  protected readonly edges = computed(() => edgesOf(this.graph()));
  protected readonly selectedKeys = signal<string[]>([]);
  private readonly selectedEdges = signal<string[]>([]);
  protected readonly selected = computed(() => {
    const keys = this.selectedKeys();
    return keys.length === 1 ? this.graph().nodes.find((n) => n.key === keys[0]) : undefined;
  });
  protected readonly selectedDescriptor = computed(() => {
    const node = this.selected();
    return node ? this.byClass().get(node.node.type) : undefined;
  });
  protected readonly outgoing = computed((): OutgoingConnection[] => {
    const node = this.selected();
    if (!node) return [];
    const names = new Map(this.graph().nodes.map((n) => [n.key, n.node.name]));
    return this.edges()
      .filter((e) => e.from === node.key)
      .map((e) => ({ to: e.to, toName: names.get(e.to) ?? '?', labels: e.labels }));
  });
  protected readonly showDebug = signal(false);
  protected readonly debugNodes = computed(() =>
    this.graph()
      .nodes.filter((n) => n.node.id && (n.node.debugSettings?.allEnabledUntil ?? 0) > Date.now())
      .map((n) => ({ id: n.node.id!.id, name: n.node.name })),
  );

  protected readonly testScript: ScriptTester = (script: string, lang: ScriptLang) => {
    const node = this.selected();
    if (!node) return;
    const data: ScriptTestData = { nodeName: node.node.name, script, lang, ...scriptTestKind(node.node.type) };
    this.dialog.open(ScriptTestDialog, { data, width: '640px' });
  };

  constructor() {
    effect(() => {
      const value = this.loaded.state().value;
      if (value) untracked(() => this.load(value));
    });
  }

  private load({ chain, metadata, components }: Loaded): void {
    this.chain.set(chain);
    this.components.set(components);
    this.show(metadata);
  }

  /** Puts the server's graph on the canvas (after loading, saving or restoring). */
  private show(metadata: RuleChainMetaData, keepSelectionAt: number[] = []): void {
    const graph = metadataToGraph(metadata);
    this.saved.set({ graph, metadata });
    this.graph.set(graph);
    this.invalidNodes.set(new Set());
    this.selectedKeys.set(keepSelectionAt.map((i) => graph.nodes[i]?.key).filter((k): k is string => !!k));
    const first = graph.nodes.find((n) => n.key === graph.firstNodeKey) ?? graph.nodes[0];
    const left = Math.min(...graph.nodes.map((n) => n.position.x), 240);
    this.inputPosition.set({ x: left - 200, y: first?.position.y ?? 150 });
  }

  protected descriptorOf(type: string): ComponentDescriptor | undefined {
    return this.byClass().get(type);
  }

  protected categoryOf(type: string): string {
    return (this.byClass().get(type)?.type ?? 'unknown').toLowerCase();
  }

  protected edgeLabel(labels: string[]): string {
    return labels.join(' / ');
  }

  /** Shows the whole chain; a nearly empty one at its natural size rather than blown up. */
  protected onLoaded(canvas: FCanvasComponent): void {
    if (this.graph().nodes.length > 2) canvas.fitToScreen({ x: 80, y: 80 }, false);
    else canvas.resetScaleAndCenter(false);
  }

  // ——— editing ———

  protected addNode(descriptor: ComponentDescriptor, position?: Point): void {
    const at = position ?? this.freeSpot();
    const node = createNode(descriptor, at, this.graph().nodes);
    this.graph.update((g) => ({ ...g, nodes: [...g.nodes, node] }));
    this.selectedKeys.set([node.key]);
  }

  /** Where a node added without dragging goes: below everything else. */
  private freeSpot(): Point {
    const nodes = this.graph().nodes;
    if (!nodes.length) return { x: this.inputPosition().x + 200, y: this.inputPosition().y };
    return { x: Math.min(...nodes.map((n) => n.position.x)), y: Math.max(...nodes.map((n) => n.position.y)) + 100 };
  }

  protected dropNode(event: FCreateNodeEvent<string>): void {
    const descriptor = this.byClass().get(event.data);
    if (descriptor) this.addNode(descriptor, { x: event.externalItemRect.x, y: event.externalItemRect.y });
  }

  protected moveNode(key: string, position: Point): void {
    if (key === INPUT_KEY) this.inputPosition.set(position);
    else this.graph.update((g) => ({ ...g, nodes: g.nodes.map((n) => (n.key === key ? { ...n, position } : n)) }));
  }

  protected select(event: FSelectionChangeEvent): void {
    this.selectedKeys.set(event.nodeIds.filter((id) => id !== INPUT_KEY));
    this.selectedEdges.set(event.connectionIds);
  }

  protected async connect(event: FCreateConnectionEvent): Promise<void> {
    if (!event.targetId) return;
    const from = keyOf(event.sourceId);
    const to = keyOf(event.targetId);
    if (from === INPUT_KEY) {
      this.graph.update((g) => ({ ...g, firstNodeKey: to }));
      return;
    }
    if (wouldCycle(this.graph(), from, to)) {
      this.snackBar.open('That connection would make messages loop. Rule chains cannot have cycles: connect to another node.', 'Dismiss', {
        duration: 8000,
      });
      return;
    }
    await this.editConnection(from, to);
  }

  /** Asks which relation labels lead from → to, and applies the answer. */
  protected async editConnection(from: string, to: string): Promise<void> {
    const nodes = new Map(this.graph().nodes.map((n) => [n.key, n]));
    const source = nodes.get(from);
    const target = nodes.get(to);
    if (!source || !target) return;
    const definition = this.byClass().get(source.node.type)?.configurationDescriptor.nodeDefinition;
    const data: RelationDialogData = {
      from: source.node.name,
      to: target.node.name,
      relations: definition?.relationTypes ?? ['Success', 'Failure'],
      customRelations: definition?.customRelations ?? true,
      selected: labelsBetween(this.graph(), from, to),
    };
    const ref = this.dialog.open<RelationDialog, RelationDialogData, string[]>(RelationDialog, { data, width: '560px' });
    const labels = await firstValueFrom(ref.afterClosed());
    if (labels) this.graph.update((g) => setLabels(g, from, to, labels));
  }

  protected removeConnection(from: string, to: string): void {
    this.graph.update((g) => setLabels(g, from, to, []));
  }

  protected changeNode(change: NodeChange): void {
    this.graph.update((g) => ({ ...g, nodes: g.nodes.map((n) => (n.key === change.key ? { ...n, node: change.node } : n)) }));
    this.invalidNodes.update((keys) => {
      const next = new Set(keys);
      if (change.invalid) next.add(change.key);
      else next.delete(change.key);
      return next;
    });
  }

  /** Delete / Backspace removes the selected nodes (never the Input) and connections — unless the user is typing. */
  protected deleteKey(event: Event): void {
    const target = event.target as HTMLElement | null;
    const typing = !!target?.closest('input, textarea, select, [contenteditable], mat-select');
    if (typing || this.dialog.openDialogs.length) return;
    if (!this.selectedKeys().length && !this.selectedEdges().length) return;
    event.preventDefault();
    this.deleteNodes(this.selectedKeys());
  }

  protected deleteNodes(nodeKeys: readonly string[], edgeIds: readonly string[] = this.selectedEdges()): void {
    const keys = new Set(nodeKeys.filter((k) => k !== INPUT_KEY));
    const edges = new Set(edgeIds);
    this.graph.update((g) => {
      const withoutNodes = removeNodes(g, keys);
      const firstRemoved = edges.has(edgeId(INPUT_KEY, g.firstNodeKey ?? ''));
      return {
        ...withoutNodes,
        connections: withoutNodes.connections.filter((c) => !edges.has(edgeId(c.from, c.to))),
        firstNodeKey: firstRemoved ? null : withoutNodes.firstNodeKey,
      };
    });
    this.selectedKeys.update((selected) => selected.filter((k) => !keys.has(k)));
    this.selectedEdges.set([]);
  }

  // ——— saving ———

  protected async save(): Promise<void> {
    const saved = this.saved();
    if (!saved || this.saving() || this.invalidNames().length) return;
    const selectedAt = this.selectedKeys().map((k) => this.graph().nodes.findIndex((n) => n.key === k));
    this.saving.set(true);
    this.saveError.set(null);
    try {
      const result = await firstValueFrom(this.api.saveMetadata(graphToMetadata(this.graph(), saved.metadata)));
      this.show(result, selectedAt);
      this.chain.update((chain) => (chain ? { ...chain, version: result.version ?? chain.version } : chain));
      this.snackBar.open(`Saved as version ${result.version}`, undefined, { duration: 3000 });
    } catch (e) {
      const conflict = e instanceof HttpErrorResponse && e.status === 409;
      this.saveError.set({ message: describeError(e), conflict });
    } finally {
      this.saving.set(false);
    }
  }

  /** After a conflict: saves what is on the canvas over the other change (once confirmed). */
  protected async overwrite(): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: 'Replace the other change?',
      message: `Someone saved ${this.chain()?.name} after you opened it. Saving now replaces their version with what is on your canvas; theirs stays in the versions list.`,
      confirmLabel: 'Save mine',
      destructive: true,
    });
    if (!confirmed) return;
    try {
      const latest = await firstValueFrom(this.api.metadata(this.ruleChainId()));
      this.saved.update((s) => (s ? { ...s, metadata: { ...s.metadata, version: latest.version } } : s));
      await this.save();
    } catch (e) {
      this.saveError.set({ message: describeError(e), conflict: false });
    }
  }

  protected async discardAndReload(): Promise<void> {
    if (this.dirty() && !(await this.confirmDiscard('Load the latest version?', 'Load latest'))) return;
    this.saveError.set(null);
    this.loaded.reload();
  }

  protected async openVersions(): Promise<void> {
    const data: VersionsDialogData = { ruleChainId: this.ruleChainId(), unsaved: this.dirty() };
    const ref = this.dialog.open<VersionsDialog, VersionsDialogData, number>(VersionsDialog, { data, width: '640px' });
    const version = await firstValueFrom(ref.afterClosed());
    if (version === undefined) return;
    try {
      this.show(await firstValueFrom(this.api.restoreVersion(this.ruleChainId(), version)));
      this.snackBar.open(`Version ${version} restored`, undefined, { duration: 3000 });
    } catch (e) {
      this.snackBar.open(`Version ${version} was not restored: ${describeError(e)}`, 'Dismiss', { duration: 10_000 });
    }
  }

  // ——— leaving ———

  private confirmDiscard(title: string, confirmLabel: string): Promise<boolean> {
    return confirmAction(this.dialog, {
      title,
      message: `Your changes to ${this.chain()?.name ?? 'this rule chain'} are not saved and will be lost.`,
      confirmLabel,
      destructive: true,
    });
  }

  /** The route guard's question before navigating away. */
  confirmLeave(): Promise<boolean> | boolean {
    return !this.dirty() || this.confirmDiscard('Leave without saving?', 'Leave without saving');
  }

  protected warnBeforeUnload(event: BeforeUnloadEvent): void {
    if (this.dirty()) event.preventDefault();
  }

  protected readonly inputKey = INPUT_KEY;
  protected readonly inId = inId;
  protected readonly outId = outId;
}
