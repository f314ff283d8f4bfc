// @klevel/wgsef/register: imported for its side effect. Registers the regularizer classes with tfjs
// serialization, so a saved model (or optimizer) config that names one loads before any regularizer was built
// in this process. (Building one with wgsef(), groupLasso() or wgsefKernelRegularizer() registers it too.)
import { registerWgsefRegularizers } from './regularizer/register';

registerWgsefRegularizers();

export { registerWgsefRegularizers };
