/**
 * Registers the regularizer classes with tfjs serialization under their stable class names, so a model
 * or optimizer config that contains one can be deserialized. Called for its side effect by the
 * `@klevel/wgsef/register` entry (no side effect here).
 */
import { GroupLassoRegularizer } from './group-lasso-regularizer';
import { WgsefKernelRegularizer } from './kernel-regularizer';
import { registerKlevelClass } from './serializable';
import { WgsefRegularizer } from './wgsef-regularizer';

/** Registers `KlevelWgsefRegularizer`, `KlevelGroupLassoRegularizer` and `KlevelWgsefKernelRegularizer` (idempotent). */
export function registerWgsefRegularizers(): void {
  registerKlevelClass(WgsefRegularizer);
  registerKlevelClass(GroupLassoRegularizer);
  registerKlevelClass(WgsefKernelRegularizer);
}
