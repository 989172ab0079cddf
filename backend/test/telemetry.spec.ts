import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';
import { TelemetryFixtures } from './telemetry-fixtures';

const BASE = '/api/plugins/telemetry/DEVICE';

describe('telemetry REST API', () => {
  let app: TestApp;
  let api: ApiClient;
  let fixtures: TelemetryFixtures;

  beforeAll(async () => {
    app = await startTestApp({ HTTP_MAX_BODY_BYTES: '65536' });
    api = await app.api.login(TENANT_ADMIN);
    fixtures = await TelemetryFixtures.of(app);
  });
  afterAll(() => app?.close());

  /** Posts telemetry as raw text (so `42.0` reaches the server as written). */
  const saveTs = (deviceId: string, body: string, contentType = 'application/json') =>
    api.request('POST', `${BASE}/${deviceId}/timeseries/ANY`, body, { 'content-type': contentType });
  const get = (path: string) => api.get(path);

  describe('saving in every payload shape', () => {
    it('stores a plain object at the receive time and answers 200 with an empty body', async () => {
      const device = await fixtures.device('shape-plain');
      const before = Date.now();
      const res = await saveTs(device, '{"temperature":25.1,"humidity":60}');
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const latest = await get(`${BASE}/${device}/values/timeseries?keys=temperature,humidity`);
      expect(latest.body.temperature).toEqual([{ ts: expect.any(Number), value: '25.1' }]);
      expect(latest.body.humidity[0].value).toBe('60');
      expect(latest.body.temperature[0].ts).toBeGreaterThanOrEqual(before);
      expect(latest.body.temperature[0].ts).toBeLessThanOrEqual(Date.now());
    });

    it('stores {ts, values} and arrays of both shapes', async () => {
      const device = await fixtures.device('shape-arrays');
      expect((await saveTs(device, '{"ts":1000,"values":{"a":1}}')).status).toBe(200);
      expect((await saveTs(device, '[{"ts":2000,"values":{"a":2}},{"ts":3000,"values":{"a":3,"b":"x"}}]')).status).toBe(200);
      expect((await saveTs(device, '[{"c":true},{"d":1.5}]')).status).toBe(200);
      const history = await get(`${BASE}/${device}/values/timeseries?keys=a,b&startTs=0&endTs=10000`);
      expect(history.body).toEqual({
        a: [
          { ts: 3000, value: '3' },
          { ts: 2000, value: '2' },
          { ts: 1000, value: '1' },
        ],
        b: [{ ts: 3000, value: 'x' }],
      });
      const all = await get(`${BASE}/${device}/values/timeseries`);
      expect(Object.keys(all.body).sort()).toEqual(['a', 'b', 'c', 'd']);
      expect((await get(`${BASE}/${device}/values/timeseries?keys=`)).body).toEqual(all.body);
      expect(all.body.c[0].value).toBe('true');
      expect((await get(`${BASE}/${device}/keys/timeseries`)).body).toEqual(['a', 'b', 'c', 'd']);
    });

    it('stores a large array of points from one request (multi-row inserts)', async () => {
      const device = await fixtures.device('shape-large');
      const body = `[${Array.from({ length: 150 }, (_, i) => `{"ts":${i + 1},"values":{"n":${i},"half":${i / 2}}}`).join(',')}]`;
      expect((await saveTs(device, body)).status).toBe(200);
      expect(await fixtures.rows('ts_kv', device)).toBe(300);
      const res = await get(`${BASE}/${device}/values/timeseries?keys=n,half&startTs=0&endTs=1000&limit=1000&orderBy=ASC`);
      expect(res.body.n).toHaveLength(150);
      expect(res.body.n[149]).toEqual({ ts: 150, value: '149' });
      expect(res.body.half[3]).toEqual({ ts: 4, value: '1.5' });
      expect((await get(`${BASE}/${device}/values/timeseries?keys=n`)).body.n).toEqual([{ ts: 150, value: '149' }]);
    });

    it('accepts a body sent without a JSON content type, and a TTL it ignores', async () => {
      const device = await fixtures.device('shape-text');
      expect((await saveTs(device, '{"ts":5,"values":{"t":42.0}}', 'text/plain')).status).toBe(200);
      expect((await api.request('POST', `${BASE}/${device}/timeseries/ANY/3600`, '{"ts":6,"values":{"t":43}}')).status).toBe(200);
      expect((await get(`${BASE}/${device}/values/timeseries?keys=t&startTs=0&endTs=10`)).body.t).toEqual([
        { ts: 6, value: '43' },
        { ts: 5, value: '42.0' },
      ]);
    });
  });

  describe('typing and rendering', () => {
    let device: string;
    const payload =
      '{"ts":1000,"values":{"l":42,"d":42.0,"e":1e3,"neg":-1.5e-4,"s":"25","f":"2.5","x":"1e3","b":true,"j":{"a":1.50,"n":[1,null]},"big":9223372036854775807,"huge":12345678901234567890,"exact":0.30000000000000004,"str":"hello"}}';
    beforeAll(async () => {
      device = await fixtures.device('typing');
      expect((await saveTs(device, payload)).status).toBe(200);
    });

    it('renders every value as a string by default, doubles the Java way', async () => {
      const res = await get(`${BASE}/${device}/values/timeseries`);
      const values = Object.fromEntries(Object.entries(res.body).map(([k, v]) => [k, (v as { value: unknown }[])[0].value]));
      expect(values).toEqual({
        l: '42',
        d: '42.0',
        e: '1000',
        neg: '-1.5E-4',
        s: '25',
        f: '2.5',
        x: '1e3',
        b: 'true',
        j: '{"a":1.50,"n":[1,null]}',
        big: '9223372036854775807',
        huge: '12345678901234567890',
        exact: '0.30000000000000004',
        str: 'hello',
      });
    });

    it('answers native JSON types with useStrictDataTypes=true, doubles still written as doubles', async () => {
      const res = await get(`${BASE}/${device}/values/timeseries?keys=l,d,e,s,f,x,b,j,big,huge&useStrictDataTypes=true`);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.text).toBe(
        '{"l":[{"ts":1000,"value":42}],"d":[{"ts":1000,"value":42.0}],"e":[{"ts":1000,"value":1000}],"s":[{"ts":1000,"value":25}],' +
          '"f":[{"ts":1000,"value":2.5}],"x":[{"ts":1000,"value":"1e3"}],"b":[{"ts":1000,"value":true}],' +
          '"j":[{"ts":1000,"value":{"a":1.50,"n":[1,null]}}],"big":[{"ts":1000,"value":9223372036854775807}],' +
          '"huge":[{"ts":1000,"value":"12345678901234567890"}]}',
      );
    });

    it('answers a requested key without data with value null at the server time', async () => {
      const before = Date.now();
      const res = await get(`${BASE}/${device}/values/timeseries?keys=l,nothing`);
      expect(res.body.l).toEqual([{ ts: 1000, value: '42' }]);
      expect(res.body.nothing).toEqual([{ ts: expect.any(Number), value: null }]);
      expect(res.body.nothing[0].ts).toBeGreaterThanOrEqual(before);
    });

    it('answers {} for a device without telemetry', async () => {
      const empty = await fixtures.device('typing-empty');
      expect((await get(`${BASE}/${empty}/values/timeseries`)).body).toEqual({});
      expect((await get(`${BASE}/${empty}/keys/timeseries`)).body).toEqual([]);
    });
  });

  describe('latest and raw history', () => {
    let device: string;
    beforeAll(async () => {
      device = await fixtures.device('raw');
      // Newest first on purpose: latest must not move back when an older point arrives later.
      expect((await saveTs(device, '[{"ts":5000,"values":{"v":5}},{"ts":1000,"values":{"v":1}}]')).status).toBe(200);
      expect(
        (await saveTs(device, '[{"ts":2000,"values":{"v":2}},{"ts":3000,"values":{"v":3}},{"ts":4000,"values":{"v":4}}]')).status,
      ).toBe(200);
    });

    it('keeps the newest point as latest', async () => {
      expect((await get(`${BASE}/${device}/values/timeseries?keys=v`)).body).toEqual({ v: [{ ts: 5000, value: '5' }] });
    });

    it('overwrites a point saved again at the same ts', async () => {
      const other = await fixtures.device('raw-overwrite');
      await saveTs(other, '{"ts":7,"values":{"v":1}}');
      await saveTs(other, '{"ts":7,"values":{"v":"now a string"}}');
      expect((await get(`${BASE}/${other}/values/timeseries?keys=v&startTs=0&endTs=100`)).body).toEqual({
        v: [{ ts: 7, value: 'now a string' }],
      });
    });

    it('covers [startTs, endTs), newest first, capped by limit', async () => {
      const res = await get(`${BASE}/${device}/values/timeseries?keys=v&startTs=2000&endTs=5000&limit=2`);
      expect(res.body).toEqual({
        v: [
          { ts: 4000, value: '4' },
          { ts: 3000, value: '3' },
        ],
      });
    });

    it('orders ascending on request and serves /history too', async () => {
      const res = await get(`${BASE}/${device}/values/timeseries/history?keys=v&startTs=0&endTs=10000&orderBy=ASC&limit=3`);
      expect(res.body.v.map((p: { ts: number }) => p.ts)).toEqual([1000, 2000, 3000]);
    });

    it('answers {} without keys or without data in range, and leaves out keys without data', async () => {
      expect((await get(`${BASE}/${device}/values/timeseries?startTs=0&endTs=10000`)).body).toEqual({});
      expect((await get(`${BASE}/${device}/values/timeseries?keys=v&startTs=6000&endTs=9000`)).body).toEqual({});
      expect((await get(`${BASE}/${device}/values/timeseries?keys=v,none&startTs=5000&endTs=5001`)).body).toEqual({
        v: [{ ts: 5000, value: '5' }],
      });
    });

    it('refuses a bad limit, order or number with 400', async () => {
      for (const query of ['limit=0', 'orderBy=UP', 'startTs=x']) {
        const res = await get(`${BASE}/${device}/values/timeseries/history?keys=v&startTs=0&endTs=10&${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.message, query).toBeTruthy();
      }
    });
  });

  describe('aggregation', () => {
    let device: string;
    const S = 1_000_000;
    const points = [
      [S + 1000, '{"v":1,"s":"b","flag":true}'],
      [S + 2000, '{"v":2,"s":"a","flag":false}'],
      [S + 3000, '{"v":3.5}'],
      // S+10000 … S+20000: empty bucket
      [S + 21000, '{"v":10}'],
      [S + 24000, '{"v":4}'],
      [S + 25000, '{"v":1000}'], // at endTs: outside [startTs, endTs)
    ] as const;
    const query = (agg: string, keys = 'v', extra = '') =>
      get(`${BASE}/${device}/values/timeseries?keys=${keys}&startTs=${S}&endTs=${S + 25000}&interval=10000&agg=${agg}${extra}`);

    beforeAll(async () => {
      device = await fixtures.device('aggregation');
      const body = `[${points.map(([ts, values]) => `{"ts":${ts},"values":${values}}`).join(',')}]`;
      expect((await saveTs(device, body)).status).toBe(200);
    });

    // Buckets: [S, S+10000) ts S+5000; [S+10000, S+20000) empty → omitted; [S+20000, S+25000) cut at endTs, ts S+22500.
    it.each([
      ['AVG', ['2.1666666666666665', '7.0']],
      ['SUM', ['6.5', '14']],
      ['MIN', ['1.0', '4']],
      ['MAX', ['3.5', '10']],
      ['COUNT', ['3', '2']],
    ])('%s per bucket at bucket midpoints, ThingsBoard result types', async (agg, values) => {
      const res = await query(agg);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        v: [
          { ts: S + 5000, value: values[0] },
          { ts: S + 22500, value: values[1] },
        ],
      });
    });

    it('keeps AVG doubles and SUM longs apart in strict mode', async () => {
      expect((await query('AVG', 'v', '&useStrictDataTypes=true')).text).toBe(
        `{"v":[{"ts":${S + 5000},"value":2.1666666666666665},{"ts":${S + 22500},"value":7.0}]}`,
      );
      expect((await query('SUM', 'v', '&useStrictDataTypes=true')).text).toBe(
        `{"v":[{"ts":${S + 5000},"value":6.5},{"ts":${S + 22500},"value":14}]}`,
      );
    });

    it('MIN/MAX of strings compare text, booleans alone give no point, COUNT counts them', async () => {
      expect((await query('MIN', 's,flag')).body).toEqual({ s: [{ ts: S + 5000, value: 'a' }] });
      expect((await query('MAX', 's')).body).toEqual({ s: [{ ts: S + 5000, value: 'b' }] });
      expect((await query('COUNT', 'flag')).body).toEqual({ flag: [{ ts: S + 5000, value: '2' }] });
      expect((await query('AVG', 's')).body).toEqual({ s: [{ ts: S + 5000, value: '0.0' }] });
    });

    it('treats interval 0 without a calendar type as raw data', async () => {
      const res = await get(`${BASE}/${device}/values/timeseries?keys=v&startTs=${S}&endTs=${S + 25000}&interval=0&agg=AVG&orderBy=ASC`);
      expect(res.body.v.map((p: { value: string }) => p.value)).toEqual(['1', '2', '3.5', '10', '4']);
    });

    it('refuses more than 700 buckets and an unknown aggregation with 400', async () => {
      const tooMany = await get(`${BASE}/${device}/values/timeseries?keys=v&startTs=0&endTs=701000&interval=1000&agg=AVG`);
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.message).toBe(
        "Incorrect TsKvQuery. Number of intervals is to high - 701. Please increase 'interval' parameter for your query or reduce the time range of the query.",
      );
      const unknown = await query('MEDIAN');
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('NONE, AVG, MIN, MAX, SUM, COUNT');
    });

    it('buckets by calendar month in the requested time zone', async () => {
      const monthly = await fixtures.device('aggregation-monthly');
      const at = (iso: string) => Date.parse(iso);
      const body = [at('2024-01-15T00:00:00Z'), at('2024-01-20T00:00:00Z'), at('2024-02-10T00:00:00Z')]
        .map((ts) => `{"ts":${ts},"values":{"m":1}}`)
        .join(',');
      await saveTs(monthly, `[${body}]`);
      const start = at('2024-01-10T00:00:00Z');
      const res = await get(
        `${BASE}/${monthly}/values/timeseries?keys=m&startTs=${start}&endTs=${at('2024-03-01T00:00:00Z')}&agg=COUNT&intervalType=MONTH&timeZone=UTC`,
      );
      const feb = at('2024-02-01T00:00:00Z');
      expect(res.body).toEqual({
        m: [
          { ts: start + Math.floor((feb - start) / 2), value: '2' },
          { ts: feb + Math.floor((at('2024-03-01T00:00:00Z') - feb) / 2), value: '1' },
        ],
      });
    });
  });

  describe('refusing bad payloads, writing nothing', () => {
    it.each([
      ['malformed JSON', '{"a":', 'application/json', 'Invalid JSON'],
      ['malformed JSON as text', '{"a":', 'text/plain', 'Unable to parse time series payload: Invalid JSON body!'],
      ['a scalar', '42', 'application/json', "Unable to parse time series payload. Invalid JSON body: Can't parse value: 42"],
      ['a string', '"abc"', 'application/json', 'Unable to parse time series payload. Invalid JSON body: Can\'t parse value: "abc"'],
      [
        'a non-object element',
        '[{"a":1},7]',
        'application/json',
        "Unable to parse time series payload. Invalid JSON body: Can't parse value: 7",
      ],
      [
        'a null value',
        '{"a":1,"b":null}',
        'application/json',
        "Unable to parse time series payload. Invalid JSON body: Can't parse value: null",
      ],
      ['no data', '{}', 'application/json', 'No time series data found in request body!'],
      ['a blank key', '{" ":1}', 'application/json', "Key can't be null or empty"],
    ])('%s → 400 with the reason', async (_, body, contentType, message) => {
      const device = await fixtures.device(`bad-${_}`);
      const res = await saveTs(device, body, contentType);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(message);
      expect(await fixtures.rows('ts_kv', device)).toBe(0);
    });

    it('refuses an oversized body with 413', async () => {
      const device = await fixtures.device('bad-oversized');
      const big = JSON.stringify({ blob: 'x'.repeat(70_000) });
      for (const contentType of ['application/json', 'text/plain']) {
        const res = await saveTs(device, big, contentType);
        expect(res.status, contentType).toBe(413);
        expect(res.body.message).toBe('Payload size exceeds the limit of 65536 bytes');
      }
      expect(await fixtures.rows('ts_kv', device)).toBe(0);
    });
  });

  describe('access', () => {
    it('answers 404 for an unknown device, 400 for a malformed id or another entity type', async () => {
      const unknown = await get(`${BASE}/3a5c9b1e-0000-4000-8000-000000000001/values/timeseries`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.errorCode).toBe(32);
      expect((await get(`${BASE}/not-a-uuid/values/timeseries`)).status).toBe(400);
      const asset = await get(`/api/plugins/telemetry/ASSET/3a5c9b1e-0000-4000-8000-000000000001/values/timeseries`);
      expect(asset.status).toBe(400);
      expect(asset.body.message).toContain('only DEVICE');
    });

    it("refuses another tenant's device with 403 both ways and writes nothing", async () => {
      const otherTenant = await fixtures.tenant('Other tenant');
      const otherAdmin = await fixtures.user('admin@other.example', 'TENANT_ADMIN', otherTenant);
      const theirs = await fixtures.device('theirs', { tenantId: otherTenant });
      const ours = await fixtures.device('ours');
      expect((await saveTs(theirs, '{"a":1}')).status).toBe(403);
      expect((await get(`${BASE}/${theirs}/values/timeseries`)).status).toBe(403);
      expect((await otherAdmin.get(`${BASE}/${ours}/keys/timeseries`)).status).toBe(403);
      expect((await otherAdmin.request('POST', `${BASE}/${theirs}/timeseries/ANY`, '{"a":1}')).status).toBe(200);
      expect(await fixtures.rows('ts_kv', ours)).toBe(0);
    });

    it("lets a customer user reach only its customer's devices", async () => {
      const customer = await fixtures.customer('Customer A');
      const user = await fixtures.user('user@customer-a.example', 'CUSTOMER_USER', fixtures.tenantId, customer);
      const assigned = await fixtures.device('assigned', { customerId: customer });
      const unassigned = await fixtures.device('unassigned');
      expect((await user.request('POST', `${BASE}/${assigned}/timeseries/ANY`, '{"a":1}')).status).toBe(200);
      expect((await user.get(`${BASE}/${assigned}/values/timeseries`)).body.a[0].value).toBe('1');
      expect((await user.get(`${BASE}/${unassigned}/values/timeseries`)).status).toBe(403);
    });
  });

  describe('deleting', () => {
    const seed = async (name: string) => {
      const device = await fixtures.device(name);
      await saveTs(device, '[{"ts":1000,"values":{"v":1,"w":1}},{"ts":2000,"values":{"v":2,"w":2}},{"ts":3000,"values":{"v":3,"w":3}}]');
      return device;
    };
    const del = (device: string, query: string) => api.delete(`${BASE}/${device}/timeseries/delete?${query}`);
    const history = async (device: string, key = 'v') =>
      ((await get(`${BASE}/${device}/values/timeseries?keys=${key}&startTs=0&endTs=10000&orderBy=ASC`)).body[key] ?? []).map(
        (p: { ts: number }) => p.ts,
      );

    it('deletes [startTs, endTs) of the given keys only, and the latest value inside it', async () => {
      const device = await seed('delete-range');
      expect((await del(device, 'keys=v&startTs=2000&endTs=3001')).status).toBe(200);
      expect(await history(device)).toEqual([1000]);
      expect(await history(device, 'w')).toEqual([1000, 2000, 3000]);
      expect((await get(`${BASE}/${device}/values/timeseries?keys=v`)).body.v[0].value).toBeNull();
    });

    it('rewrites latest from the newest older point on request', async () => {
      const device = await seed('delete-rewrite');
      expect((await del(device, 'keys=v&startTs=3000&endTs=4000&rewriteLatestIfDeleted=true')).status).toBe(200);
      expect((await get(`${BASE}/${device}/values/timeseries?keys=v`)).body.v).toEqual([{ ts: 2000, value: '2' }]);
    });

    it('keeps latest with deleteLatest=false and deletes everything with deleteAllDataForKeys', async () => {
      const device = await seed('delete-all');
      expect((await del(device, 'keys=v&deleteAllDataForKeys=true&deleteLatest=false')).status).toBe(200);
      expect(await history(device)).toEqual([]);
      expect((await get(`${BASE}/${device}/values/timeseries?keys=v`)).body.v).toEqual([{ ts: 3000, value: '3' }]);
    });

    it('refuses missing keys or range with 400', async () => {
      const device = await seed('delete-bad');
      expect((await del(device, 'startTs=0&endTs=10')).body.message).toContain('Empty keys: []');
      expect((await del(device, 'keys=v')).body.message).toBe(
        "When deleteAllDataForKeys is false, start and end timestamp values shouldn't be empty",
      );
      expect(await history(device)).toEqual([1000, 2000, 3000]);
    });
  });

  it('records saves and deletes in the audit log', async () => {
    const device = await fixtures.device('audited');
    await saveTs(device, '{"a":1}');
    await api.delete(`${BASE}/${device}/timeseries/delete?keys=a&deleteAllDataForKeys=true`);
    const logs = await get(`/api/audit/logs/entity/DEVICE/${device}?pageSize=10&page=0`);
    expect(logs.body.data.map((l: { actionType: string }) => l.actionType).sort()).toEqual(['TIMESERIES_DELETED', 'TIMESERIES_UPDATED']);
  });
});
