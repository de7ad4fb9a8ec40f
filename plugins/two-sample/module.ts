import { ContainerModule } from 'inversify';
import { MemoryCircuitToken } from '../../core/tokens.js';
import { TwoSampleMemory } from './two-sample.js';

export default new ContainerModule(({ bind }) => {
  bind(MemoryCircuitToken).toConstantValue(TwoSampleMemory);
});
