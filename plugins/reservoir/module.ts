import { ContainerModule } from 'inversify';
import { MemoryCircuitToken } from '../../core/tokens.js';
import { ReservoirMemoryPlugin } from './reservoir.js';

export default new ContainerModule(({ bind }) => {
  bind(MemoryCircuitToken).toConstantValue(ReservoirMemoryPlugin);
});
