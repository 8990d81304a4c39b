/**
 * The deployment's rules as one validated set, and what each site gets from it. Pure.
 *
 * A site's *effective rules* are every enabled condition rule whose scope covers it, plus the rules
 * of every preset applied to it. A preset applied to the site by id wins over the same preset
 * applied to its kind, so a site "opts into a preset and overrides a value" with one small rule.
 * Effective preset rules are named `{presetId}:{key}` whichever rule applied them, so editing the
 * overrides of a site keeps its open alerts.
 */

import {
  type ConditionRule,
  type ConditionSpec,
  conditionSpecSchema,
  type Preset,
  type PresetEntry,
  type PresetRule,
  type PresetRuleOverride,
  presetRuleId,
  type RuleDefinition,
  type RuleScope,
  type SeverityBand,
} from '../../common/alert-rules.js';
import type { LocalizedText } from '../../common/alerts.js';
import type { Site } from '../../common/sites.js';
import { bandKey } from '../evaluation/bands.js';

/** One rule as evaluated for one site. */
export interface EffectiveRule {
  /** The alerts' `ruleId`: the condition rule's id, or `{presetId}:{key}`. */
  readonly id: string;
  /** `{siteId}|{id}`: names this rule at this site (computed once; the engine's map key). */
  readonly key: string;
  /** The spec's raise-after and clear-after, ms. */
  readonly raiseAfterMs: number;
  readonly clearAfterMs: number;
  readonly name: LocalizedText;
  readonly spec: ConditionSpec;
  /** The stored rule it comes from (the condition rule, or the preset rule that applied the preset). */
  readonly sourceRuleId: string;
  /** Identifies the spec; evaluation state is reset when it changes. */
  readonly fingerprint: string;
}

/** A site's effective rules, indexed the ways the engine looks them up. */
export interface SiteRules {
  /** Every rule, in a stable order. */
  readonly all: readonly EffectiveRule[];
  readonly byId: ReadonlyMap<string, EffectiveRule>;
  /** Rules fed by samples of a metric (threshold, rate, swing, stuck), by metric. */
  readonly bySampledMetric: ReadonlyMap<string, readonly EffectiveRule[]>;
  /** Rules that look at the site's facts after each message (stale, offline). */
  readonly onFacts: readonly EffectiveRule[];
}

/** A problem in a rule set: where (`rules.3.overrides.do.bands`) and what. */
export interface RuleSetProblem {
  readonly path: string;
  readonly message: string;
}

/** Merges a site's overrides into a preset rule; the result is validated like any rule. */
export function applyOverride(
  entry: PresetEntry,
  override: PresetRuleOverride | undefined,
): ReturnType<typeof conditionSpecSchema.safeParse> {
  const { key: _key, name: _name, ...spec } = entry;
  if (!override) return conditionSpecSchema.safeParse(spec);
  const { enabled: _enabled, bands, ...values } = override;
  const merged: Record<string, unknown> = { ...spec, ...values };
  if (bands && 'bands' in spec) merged.bands = mergeBands(spec.bands, bands);
  else if (bands) merged.bands = bands;
  return conditionSpecSchema.safeParse(merged);
}

/** Preset bands with each override band replacing the one of the same severity and direction. */
function mergeBands(base: readonly SeverityBand[], overrides: readonly SeverityBand[]): SeverityBand[] {
  const byKey = new Map(overrides.map((band) => [bandKey(band), band]));
  const merged = base.map((band) => byKey.get(bandKey(band)) ?? band);
  const present = new Set(base.map(bandKey));
  for (const band of overrides) if (!present.has(bandKey(band))) merged.push(band);
  return merged;
}

function scopeCovers(scope: RuleScope, site: Pick<Site, 'id' | 'kind'>): boolean {
  return scope.kind !== undefined ? scope.kind === site.kind : (scope.sites?.includes(site.id) ?? false);
}

/**
 * Checks rules against each other and the presets: unique ids, known presets and preset rule keys,
 * overrides that still make valid rules, kinds the preset is meant for, and no two rules applying
 * the same preset to the same kind or to the same site. Returns every problem (empty when valid).
 */
export function ruleSetProblems(rules: readonly RuleDefinition[], presets: readonly Preset[]): RuleSetProblem[] {
  const problems: RuleSetProblem[] = [];
  const presetsById = new Map(presets.map((preset) => [preset.id, preset]));
  const firstIndex = new Map<string, number>();
  const kindBindings = new Map<string, string>();
  const siteBindings = new Map<string, string>();
  rules.forEach((rule, index) => {
    const at = (suffix: string) => `rules.${index}${suffix}`;
    const first = firstIndex.get(rule.id);
    if (first !== undefined) problems.push({ path: at('.id'), message: `duplicate rule id ${rule.id} (first at rules.${first})` });
    else firstIndex.set(rule.id, index);
    if (rule.condition !== 'preset') return;
    const preset = presetsById.get(rule.preset);
    if (!preset) {
      problems.push({
        path: at('.preset'),
        message: `unknown preset ${rule.preset} (known: ${[...presetsById.keys()].join(', ') || 'none'})`,
      });
      return;
    }
    if (rule.scope.kind !== undefined && !preset.kinds.includes(rule.scope.kind)) {
      problems.push({
        path: at('.scope.kind'),
        message: `preset ${preset.id} is for ${preset.kinds.join(', ')} sites, not ${rule.scope.kind}`,
      });
    }
    const entries = new Map(preset.rules.map((entry) => [entry.key, entry]));
    for (const [key, override] of Object.entries(rule.overrides)) {
      const entry = entries.get(key);
      if (!entry) {
        problems.push({
          path: at(`.overrides.${key}`),
          message: `preset ${preset.id} has no rule ${key} (it has ${[...entries.keys()].join(', ')})`,
        });
        continue;
      }
      const merged = applyOverride(entry, override);
      if (!merged.success) {
        for (const issue of merged.error.issues) {
          problems.push({ path: at(`.overrides.${key}${issue.path.map((p) => `.${String(p)}`).join('')}`), message: issue.message });
        }
      }
    }
    if (!rule.enabled) return;
    const claim = (registry: Map<string, string>, target: string, path: string) => {
      const holder = registry.get(`${preset.id}|${target}`);
      if (holder !== undefined) problems.push({ path, message: `preset ${preset.id} is already applied to ${target} by rule ${holder}` });
      else registry.set(`${preset.id}|${target}`, rule.id);
    };
    if (rule.scope.kind !== undefined) claim(kindBindings, rule.scope.kind, at('.scope.kind'));
    for (const siteId of rule.scope.sites ?? []) claim(siteBindings, siteId, at('.scope.sites'));
  });
  return problems;
}

