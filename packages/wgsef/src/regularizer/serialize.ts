/**
 * getConfig/fromConfig support for the model-level regularizers.
 *
 * tfjs converts string values when it loads a training config (`convertPythonicToTs` camel-cases every
 * string containing '_', so a layer name 'dense_1' would come back as 'dense1'). Layer names and spec
 * objects are therefore stored percent-encoded with '_' escaped, which survives the conversion.
 * Options that are functions, or a ready GroupPartition, cannot be serialized: `serializationProblem`
 * names them and `configOf` throws with that message.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type GroupRegularizerArgs, keepToJson, type ResolvedArgs } from './options';
import { isGroupPartition } from './partition';

/** Encodes a string so tfjs' config conversions leave it unchanged. */
export function encodeConfigString(s: string): string {
  return `~${encodeURIComponent(s).replace(/_/g, '%5F')}`;
}

/** Inverse of {@link encodeConfigString} (plain strings pass through). */
export function decodeConfigString(s: string): string {
  return s.startsWith('~') ? decodeURIComponent(s.slice(1)) : s;
}

function containsFunction(x: unknown, depth = 0): boolean {
  if (typeof x === 'function') return true;
  if (x === null || typeof x !== 'object' || depth > 20) return false;
  return Object.values(x as object).some((v) => containsFunction(v, depth + 1));
}

/** Why these options cannot be serialized, or undefined when they can. */
export function serializationProblem(options: ResolvedArgs): string | undefined {
  const bad: string[] = [];
  if (typeof options.groups === 'function') bad.push('groups (a function)');
  else if (isGroupPartition(options.groups)) bad.push('groups (a ready GroupPartition)');
  else if (containsFunction(options.groups)) bad.push('groups (a spec with a custom function or predicate)');
  if (typeof options.lambda === 'function') bad.push('lambda (a schedule function)');
  if (typeof options.groupWeights === 'function') bad.push('groupWeights (a function)');
  if (bad.length === 0) return undefined;
  return `${bad.join(', ')} cannot be serialized; use a group type/spec, a numeric lambda and a named weighting, or re-create the regularizer in code after loading`;
}

/** JSON-safe config of the options; throws when an option cannot be serialized. */
export function configOf(fn: string, options: ResolvedArgs): tf.serialization.ConfigDict {
  const problem = serializationProblem(options);
  if (problem) throw new Error(`${fn}.getConfig: ${problem}.`);
  const config: tf.serialization.ConfigDict = {
    groups:
      typeof options.groups === 'string'
        ? encodeConfigString(options.groups)
        : encodeConfigString(JSON.stringify(options.groups)),
    groupsIsSpec: typeof options.groups !== 'string',
    scope: options.scope,
    minGroupsPerLayer: options.minGroupsPerLayer as number | string,
    lambda: options.lambda as number,
    groupWeights: options.groupWeights as string,
    exclude: options.exclude.map(encodeConfigString),
    removableOnly: options.removableOnly,
    gradient: options.gradient,
  };
  if (options.batchNorm !== 'group') config.batchNorm = options.batchNorm;
  if (options.keep) config.keep = keepToJson(options.keep);
  if (options.include) config.include = options.include.map(encodeConfigString);
  const plan = options.plan;
  if (plan.targetStep !== undefined) config.targetStep = plan.targetStep;
  if (plan.targetEpoch !== undefined) config.targetEpoch = plan.targetEpoch;
  if (plan.auto) {
    config.autoLambda = { ...plan.autoLambda };
  }
  const schedule = plan.sparsitySchedule;
  if (!plan.scheduleFromAuto && (schedule.type !== 'constant' || schedule.beginStep !== 0)) {
    config.sparsitySchedule = JSON.parse(JSON.stringify(schedule)) as tf.serialization.ConfigDict;
  }
  return config;
}

/** Rebuilds constructor arguments from a config written by {@link configOf}. */
export function fromConfigArgs<T extends GroupRegularizerArgs>(config: tf.serialization.ConfigDict): T {
  const groupsRaw = decodeConfigString(String(config.groups));
  const args: Record<string, unknown> = {
    groups: config.groupsIsSpec ? JSON.parse(groupsRaw) : groupsRaw,
    scope: config.scope,
    minGroupsPerLayer: config.minGroupsPerLayer,
    lambda: config.lambda,
    groupWeights: config.groupWeights,
    exclude: ((config.exclude as string[] | undefined) ?? []).map(decodeConfigString),
    removableOnly: config.removableOnly ?? 'auto',
    gradient: config.gradient,
  };
  if (config.keep) args.keep = { ...(config.keep as object) };
  if (config.include) args.include = (config.include as string[]).map(decodeConfigString);
  for (const key of ['batchNorm', 'targetStep', 'targetEpoch', 'autoLambda', 'sparsitySchedule']) {
    if (config[key] !== undefined && config[key] !== null) args[key] = config[key];
  }
  return args as T;
}
