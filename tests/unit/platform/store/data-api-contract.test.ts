import { describe, expect, it } from 'vitest';
import { DATA_API, findDataApiMethod } from '../../../../platform/store/remote/data-api-contract.js';

describe('data API contract', () => {
  it('finds declared methods only, never inherited object keys', () => {
    expect(findDataApiMethod('telemetry', 'writeReadings')).toBe(DATA_API.telemetry.writeReadings);
    expect(findDataApiMethod('registry', 'countUsers')).toBe(DATA_API.registry.countUsers);
    for (const [target, method] of [
      ['registry', 'constructor'],
      ['registry', '__proto__'],
      ['telemetry', 'hasOwnProperty'],
      ['constructor', 'name'],
      ['__proto__', 'toString'],
      ['telemetry', 'countUsers'],
    ] as const) {
      expect(findDataApiMethod(target, method)).toBeUndefined();
    }
  });

  it('validates argument tuples exactly', () => {
    const { args } = DATA_API.telemetry.listEvents;
    expect(args.safeParse(['KG-CAM-01', 10]).success).toBe(true);
    expect(args.safeParse(['KG-CAM-01']).success).toBe(false);
    expect(args.safeParse(['KG-CAM-01', 10, 'extra']).success).toBe(false);
    expect(args.safeParse(['', 10]).success).toBe(false);
    expect(args.safeParse(['KG-CAM-01', 1.5]).success).toBe(false);
    expect(DATA_API.registry.countUsers.args.safeParse([]).success).toBe(true);
  });

  it('accepts undefined as the result of methods that return nothing or may find nothing', () => {
    expect(DATA_API.telemetry.writeReadings.result.safeParse(undefined).success).toBe(true);
    expect(DATA_API.registry.findSession.result.safeParse(undefined).success).toBe(true);
    expect(DATA_API.registry.countUsers.result.safeParse(undefined).success).toBe(false);
  });
});
