// Public API of @klevel/hspg (no side effect at import). Registering HspgOptimizer for deserialization before
// one is built: '@klevel/hspg/register'.

export type { HalfSpaceDecision, HalfSpaceInputs } from './half-space';
export { halfSpaceDecision } from './half-space';
export { HspgOptimizer, hspg } from './hspg-optimizer';
export type { KeepFloor } from './keep-floor';
export { keepFloorOf, limitProjections } from './keep-floor';
export type { HspgArgs, RegularizerStep, SwitchAt } from './options';
