import { PayloadError } from '@edgewise/plugin-api';
import { describe, expect, it } from 'vitest';
import { parseClaimRegistration } from './claim-request';

describe('device claim request (device-api.md §1.10)', () => {
  it('reads an empty payload as an empty secret with the default duration', () => {
    expect(parseClaimRegistration('')).toEqual({ secretKey: '', durationMs: 0 });
    expect(parseClaimRegistration('{}')).toEqual({ secretKey: '', durationMs: 0 });
  });

  it('reads the secret and the duration, numbers as text and numeric strings as numbers', () => {
    expect(parseClaimRegistration('{"secretKey":"abc","durationMs":60000}')).toEqual({ secretKey: 'abc', durationMs: 60000 });
    expect(parseClaimRegistration('{"secretKey":1234,"durationMs":"5000"}')).toEqual({ secretKey: '1234', durationMs: 5000 });
    expect(parseClaimRegistration('{"durationMs":-1}')).toEqual({ secretKey: '', durationMs: -1 });
  });

  it.each([
    ['text that is not JSON', 'secret', /Invalid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['an object as secret', '{"secretKey":{"a":1}}', /"secretKey" must be a string/],
    ['a duration that is not a number', '{"durationMs":"soon"}', /"durationMs" must be a number/],
  ])('refuses %s with PayloadError', (_case, payload, reason) => {
    expect(() => parseClaimRegistration(payload)).toThrow(PayloadError);
    expect(() => parseClaimRegistration(payload)).toThrow(reason);
  });
});
