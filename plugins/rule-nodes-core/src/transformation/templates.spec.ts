import { testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { fillTemplate } from './templates';

const msg = testMsg({
  metadata: { deviceName: 'Boiler 7', note: 'say "hi"' },
  data: { temperature: 25.5, on: true, nothing: null, location: { room: 'R1', floor: 2 }, list: [1, 2] },
});

describe('fillTemplate', () => {
  it('fills metadata and data placeholders, nested data included', () => {
    expect(fillTemplate('${deviceName}: $[temperature] °C in $[location.room] (floor $[location.floor])', msg)).toBe(
      'Boiler 7: 25.5 °C in R1 (floor 2)',
    );
    expect(fillTemplate('$[on]/$[nothing]', msg)).toBe('true/null');
  });

  it('leaves placeholders it cannot resolve as written', () => {
    expect(fillTemplate('${missing} $[missing] $[location] $[list] $[location.] $[temperature.x]', msg)).toBe(
      '${missing} $[missing] $[location] $[list] $[location.] $[temperature.x]',
    );
  });

  it('fills ${*} with all metadata and $[*] with all data', () => {
    expect(JSON.parse(fillTemplate('${*}', msg))).toEqual(msg.metadata);
    expect(JSON.parse(fillTemplate('$[*]', msg))).toEqual(JSON.parse(msg.data));
  });

  it('escapes values for a JSON string when asked', () => {
    expect(fillTemplate('{"note":"${note}"}', msg, { escapeJson: true })).toBe('{"note":"say \\"hi\\""}');
    expect(JSON.parse(fillTemplate('{"note":"${note}"}', msg, { escapeJson: true }))).toEqual({ note: 'say "hi"' });
  });

  it('does not expand placeholders that arrive inside values', () => {
    const tricky = testMsg({ metadata: { a: '${b}', b: 'secret' }, data: { x: '$[y]', y: 1 } });
    expect(fillTemplate('${a} $[x]', tricky)).toBe('${b} $[y]');
  });

  it('resolves metadata but keeps data placeholders when the data is not JSON', () => {
    const text = testMsg({ data: 'plain text', dataType: 'TEXT' });
    expect(fillTemplate('${deviceName} $[temperature] $[*]', text)).toBe('Test Device $[temperature] $[*]');
  });

  it('does not look up keys of inherited properties', () => {
    expect(fillTemplate('${constructor} $[toString]', msg)).toBe('${constructor} $[toString]');
  });
});
