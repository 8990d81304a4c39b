import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSiteSeeds, SeedError } from '../../../platform/seeds.js';
import { makeTempDir } from '../../support/test-config.js';

const temp: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of temp.splice(0)) cleanup();
});

function seedsDirWith(content: string): string {
  const { dir, cleanup } = makeTempDir();
  temp.push(cleanup);
  fs.writeFileSync(path.join(dir, 'sites.json'), content);
  return dir;
}

describe('site seeds', () => {
  it('loads the shipped seeds: every site of the domain table, with both province names', async () => {
    const sites = await loadSiteSeeds(path.resolve('seeds'));
    expect(sites).toHaveLength(22);
    expect(sites.filter((s) => s.kind === 'camera').every((s) => s.snapshotUrl)).toBe(true);
    expect(new Set(sites.map((s) => s.province.current))).toEqual(new Set(['An Giang', 'Cần Thơ']));
  });

  it('lists every problem of a bad file', async () => {
    const dir = seedsDirWith(
      JSON.stringify([{ id: 'bad id', name: '', kind: 'radar', lat: 100, lon: 105, province: { former: 'x', current: 'y' } }]),
    );
    const error = await loadSiteSeeds(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedError);
    const fields = (error as SeedError).problems.map((p) => p.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['0.id', '0.name', '0.kind', '0.lat', '0.reportingIntervalSec']));
  });

  it('reports malformed JSON', async () => {
    const error = await loadSiteSeeds(seedsDirWith('[{')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedError);
  });
});
