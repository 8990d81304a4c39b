/**
 * Rule seeds: the shipped seeds/rules load and resolve per site as documented; a broken seeds
 * directory stops startup listing every problem with its file and path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRuleSeeds } from '../../../alerting/rules/rule-seeds.js';
import { RuleSet } from '../../../alerting/rules/rule-set.js';
import { siteListSchema } from '../../../common/sites.js';
import { SeedError } from '../../../platform/seeds.js';
import { makeTempDir } from '../../support/test-config.js';

const temps: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.cleanup();
});

describe('shipped seeds', () => {
  it('load, and give every seeded site the rules docs/alerting.md describes', async () => {
    const seeds = await loadRuleSeeds(path.resolve('seeds'));
    const sites = siteListSchema.parse(JSON.parse(fs.readFileSync(path.resolve('seeds/sites.json'), 'utf8')));
    const set = new RuleSet(seeds.rules, seeds.presets);
    const ruleIds = (id: string) => {
      const site = sites.find((candidate) => candidate.id === id);
      if (!site) throw new Error(`no seeded site ${id}`);
      return set.rulesFor(site).map((rule) => rule.id);
    };
    expect(ruleIds('KG-WQ-05')).toEqual(
      expect.arrayContaining(['qcvn-02-19-shrimp-pond:do', 'qcvn-02-19-shrimp-pond:ph-swing', 'station-health:offline']),
    );
    expect(ruleIds('HG-WQ-01')).toContain('salinity-intrusion:salinity');
    expect(ruleIds('HG-WQ-01')).not.toContain('qcvn-02-19-shrimp-pond:do');
    expect(ruleIds('KG-SAL-02')).toEqual(expect.arrayContaining(['salinity-intrusion:salinity', 'salinity-intrusion:salinity-rising']));
    expect(ruleIds('HG-CAM-02')).toEqual(['camera-offline:offline']);
    for (const site of sites) expect(ruleIds(site.id).length).toBeGreaterThan(0);

    const cages = set.rulesFor({ id: 'KG-WQ-04', kind: 'water-quality' }).find((rule) => rule.id === 'qcvn-02-19-shrimp-pond:salinity');
    expect(cages?.spec).toMatchObject({
      bands: expect.arrayContaining([
        { severity: 'warning', op: '>', value: 34 },
        { severity: 'critical', op: '>', value: 35 },
      ]),
    });
    const salinity = set.rulesFor({ id: 'KG-SAL-01', kind: 'salinity' }).find((rule) => rule.id === 'salinity-intrusion:salinity');
    expect(salinity?.spec).toMatchObject({
      bands: [
        { severity: 'warning', value: 0.5 },
        { severity: 'minor', value: 1 },
        { severity: 'major', value: 2 },
        { severity: 'critical', value: 4 },
      ],
    });
  });

  it('a seeds directory without rules gives no rules', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    expect(await loadRuleSeeds(temp.dir)).toEqual({ rules: [], presets: [] });
  });
});

describe('broken seeds', () => {
  it('list every problem, naming the file and the path', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const dir = path.join(temp.dir, 'rules');
    fs.mkdirSync(path.join(dir, 'presets'), { recursive: true });
    fs.copyFileSync(path.resolve('seeds/rules/presets/camera-offline.json'), path.join(dir, 'presets/camera-offline.json'));
    fs.writeFileSync(path.join(dir, 'presets/broken.json'), '{ not json');
    fs.writeFileSync(
      path.join(dir, 'a.json'),
      JSON.stringify([
        {
          id: 'do-low',
          name: { vi: 'x', en: 'x' },
          condition: 'threshold',
          metric: 'do',
          scope: { kind: 'water-quality' },
          bands: [
            { severity: 'critical', op: '<', value: 6 },
            { severity: 'warning', op: '<', value: 5 },
          ],
        },
        { id: 'cams', name: { vi: 'x', en: 'x' }, condition: 'preset', preset: 'camera-offline', scope: { kind: 'camera' } },
      ]),
    );
    fs.writeFileSync(
      path.join(dir, 'b.json'),
      JSON.stringify([
        { id: 'cams-2', name: { vi: 'x', en: 'x' }, condition: 'preset', preset: 'camera-offline', scope: { kind: 'camera' } },
        { id: 'nope', name: { vi: 'x', en: 'x' }, condition: 'preset', preset: 'no-such-preset', scope: { kind: 'camera' } },
        { id: 'typo', name: { vi: 'x', en: 'x' }, condition: 'offline', scope: { kind: 'camera' }, severty: 'major' },
      ]),
    );
    const error = await loadRuleSeeds(temp.dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SeedError);
    const problems = (error as SeedError).problems.join('\n');
    expect(problems).toMatch(/broken\.json: .*JSON/);
    expect(problems).toMatch(/a\.json: 0\.bands\.0\.value: the critical band must be at or below the warning band/);
    expect(problems).toMatch(/b\.json: 2: Unrecognized key: "severty"/);
    // A file that fails its schema is not cross-checked; once both are valid, clashes between them show.
    const a = JSON.parse(fs.readFileSync(path.join(dir, 'a.json'), 'utf8')) as { bands?: unknown }[];
    if (a[0]) a[0].bands = [{ severity: 'critical', op: '<', value: 3.5 }];
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(a));
    const b = JSON.parse(fs.readFileSync(path.join(dir, 'b.json'), 'utf8')) as unknown[];
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify(b.slice(0, 2)));
    fs.rmSync(path.join(dir, 'presets/broken.json'));
    const second = (await loadRuleSeeds(temp.dir).catch((caught: unknown) => caught)) as SeedError;
    const listed = second.problems.join('\n');
    expect(listed).toMatch(/b\.json: 0\.scope\.kind: preset camera-offline is already applied to camera by rule cams/);
    expect(listed).toMatch(/b\.json: 1\.preset: unknown preset no-such-preset/);
  });
});
