import { describe, expect, it } from 'vitest';
import { type Preset, presetSchema, type RuleDefinition, ruleDefinitionSchema } from '../../../../common/alert-rules.js';
import { ruleThresholds } from '../../../../web/app/src/drawer/rule-thresholds.js';

const name = { vi: 'x', en: 'x' };
const rule = (input: unknown): RuleDefinition => ruleDefinitionSchema.parse(input);
const preset: Preset = presetSchema.parse({
  id: 'salinity-levels',
  name,
  description: name,
  source: 'domain notes',
  kinds: ['salinity'],
  rules: [
    {
      key: 'salinity',
      name,
      condition: 'threshold',
      metric: 'salinity',
      bands: [
        { severity: 'critical', op: '>=', value: 4 },
        { severity: 'major', op: '>=', value: 2 },
        { severity: 'warning', op: '>=', value: 1 },
      ],
    },
  ],
});

describe('rule thresholds for the charts', () => {
  it('takes threshold rules scoped to the site or its kind, and preset bands with the site overrides merged', () => {
    const rules = [
      rule({
        id: 'ph-high',
        name,
        scope: { kind: 'salinity' },
        condition: 'threshold',
        metric: 'ph',
        bands: [{ severity: 'minor', op: '>', value: 9 }],
      }),
      rule({
        id: 'other-site',
        name,
        scope: { sites: ['X1'] },
        condition: 'threshold',
        metric: 'ph',
        bands: [{ severity: 'minor', op: '>', value: 8 }],
      }),
      rule({ id: 'sal-kind', name, scope: { kind: 'salinity' }, condition: 'preset', preset: 'salinity-levels' }),
      rule({
        id: 'sal-site',
        name,
        scope: { sites: ['KG-SAL-01'] },
        condition: 'preset',
        preset: 'salinity-levels',
        overrides: { salinity: { bands: [{ severity: 'critical', op: '>=', value: 5 }] } },
      }),
    ];
    const lines = ruleThresholds({ id: 'KG-SAL-01', kind: 'salinity' }, rules, [preset]);
    expect(lines).toEqual([
      { metric: 'ph', value: 9, severity: 'minor' },
      { metric: 'salinity', value: 2, severity: 'major' },
      { metric: 'salinity', value: 1, severity: 'warning' },
      { metric: 'salinity', value: 5, severity: 'critical' },
    ]);
    // Another salinity site gets the kind-scoped preset as it is.
    expect(
      ruleThresholds({ id: 'KG-SAL-02', kind: 'salinity' }, rules, [preset])
        .filter((line) => line.metric === 'salinity')
        .map((line) => line.value),
    ).toEqual([4, 2, 1]);
  });

  it('draws nothing for disabled rules or other kinds', () => {
    const rules = [
      rule({
        id: 'off',
        name,
        enabled: false,
        scope: { kind: 'salinity' },
        condition: 'threshold',
        metric: 'ph',
        bands: [{ severity: 'minor', op: '>', value: 9 }],
      }),
    ];
    expect(ruleThresholds({ id: 'S', kind: 'salinity' }, rules, [])).toEqual([]);
    expect(
      ruleThresholds(
        { id: 'C', kind: 'camera' },
        [rule({ id: 'kind-rule', name, scope: { kind: 'salinity' }, condition: 'preset', preset: 'salinity-levels' })],
        [preset],
      ),
    ).toEqual([]);
  });
});
