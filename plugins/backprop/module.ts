import { ContainerModule } from 'inversify';
import { MemoryCircuitToken } from '../../core/tokens.js';
import { BackpropPlugin } from './backprop.js';

export default new ContainerModule(({ bind }) => {
  bind(MemoryCircuitToken).toConstantValue(BackpropPlugin);
});
