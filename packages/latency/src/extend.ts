// Measurement building blocks of @klevel/latency (@klevel/latency/extend, browser-safe): what
// benchmarkLatency is made of, for a custom measurement loop.
export { activateBackend, knownBackends, NODE_BACKENDS, validateBackends } from './backend';
export type { ActiveBackend } from './backend';
export { defaultFlopCounter, modelCosts } from './costs';
export type { FlopCounter } from './costs';
export { inferInputShapes, makeInputs } from './inputs';
export { profileInference, startClock, timeInference } from './measure';
export type { Clock } from './measure';
export { isNoisy, quantileSorted, relativeSpread } from './stats';