/** A validated rule set; resolves (and caches) each site's effective rules. */
export class RuleSet {
  private readonly presetsById: ReadonlyMap<string, Preset>;
  private readonly conditionRules: readonly ConditionRule[];
  private readonly presetRules: readonly PresetRule[];
  /** By site id, with the kind the rules were resolved for. */
  private readonly cache = new Map<string, { readonly kind: string; readonly index: SiteRules }>();

  /** Throws when {@link ruleSetProblems} finds anything; check first where problems are expected. */
  constructor(
    readonly rules: readonly RuleDefinition[],
    readonly presets: readonly Preset[],
  ) {
    const problems = ruleSetProblems(rules, presets);
    if (problems.length > 0) throw new Error(`invalid rule set: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.presetsById = new Map(presets.map((preset) => [preset.id, preset]));
    this.conditionRules = rules.filter((rule): rule is ConditionRule => rule.condition !== 'preset' && rule.enabled);
    this.presetRules = rules.filter((rule): rule is PresetRule => rule.condition === 'preset' && rule.enabled);
  }

  /** The rules evaluated for `site`, in a stable order. */
  rulesFor(site: Pick<Site, 'id' | 'kind'>): readonly EffectiveRule[] {
    return this.indexFor(site).all;
  }

  /** The rules of `site`, indexed (cached per site until the set is replaced). */
  indexFor(site: Pick<Site, 'id' | 'kind'>): SiteRules {
    const cached = this.cache.get(site.id);
    if (cached && cached.kind === site.kind) return cached.index;
    const index = indexRules(this.resolve(site));
    this.cache.set(site.id, { kind: site.kind, index });
    return index;
  }

  private resolve(site: Pick<Site, 'id' | 'kind'>): EffectiveRule[] {
    const effective: EffectiveRule[] = [];
    for (const rule of this.conditionRules) {
      if (!scopeCovers(rule.scope, site)) continue;
      const { id, name, description: _d, enabled: _e, scope: _s, ...spec } = rule;
      effective.push(effectiveRule(site.id, id, name, spec, id));
    }
    for (const binding of this.bindingsFor(site)) {
      const preset = this.presetsById.get(binding.preset);
      if (!preset) continue;
      for (const entry of preset.rules) {
        const override = binding.overrides[entry.key];
        if (override?.enabled === false) continue;
        const spec = applyOverride(entry, override);
        // Validated with the set; a failure here would be a bug, and skipping the rule is the safe answer.
        if (!spec.success) continue;
        effective.push(effectiveRule(site.id, presetRuleId(preset.id, entry.key), entry.name, spec.data, binding.id));
      }
    }
    return effective;
  }

  /** The preset rules that apply to `site`: per preset, the site-scoped one if any, else the kind-scoped one. */
  private bindingsFor(site: Pick<Site, 'id' | 'kind'>): PresetRule[] {
    const byPreset = new Map<string, PresetRule>();
    for (const rule of this.presetRules) {
      if (!scopeCovers(rule.scope, site)) continue;
      const current = byPreset.get(rule.preset);
      if (!current || (current.scope.kind !== undefined && rule.scope.sites !== undefined)) byPreset.set(rule.preset, rule);
    }
    return [...byPreset.values()];
  }
}

function indexRules(all: readonly EffectiveRule[]): SiteRules {
  const bySampledMetric = new Map<string, EffectiveRule[]>();
  const onFacts: EffectiveRule[] = [];
  for (const rule of all) {
    const { spec } = rule;
    if (spec.condition === 'stale' || spec.condition === 'offline') {
      onFacts.push(rule);
      continue;
    }
    const list = bySampledMetric.get(spec.metric) ?? [];
    list.push(rule);
    bySampledMetric.set(spec.metric, list);
  }
  return { all, byId: new Map(all.map((rule) => [rule.id, rule])), bySampledMetric, onFacts };
}

function effectiveRule(siteId: string, id: string, name: LocalizedText, spec: ConditionSpec, sourceRuleId: string): EffectiveRule {
  return {
    id,
    key: `${siteId}|${id}`,
    raiseAfterMs: spec.raiseAfterSec * 1000,
    clearAfterMs: spec.clearAfterSec * 1000,
    name,
    spec,
    sourceRuleId,
    fingerprint: JSON.stringify(spec),
  };
}
