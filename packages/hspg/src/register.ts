// @klevel/hspg/register: imported for its side effect. Registers HspgOptimizer with tfjs serialization, so a
// model saved with its optimizer loads before any HspgOptimizer was built in this process (building one with
// hspg() registers it too).
import { registerKlevelClass } from '@klevel/wgsef/extend';
import { HspgOptimizer } from './hspg-optimizer';

/** Registers `KlevelHspgOptimizer` so saved models with this optimizer load (idempotent). */
export function registerHspg(): void {
  registerKlevelClass(HspgOptimizer);
}

registerHspg();
