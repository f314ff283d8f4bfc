// Public API of @klevel/hspg (no side effect at import). Registering HspgOptimizer for deserialization before
// one is built: '@klevel/hspg/register'.
export { HspgOptimizer, hspg } from './hspg-optimizer';
export type { HspgArgs, RegularizerStep, SwitchAt } from './options';
export { halfSpaceDecision } from './half-space';
export type { HalfSpaceDecision, HalfSpaceInputs } from './half-space';
export { keepFloorOf, limitProjections } from './keep-floor';
export type { KeepFloor } from './keep-floor';
