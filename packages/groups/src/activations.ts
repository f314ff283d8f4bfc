/**
 * Zero-invariance of elementwise activations: a channel whose pre-activation is identically zero stays
 * zero after the activation iff f(0) = 0. Channels passing an activation with f(0) != 0 cannot be removed
 * as *filters* (their consumers would see the constant f(0)); softmax-like activations additionally mix
 * channels, so the channel cannot be removed at all.
 */

/** What an activation does to an all-zero channel. */
export type ActivationEffect = 'zero-preserving' | 'nonzero' | 'mixing';

const ZERO_PRESERVING = new Set([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'softsign',
  'tanh',
  'swish',
  'mish',
  'gelu',
  'gelu_new',
  'leakyrelu',
]);

const NONZERO = new Set(['sigmoid', 'hard_sigmoid', 'hardsigmoid', 'softplus', 'exponential', 'exp']);

const MIXING = new Set(['softmax', 'logsoftmax', 'log_softmax']);

/**
 * Classifies an activation identifier as it appears in a layer config (`'relu'`, `'sigmoid'`, ...;
 * `null`/`undefined` mean linear). Unknown identifiers are treated as `'nonzero'` (conservative: the
 * channel stays compression-only) rather than guessed.
 *
 * @example activationEffect('relu') // 'zero-preserving'
 */
export function activationEffect(name: unknown): ActivationEffect {
  if (name == null) return 'zero-preserving';
  const key = typeof name === 'string' ? name : String((name as { className?: unknown }).className ?? name);
  const lower = key.toLowerCase();
  if (ZERO_PRESERVING.has(lower)) return 'zero-preserving';
  if (MIXING.has(lower)) return 'mixing';
  if (NONZERO.has(lower)) return 'nonzero';
  return 'nonzero';
}

/** True when the identifier is one this module knows (used to word the reason of unknown activations). */
export function isKnownActivation(name: unknown): boolean {
  if (name == null) return true;
  if (typeof name !== 'string') return false;
  const lower = name.toLowerCase();
  return ZERO_PRESERVING.has(lower) || NONZERO.has(lower) || MIXING.has(lower);
}
