import { describe, expect, it } from 'vitest';
import { registerSitesRequestSchema } from '../../../common/api.js';
import { AppError } from '../../../platform/errors.js';
import { parseInput } from '../../../web/server/validation.js';

const site = {
  id: 'LD-WQ-1',
  name: 'Load site 1',
  kind: 'water-quality',
  lat: 10,
  lon: 105,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 60,
};

function detailsOf(value: unknown): { path: string; message: string }[] {
  try {
    parseInput(registerSitesRequestSchema, value, 'body');
  } catch (error) {
    if (error instanceof AppError) return (error.details ?? []) as { path: string; message: string }[];
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('parseInput on a union (POST /api/sites: one site, or {sites})', () => {
  it('points at the bad field of one site in a bulk registration', () => {
    const details = detailsOf({ sites: [site, { ...site, id: 'LD-WQ-2', lat: 123 }], issueTokens: true });
    expect(details).toHaveLength(1);
    expect(details[0]?.path).toBe('sites.1.lat');
  });

  it('points at the bad field of a single site', () => {
    const details = detailsOf({ ...site, reportingIntervalSec: -5 });
    expect(details.map((d) => d.path)).toEqual(['reportingIntervalSec']);
  });

  it('accepts both forms', () => {
    expect(parseInput(registerSitesRequestSchema, site, 'body')).toMatchObject({ id: 'LD-WQ-1' });
    expect(parseInput(registerSitesRequestSchema, { sites: [site] }, 'body')).toMatchObject({ issueTokens: false });
  });
});
