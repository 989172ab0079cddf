import { describe, expect, it } from 'vitest';
import { isRefused, parseMessage, readInt, readKeyList } from './ws-commands';
import { WsCommandError } from './ws-protocol';

describe('parseMessage', () => {
  it('reads the legacy wrapper: each array gives its command type, in ThingsBoard order', () => {
    const parsed = parseMessage(
      JSON.stringify({
        historyCmds: [{ cmdId: 3, keys: 'a' }],
        tsSubCmds: [{ cmdId: 1, entityId: 'x' }],
        attrSubCmds: [{ cmdId: 2 }],
        entityDataUnsubscribeCmds: [{ cmdId: 4 }],
      }),
    );
    expect(parsed.authCmd).toBeUndefined();
    expect(parsed.commands.map((c) => [c.type, c.cmdId])).toEqual([
      ['ATTRIBUTES', 2],
      ['TIMESERIES', 1],
      ['TIMESERIES_HISTORY', 3],
      ['ENTITY_DATA_UNSUBSCRIBE', 4],
    ]);
  });

  it('reads the current wrapper with authCmd and typed commands', () => {
    const parsed = parseMessage('{"authCmd":{"cmdId":0,"token":"T"},"cmds":[{"type":"ALARM_COUNT","cmdId":"5","query":{}}]}');
    expect(parsed.authCmd).toEqual({ token: 'T' });
    expect(parsed.commands).toEqual([{ type: 'ALARM_COUNT', cmdId: 5, body: { type: 'ALARM_COUNT', cmdId: '5', query: {} } }]);
  });

  it('refuses single commands (unknown type, negative or malformed cmdId) and keeps the others', () => {
    const parsed = parseMessage(
      '{"cmds":[{"type":"NOTIFICATIONS","cmdId":1},{"type":"TIMESERIES","cmdId":-2},{"type":"TIMESERIES","cmdId":"x"},{"type":"TIMESERIES","cmdId":4}]}',
    );
    const refusals = parsed.commands.filter(isRefused).map((c) => [c.cmdId, c.error.message]);
    expect(refusals).toEqual([
      [1, expect.stringMatching(/^Unsupported command type "NOTIFICATIONS": use one of ATTRIBUTES, TIMESERIES/)],
      [-2, 'Cmd id is negative value!'],
      [0, 'Invalid cmdId "x": expected a whole number'],
    ]);
    expect(parsed.commands.filter((c) => !isRefused(c)).map((c) => c.cmdId)).toEqual([4]);
  });

  it('throws a bad-request error for text that is not a JSON object or has a malformed member', () => {
    for (const text of ['not json', '[]', '42', '{"tsSubCmds":{}}', '{"authCmd":"T"}']) {
      expect(() => parseMessage(text)).toThrow(WsCommandError);
      expect(() => parseMessage(text)).toThrow(/^Failed to parse the payload/);
    }
  });
});

describe('field readers', () => {
  it('reads whole numbers from numbers or their text, and refuses anything else', () => {
    expect(readInt({ a: 5, b: '-7', c: '' }, 'a', 0)).toBe(5);
    expect(readInt({ b: '-7' }, 'b', 0)).toBe(-7);
    expect(readInt({ c: '' }, 'c', 9)).toBe(9);
    expect(() => readInt({ d: 1.5 }, 'd', 0)).toThrow('Invalid d 1.5: expected a whole number');
  });

  it('splits comma-separated keys, dropping empty and repeated ones; none means all keys', () => {
    expect(readKeyList({ keys: 'a,,b,a' })).toEqual(['a', 'b']);
    expect(readKeyList({ keys: ',' })).toBeUndefined();
    expect(readKeyList({})).toBeUndefined();
  });
});
