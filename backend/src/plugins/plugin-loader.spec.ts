import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlugin } from './plugin-loader';

/** Real packages on disk, resolved the way the core resolves installed plugins. */
describe('loadPlugin', () => {
  const root = mkdtempSync(join(tmpdir(), 'edgewise-plugins-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const install = (name: string, manifest: object, entry: string) => {
    const dir = join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', main: 'index.js', ...manifest }));
    writeFileSync(join(dir, 'index.js'), entry);
  };

  it('loads a plugin that declares the API version and exports a definition', () => {
    install('good-plugin', { edgewise: { apiVersion: 1 } }, "exports.default = { name: 'good-plugin', version: '1.2.3', ruleNodes: [] };");
    expect(loadPlugin('good-plugin', root)).toMatchObject({ name: 'good-plugin' });
  });

  it('refuses a package that is not a plugin, or built for another API version, saying what to do', () => {
    install('not-a-plugin', {}, 'exports.default = {};');
    expect(() => loadPlugin('not-a-plugin', root)).toThrow(/lacks "edgewise": \{"apiVersion": 1\}/);
    install('future-plugin', { edgewise: { apiVersion: 2 } }, 'exports.default = {};');
    expect(() => loadPlugin('future-plugin', root)).toThrow(/built for plugin API 2; this Edgewise speaks 1/);
    install('empty-plugin', { edgewise: { apiVersion: 1 } }, 'exports.other = 1;');
    expect(() => loadPlugin('empty-plugin', root)).toThrow(/does not export a plugin/);
    expect(() => loadPlugin('missing-plugin', root)).toThrow(/not installed/);
  });
});
