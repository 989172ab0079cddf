import { ObjectType, type Varbind } from 'net-snmp';
import { describe, expect, it } from 'vitest';
import type { DataType, SnmpMapping } from './configuration';
import { mapResponse, setVarbind, TypeCastError, valueText } from './values';

const vb = (type: ObjectType, value: unknown, oid = '1.3.6.1.4.1.1.0'): Varbind => ({ oid, type, value: value as Varbind['value'] });
const mapping = (dataType: DataType, key = 'k', oid = '1.3.6.1.4.1.1.0'): SnmpMapping => ({ oid, key, dataType });
const json = (dataType: DataType, varbind: Varbind, ignore = false) => mapResponse([varbind], [mapping(dataType)], ignore).json;

/** ThingsBoard's value rules (PduService with SNMP4J's text rendering), and where Edgewise keeps more. */
describe('SNMP value conversion', () => {
  it('renders values as SNMP4J does: TimeTicks as [days, ]h:mm:ss.cc, binary octets as hex, IP addresses dotted', () => {
    expect(valueText(vb(ObjectType.TimeTicks, 0))).toBe('0:00:00.00');
    expect(valueText(vb(ObjectType.TimeTicks, 360_001))).toBe('1:00:00.01');
    expect(valueText(vb(ObjectType.TimeTicks, 2 * 8_640_000 + 6_123))).toBe('2 days, 0:01:01.23');
    expect(valueText(vb(ObjectType.OctetString, Buffer.from([0x00, 0x1b, 0xff])))).toBe('00:1b:ff');
    expect(valueText(vb(ObjectType.OctetString, Buffer.from('line one\r\nline two\t!')))).toBe('line one\r\nline two\t!');
    expect(valueText(vb(ObjectType.OctetString, Buffer.from('München')))).toBe('München'); // SNMP4J: hex
    expect(valueText(vb(ObjectType.IpAddress, '10.0.0.7'))).toBe('10.0.0.7');
    expect(valueText(vb(ObjectType.OID, '1.3.6.1.4.1.8072'))).toBe('1.3.6.1.4.1.8072');
    expect(valueText(vb(ObjectType.Counter64, Buffer.from('00ffffffffffffffff', 'hex')))).toBe('18446744073709551615');
    expect(valueText(vb(ObjectType.NoSuchInstance, null))).toBeUndefined();
  });

  it('converts by dataType: STRING and JSON as text, numbers from SNMP integers or plain number text, BOOLEAN from true/false', () => {
    expect(json('STRING', vb(ObjectType.Integer, 42))).toBe('{"k":"42"}');
    expect(json('JSON', vb(ObjectType.OctetString, Buffer.from('{"a":1}')))).toBe('{"k":"{\\"a\\":1}"}');
    expect(json('LONG', vb(ObjectType.Gauge, 4_000_000_000))).toBe('{"k":4000000000}');
    expect(json('LONG', vb(ObjectType.TimeTicks, 12_345))).toBe('{"k":12345}'); // ThingsBoard fails on "0:02:03.45"
    // Number text keeps its form, so the core types it as ThingsBoard does: 42 LONG, 42.0 DOUBLE.
    expect(json('DOUBLE', vb(ObjectType.OctetString, Buffer.from('42')))).toBe('{"k":42}');
    expect(json('LONG', vb(ObjectType.OctetString, Buffer.from('42.0')))).toBe('{"k":42.0}');
    expect(json('DOUBLE', vb(ObjectType.OctetString, Buffer.from('3,14')))).toBe('{"k":3.14}');
    expect(json('DOUBLE', vb(ObjectType.OctetString, Buffer.from(' +007.50 ')))).toBe('{"k":7.50}');
    expect(json('DOUBLE', vb(ObjectType.OctetString, Buffer.from('.5')))).toBe('{"k":0.5}');
    expect(json('LONG', vb(ObjectType.OctetString, Buffer.from('1e3')))).toBe('{"k":1e3}');
    expect(json('BOOLEAN', vb(ObjectType.OctetString, Buffer.from('False')))).toBe('{"k":false}');
    expect(json('BOOLEAN', vb(ObjectType.Boolean, true))).toBe('{"k":true}');
  });

  it('fails the response on a value that does not convert, or drops just that key when type-cast errors are ignored', () => {
    expect(() => json('LONG', vb(ObjectType.OctetString, Buffer.from('n/a')))).toThrow(
      new TypeCastError("'n/a' can't be parsed as number"),
    );
    expect(() => json('BOOLEAN', vb(ObjectType.Integer, 1))).toThrow("Can't parse '1' as boolean");
    const mixed = mapResponse(
      [vb(ObjectType.OctetString, Buffer.from('n/a'), '1.1.0'), vb(ObjectType.Integer, 5, '1.2.0')],
      [mapping('LONG', 'bad', '1.1.0'), mapping('LONG', 'good', '1.2.0')],
      true,
    );
    expect(mixed).toEqual({ json: '{"good":5}', count: 1, dropped: ['bad'] });
  });

  it('maps one OID to every key that names it and skips values the agent does not have', () => {
    const result = mapResponse(
      [vb(ObjectType.Integer, 7, '1.1.0'), vb(ObjectType.NoSuchObject, null, '1.2.0')],
      [mapping('LONG', 'a', '1.1.0'), mapping('STRING', 'b', '1.1.0'), mapping('LONG', 'c', '1.2.0')],
      false,
    );
    expect(result).toEqual({ json: '{"a":7,"b":"7"}', count: 2, dropped: [] });
  });

  it('sets a LONG mapping as INTEGER when the text is a 32-bit integer, and everything else as OCTET STRING', () => {
    expect(setVarbind(mapping('LONG'), '-42')).toMatchObject({ type: ObjectType.Integer, value: -42 });
    expect(setVarbind(mapping('LONG'), '2147483648')).toMatchObject({ type: ObjectType.OctetString, value: '2147483648' });
    expect(setVarbind(mapping('LONG'), '4.5')).toMatchObject({ type: ObjectType.OctetString, value: '4.5' });
    expect(setVarbind(mapping('STRING'), '42')).toMatchObject({ type: ObjectType.OctetString, value: '42' });
    expect(setVarbind(mapping('BOOLEAN'), 'true')).toMatchObject({ type: ObjectType.OctetString, value: 'true' });
  });
});
